/*
 * Public key authentication against the user's authorized_keys files,
 * PermitRootLogin, the PAM account and session phases after any method,
 * and the "Accepted publickey" / "Failed password" lines (sshd's shapes).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "krl.h"
#include "authmeth.h"
#include "session.h"
#include "strictmodes.h"
#include "certauth.h"
#include "authglob.h"

/* The account behind a user name, looked up once per name. */
static int lookup_user(dconn *s, const char *name)
{
    if (s->io.pw.name[0] && !strcmp(s->io.pw.name, name))
        return 0;
    if (user_lookup(name, &s->io.pw) == 0)
        return 0;
    if (strcmp(s->invalid_logged, name)) {
        logit(LL_INFO, "Invalid user %s from %s port %d", name, s->io.peer,
              s->io.peer_port);
        snprintf(s->invalid_logged, sizeof(s->invalid_logged), "%s", name);
    }
    return NSSH_ERR_FORMAT;
}

/* Without root, the daemon can only start processes as itself; in
 * single-process mode it serves only the user it runs as, root or not
 * (one process holds every connection: no other user's session may run
 * in it). */
static int user_allowed(dconn *s)
{
    uid_t me = geteuid();
    if (s->access_denied)
        return 0;   /* DenyUsers, AllowUsers & co.: logged by srvmatch.c */
    if ((me == 0 && !s->o->single_process) || s->io.pw.uid == me)
        return 1;
    if (strcmp(s->invalid_logged, s->io.pw.name)) {
        logit(LL_INFO, "User %s from %s not allowed because the server runs "
              "as uid %u", s->io.pw.name, s->io.peer, (unsigned)me);
        snprintf(s->invalid_logged, sizeof(s->invalid_logged), "%s",
                 s->io.pw.name);
    }
    return 0;
}

/* Read the user's files with the user's rights, as sshd does, so a link
 * in their home cannot make root read someone else's file. */
void srv_back_to_root(gid_t *saved_groups, int n_saved)
{
    if (seteuid(0) < 0 || setegid(0) < 0 ||
        setgroups((size_t)n_saved, saved_groups) < 0)
        log_fatal("cannot restore root privileges");
}

int srv_as_user(const user_info *u, gid_t *saved_groups, int *n_saved)
{
    if (geteuid() != 0 || u->uid == 0)
        return 0;
    if ((*n_saved = getgroups(NGROUPS_MAX, saved_groups)) < 0)
        return NSSH_ERR_INTERNAL;
    if (setgroups(1, &u->gid) < 0 || setegid(u->gid) < 0 ||
        seteuid(u->uid) < 0) {
        srv_back_to_root(saved_groups, *n_saved);
        return NSSH_ERR_INTERNAL;
    }
    return 1;
}

int srv_user_ok(dconn *s, const char *name)
{
    return lookup_user(s, name) == 0 && user_allowed(s);
}

/* PermitRootLogin (sshd_config(5)); forced-commands-only needs the
 * matching key's options, so it is judged after the keys file. */
int srv_root_ok(dconn *s, const char *method)
{
    int policy = opts_permit_root(s->o), ok;
    if (s->io.pw.uid != 0 || policy == ROOT_YES)
        return 1;
    if (policy == ROOT_NO)
        ok = 0;
    else if (strcmp(method, "publickey"))
        ok = 0;   /* prohibit-password and forced-commands-only */
    else
        ok = policy == ROOT_PROHIBIT_PASSWORD ||
             (s->have_kopts && s->kopts.command);
    if (!ok)
        logit(LL_INFO, "ROOT LOGIN REFUSED FROM %s port %d", s->io.peer,
              s->io.peer_port);
    return ok;
}

void srv_keep_kopts(dconn *s, authkey_opts *o)
{
    if (s->have_kopts)
        authkeys_opts_free(&s->kopts);
    s->kopts = *o;
    s->have_kopts = 1;
    memset(o, 0, sizeof(*o));
}

/* One authorized_keys file (a match of an AuthorizedKeysFile pattern). */
static int find_key_in(dconn *s, const char *path, const char *type,
                       const uint8_t *blob, size_t len)
{
    char why[256] = "";
    authkey_opts opts;
    unsigned line;
    int r;

    memset(&opts, 0, sizeof(opts));
    if (s->o->strict_modes &&
        strict_path_ok(path, s->io.pw.uid, s->io.pw.home, why,
                       sizeof(why)) < 0) {
        logit(LL_INFO, "Authentication refused: %s",
              why[0] ? why : "cannot check the modes of the key file");
        return AUTHKEYS_NOMATCH;
    }
    r = authkeys_find_file(path, type, blob, len, s->io.peer, NULL, &opts,
                           &line, why, sizeof(why));
    if (r == AUTHKEYS_MATCH) {
        log_debug("%s:%u: matching key found", path, line);
        srv_keep_kopts(s, &opts);
    } else if (r == AUTHKEYS_REFUSED) {
        logit(LL_INFO, "Authentication refused for %s from %s port %d: %s",
              s->io.pw.name, s->io.peer, s->io.peer_port, why);
    } else if (why[0]) {
        log_debug2("%s: %s", path, why);
    }
    return r;
}

static int find_key(dconn *s, const char *type, const uint8_t *blob, size_t len)
{
    static gid_t groups[NGROUPS_MAX];
    char path[4096];
    glob_t gl;
    size_t i, j, n;
    int r = AUTHKEYS_NOMATCH, dropped, n_saved = 0;
    if ((dropped = srv_as_user(&s->io.pw, groups, &n_saved)) < 0)
        return AUTHKEYS_NOMATCH;
    for (i = 0; i < s->o->n_akfiles && r != AUTHKEYS_MATCH; i++) {
        if (path_expand(s->o->akfiles[i], s->io.pw.home, s->io.pw.name, path,
                        sizeof(path)) < 0)
            continue;
        /* sshd 10.5: each expanded path is a glob pattern; its matches
         * are tried in order until one holds the key. */
        n = authglob(path, &gl);
        if (!n)
            log_debug2("%s: no file matches", path);
        for (j = 0; j < n && r != AUTHKEYS_MATCH; j++)
            r = find_key_in(s, gl.gl_pathv[j], type, blob, len);
        if (n)
            globfree(&gl);
    }
    if (dropped)
        srv_back_to_root(groups, n_saved);
    if (r == AUTHKEYS_NOMATCH)   /* sshd: after the files */
        r = srv_authkeys_command(s, type, blob, len);
    return r;
}

static const char *key_label(const char *type);

/* RevokedKeys (krl.h): a revoked key, or a list that cannot be read,
 * refuses the key before any authorized_keys lookup, as in sshd. */
static int key_revoked(dconn *s, const char *type, const uint8_t *blob,
                       size_t len)
{
    char why[256], fp[128] = "";
    int r;
    if (!s->o->revoked_keys || !s->o->revoked_keys[0])
        return 0;
    r = krl_file_check_key(s->o->revoked_keys, blob, len, why, sizeof(why));
    if (r == KRL_OK)
        return 0;
    nssh_ossl_fingerprint(blob, len, fp, sizeof(fp));
    if (r == KRL_REVOKED)
        log_error("Authentication key %s %s revoked by file %s",
                  key_label(type), fp, s->o->revoked_keys);
    else
        log_error("Error checking authentication key %s %s in revoked keys "
                  "file %s: %s", key_label(type), fp, s->o->revoked_keys, why);
    return 1;
}

static void log_failed(dconn *s, const char *name, const char *method,
                       const uint8_t *blob, size_t len);

/* AuthenticationMethods "publickey,publickey" wants two keys: one that
 * succeeded already is refused, with sshd's line. */
static int key_reused(dconn *s, const char *type, const uint8_t *blob,
                      size_t len)
{
    if (!authmeth_key_used(s, blob, len))
        return 0;
    logit(LL_INFO, "refusing previously-used %s key", key_label(type));
    return 1;
}

nssh_str srv_user_part(nssh_str name)
{
    const char *colon = memchr(name.p, ':', name.n);
    if (colon)
        name.n = (size_t)(colon - name.p);
    return name;
}

/* RequiredRSASize (sshd_config(5)): an RSA key below it is refused with
 * sshd's line, before authorized_keys is read. */
static int rsa_size_ok(const dconn *s, const char *type, const uint8_t *blob,
                       size_t len)
{
    nssh_key *k = NULL;
    unsigned bits;
    if (strcmp(type, "ssh-rsa"))
        return 1;
    if (nssh_ossl_key_from_blob(blob, len, &k) < 0)
        return 1;   /* refused later as a bad key */
    bits = nssh_ossl_key_bits(k);
    nssh_ossl_key_free(k);
    if (bits >= 1024 && (long)bits >= s->o->required_rsa_size)
        return 1;
    logit(LL_INFO, "refusing RSA key: Invalid key length");
    return 0;
}

int srv_auth_pubkey(void *user, nssh_str username, const char *alg_name,
                    const uint8_t *blob, size_t blob_len, int has_sig)
{
    dconn *s = user;
    char type[64];
    int ok;
    username = srv_user_part(username);
    if (username.n > NSSH_USER_MAX || memchr(username.p, 0, username.n))
        return NSSH_CB_REFUSE;
    memcpy(s->user, username.p, username.n);
    s->user[username.n] = 0;
    ok = lookup_user(s, s->user) == 0 && user_allowed(s) &&
         nssh_ossl_blob_type(blob, blob_len, type, sizeof(type)) == 0 &&
         !key_reused(s, type, blob, blob_len) &&
         (nssh_cert_is_cert_name(type)
              ? certauth_check(s, blob, blob_len)   /* RevokedKeys inside */
              : !key_revoked(s, type, blob, blob_len) &&
                    rsa_size_ok(s, type, blob, blob_len) &&
                    find_key(s, type, blob, blob_len) == AUTHKEYS_MATCH) &&
         srv_root_ok(s, "publickey");
    /* A refused signed attempt comes back through auth_result; a refused
     * query is logged here, as sshd logs it. */
    if (!ok && !has_sig)
        log_failed(s, s->user, "publickey", blob, blob_len);
    return ok ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

/* sshd names key types in upper case: ED25519, ECDSA, RSA,
 * MLDSA44-ED25519. */
static const char *key_label(const char *type)
{
    int cert = nssh_cert_is_cert_name(type);
    if (!strncmp(type, "sk-ssh-ed25519", 14))
        return cert ? "ED25519-SK-CERT" : "ED25519-SK";
    if (!strncmp(type, "sk-ecdsa-", 9))
        return cert ? "ECDSA-SK-CERT" : "ECDSA-SK";
    if (!strcmp(type, "ssh-mldsa44-ed25519@openssh.com"))
        return "MLDSA44-ED25519";
    if (!strncmp(type, "ssh-ed25519", 11))
        return cert ? "ED25519-CERT" : "ED25519";
    if (!strncmp(type, "ecdsa-sha2-", 11))
        return cert ? "ECDSA-CERT" : "ECDSA";
    if (!strncmp(type, "ssh-rsa", 7))
        return cert ? "RSA-CERT" : "RSA";
    return type;
}

static void key_desc(const uint8_t *blob, size_t len, char *out, size_t cap)
{
    char type[64] = "", fp[128] = "";
    out[0] = 0;
    if (!blob || nssh_ossl_blob_type(blob, len, type, sizeof(type)) < 0)
        return;
    char ca[256] = "";
    nssh_ossl_fingerprint(blob, len, fp, sizeof(fp));
    /* sshd: "ED25519-CERT SHA256:... ID id (serial n) CA ED25519 SHA256:..." */
    if (nssh_cert_is_cert_name(type))
        certauth_describe(blob, len, ca, sizeof(ca));
    snprintf(out, cap, ": %s %s%s", key_label(type), fp, ca);
}

/* sshd's level: VERBOSE for the first failures of a valid user, INFO
 * for invalid users, for passwords and once half the allowed tries are
 * used up. Every refused attempt counts, queries included, as in sshd;
 * the engine itself counts only signed attempts. */
static void log_failed(dconn *s, const char *name, const char *method,
                       const uint8_t *blob, size_t len)
{
    long max = s->o->max_auth_tries ? s->o->max_auth_tries
                                    : (long)NSSH_DEFAULT_AUTH_TRIES;
    char desc[256];
    int valid = name[0] && !strcmp(name, s->io.pw.name) && user_allowed(s);
    int level;
    s->failures++;
    if (strcmp(method, "none")) {   /* PerSourcePenalties: authfail */
        s->auth_attempted = 1;
        s->valid_attempt |= valid;
    }
    level = !valid || s->failures >= max / 2 || !strcmp(method, "password")
                ? LL_INFO : LL_VERBOSE;
    key_desc(blob, len, desc, sizeof(desc));
    logit(level, "Failed %s for %s%s from %s port %d ssh2%s", method,
          valid ? "" : "invalid user ", name, s->io.peer, s->io.peer_port,
          desc);
    if (s->failures < max)
        return;
    /* From inside a callback: the engine sends nothing after this but
     * the DISCONNECT. */
    srv_log_auth_limit(s);
    nssh_conn_disconnect(s->io.c, NSSH_DISC_NO_MORE_AUTH_METHODS,
                         "Too many authentication failures");
}

void srv_auth_result(void *user, nssh_str username, const char *method,
                     const char *alg_name, const uint8_t *blob,
                     size_t blob_len, int ok, int partial)
{
    dconn *s = user;
    char name[NSSH_USER_MAX + 1], desc[256];
    size_t n;
    username = srv_user_part(username);
    n = username.n > NSSH_USER_MAX ? NSSH_USER_MAX : username.n;
    memcpy(name, username.p, n);
    name[n] = 0;
    /* sshd names the PAM-backed keyboard-interactive this way. */
    if (!strcmp(method, "keyboard-interactive"))
        method = "keyboard-interactive/pam";
    if (ok && name[0] && !strcmp(name, s->io.pw.name))
        authinfo_record(s, method, blob, blob_len);   /* as sshd, partial too */
    if (ok && partial && name[0] && !strcmp(name, s->io.pw.name)) {
        /* AuthenticationMethods: one step of several (sshd's level). */
        long max = s->o->max_auth_tries ? s->o->max_auth_tries
                                        : (long)NSSH_DEFAULT_AUTH_TRIES;
        key_desc(blob, blob_len, desc, sizeof(desc));
        logit(s->failures >= max / 2 || !strcmp(method, "password")
                  ? LL_INFO : LL_VERBOSE,
              "Partial %s for %s from %s port %d ssh2%s", method, name,
              s->io.peer, s->io.peer_port, desc);
        return;
    }
    if (ok && !partial && name[0] && !strcmp(name, s->io.pw.name)) {
        if (opts_use_pam(s->o) && pamauth_login(s, name, desc, sizeof(desc)) < 0) {
            /* The engine queues only this DISCONNECT, not SUCCESS. */
            nssh_conn_disconnect(s->io.c, NSSH_DISC_NO_MORE_AUTH_METHODS, desc);
            return;
        }
        s->io.authenticated = 1;
        key_desc(blob, blob_len, desc, sizeof(desc));
        logit(LL_INFO, "Accepted %s for %s from %s port %d ssh2%s", method,
              name, s->io.peer, s->io.peer_port, desc);
        return;
    }
    /* A method refused before the account was looked up (not allowed
     * by AuthenticationMethods, say) still names a valid user as one. */
    if (name[0] && strcmp(name, s->io.pw.name))
        lookup_user(s, name);
    log_failed(s, name, method, blob, blob_len);
}

/* A verified security-key signature (PROTOCOL.u2f flags): user presence
 * unless the key has no-touch-required (PubkeyAuthOptions touch-required
 * overrides that), user verification with verify-required in either
 * place. The refusals are sshd's lines (auth2-pubkey.c). */
int srv_auth_sk(void *user, nssh_str username, const char *alg_name,
                const uint8_t *blob, size_t blob_len, unsigned flags,
                uint32_t counter)
{
    dconn *s = user;
    char desc[256];
    int pko = s->o->pubkey_auth_options > 0 ? s->o->pubkey_auth_options : 0;
    int valid = s->user[0] && !strcmp(s->user, s->io.pw.name);
    int touch, verify;
    (void)username;
    (void)alg_name;
    log_debug("user_key_verify: sk_counter = %u, sk_flags = 0x%02x",
              (unsigned)counter, flags);
    touch = (pko & PKAUTH_TOUCH_REQUIRED) ||
            !(s->have_kopts && s->kopts.no_touch_required);
    verify = (pko & PKAUTH_VERIFY_REQUIRED) ||
             (s->have_kopts && s->kopts.verify_required);
    key_desc(blob, blob_len, desc, sizeof(desc));
    if (touch && !(flags & NSSH_SK_USER_PRESENT)) {
        logit(LL_ERROR, "public key %s signature for %s%s from %s port %d "
              "rejected: user presence (authenticator touch) requirement "
              "not met ", desc[0] ? desc + 2 : "", valid ? "" : "invalid user ",
              s->user, s->io.peer, s->io.peer_port);
        return NSSH_CB_REFUSE;
    }
    if (verify && !(flags & NSSH_SK_USER_VERIFIED)) {
        logit(LL_ERROR, "public key %s signature for %s%s from %s port %d "
              "rejected: user verification requirement not met ",
              desc[0] ? desc + 2 : "", valid ? "" : "invalid user ", s->user,
              s->io.peer, s->io.peer_port);
        return NSSH_CB_REFUSE;
    }
    return NSSH_CB_ACCEPT;
}
