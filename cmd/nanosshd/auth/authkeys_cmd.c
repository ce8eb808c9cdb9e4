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

int srv_authkeys_command(dconn *s, const char *type, const uint8_t *blob,
                         size_t len)
{
    static char b64[16384];   /* %k: the key blob in base64 */
    char user[NSSH_USER_MAX + 64], fp[128], uid[32], conn[200], why[256];
    const daemon_opts *o = s->o;
    authkey_opts opts;
    authcmd_token toks[10];
    authcmd_req rq;
    char *out = NULL;
    size_t out_len = 0, n = 0;
    unsigned line = 0;
    int r;
    if (!o->ak_command || !o->ak_command[0])
        return AUTHKEYS_NOMATCH;
    if (!o->ak_command_user || !o->ak_command_user[0]) {
        log_error("No user for AuthorizedKeysCommand specified, skipping");
        return AUTHKEYS_NOMATCH;
    }
    toks[0].key = 'u';
    toks[0].value = s->io.pw.name;
    if (authcmd_expand(o->ak_command_user, toks, 1, user, sizeof(user), why,
                       sizeof(why)) < 0) {
        log_error("AuthorizedKeysCommandUser \"%s\": %s", o->ak_command_user,
                  why);
        return AUTHKEYS_NOMATCH;
    }
    if (nssh_ossl_fingerprint(blob, len, fp, sizeof(fp)) < 0 ||
        nssh_ossl_base64_encode(blob, len, b64, sizeof(b64)) < 0)
        return AUTHKEYS_NOMATCH;
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
    if (authcmd_run(&rq, &out, &out_len) < 0)
        return AUTHKEYS_NOMATCH;
    memset(&opts, 0, sizeof(opts));
    why[0] = 0;
    r = authkeys_find(out, out_len, type, blob, len, s->io.peer, NULL, &opts,
                      &line, why, sizeof(why));
    free(out);
    if (r == AUTHKEYS_MATCH) {
        log_debug("AuthorizedKeysCommand line %u: matching key found", line);
        if (s->have_kopts)
            authkeys_opts_free(&s->kopts);
        s->kopts = opts;
        s->have_kopts = 1;
    } else if (r == AUTHKEYS_REFUSED) {
        logit(LL_INFO, "Authentication refused for %s from %s port %d: %s",
              s->io.pw.name, s->io.peer, s->io.peer_port, why);
    }
    return r;
}
