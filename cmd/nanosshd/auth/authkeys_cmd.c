/*
 * AuthorizedKeysCommand (sshd_config(5)): when no AuthorizedKeysFile
 * holds the key, a helper prints authorized_keys lines for the user, and
 * those lines (with their options) decide, exactly as a file would. It
 * runs as AuthorizedKeysCommandUser; without one it is skipped, as in
 * sshd. Under privilege separation this runs in the monitor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authcmd.h"
#include "certauth.h"
#include "session.h"

/* sshd lets a helper take the whole LoginGraceTime; here it gets half
 * of it (so the client still hears a refusal), at most the default. */
static unsigned helper_timeout_ms(const daemon_opts *o)
{
    long g = o->grace_seconds;
    if (g <= 0 || (unsigned long)g * 500u >= AUTHCMD_DEFAULT_TIMEOUT_MS)
        return AUTHCMD_DEFAULT_TIMEOUT_MS;
    return (unsigned)g * 500u > 0 ? (unsigned)g * 500u : 1u;
}

/* Run the command for the offered key (for a certificate: %t its type,
 * %k the certificate, %f the certified key's fingerprint, as sshd). 0 and
 * *out (to free) with its output, or -1 when unset or it failed. */
static int run_command(dconn *s, const char *type, const uint8_t *blob,
                       size_t len, const uint8_t *fp_blob, size_t fp_len,
                       char **out, size_t *out_len)
{
    static char b64[16384];   /* %k: the key blob in base64 */
    char user[NSSH_USER_MAX + 64], fp[128], uid[32], conn[200], why[256];
    const daemon_opts *o = s->o;
    authcmd_token toks[10];
    authcmd_req rq;
    size_t n = 0;
    if (!o->ak_command || !o->ak_command[0])
        return -1;
    if (!o->ak_command_user || !o->ak_command_user[0]) {
        log_error("No user for AuthorizedKeysCommand specified, skipping");
        return -1;
    }
    toks[0].key = 'u';
    toks[0].value = s->io.pw.name;
    if (authcmd_expand(o->ak_command_user, toks, 1, user, sizeof(user), why,
                       sizeof(why)) < 0) {
        log_error("AuthorizedKeysCommandUser \"%s\": %s", o->ak_command_user,
                  why);
        return -1;
    }
    if (nssh_ossl_fingerprint(fp_blob, fp_len, fp, sizeof(fp)) < 0 ||
        nssh_ossl_base64_encode(blob, len, b64, sizeof(b64)) < 0)
        return -1;
    snprintf(uid, sizeof(uid), "%lu", (unsigned long)s->io.pw.uid);
    snprintf(conn, sizeof(conn), "%s %d %s %d", s->io.peer, s->io.peer_port,
             s->io.local, s->io.local_port);
    toks[n++] = (authcmd_token){ 'C', conn };
    toks[n++] = (authcmd_token){ 'D', "" };   /* no routing domains here */
    toks[n++] = (authcmd_token){ 'U', uid };
    toks[n++] = (authcmd_token){ 'u', s->io.pw.name };
    toks[n++] = (authcmd_token){ 'h', s->io.pw.home };
    toks[n++] = (authcmd_token){ 't', type };
    toks[n++] = (authcmd_token){ 'f', fp };
    toks[n++] = (authcmd_token){ 'k', b64 };
    memset(&rq, 0, sizeof(rq));
    rq.tag = "AuthorizedKeysCommand";
    rq.command = o->ak_command;
    rq.run_as = user;
    rq.toks = toks;
    rq.n_toks = n;
    rq.default_arg = s->io.pw.name;   /* a command without arguments */
    rq.timeout_ms = helper_timeout_ms(o);
    return authcmd_run(&rq, out, out_len) < 0 ? -1 : 0;
}

int srv_authkeys_command(dconn *s, const char *type, const uint8_t *blob,
                         size_t len)
{
    char why[256];
    authkey_opts opts;
    char *out = NULL;
    size_t out_len = 0;
    unsigned line = 0;
    int r;
    if (run_command(s, type, blob, len, blob, len, &out, &out_len) < 0)
        return AUTHKEYS_NOMATCH;
    memset(&opts, 0, sizeof(opts));
    why[0] = 0;
    r = authkeys_find(out, out_len, type, blob, len, s->io.peer, NULL, &opts,
                      &line, why, sizeof(why));
    free(out);
    if (r == AUTHKEYS_MATCH) {
        log_debug("AuthorizedKeysCommand line %u: matching key found", line);
        srv_keep_kopts(s, &opts);
    } else if (r == AUTHKEYS_REFUSED) {
        logit(LL_INFO, "Authentication refused for %s from %s port %d: %s",
              s->io.pw.name, s->io.peer, s->io.peer_port, why);
    }
    return r;
}

int srv_authkeys_command_ca(dconn *s, const nssh_cert *c, const uint8_t *blob,
                            size_t len)
{
    uint8_t plain[NSSH_KEYBLOB_MAX];   /* the certified key, plain */
    size_t pn;
    char type[128];
    char *out = NULL;
    size_t out_len = 0;
    int ok;
    if (nssh_cert_plain_key(c, plain, sizeof(plain), &pn) < 0 ||
        c->type.n >= sizeof(type))
        return 0;
    memcpy(type, c->type.p, c->type.n);
    type[c->type.n] = 0;
    if (run_command(s, type, blob, len, plain, pn, &out, &out_len) < 0)
        return 0;
    ok = certauth_ca_text(s, c, out, out_len, "AuthorizedKeysCommand");
    free(out);
    return ok;
}
