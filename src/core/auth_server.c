/*
 * User authentication, server role (RFC 4252): the ssh-userauth service
 * request, the USERAUTH_REQUEST head and the dispatch to each method
 * ("none" here; "publickey" in auth_publickey.c, "password" in
 * auth_password.c, "keyboard-interactive" in auth_kbdint.c), failure
 * counting and success.
 *
 * A user name may change between attempts (RFC 4252 section 5 allows the
 * server to refuse that; we do not, every attempt is judged on its own and
 * failures are counted per connection, not per user).
 */
#include <string.h>

#include "internal.h"

#define REQ "SSH_MSG_USERAUTH_REQUEST"

/* RFC 4252 section 7: string session_id || byte 50 || string user ||
 * string "ssh-connection" || string "publickey" || bool TRUE ||
 * string alg || string blob. Shared with the client role. */
void auth_signed_data(const nssh_conn *c, wr *w, const uint8_t *user,
                      size_t user_len, const char *alg, const uint8_t *blob,
                      size_t blob_len)
{
    auth_signed_data_bound(c, w, user, user_len, alg, blob, blob_len, NULL, 0);
}

/* OpenSSH's publickey-hostbound-v00@openssh.com (PROTOCOL 2.5): the same
 * fields under that method name, then string(the server's host key of
 * the first key exchange), when hk is not NULL. */
void auth_signed_data_bound(const nssh_conn *c, wr *w, const uint8_t *user,
                            size_t user_len, const char *alg,
                            const uint8_t *blob, size_t blob_len,
                            const uint8_t *hk, size_t hk_len)
{
    wr_string(w, c->session_id, c->session_id_len);
    wr_u8(w, MSG_USERAUTH_REQUEST);
    wr_string(w, user, user_len);
    wr_cstring(w, "ssh-connection");
    wr_cstring(w, hk ? AUTH_HOSTBOUND : "publickey");
    wr_bool(w, 1);
    wr_cstring(w, alg);
    wr_string(w, blob, blob_len);
    if (hk)
        wr_string(w, hk, hk_len);
}

#if NSSH_ENABLE_SERVER

int auth_bad(nssh_conn *c, const char *message, const char *field,
             const char *what)
{
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "auth",
                     message, field, "malformed %s: %s", field, what);
}

int auth_service_request(nssh_conn *c, rd *r)
{
    nssh_str svc;
    wr w;
    int e;
    if (rd_str(r, &svc) < 0 || rd_end(r) < 0)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "auth",
                         "SSH_MSG_SERVICE_REQUEST", "service name",
                         "malformed service name");
    if (!str_is(svc, "ssh-userauth"))
        return conn_fail(c, NSSH_ERR_UNSUPPORTED, NSSH_DISC_SERVICE_NOT_AVAILABLE,
                         "auth", "SSH_MSG_SERVICE_REQUEST", "service name",
                         "service \"%.*s\" not available (expected ssh-userauth)",
                         str_clip(svc), svc.p);
    /* RFC 4253 section 10. */
    if ((e = pkt_begin(c, &w, MSG_SERVICE_ACCEPT)) < 0)
        return e;
    wr_cstring(&w, "ssh-userauth");
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    c->au.service_ok = 1;
    conn_log(c, NSSH_LOG_DEBUG, "auth", "SSH_MSG_SERVICE_REQUEST", NULL,
             "ssh-userauth service accepted");
    return 0;
}

/* RFC 4252 section 5.1: name-list of methods that can continue, and
 * whether the request that led here succeeded as one of several. */
static int send_failure(nssh_conn *c, int partial)
{
    static const struct { unsigned bit; const char *name; } m[] = {
        { NSSH_METHOD_PUBLICKEY, "publickey" },
        { NSSH_METHOD_PASSWORD, "password" },
        { NSSH_METHOD_KBDINT, "keyboard-interactive" },
    };
    size_t i, mark;
    int first = 1, e;
    wr w;
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_FAILURE)) < 0)
        return e;
    mark = wr_string_begin(&w);
    for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        if (!(c->cfg->auth_methods & m[i].bit))
            continue;
        if (!first)
            wr_u8(&w, ',');
        wr_bytes(&w, m[i].name, strlen(m[i].name));
        first = 0;
    }
    wr_string_end(&w, mark);
    wr_bool(&w, partial);   /* partial success */
    return pkt_end(c, &w);
}

/* A real attempt failed: count it, then FAILURE or, at the limit, the end. */
int auth_failed(nssh_conn *c, nssh_str user)
{
    uint32_t max = c->cfg->auth_max_tries ? c->cfg->auth_max_tries
                                          : NSSH_DEFAULT_AUTH_TRIES;
    if (++c->au.failures >= max)
        return conn_fail(c, NSSH_ERR_AUTH_TRIES, NSSH_DISC_NO_MORE_AUTH_METHODS,
                         "auth", REQ, NULL,
                         "Too many authentication failures for %.*s",
                         str_clip(user), user.p);
    return send_failure(c, 0);
}

void auth_report(nssh_conn *c, nssh_str user, const char *method,
                 const char *alg, const uint8_t *blob, size_t blob_len, int ok)
{
    if (c->cb->auth_result)
        c->cb->auth_result(c->cfg->user, user, method, alg, blob, blob_len,
                           ok, 0);
}

/* RFC 4252 section 5.1: the method succeeded but others must follow;
 * FAILURE with partial success TRUE and the methods the application left
 * in auth_methods. Not a failed attempt. */
static int partial(nssh_conn *c, nssh_str user, const char *method,
                   const char *alg, const uint8_t *blob, size_t blob_len)
{
    c->au.kbd_active = 0;
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL,
             "%s%s%s partial success for %.*s", method, alg ? " " : "",
             alg ? alg : "", str_clip(user), user.p);
    if (c->cb->auth_result)
        c->cb->auth_result(c->cfg->user, user, method, alg, blob, blob_len,
                           1, 1);
    if (c->err)
        return c->err;
    return send_failure(c, 1);
}

/* The application hears of the success before SUCCESS is queued, so it
 * can still end the connection instead (an expired account, say), or
 * ask for another method (auth_complete). */
int auth_succeed(nssh_conn *c, nssh_str user, const char *method,
                 const char *alg, const uint8_t *blob, size_t blob_len)
{
    wr w;
    int e, verdict = NSSH_CB_ACCEPT;
    if (c->cb->auth_complete) {
        verdict = c->cb->auth_complete(c->cfg->user, user, method, blob,
                                       blob_len);
        if (c->err)
            return c->err;
    }
    if (verdict == NSSH_CB_MORE)
        return partial(c, user, method, alg, blob, blob_len);
    if (verdict != NSSH_CB_ACCEPT) {
        c->au.kbd_active = 0;
        auth_report(c, user, method, alg, blob, blob_len, 0);
        return auth_failed(c, user);
    }
    memcpy(c->au.user, user.p, user.n);
    c->au.user[user.n] = 0;
    c->au.method = method;
    c->au.done = 1;
    c->au.kbd_active = 0;
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL, "%s%s%s accepted for %s",
             method, alg ? " " : "", alg ? alg : "", c->au.user);
    auth_report(c, user, method, alg, blob, blob_len, 1);
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_SUCCESS)) < 0)
        return e;
    /* Hand-off: nothing after SUCCESS is read here; it is exported. */
    if (!c->closing && (c->cfg->flags & NSSH_CONFIG_HANDOFF))
        c->held = 1;
    return pkt_end(c, &w);
}

/* Any method we do not implement: a counted failure. */
static int other_method(nssh_conn *c, nssh_str user, nssh_str method,
                        int user_ok)
{
    char m[32] = "";
    if (method.n < sizeof(m) && !memchr(method.p, 0, method.n))
        memcpy(m, method.p, method.n);   /* m stays terminated */
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, "method name",
             "method \"%.*s\" for %.*s not available", str_clip(method), method.p,
             str_clip(user), user.p);
    if (user_ok)
        auth_report(c, user, m, NULL, NULL, 0, 0);
    return auth_failed(c, user);
}

/* RFC 4252 section 5: string user, string service, string method, then
 * the method's fields. */
/* RFC 4252 section 5.4: the banner, once, before authentication is
 * over; here in answer to the first request, which is what clients wait
 * for before prompting. A banner longer than one packet can carry is cut
 * to what fits (at a UTF-8 character boundary, RFC 4252 section 5.4 says
 * the text is UTF-8) rather than dropped: sshd sends any banner file up
 * to 1 MiB whole, and a long notice cut short tells more than none. */
static int send_banner(nssh_conn *c)
{
    const char *b = c->cfg->banner;
    size_t n, room;
    wr w;
    int e;
    if (c->au.banner_sent || !b || !*b)
        return 0;
    c->au.banner_sent = 1;
    n = strlen(b);
    room = pkt_room(c);
    if (n + 64 > room) {
        size_t full = n;
        if (room <= 64)
            return 0;
        n = room - 64;
        while (n && ((unsigned char)b[n] & 0xc0) == 0x80)
            n--;
        conn_log(c, NSSH_LOG_INFO, "auth", "SSH_MSG_USERAUTH_BANNER", "message",
                 "banner of %zu bytes cut to %zu to fit in a packet", full, n);
    }
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_BANNER)) < 0)
        return e;
    wr_string(&w, b, n);
    wr_cstring(&w, "");   /* language tag */
    return pkt_end(c, &w);
}

static int handle_request(nssh_conn *c, rd *r)
{
    nssh_str user, service, method;
    int user_ok, e;
    if (c->au.requests < UINT32_MAX)
        c->au.requests++;
    if (rd_str(r, &user) < 0)
        return auth_bad(c, REQ, "user name", "truncated string");
    if (rd_str(r, &service) < 0)
        return auth_bad(c, REQ, "service name", "truncated string");
    if (rd_str(r, &method) < 0)
        return auth_bad(c, REQ, "method name", "truncated string");
    if (!str_is(service, "ssh-connection"))
        return conn_fail(c, NSSH_ERR_UNSUPPORTED, NSSH_DISC_SERVICE_NOT_AVAILABLE,
                         "auth", REQ, "service name",
                         "service \"%.*s\" not available (expected ssh-connection)",
                         str_clip(service), service.p);
    /* Too long or with a NUL: refused like any unknown user, never passed
     * to the application. */
    user_ok = user.n > 0 && user.n <= NSSH_USER_MAX && !memchr(user.p, 0, user.n);
    if (!user_ok)
        conn_log(c, NSSH_LOG_INFO, "auth", REQ, "user name",
                 "invalid user name (%zu bytes) refused", user.n);
    /* The application's per-user settings may change the methods and
     * the banner, or end the connection. */
    if (user_ok && c->cb->auth_request) {
        c->cb->auth_request(c->cfg->user, user, method);
        if (c->err)
            return c->err;
    }
    if ((e = send_banner(c)) < 0)
        return e;
    /* Then, as sshd does after the first request, server-sig-algs again
     * with the user's own algorithms (OpenSSH PROTOCOL section 1.10,
     * ext-info-in-auth): a Match block may allow what the global list
     * did not, and the client offers only what the list names. */
    if (c->au.requests == 1 && c->kx.peer_ext_in_auth &&
        (e = send_ext_info(c)) < 0)
        return e;
    /* RFC 4252 section 5: a new request aborts a keyboard-interactive
     * exchange in progress; no FAILURE is sent for the aborted one. */
    c->au.kbd_active = 0;
    if (str_is(method, "none")) {
        /* RFC 4252 section 5.2: learn the methods. Only a "none" that
         * opens the conversation is free, as in sshd; later ones count
         * as failures, or a client could ask forever (and have the
         * application look up a user each time) until the grace time. */
        conn_log(c, NSSH_LOG_DEBUG, "auth", REQ, NULL, "method none for %.*s",
                 str_clip(user), user.p);
        if (user_ok && c->cb->auth_none &&
            c->cb->auth_none(c->cfg->user, user) == NSSH_CB_ACCEPT && !c->err)
            return auth_succeed(c, user, "none", NULL, NULL, 0);
        if (c->err)
            return c->err;
        if (c->au.requests > 1)
            return auth_failed(c, user);
        return send_failure(c, 0);
    }
    if (str_is(method, "publickey"))
        return auth_publickey(c, r, user, user_ok, 0);
    if (str_is(method, AUTH_HOSTBOUND))
        return auth_publickey(c, r, user, user_ok, 1);
    if (str_is(method, "password"))
        return auth_password(c, r, user, user_ok);
    if (str_is(method, "keyboard-interactive"))
        return auth_kbdint(c, r, user, user_ok);
    return other_method(c, user, method, user_ok);
}

int auth_server_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    if (msg == MSG_USERAUTH_REQUEST)
        return handle_request(c, r);
    if (msg == MSG_USERAUTH_INFO_RESPONSE)
        return auth_kbdint_response(c, r);
    /* 51..60 are server-to-client messages; the rest belong to methods we
     * do not offer (RFC 4253 section 11.4). */
    if (msg <= MSG_USERAUTH_PK_OK)
        return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "auth",
                         msg_name(msg), NULL,
                         "client sent %s (%u), a server-to-client message",
                         msg_name(msg), msg);
    return send_unimplemented(c, c->in.seq - 1);
}

#endif /* NSSH_ENABLE_SERVER */
