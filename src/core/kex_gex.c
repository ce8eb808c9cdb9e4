/*
 * Diffie-Hellman group exchange (RFC 4419): the client asks for a group
 * size, the server picks a safe prime from its moduli list (or a built-in
 * group), then an ordinary DH exchange runs in that group.
 *
 *   H = HASH(V_C || V_S || I_C || I_S || K_S || uint32 min || uint32 n ||
 *            uint32 max || mpint p || mpint g || mpint e || mpint f || mpint K)
 */
#include <string.h>

#include "internal.h"

/* Sizes accepted, in bits (OpenSSH's DH_GRP_MIN / DH_GRP_MAX). */
#define GEX_MIN 2048u
#define GEX_MAX 8192u
#define GEX_WANT 3072u

#define M_REQ "SSH_MSG_KEX_DH_GEX_REQUEST"
#define M_GROUP "SSH_MSG_KEX_DH_GEX_GROUP"
#define M_INIT "SSH_MSG_KEX_DH_GEX_INIT"
#define M_REPLY "SSH_MSG_KEX_DH_GEX_REPLY"

static int hash_u32(nssh_conn *c, uint32_t v)
{
    uint8_t b[4];
    put_be32(b, v);
    return c->kx.kem->hash->update(c->kx.hctx, b, 4);
}

static int hash_mpint(nssh_conn *c, const uint8_t *v, size_t n)
{
    uint8_t tmp[NSSH_DH_MAX + 8];
    wr w;
    wr_init(&w, tmp, sizeof(tmp));
    wr_mpint(&w, v, n);
    if (w.err)
        return NSSH_ERR_NOSPACE;
    return c->kx.kem->hash->update(c->kx.hctx, tmp, w.len);
}

/* Everything after I_S, then H; e and f are plen bytes each. */
static int gex_hash(nssh_conn *c, const uint8_t *ks, size_t ksn,
                    const uint8_t *e_val, const uint8_t *f_val)
{
    kex *k = &c->kx;
    int e = kex_hash_string(c, ks, ksn);
    if (e == 0)
        e = hash_u32(c, k->gex_min);
    if (e == 0)
        e = hash_u32(c, k->gex_n);
    if (e == 0)
        e = hash_u32(c, k->gex_max);
    if (e == 0)
        e = hash_mpint(c, k->gex_p, k->gex_plen);
    if (e == 0)
        e = hash_mpint(c, k->gex_g, k->gex_glen);
    if (e == 0)
        e = hash_mpint(c, e_val, k->gex_plen);
    if (e == 0)
        e = hash_mpint(c, f_val, k->gex_plen);
    if (e == 0)
        e = k->kem->hash->update(k->hctx, k->kenc, k->kenc_len);
    if (e == 0)
        e = k->kem->hash->final(k->hctx, k->h);
    k->hash_live = 0;
    k->h_len = k->kem->hash->out_len;
    if (e == 0)
        kex_set_session_id(c);
    return e;
}

/* Read an mpint into a plen-byte big-endian buffer. */
static int rd_fixed(nssh_conn *c, rd *r, uint8_t *out, size_t plen,
                    const char *m, const char *field)
{
    const uint8_t *v;
    size_t n;
    if (rd_mpint(r, &v, &n) < 0 || n > plen)
        return kex_fail(c, NSSH_ERR_FORMAT, m, field, "malformed mpint");
    memset(out, 0, plen - n);
    memcpy(out + plen - n, v, n);
    return 0;
}

#if NSSH_ENABLE_SERVER
/* Pick the group closest to n within [min, max]; ties keep the first. */
static int pick_group(nssh_conn *c)
{
    const nssh_config *k = c->cfg;
    kex *x = &c->kx;
    const nssh_modulus *best = NULL;
    uint32_t dist = 0xffffffffu;
    size_t i;
    for (i = 0; i < k->n_moduli; i++) {
        const nssh_modulus *m = &k->moduli[i];
        uint32_t d = m->bits > x->gex_n ? m->bits - x->gex_n : x->gex_n - m->bits;
        if (m->bits < x->gex_min || m->bits > x->gex_max || m->plen > NSSH_DH_MAX)
            continue;
        if (d < dist) {
            best = m;
            dist = d;
        }
    }
    if (best) {
        memcpy(x->gex_p, best->p, best->plen);
        x->gex_plen = best->plen;
        x->gex_g[0] = best->g;
        x->gex_glen = 1;
        return 0;
    }
    x->gex_plen = sizeof(x->gex_p);
    x->gex_glen = sizeof(x->gex_g);
    return x->kem->gex->default_group(x->gex_n, x->gex_p, &x->gex_plen, x->gex_g,
                                      &x->gex_glen);
}

static int server_request(nssh_conn *c, rd *r)
{
    kex *x = &c->kx;
    wr w;
    int e;
    if (rd_u32(r, &x->gex_min) < 0 || rd_u32(r, &x->gex_n) < 0 ||
        rd_u32(r, &x->gex_max) < 0 || rd_end(r) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, M_REQ, "min/n/max", "malformed request");
    if (x->gex_min > x->gex_n || x->gex_n > x->gex_max || x->gex_max < GEX_MIN ||
        x->gex_min > GEX_MAX)
        return conn_fail(c, NSSH_ERR_KEX_VALUE, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex",
                         M_REQ, "min/n/max",
                         "group size request min %u n %u max %u is outside %u..%u bits",
                         (unsigned)x->gex_min, (unsigned)x->gex_n,
                         (unsigned)x->gex_max, GEX_MIN, GEX_MAX);
    if ((e = pick_group(c)) < 0)
        return conn_fail(c, e, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex", M_REQ, NULL,
                         "no group between %u and %u bits",
                         (unsigned)x->gex_min, (unsigned)x->gex_max);
    conn_log(c, NSSH_LOG_DEBUG, "kex", M_GROUP, NULL,
             "group exchange: asked %u..%u (%u) bits, sending %u",
             (unsigned)x->gex_min, (unsigned)x->gex_max, (unsigned)x->gex_n,
             (unsigned)(x->gex_plen * 8));
    pkt_begin(c, &w, MSG_KEX_DH_GEX_GROUP);
    wr_mpint(&w, x->gex_p, x->gex_plen);
    wr_mpint(&w, x->gex_g, x->gex_glen);
    return pkt_end(c, &w);
}

static int server_init(nssh_conn *c, rd *r)
{
    kex *x = &c->kx;
    const nssh_hostkey *hk = x->hostkey;
    uint8_t ev[NSSH_DH_MAX], fv[NSSH_DH_MAX], ss[NSSH_DH_MAX], sig[NSSH_SIG_MAX];
    size_t sign = 0;
    wr w;
    int e;
    if (x->gex_plen == 0)
        return kex_fail(c, NSSH_ERR_UNEXPECTED, M_INIT, NULL, "no group was requested");
    if ((e = rd_fixed(c, r, ev, x->gex_plen, M_INIT, "e")) < 0)
        return e;
    if (rd_end(r) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, M_INIT, NULL, "trailing bytes after e");
    e = x->kem->gex->keypair(x->gex_p, x->gex_plen, x->gex_g, x->gex_glen, fv,
                             x->sk, c->cfg->rng, c->cfg->rng_user);
    if (e == 0)
        e = x->kem->gex->shared(x->gex_p, x->gex_plen, ev, x->sk, ss);
    if (e < 0)
        return kex_fail(c, e, M_INIT, "e", "invalid client key exchange value");
    kex_encode_k(c, ss, x->gex_plen);
    nssh_wipe(ss, sizeof(ss));
    e = gex_hash(c, hk->blob, hk->blob_len, ev, fv);
    if (e == 0)
        e = hk->alg->sign(hk->key, x->h, x->h_len, sig, sizeof(sig), &sign,
                          c->cfg->rng, c->cfg->rng_user);
    if (e < 0)
        return kex_fail(c, e, M_INIT, NULL, "signing the exchange hash failed");
    pkt_begin(c, &w, MSG_KEX_DH_GEX_REPLY);
    wr_string(&w, hk->blob, hk->blob_len);
    wr_mpint(&w, fv, x->gex_plen);
    wr_string(&w, sig, sign);
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    return kex_send_newkeys(c);
}
#endif

#if NSSH_ENABLE_CLIENT
static int client_group(nssh_conn *c, rd *r)
{
    kex *x = &c->kx;
    const uint8_t *p, *g;
    size_t pn, gn;
    wr w;
    int e;
    if (rd_mpint(r, &p, &pn) < 0 || rd_mpint(r, &g, &gn) < 0 || rd_end(r) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, M_GROUP, "p/g", "malformed group");
    if (pn * 8 < x->gex_min || pn * 8 > x->gex_max || pn > NSSH_DH_MAX ||
        gn == 0 || gn > sizeof(x->gex_g))
        return kex_fail(c, NSSH_ERR_KEX_VALUE, M_GROUP, "p",
                        "group size outside what was asked");
    memcpy(x->gex_p, p, pn);
    x->gex_plen = pn;
    memcpy(x->gex_g, g, gn);
    x->gex_glen = gn;
    e = x->kem->gex->keypair(p, pn, g, gn, x->pk, x->sk, c->cfg->rng,
                             c->cfg->rng_user);
    if (e < 0)
        return kex_fail(c, e, M_GROUP, NULL, "key generation failed");
    pkt_begin(c, &w, MSG_KEX_DH_GEX_INIT);
    wr_mpint(&w, x->pk, pn);
    return pkt_end(c, &w);
}

static int client_reply(nssh_conn *c, rd *r)
{
    kex *x = &c->kx;
    const uint8_t *ks, *sig;
    size_t ksn, sign;
    uint8_t fv[NSSH_DH_MAX], ss[NSSH_DH_MAX];
    int e;
    if (rd_string(r, &ks, &ksn) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, M_REPLY, "K_S", "string length exceeds the message");
    if ((e = rd_fixed(c, r, fv, x->gex_plen, M_REPLY, "f")) < 0)
        return e;
    if (rd_string(r, &sig, &sign) < 0 || rd_end(r) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, M_REPLY, "signature", "malformed signature");
    if ((e = kex_client_hostkey(c, ks, ksn, M_REPLY)) < 0)
        return e;
    e = x->kem->gex->shared(x->gex_p, x->gex_plen, fv, x->sk, ss);
    if (e < 0)
        return kex_fail(c, e, M_REPLY, "f", "invalid server key exchange value");
    kex_encode_k(c, ss, x->gex_plen);
    nssh_wipe(ss, sizeof(ss));
    e = gex_hash(c, ks, ksn, x->pk, fv);
    if (e == 0)
        e = x->hostkey_alg->verify(ks, ksn, x->h, x->h_len, sig, sign);
    if (e < 0)
        return kex_fail(c, e, M_REPLY, "signature",
                        "server's signature over the exchange hash did not verify");
    return kex_send_newkeys(c);
}
#endif

int gex_start(nssh_conn *c)
{
    wr w;
    c->kx.gex_plen = 0;
    if (c->role == NSSH_ROLE_SERVER)
        return 0;
    c->kx.gex_min = GEX_MIN;
    c->kx.gex_n = GEX_WANT;
    c->kx.gex_max = GEX_MAX;
    pkt_begin(c, &w, MSG_KEX_DH_GEX_REQUEST);
    wr_u32(&w, GEX_MIN);
    wr_u32(&w, GEX_WANT);
    wr_u32(&w, GEX_MAX);
    return pkt_end(c, &w);
}

int gex_handle(nssh_conn *c, uint8_t msg, rd *r)
{
#if NSSH_ENABLE_SERVER
    if (c->role == NSSH_ROLE_SERVER && msg == MSG_KEX_DH_GEX_REQUEST)
        return server_request(c, r);
    if (c->role == NSSH_ROLE_SERVER && msg == MSG_KEX_DH_GEX_INIT)
        return server_init(c, r);
#endif
#if NSSH_ENABLE_CLIENT
    if (c->role == NSSH_ROLE_CLIENT && msg == MSG_KEX_DH_GEX_GROUP)
        return client_group(c, r);
    if (c->role == NSSH_ROLE_CLIENT && msg == MSG_KEX_DH_GEX_REPLY)
        return client_reply(c, r);
#endif
    return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "kex",
                     msg_name(msg), NULL, "unexpected message %u during %s",
                     msg, c->kx.kem->name);
}
