/*
 * The parts of certificate checking that run helper programs or read
 * revocation lists: AuthorizedPrincipalsCommand(+User) over the shared
 * runner (authcmd.h) and RevokedKeys for certificates (krl.h), as sshd
 * does them (sshd_config(5)). Under privilege separation both run in the
 * monitor, which decides authentication.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authcmd.h"
#include "certauth.h"
#include "krl.h"

/* As AuthorizedKeysCommand's helper (authkeys_cmd.c): half the grace
 * time, at most the runner's default. */
static unsigned helper_timeout_ms(const daemon_opts *o)
{
    long g = o->grace_seconds;
    if (g <= 0 || (unsigned long)g * 500u >= AUTHCMD_DEFAULT_TIMEOUT_MS)
        return AUTHCMD_DEFAULT_TIMEOUT_MS;
    return (unsigned)g * 500u > 0 ? (unsigned)g * 500u : 1u;
}

static void copy_str(nssh_str v, char *out, size_t cap)
{
    size_t n = v.n < cap - 1 ? v.n : cap - 1;
    memcpy(out, v.p, n);
    out[n] = 0;
}

/* sshd's tokens for AuthorizedPrincipalsCommand: %C %D %F %f %h %i %K %k
 * %s %T %t %U %u (and %%). The base64 texts live in static storage: one
 * command runs at a time in a process. */
static size_t tokens(dconn *s, const nssh_cert *c, const uint8_t *blob,
                     size_t len, authcmd_token *t)
{
    static char k64[NSSH_CERT_MAX * 2], ca64[NSSH_KEYBLOB_MAX * 2];
    static char fp[128], cafp[128], uid[32], conn[200], serial[32], id[1024],
        catype[64], type[64];
    uint8_t plain[NSSH_KEYBLOB_MAX];
    size_t n = 0, pn;
    /* %f: the certified key's fingerprint, as ssh-keygen -l prints it for
     * the certificate (sshd fingerprints the plain key). */
    if (nssh_cert_plain_key(c, plain, sizeof(plain), &pn) < 0 ||
        nssh_ossl_fingerprint(plain, pn, fp, sizeof(fp)) < 0)
        fp[0] = 0;
    nssh_ossl_fingerprint(c->ca_key, c->ca_key_len, cafp, sizeof(cafp));
    if (nssh_ossl_base64_encode(blob, len, k64, sizeof(k64)) < 0)
        k64[0] = 0;
    if (nssh_ossl_base64_encode(c->ca_key, c->ca_key_len, ca64, sizeof(ca64)) < 0)
        ca64[0] = 0;
    if (nssh_ossl_blob_type(c->ca_key, c->ca_key_len, catype, sizeof(catype)) < 0)
        catype[0] = 0;
    copy_str(c->type, type, sizeof(type));
    copy_str(c->key_id, id, sizeof(id));
    snprintf(serial, sizeof(serial), "%llu", (unsigned long long)c->serial);
    snprintf(uid, sizeof(uid), "%lu", (unsigned long)s->io.pw.uid);
    snprintf(conn, sizeof(conn), "%s %d %s %d", s->io.peer, s->io.peer_port,
             s->io.local, s->io.local_port);
    t[n++] = (authcmd_token){ 'C', conn };
    t[n++] = (authcmd_token){ 'D', "" };   /* no routing domains here */
    t[n++] = (authcmd_token){ 'F', cafp };
    t[n++] = (authcmd_token){ 'f', fp };
    t[n++] = (authcmd_token){ 'h', s->io.pw.home };
    t[n++] = (authcmd_token){ 'i', id };
    t[n++] = (authcmd_token){ 'K', ca64 };
    t[n++] = (authcmd_token){ 'k', k64 };
    t[n++] = (authcmd_token){ 's', serial };
    t[n++] = (authcmd_token){ 'T', catype };
    t[n++] = (authcmd_token){ 't', type };
    t[n++] = (authcmd_token){ 'U', uid };
    t[n++] = (authcmd_token){ 'u', s->io.pw.name };
    return n;
}

int certauth_principals_command(dconn *s, const nssh_cert *c,
                                const uint8_t *blob, size_t len,
                                authkey_opts *o)
{
    const daemon_opts *op = s->o;
    char user[NSSH_USER_MAX + 64], why[256];
    authcmd_token toks[16];
    authcmd_req rq;
    char *out = NULL;
    size_t out_len = 0;
    int found;
    if (!op->principals_cmd || !op->principals_cmd[0])
        return 0;
    if (!op->principals_cmd_user || !op->principals_cmd_user[0]) {
        log_error("No user for AuthorizedPrincipalsCommand specified, skipping");
        return 0;
    }
    toks[0] = (authcmd_token){ 'u', s->io.pw.name };
    if (authcmd_expand(op->principals_cmd_user, toks, 1, user, sizeof(user),
                       why, sizeof(why)) < 0) {
        log_error("AuthorizedPrincipalsCommandUser \"%s\": %s",
                  op->principals_cmd_user, why);
        return 0;
    }
    memset(&rq, 0, sizeof(rq));
    rq.tag = "AuthorizedPrincipalsCommand";
    rq.command = op->principals_cmd;
    rq.run_as = user;
    rq.toks = toks;
    rq.n_toks = tokens(s, c, blob, len, toks);
    rq.timeout_ms = helper_timeout_ms(op);
    if (authcmd_run(&rq, &out, &out_len) < 0)
        return 0;
    found = certauth_principals_text(out, out_len, c, o);
    free(out);
    return found;
}

/* sshd's auth_key_is_revoked line, for the certificate or its CA key. */
static void log_revoked(dconn *s, const char *label, const uint8_t *key,
                        size_t len, int r, const char *why)
{
    char fp[128] = "";
    nssh_ossl_fingerprint(key, len, fp, sizeof(fp));
    if (r == KRL_REVOKED)
        log_error("Authentication key %s %s revoked by file %s", label, fp,
                  s->o->revoked_keys);
    else
        log_error("Error checking authentication key %s %s in revoked keys "
                  "file %s: %s", label, fp, s->o->revoked_keys, why);
}

int certauth_revoked(dconn *s, const nssh_cert *c, const uint8_t *blob,
                     size_t len, const char *label, const char *ca_label)
{
    uint8_t plain[NSSH_KEYBLOB_MAX];
    char why[256] = "", id[1024];
    size_t n;
    int r;
    if (!s->o->revoked_keys || !s->o->revoked_keys[0])
        return 0;
    if (nssh_cert_plain_key(c, plain, sizeof(plain), &n) < 0)
        return 1;
    copy_str(c->key_id, id, sizeof(id));
    /* The certificate: its CA's serials and key ids, and the key. */
    r = krl_file_check_cert(s->o->revoked_keys, c->ca_key, c->ca_key_len,
                            c->serial, id, plain, n, why, sizeof(why));
    if (r != KRL_OK) {
        log_revoked(s, label, blob, len, r, why);
        return 1;
    }
    /* The CA key itself (sshd checks it as a key of its own). */
    r = krl_file_check_key(s->o->revoked_keys, c->ca_key, c->ca_key_len, why,
                           sizeof(why));
    if (r != KRL_OK) {
        log_revoked(s, ca_label, c->ca_key, c->ca_key_len, r, why);
        return 1;
    }
    return 0;
}
