/*
 * User authentication, server role (RFC 4252): the ssh-userauth service
 * request, the "none" and "publickey" methods, failure counting.
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
    wr_string(w, c->session_id, c->session_id_len);
    wr_u8(w, MSG_USERAUTH_REQUEST);
    wr_string(w, user, user_len);
    wr_cstring(w, "ssh-connection");
    wr_cstring(w, "publickey");
    wr_bool(w, 1);
    wr_cstring(w, alg);
    wr_string(w, blob, blob_len);
}

#if NSSH_ENABLE_SERVER

/* One parsed USERAUTH_REQUEST. */
typedef struct ureq {
    nssh_str user, service, method;
    int has_sig;
    nssh_str alg;
    const uint8_t *blob, *sig;
    size_t blob_len, sig_len;
} ureq;

static int bad(nssh_conn *c, const char *field, const char *what)
{
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "auth", REQ,
                     field, "malformed %s: %s", field, what);
}

static int str_is(nssh_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* A peer-supplied name as a C string for callbacks: "" when it does not
 * fit or holds a NUL. */
static void copy_name(char *dst, size_t cap, const char *p, size_t n)
{
    dst[0] = 0;
    if (n < cap && !memchr(p, 0, n)) {
        memcpy(dst, p, n);
        dst[n] = 0;
    }
}

/* Printable width of a peer-supplied name in logs. */
static int clip(nssh_str s) { return (int)(s.n > NSSH_USER_MAX ? NSSH_USER_MAX : s.n); }

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
                         clip(svc), svc.p);
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

/* RFC 4252 section 5.1: name-list of methods that can continue. */
static int send_failure(nssh_conn *c)
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
    wr_bool(&w, 0);   /* partial success */
    return pkt_end(c, &w);
}

/* A real attempt failed: count it, then FAILURE or, at the limit, the end. */
static int failed(nssh_conn *c, const ureq *q)
{
    uint32_t max = c->cfg->auth_max_tries ? c->cfg->auth_max_tries
                                          : NSSH_DEFAULT_AUTH_TRIES;
    if (++c->au.failures >= max)
        return conn_fail(c, NSSH_ERR_AUTH_TRIES, NSSH_DISC_NO_MORE_AUTH_METHODS,
                         "auth", REQ, NULL,
                         "Too many authentication failures for %.*s",
                         clip(q->user), q->user.p);
    return send_failure(c);
}

static void report(nssh_conn *c, const ureq *q, const char *method,
                   const char *alg, int ok)
{
    if (c->cb->auth_result)
        c->cb->auth_result(c->cfg->user, q->user, method, alg, q->blob,
                           q->blob_len, ok, 0);
}

/* The method-specific part of a publickey request (RFC 4252 section 7). */
static int parse_publickey(nssh_conn *c, rd *r, ureq *q)
{
    if (rd_bool(r, &q->has_sig) < 0)
        return bad(c, "has signature", "missing boolean");
    if (rd_str(r, &q->alg) < 0)
        return bad(c, "public key algorithm name", "truncated string");
    if (rd_string(r, &q->blob, &q->blob_len) < 0)
        return bad(c, "public key blob", "truncated string");
    if (q->has_sig && rd_string(r, &q->sig, &q->sig_len) < 0)
        return bad(c, "signature", "truncated string");
    if (rd_end(r) < 0)
        return bad(c, q->has_sig ? "signature" : "public key blob",
                   "trailing bytes after the field");
    return 0;
}

static const nssh_sig_alg *find_alg(const nssh_conn *c, nssh_str name)
{
    size_t i;
    for (i = 0; i < c->cfg->n_sig_algs; i++)
        if (str_is(name, c->cfg->sig_algs[i]->name))
            return c->cfg->sig_algs[i];
    return NULL;
}

/* Does the key blob start with string(key_type)? (RFC 4253 section 6.6) */
static int blob_type_is(const ureq *q, const char *key_type)
{
    rd b;
    nssh_str t;
    rd_init(&b, q->blob, q->blob_len);
    return rd_str(&b, &t) == 0 && str_is(t, key_type);
}

static int send_pk_ok(nssh_conn *c, const ureq *q)
{
    wr w;
    int e;
    /* RFC 4252 section 7: algorithm name and blob echoed. */
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_PK_OK)) < 0)
        return e;
    wr_string(&w, q->alg.p, q->alg.n);
    wr_string(&w, q->blob, q->blob_len);
    return pkt_end(c, &w);
}

static int succeed(nssh_conn *c, const ureq *q, const nssh_sig_alg *alg)
{
    wr w;
    int e;
    memcpy(c->au.user, q->user.p, q->user.n);
    c->au.user[q->user.n] = 0;
    c->au.method = "publickey";
    c->au.done = 1;
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL,
             "publickey %s accepted for %s", alg->name, c->au.user);
    report(c, q, "publickey", alg->name, 1);
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_SUCCESS)) < 0)
        return e;
    return pkt_end(c, &w);
}

/* Signature over the session (RFC 4252 section 7); 0 when valid. */
static int verify(nssh_conn *c, const ureq *q, const nssh_sig_alg *alg)
{
    uint8_t data[AUTH_SIGNED_MAX];
    wr w;
    int e;
    wr_init(&w, data, sizeof(data));
    auth_signed_data(c, &w, (const uint8_t *)q->user.p, q->user.n, alg->name,
                     q->blob, q->blob_len);
    if (w.err)
        return NSSH_ERR_NOSPACE;
    e = alg->verify(q->blob, q->blob_len, data, w.len, q->sig, q->sig_len);
    return e < 0 ? e : 0;
}

static int publickey(nssh_conn *c, const ureq *q, int user_ok)
{
    const nssh_sig_alg *alg = find_alg(c, q->alg);
    const char *why = NULL;
    char aname[AUTH_ALG_NAME_MAX + 1];
    int e;
    /* A refused query counts as a failure, as in sshd (a client offering
     * many keys runs into MaxAuthTries); an accepted one (PK_OK) does not. */
    if (!(c->cfg->auth_methods & NSSH_METHOD_PUBLICKEY))
        why = "method not allowed";
    else if (!user_ok)
        why = "invalid user name";
    else if (!alg)
        why = "key algorithm not accepted";
    else if (q->blob_len > NSSH_KEYBLOB_MAX)
        why = "key blob too large";
    else if (!blob_type_is(q, alg->key_type))
        why = "key blob type does not match the algorithm";
    else if (!c->cb->auth_pubkey ||
             c->cb->auth_pubkey(c->cfg->user, q->user, alg->name, q->blob,
                                q->blob_len, q->has_sig) != NSSH_AUTH_ALLOW)
        why = "key not authorized";
    else if (q->has_sig && (e = verify(c, q, alg)) < 0)
        why = e == NSSH_ERR_SIGNATURE ? "signature did not verify"
                                      : nssh_strerror(e);
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL, "publickey %s %.*s for %.*s: %s",
             q->has_sig ? "attempt" : "query", clip(q->alg), q->alg.p,
             clip(q->user), q->user.p, why ? why : "ok");
    if (!why)
        return q->has_sig ? succeed(c, q, alg) : send_pk_ok(c, q);
    if (!q->has_sig)
        return failed(c, q);
    if (alg)
        copy_name(aname, sizeof(aname), alg->name, strlen(alg->name));
    else
        copy_name(aname, sizeof(aname), q->alg.p, q->alg.n);
    if (user_ok)
        report(c, q, "publickey", aname, 0);
    return failed(c, q);
}

/* Any method we do not implement: a counted failure. */
static int other_method(nssh_conn *c, const ureq *q, int user_ok)
{
    char m[32];
    copy_name(m, sizeof(m), q->method.p, q->method.n);
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, "method name",
             "method \"%.*s\" for %.*s not available", clip(q->method),
             q->method.p, clip(q->user), q->user.p);
    if (user_ok)
        report(c, q, m, NULL, 0);
    return failed(c, q);
}

static int handle_request(nssh_conn *c, rd *r)
{
    ureq q;
    int user_ok, e;
    memset(&q, 0, sizeof(q));
    if (rd_str(r, &q.user) < 0)
        return bad(c, "user name", "truncated string");
    if (rd_str(r, &q.service) < 0)
        return bad(c, "service name", "truncated string");
    if (rd_str(r, &q.method) < 0)
        return bad(c, "method name", "truncated string");
    if (str_is(q.method, "publickey") && (e = parse_publickey(c, r, &q)) < 0)
        return e;
    if (!str_is(q.service, "ssh-connection"))
        return conn_fail(c, NSSH_ERR_UNSUPPORTED, NSSH_DISC_SERVICE_NOT_AVAILABLE,
                         "auth", REQ, "service name",
                         "service \"%.*s\" not available (expected ssh-connection)",
                         clip(q.service), q.service.p);
    /* Too long or with a NUL: refused like any unknown user, never passed
     * to the application. */
    user_ok = q.user.n > 0 && q.user.n <= NSSH_USER_MAX &&
              !memchr(q.user.p, 0, q.user.n);
    if (!user_ok)
        conn_log(c, NSSH_LOG_INFO, "auth", REQ, "user name",
                 "invalid user name (%zu bytes) refused", q.user.n);
    if (str_is(q.method, "none")) {
        /* RFC 4252 section 5.2: learn the methods; not counted. */
        conn_log(c, NSSH_LOG_DEBUG, "auth", REQ, NULL,
                 "method none for %.*s", clip(q.user), q.user.p);
        return send_failure(c);
    }
    if (str_is(q.method, "publickey"))
        return publickey(c, &q, user_ok);
    return other_method(c, &q, user_ok);
}

int auth_server_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    if (msg == MSG_USERAUTH_REQUEST)
        return handle_request(c, r);
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
