/*
 * Host keys: HostKey files (OpenSSH or PEM private keys, so the system's
 * /etc/ssh/ssh_host_*_key work as they are), or the daemon's own keys in
 * its state directory. Each key becomes one engine entry per signature
 * algorithm: ssh-mldsa44-ed25519@openssh.com, ed25519, ecdsa, security
 * keys, then rsa-sha2-512 and rsa-sha2-256. A security-key host key
 * (PROTOCOL.u2f) signs through the SecurityKeyProvider library.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostkeys.h"
#include "log.h"
#include "files.h"

#define KEYFILE_MAX (64u * 1024u)

int hostkeys_state_dir(char *out, size_t cap)
{
    const char *env = getenv("NANOSSH_STATE_DIR"), *home;
    struct passwd *pw;
    int n;
    if (env && *env)
        n = snprintf(out, cap, "%s", env);
    else if (geteuid() == 0)
        n = snprintf(out, cap, "/var/lib/nanossh");
    else if ((env = getenv("XDG_STATE_HOME")) && env[0] == '/')
        n = snprintf(out, cap, "%s/nanossh", env);
    else {
        home = getenv("HOME");
        if (!home || !*home)
            home = (pw = getpwuid(geteuid())) ? pw->pw_dir : "/";
        n = snprintf(out, cap, "%s/.local/state/nanossh", home);
    }
    return n < 0 || (size_t)n >= cap ? NSSH_ERR_NOSPACE : 0;
}

/* A private key readable by others is refused, as OpenSSH does. */
static int perms_ok(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return 0;
    if (st.st_uid == geteuid() && (st.st_mode & 077)) {
        log_error("Permissions 0%03o for '%s' are too open.",
                  (unsigned)(st.st_mode & 0777), path);
        return 0;
    }
    return 1;
}

/* A security-key host key needs the provider, loaded with the first one. */
static int sk_ready(hostkey_set *hs, nssh_key *k, const char *path)
{
    if (!hs->sk_tried) {
        hs->sk_tried = 1;
        hs->sk = sk_provider_open(hs->sk_path);
    }
    if (!hs->sk) {
        log_error("Skipping security key host key %s (%s): no usable "
                  "SecurityKeyProvider", path, nssh_ossl_key_type_name(k));
        return 0;
    }
    nssh_ossl_key_set_sk_signer(k, sk_provider_sign, hs->sk);
    return 1;
}

/* The private key in path, or with an agent its public half (a public
 * key file given as HostKey, or path.pub beside a missing private file). */
static int load_key(hostkey_set *hs, const char *path, nssh_key **k,
                    int *via_agent)
{
    char *data = NULL;
    size_t len = 0;
    int e;
    *via_agent = 1;
    if (hs->agent && hostkeys_load_agent_key(hs, path, k, 0) == 0)
        return 0;
    if (hs->agent && access(path, F_OK) < 0)
        return hostkeys_load_agent_key(hs, path, k, 1);
    *via_agent = 0;
    if (!perms_ok(path) || (e = file_read(path, KEYFILE_MAX, &data, &len, NULL, 0)) < 0) {
        log_error("Unable to load host key: %s", path);
        return NSSH_ERR_KEY;
    }
    e = nssh_ossl_key_load_private((const uint8_t *)data, len, k, NULL, 0);
    explicit_bzero(data, len);
    free(data);
    if (e < 0 && hs->agent && hostkeys_load_agent_key(hs, path, k, 1) == 0) {
        *via_agent = 1;
        return 0;
    }
    if (e < 0)
        log_error("Unable to load host key \"%s\": %s", path, nssh_strerror(e));
    return e;
}

static int load_one(hostkey_set *hs, const char *path)
{
    uint8_t blob[NSSH_KEYBLOB_MAX];
    char fp[128] = "";
    size_t blob_len;
    nssh_key *k = NULL;
    int e, via_agent;
    if (hs->n_keys >= HOSTKEYS_MAX)
        return NSSH_ERR_NOSPACE;
    if ((e = load_key(hs, path, &k, &via_agent)) < 0)
        return e;   /* logged */
    if ((e = nssh_ossl_key_public_blob(k, blob, sizeof(blob), &blob_len)) < 0) {
        log_error("Unable to load host key \"%s\": %s", path, nssh_strerror(e));
        nssh_ossl_key_free(k);
        return e;
    }
    /* An agent drives the authenticator of an agent-held security key. */
    if (nssh_ossl_key_is_sk(k) && !via_agent && !sk_ready(hs, k, path)) {
        nssh_ossl_key_free(k);
        return NSSH_ERR_KEY;
    }
    if (!(hs->blobs[hs->n_keys] = malloc(blob_len))) {
        nssh_ossl_key_free(k);
        return NSSH_ERR_NOSPACE;
    }
    memcpy(hs->blobs[hs->n_keys], blob, blob_len);
    hs->blob_lens[hs->n_keys] = blob_len;
    hs->keys[hs->n_keys++] = k;
    nssh_ossl_fingerprint(blob, blob_len, fp, sizeof(fp));
    log_debug("host key: %s %s %s", path, nssh_ossl_key_type_name(k), fp);
    return 0;
}

static int rank(const nssh_key *k)
{
    switch (nssh_ossl_key_type(k)) {
    case NSSH_KEY_MLDSA44_ED25519: return 0;   /* post-quantum first */
    case NSSH_KEY_ED25519: return 1;
    case NSSH_KEY_SK_ED25519:
    case NSSH_KEY_SK_ECDSA_P256: return 3;
    case NSSH_KEY_RSA: return 4;
    default: return 2;   /* ECDSA curves */
    }
}

/* Entries in preference order: by key type rank, keys in load order. */
static void build_entries(hostkey_set *hs)
{
    const nssh_sig_alg *algs[4];
    size_t i, j, n;
    int r;
    hs->n_entries = 0;
    for (r = 0; r <= 4; r++)
        for (i = 0; i < hs->n_keys; i++) {
            if (rank(hs->keys[i]) != r)
                continue;
            n = nssh_ossl_key_sig_algs(hs->keys[i], algs, 4);
            for (j = 0; j < n && hs->n_entries < HOSTKEYS_MAX * 2; j++) {
                nssh_hostkey *h = &hs->entries[hs->n_entries++];
                h->alg = algs[j];
                h->key = hs->keys[i];
                h->blob = hs->blobs[i];
                h->blob_len = hs->blob_lens[i];
            }
        }
}

static int load_state_dir(hostkey_set *hs, int generate)
{
    static const char *const names[] = { "ed25519", "rsa" };
    char dir[4096], path[4200];
    size_t i;
    if (hostkeys_state_dir(dir, sizeof(dir)) < 0)
        return NSSH_ERR_NOSPACE;
    if (generate)
        hostkeys_generate(dir);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/ssh_host_%s_key", dir, names[i]);
        if (access(path, F_OK) == 0)
            load_one(hs, path);
        else if (!generate)
            log_info("%s is missing; it will be generated on start", path);
    }
    return 0;
}

int hostkeys_load(hostkey_set *hs, char *const *files, size_t n_files,
                  int generate)
{
    return hostkeys_load_ext(hs, files, n_files, generate, NULL, NULL);
}

int hostkeys_load_ext(hostkey_set *hs, char *const *files, size_t n_files,
                      int generate, const char *sk_provider, const char *agent)
{
    size_t i;
    memset(hs, 0, sizeof(*hs));
    hs->sk_path = sk_provider;
    if (agent && !(hs->agent = strdup(agent)))
        return NSSH_ERR_NOSPACE;
    if (n_files == 0)
        load_state_dir(hs, generate);
    for (i = 0; i < n_files; i++)
        load_one(hs, files[i]);
    build_entries(hs);
    if (hs->n_entries == 0 && (generate || n_files)) {
        log_fatal("no hostkeys available -- exiting.");
        return NSSH_ERR_KEY;
    }
    return 0;
}

void hostkeys_free(hostkey_set *hs)
{
    size_t i;
    for (i = 0; i < hs->n_keys; i++) {
        nssh_ossl_key_free(hs->keys[i]);
        free(hs->blobs[i]);
    }
    for (i = 0; i < hs->n_certs; i++)
        free(hs->certs[i]);
    sk_provider_close(hs->sk);
    free(hs->agent);
    memset(hs, 0, sizeof(*hs));
}
