/*
 * User authentication, client role (RFC 4252): service request, the "none",
 * "publickey" and "password" methods. The signed request is sent at once,
 * without the optional query (RFC 4252 section 7 allows both).
 */
#include <string.h>

#include "internal.h"

#if NSSH_ENABLE_CLIENT

/* c->au.client_state */
enum {
    AC_IDLE = 0,    /* nothing asked, or the last attempt failed */
    AC_QUEUED,      /* asked before the first key exchange finished */
    AC_SERVICE,     /* SERVICE_REQUEST sent */
    AC_SENT,        /* USERAUTH_REQUEST sent */
    AC_DONE         /* authenticated */
};

#define REQ "SSH_MSG_USERAUTH_REQUEST"

static int unexpected(nssh_conn *c, uint8_t msg, const char *why)
{
    return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "auth",
                     msg_name(msg), NULL, "unexpected %s: %s", msg_name(msg), why);
}

static int bad(nssh_conn *c, uint8_t msg, const char *field)
{
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "auth",
                     msg_name(msg), field, "malformed %s", field);
}

/* RFC 4252 section 7: the request with its signature. */
static int send_publickey(nssh_conn *c)
{
    const auth *a = &c->au;
    size_t ulen = strlen(a->c_user), slen = 0;
    uint8_t data[AUTH_SIGNED_MAX], sig[NSSH_SIG_MAX];
    wr w;
    int e;
    wr_init(&w, data, sizeof(data));
    auth_signed_data(c, &w, (const uint8_t *)a->c_user, ulen, a->c_alg->name,
                     a->c_blob, a->c_blob_len);
    if (w.err)
        return conn_fail(c, NSSH_ERR_NOSPACE, NSSH_DISC_BY_APPLICATION, "auth",
                         REQ, NULL, "publickey request too large to sign");
    e = a->c_alg->sign(a->c_key, data, w.len, sig, sizeof(sig), &slen,
                       c->cfg->rng, c->cfg->rng_user);
    if (e < 0)
        return conn_fail(c, e, NSSH_DISC_BY_APPLICATION, "auth", REQ, "signature",
                         "could not sign with %s: %s", a->c_alg->name,
                         nssh_strerror(e));
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_REQUEST)) < 0)
        return e;
    wr_string(&w, a->c_user, ulen);
    wr_cstring(&w, "ssh-connection");
    wr_cstring(&w, "publickey");
    wr_bool(&w, 1);
    wr_cstring(&w, a->c_alg->name);
    wr_string(&w, a->c_blob, a->c_blob_len);
    wr_string(&w, sig, slen);
    return pkt_end(c, &w);
}

static const char *method_name(const nssh_conn *c)
{
    return c->au.c_alg ? "publickey" : c->au.c_password ? "password" : "none";
}

static int send_request(nssh_conn *c)
{
    wr w;
    int e;
    c->au.client_state = AC_SENT;
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL, "trying %s%s%s for %s",
             method_name(c), c->au.c_alg ? " " : "",
             c->au.c_alg ? c->au.c_alg->name : "", c->au.c_user);
    if (c->au.c_alg)
        return send_publickey(c);
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_REQUEST)) < 0)
        return e;
    wr_cstring(&w, c->au.c_user);
    wr_cstring(&w, "ssh-connection");
    wr_cstring(&w, method_name(c));
    if (c->au.c_password) {
        /* RFC 4252 section 8: no change request. */
        wr_bool(&w, 0);
        wr_cstring(&w, c->au.c_password);
    }
    return pkt_end(c, &w);
}

/* Service first (RFC 4252 section 4), then the request. */
static int start(nssh_conn *c)
{
    wr w;
    int e;
    if (c->au.service_ok)
        return send_request(c);
    if ((e = pkt_begin(c, &w, MSG_SERVICE_REQUEST)) < 0)
        return e;
    wr_cstring(&w, "ssh-userauth");
    c->au.client_state = AC_SERVICE;
    return pkt_end(c, &w);
}

static int queue(nssh_conn *c, const char *username)
{
    if (c->role != NSSH_ROLE_CLIENT)
        return NSSH_ERR_STATE;
    if (c->err)
        return c->err;
    if (c->au.client_state != AC_IDLE || c->au.done)
        return NSSH_ERR_STATE;
    if (!username || strlen(username) > NSSH_USER_MAX)
        return NSSH_ERR_NOSPACE;
    c->au.c_user = username;
    if (c->kx.count == 0) {
        c->au.client_state = AC_QUEUED;
        return 0;
    }
    return start(c);
}

int nssh_client_auth_none(nssh_conn *c, const char *username)
{
    if (c->role == NSSH_ROLE_CLIENT && c->au.client_state == AC_IDLE) {
        c->au.c_alg = NULL;
        c->au.c_password = NULL;
    }
    return queue(c, username);
}

int nssh_client_auth_password(nssh_conn *c, const char *username,
                              const char *password)
{
    if (!password)
        return NSSH_ERR_STATE;
    if (c->role == NSSH_ROLE_CLIENT && c->au.client_state == AC_IDLE) {
        c->au.c_alg = NULL;
        c->au.c_password = password;
    }
    return queue(c, username);
}

int nssh_client_auth_pubkey(nssh_conn *c, const char *username,
                            const nssh_sig_alg *alg, const nssh_key *key,
                            const uint8_t *blob, size_t blob_len)
{
    if (!alg || !blob || strlen(alg->name) > AUTH_ALG_NAME_MAX ||
        blob_len > NSSH_KEYBLOB_MAX)
        return NSSH_ERR_KEY;
    if (c->role == NSSH_ROLE_CLIENT && c->au.client_state == AC_IDLE) {
        c->au.c_password = NULL;
        c->au.c_alg = alg;
        c->au.c_key = key;
        c->au.c_blob = blob;
        c->au.c_blob_len = blob_len;
    }
    return queue(c, username);
}

int nssh_client_ready(const nssh_conn *c)
{
    return c->role == NSSH_ROLE_CLIENT && !c->err && c->kx.count > 0;
}

void auth_client_kex_done(nssh_conn *c)
{
    if (c->au.client_state == AC_QUEUED)
        start(c);   /* a failure is sticky on the connection */
}

int auth_service_accept(nssh_conn *c, rd *r)
{
    nssh_str svc;
    if (c->au.client_state != AC_SERVICE)
        return unexpected(c, MSG_SERVICE_ACCEPT, "no service request pending");
    if (rd_str(r, &svc) < 0 || rd_end(r) < 0)
        return bad(c, MSG_SERVICE_ACCEPT, "service name");
    if (svc.n != 12 || memcmp(svc.p, "ssh-userauth", 12) != 0)
        return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "auth",
                         "SSH_MSG_SERVICE_ACCEPT", "service name",
                         "server accepted \"%.*s\", expected ssh-userauth",
                         (int)(svc.n > 64 ? 64 : svc.n), svc.p);
    c->au.service_ok = 1;
    return send_request(c);
}

/* RFC 4252 section 5.4: shown to the user; control characters replaced so
 * a banner cannot drive the terminal that shows the log. */
static int on_banner(nssh_conn *c, rd *r)
{
    nssh_str msg, lang;
    char text[512];
    size_t i, n;
    if (rd_str(r, &msg) < 0 || rd_str(r, &lang) < 0 || rd_end(r) < 0)
        return bad(c, MSG_USERAUTH_BANNER, "message");
    if (c->au.done)
        return 0;
    n = msg.n < sizeof(text) - 1 ? msg.n : sizeof(text) - 1;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)msg.p[i];
        text[i] = (ch < 0x20 && ch != '\n') || ch == 0x7f ? '?' : (char)ch;
    }
    text[n] = 0;
    conn_log(c, NSSH_LOG_INFO, "auth", "SSH_MSG_USERAUTH_BANNER", NULL, "%s", text);
    return 0;
}

static int on_failure(nssh_conn *c, rd *r)
{
    nssh_str methods;
    int partial;
    if (rd_str(r, &methods) < 0)
        return bad(c, MSG_USERAUTH_FAILURE, "authentications that can continue");
    if (rd_bool(r, &partial) < 0 || rd_end(r) < 0)
        return bad(c, MSG_USERAUTH_FAILURE, "partial success");
    c->au.client_state = AC_IDLE;
    conn_log(c, NSSH_LOG_VERBOSE, "auth", "SSH_MSG_USERAUTH_FAILURE", NULL,
             "%s refused; methods that can continue: %.*s",
             method_name(c),
             (int)(methods.n > 256 ? 256 : methods.n), methods.p);
    if (c->cb->client_auth)
        c->cb->client_auth(c->cfg->user, 0, methods);
    return 0;
}

static int on_success(nssh_conn *c, rd *r)
{
    nssh_str none = { "", 0 };
    size_t n = strlen(c->au.c_user);
    if (rd_end(r) < 0)
        return bad(c, MSG_USERAUTH_SUCCESS, "end of message");
    memcpy(c->au.user, c->au.c_user, n + 1);
    c->au.method = method_name(c);
    c->au.done = 1;
    c->au.client_state = AC_DONE;
    conn_log(c, NSSH_LOG_VERBOSE, "auth", "SSH_MSG_USERAUTH_SUCCESS", NULL,
             "authenticated as %s with %s", c->au.user, c->au.method);
    if (c->cb->client_auth)
        c->cb->client_auth(c->cfg->user, 1, none);
    return 0;
}

int auth_client_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    switch (msg) {
    case MSG_USERAUTH_BANNER:
        return on_banner(c, r);
    case MSG_USERAUTH_FAILURE:
        return c->au.client_state == AC_SENT ? on_failure(c, r)
                                           : unexpected(c, msg, "no request pending");
    case MSG_USERAUTH_SUCCESS:
        return c->au.client_state == AC_SENT ? on_success(c, r)
                                           : unexpected(c, msg, "no request pending");
    case MSG_USERAUTH_PK_OK:
        /* We never send the query, so this answers nothing of ours. */
        conn_log(c, NSSH_LOG_DEBUG, "auth", msg_name(msg), NULL,
                 "ignoring unsolicited SSH_MSG_USERAUTH_PK_OK");
        return 0;
    case MSG_USERAUTH_REQUEST:
        return unexpected(c, msg, "a client-to-server message");
    default:
        return send_unimplemented(c, c->in.seq - 1);
    }
}

#else /* !NSSH_ENABLE_CLIENT */

int nssh_client_auth_none(nssh_conn *c, const char *username)
{
    (void)c;
    (void)username;
    return NSSH_ERR_UNSUPPORTED;
}

int nssh_client_auth_pubkey(nssh_conn *c, const char *username,
                            const nssh_sig_alg *alg, const nssh_key *key,
                            const uint8_t *blob, size_t blob_len)
{
    (void)c; (void)username; (void)alg; (void)key; (void)blob; (void)blob_len;
    return NSSH_ERR_UNSUPPORTED;
}

int nssh_client_auth_password(nssh_conn *c, const char *username,
                              const char *password)
{
    (void)c; (void)username; (void)password;
    return NSSH_ERR_UNSUPPORTED;
}

int nssh_client_ready(const nssh_conn *c)
{
    (void)c;
    return 0;
}

#endif /* NSSH_ENABLE_CLIENT */
