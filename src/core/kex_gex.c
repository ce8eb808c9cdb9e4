/*
 * Diffie-Hellman group exchange (RFC 4419): the client asks for a group
 * size, the server picks a safe prime from its moduli list (or a built-in
 * group), then an ordinary DH exchange runs in that group: its INIT,
 * REPLY and NEWKEYS go through kex.c like every other KEM.
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

#if NSSH_ENABLE_SERVER
/* The server's cap (nssh_config.gex_max_bits): a modexp in an 8192-bit
 * group costs several times one in a 4096-bit group, and the client picks
 * the size for free (the "DHEat" attack), so the server may serve less. */
static uint32_t cap_of(const nssh_conn *c)
{
    uint32_t cap = c->cfg->gex_max_bits;
    return cap >= GEX_MIN && cap < GEX_MAX ? cap : GEX_MAX;
}

/* Pick the group closest to n within [min, max], both capped; ties keep
 * the first. The request itself is hashed as sent (RFC 4419 section 3). */
static int pick_group(nssh_conn *c)
{
    const nssh_config *k = c->cfg;
    kex *x = &c->kx;
    const nssh_modulus *best = NULL;
    uint32_t dist = 0xffffffffu, cap = cap_of(c);
    uint32_t hi = x->gex_max < cap ? x->gex_max : cap;
    uint32_t n = x->gex_n < hi ? x->gex_n : hi;
    size_t i;
    for (i = 0; i < k->n_moduli; i++) {
        const nssh_modulus *m = &k->moduli[i];
        uint32_t d = m->bits > n ? m->bits - n : n - m->bits;
        if (m->bits < x->gex_min || m->bits > hi || m->plen > NSSH_DH_MAX)
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
    if (x->kem->gex->default_group(n, x->gex_p, &x->gex_plen, x->gex_g,
                                   &x->gex_glen) < 0)
        return NSSH_ERR_KEX_VALUE;
    /* The built-in group nearest n may still be outside [min, hi]. */
    if (x->gex_plen * 8 < x->gex_min || x->gex_plen * 8 > hi)
        return NSSH_ERR_KEX_VALUE;
    return 0;
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
                         "no group between %u and %u bits (largest served %u)",
                         (unsigned)x->gex_min, (unsigned)x->gex_max,
                         (unsigned)cap_of(c));
    conn_log(c, NSSH_LOG_DEBUG, "kex", M_GROUP, NULL,
             "group exchange: asked %u..%u (%u) bits, sending %u%s",
             (unsigned)x->gex_min, (unsigned)x->gex_max, (unsigned)x->gex_n,
             (unsigned)(x->gex_plen * 8),
             x->gex_n > cap_of(c) ? " (capped)" : "");
    pkt_begin(c, &w, MSG_KEX_DH_GEX_GROUP);
    wr_mpint(&w, x->gex_p, x->gex_plen);
    wr_mpint(&w, x->gex_g, x->gex_glen);
    return pkt_end(c, &w);
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
#endif
#if NSSH_ENABLE_CLIENT
    if (c->role == NSSH_ROLE_CLIENT && msg == MSG_KEX_DH_GEX_GROUP)
        return client_group(c, r);
#endif
    return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "kex",
                     msg_name(msg), NULL, "unexpected message %u during %s",
                     msg, c->kx.kem->name);
}
