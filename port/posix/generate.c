/*
 * First start without HostKey: make ed25519 and RSA 3072 host keys in the
 * state directory (ECDSA keys are used when configured with HostKey, but
 * not made by default: audit tools flag the NIST curves), in OpenSSH's private key format (mode 0600)
 * with the .pub line beside each, as ssh-keygen -A would.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostkeys.h"
#include "log.h"
#include "files.h"

static const struct {
    int type;
    const char *file;   /* ssh_host_<file>_key */
} default_keys[] = {
    { NSSH_KEY_ED25519, "ed25519" },
    { NSSH_KEY_RSA, "rsa" },
};

static void key_comment(char *buf, size_t cap)
{
    char host[256] = "localhost";
    struct passwd *pw = getpwuid(geteuid());
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = 0;
    snprintf(buf, cap, "%s@%s", pw ? pw->pw_name : "root", host);
}

static int write_pair(const nssh_key *k, const char *path, const char *comment)
{
    char *priv = NULL, pub[8192], pubpath[4200];
    size_t priv_len = 0, n;
    int e;
    if ((e = nssh_ossl_key_save_private(k, comment, &priv, &priv_len)) < 0)
        return e;
    e = file_write(path, priv, priv_len, 0600, 1);
    explicit_bzero(priv, priv_len);
    free(priv);
    if (e < 0)
        return e;
    if ((e = nssh_ossl_key_public_line(k, comment, pub, sizeof(pub) - 1)) < 0)
        return e;
    n = strlen(pub);
    pub[n++] = '\n';
    snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
    return file_write(pubpath, pub, n, 0644, 0);
}

static int generate_one(const char *dir, int type, const char *name,
                        const char *comment)
{
    char path[4096], fp[128] = "";
    uint8_t blob[NSSH_KEYBLOB_MAX];
    size_t blob_len;
    nssh_key *k = NULL;
    int e;
    snprintf(path, sizeof(path), "%s/ssh_host_%s_key", dir, name);
    if (access(path, F_OK) == 0)
        return 0;
    if ((e = nssh_ossl_key_generate(type, 0, &k)) < 0) {
        log_error("Could not generate %s host key: %s", name, nssh_strerror(e));
        return e;
    }
    if ((e = write_pair(k, path, comment)) < 0) {
        log_error("Could not write host key %s: %s", path, strerror(errno));
        goto out;
    }
    if (nssh_ossl_key_public_blob(k, blob, sizeof(blob), &blob_len) == 0)
        nssh_ossl_fingerprint(blob, blob_len, fp, sizeof(fp));
    log_info("Generated host key %s: %s", path, fp);
out:
    nssh_ossl_key_free(k);
    return e;
}

int hostkeys_generate(const char *dir)
{
    char comment[512];
    size_t i;
    int e = 0;
    if (dir_make(dir, 0700) < 0) {
        log_error("Could not create directory %s: %s", dir, strerror(errno));
        return NSSH_ERR_FORMAT;
    }
    key_comment(comment, sizeof(comment));
    for (i = 0; i < sizeof(default_keys) / sizeof(default_keys[0]); i++)
        if (generate_one(dir, default_keys[i].type, default_keys[i].file,
                         comment) < 0)
            e = NSSH_ERR_CRYPTO;
    return e;
}
