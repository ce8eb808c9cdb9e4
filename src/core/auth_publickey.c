/*
 * The "publickey" method, server role (RFC 4252 section 7): the query
 * answered with PK_OK, the signed request verified over the session.
 * Also OpenSSH's "publickey-hostbound-v00@openssh.com" (PROTOCOL 2.5),
 * the same with the server's host key after the key blob, signed too: an
 * ssh-agent key restricted to certain hosts (ssh-add -h) signs only such
 * requests, so it cannot be replayed to another server.
 */
#include <string.h>

#include "internal.h"

#if NSSH_ENABLE_SERVER

#define REQ "SSH_MSG_USERAUTH_REQUEST"

/* The method-specific part of a request. */
typedef struct pkreq {
    nssh_str user;
    int has_sig;
    nssh_str alg;
    const uint8_t *blob, *sig, *hk;   /* hk: the host-bound form's host key */
    size_t blob_len, sig_len, hk_len;
    int hostbound;
} pkreq;

static int bad(nssh_conn *c, const char *field, const char *what)
{
    return auth_bad(c, REQ, field, what);
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

static int parse(nssh_conn *c, rd *r, pkreq *q)
{
    if (rd_bool(r, &q->has_sig) < 0)
        return bad(c, "has signature", "missing boolean");
    if (rd_str(r, &q->alg) < 0)
        return bad(c, "public key algorithm name", "truncated string");
    if (rd_string(r, &q->blob, &q->blob_len) < 0)
        return bad(c, "public key blob", "truncated string");
    if (q->hostbound && rd_string(r, &q->hk, &q->hk_len) < 0)
        return bad(c, "server host key", "truncated string");
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
static int blob_type_is(const pkreq *q, const char *key_type)
{
    rd b;
    nssh_str t;
    rd_init(&b, q->blob, q->blob_len);
    return rd_str(&b, &t) == 0 && str_is(t, key_type);
}

static int send_pk_ok(nssh_conn *c, const pkreq *q)
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

/* Signature over the session (RFC 4252 section 7); 0 when valid. */
static int verify(nssh_conn *c, const pkreq *q, const nssh_sig_alg *alg)
{
    uint8_t data[AUTH_SIGNED_MAX];
    wr w;
    int e;
    wr_init(&w, data, sizeof(data));
    auth_signed_data_bound(c, &w, (const uint8_t *)q->user.p, q->user.n,
                           alg->name, q->blob, q->blob_len, q->hk, q->hk_len);
    if (w.err)
        return NSSH_ERR_NOSPACE;
    e = alg->verify(q->blob, q->blob_len, data, w.len, q->sig, q->sig_len);
    return e < 0 ? e : 0;
}

/* A verified security-key signature (OpenSSH PROTOCOL.u2f): the flags
 * and counter after the raw signature, judged by the application. Without
 * a callback the user must have touched the key, as sshd requires. */
static int sk_allowed(nssh_conn *c, const pkreq *q, const nssh_sig_alg *alg)
{
    nssh_str name, raw;
    uint8_t flags;
    uint32_t counter;
    rd r;
    rd_init(&r, q->sig, q->sig_len);
    if (rd_str(&r, &name) < 0 || rd_str(&r, &raw) < 0 ||
        rd_u8(&r, &flags) < 0 || rd_u32(&r, &counter) < 0)
        return 0;   /* the backend accepted what it should not have */
    /* The webauthn form goes on with origin, clientData and extensions
     * (PROTOCOL.u2f), which the backend checked; every other ends here. */
    if (!str_is(name, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com") &&
        rd_end(&r) < 0)
        return 0;
    conn_log(c, NSSH_LOG_DEBUG, "auth", REQ, "signature",
             "security key flags %u counter %lu", (unsigned)flags,
             (unsigned long)counter);
    if (!c->cb->auth_sk)
        return (flags & NSSH_SK_USER_PRESENT) != 0;
    return c->cb->auth_sk(c->cfg->user, q->user, alg->name, q->blob,
                          q->blob_len, flags, counter) == NSSH_CB_ACCEPT;
}

/* The host-bound form names the host key of the first key exchange, as
 * sshd requires (the key the client's agent was told it is talking to). */
static int host_key_matches(const nssh_conn *c, const pkreq *q)
{
    const nssh_hostkey *hk = c->kx.first_hostkey;
    return hk && hk->blob_len == q->hk_len &&
           memcmp(hk->blob, q->hk, q->hk_len) == 0;
}

/* Why the attempt is refused, or NULL. */
static const char *judge(nssh_conn *c, const pkreq *q, const nssh_sig_alg *alg,
                         int user_ok)
{
    int e;
    if (!(c->cfg->auth_methods & NSSH_METHOD_PUBLICKEY))
        return "method not allowed";
    if (!user_ok)
        return "invalid user name";
    if (!alg)
        return "key algorithm not accepted";
    if (q->blob_len > NSSH_KEYBLOB_MAX)
        return "key blob too large";
    if (!blob_type_is(q, alg->key_type))
        return "key blob type does not match the algorithm";
    if (!c->cb->auth_pubkey ||
        c->cb->auth_pubkey(c->cfg->user, q->user, alg->name, q->blob,
                           q->blob_len, q->has_sig) != NSSH_CB_ACCEPT)
        return "key not authorized";
    if (q->has_sig && (e = verify(c, q, alg)) < 0)
        return e == NSSH_ERR_SIGNATURE ? "signature did not verify"
                                       : nssh_strerror(e);
    if (q->has_sig && (alg->flags & NSSH_SIG_SK) && !sk_allowed(c, q, alg))
        return "security key flags refused";
    return NULL;
}

int auth_publickey(nssh_conn *c, rd *r, nssh_str user, int user_ok,
                   int hostbound)
{
    pkreq q;
    const nssh_sig_alg *alg;
    const char *why;
    char aname[AUTH_ALG_NAME_MAX + 1];
    int e;
    memset(&q, 0, sizeof(q));
    q.user = user;
    q.hostbound = hostbound;
    if ((e = parse(c, r, &q)) < 0)
        return e;
    /* A client that names another host key is broken or relaying the
     * request elsewhere: the end, as with sshd. */
    if (hostbound && !host_key_matches(c, &q))
        return bad(c, "server host key",
                   "not the host key of the first key exchange");
    alg = find_alg(c, q.alg);
    why = judge(c, &q, alg, user_ok);
    conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL, "publickey %s %.*s for %.*s: %s%s",
             q.has_sig ? "attempt" : "query", str_clip(q.alg), q.alg.p,
             str_clip(q.user), q.user.p, why ? why : "ok",
             hostbound ? " (host-bound)" : "");
    if (!why)
        return q.has_sig ? auth_succeed(c, user, "publickey", alg->name, q.blob,
                                        q.blob_len)
                         : send_pk_ok(c, &q);
    /* A refused query counts as a failure, as in sshd (a client offering
     * many keys runs into MaxAuthTries); an accepted one (PK_OK) does not. */
    if (!q.has_sig)
        return auth_failed(c, user);
    if (alg)
        copy_name(aname, sizeof(aname), alg->name, strlen(alg->name));
    else
        copy_name(aname, sizeof(aname), q.alg.p, q.alg.n);
    if (user_ok)
        auth_report(c, user, "publickey", aname, q.blob, q.blob_len, 0);
    return auth_failed(c, user);
}

#endif /* NSSH_ENABLE_SERVER */
