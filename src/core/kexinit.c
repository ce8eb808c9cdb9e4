/*
 * SSH_MSG_KEXINIT (RFC 4253 section 7.1): building ours, parsing the
 * peer's, and choosing algorithms. A failed choice names the category and
 * both sides' lists, in the log and in the DISCONNECT text.
 */
#include <string.h>

#include "internal.h"

#define STRICT_C "kex-strict-c-v00@openssh.com"
#define STRICT_S "kex-strict-s-v00@openssh.com"

/* Categories in KEXINIT order after the cookie. */
enum { L_KEX, L_HOSTKEY, L_ENC_CS, L_ENC_SC, L_MAC_CS, L_MAC_SC, L_CMP_CS,
       L_CMP_SC, L_LANG_CS, L_LANG_SC, L_COUNT };

static const char *const list_field[L_COUNT] = {
    "kex_algorithms", "server_host_key_algorithms",
    "encryption_algorithms_client_to_server",
    "encryption_algorithms_server_to_client",
    "mac_algorithms_client_to_server", "mac_algorithms_server_to_client",
    "compression_algorithms_client_to_server",
    "compression_algorithms_server_to_client",
    "languages_client_to_server", "languages_server_to_client"
};

static const char *const list_what[L_COUNT] = {
    "key exchange algorithm (kex)", "host key algorithm",
    "cipher (client to server)", "cipher (server to client)",
    "MAC (client to server)", "MAC (server to client)",
    "compression (client to server)", "compression (server to client)", "", ""
};

typedef struct names {
    const char *v[64];
    size_t n;
} names;

/* Our lists, by category, in preference order. */
static void our_names(const nssh_conn *c, int cat, names *o)
{
    const nssh_config *k = c->cfg;
    size_t i;
    o->n = 0;
#define ADD(s) do { if (o->n < 64) o->v[o->n++] = (s); } while (0)
    switch (cat) {
    case L_KEX:
        for (i = 0; i < k->n_kems; i++)
            ADD(k->kems[i]->name);
        break;
    case L_HOSTKEY:
        if (c->role == NSSH_ROLE_SERVER)
            for (i = 0; i < k->n_hostkeys; i++)
                ADD(k->hostkeys[i].alg->name);
        else
            for (i = 0; i < k->n_sig_algs; i++)
                ADD(k->sig_algs[i]->name);
        break;
    case L_ENC_CS:
    case L_ENC_SC:
        for (i = 0; i < k->n_ciphers; i++)
            ADD(k->ciphers[i]->name);
        break;
    case L_MAC_CS:
    case L_MAC_SC:
        for (i = 0; i < k->n_macs; i++)
            ADD(k->macs[i]->name);
        break;
    case L_CMP_CS:
    case L_CMP_SC:
        ADD("none");
        break;
    default:
        break;
    }
#undef ADD
}

static void wr_names(wr *w, const names *o, const char *extra1,
                     const char *extra2)
{
    size_t mark = wr_string_begin(w), i;
    for (i = 0; i < o->n; i++) {
        if (i)
            wr_u8(w, ',');
        wr_bytes(w, o->v[i], strlen(o->v[i]));
    }
    if (extra1) {
        if (o->n)
            wr_u8(w, ',');
        wr_bytes(w, extra1, strlen(extra1));
    }
    if (extra2) {
        wr_u8(w, ',');
        wr_bytes(w, extra2, strlen(extra2));
    }
    wr_string_end(w, mark);
}

int kex_start(nssh_conn *c)
{
    wr w;
    names o;
    int cat, e;
    uint8_t *cookie;
    pkt_begin(c, &w, MSG_KEXINIT);
    cookie = wr_reserve(&w, 16);
    if (cookie && (e = conn_random(c, cookie, 16)) < 0)
        return e;
    for (cat = 0; cat < L_COUNT; cat++) {
        const char *x1 = NULL, *x2 = NULL;
        our_names(c, cat, &o);
        if (cat == L_KEX && c->kx.count == 0) {
            /* Markers go in the first KEXINIT only (PROTOCOL, strict KEX). */
            if (c->role == NSSH_ROLE_SERVER) {
                /* RFC 8308 section 2.1: ext-info-s lets a client send
                 * its own EXT_INFO (OpenSSH's ext-info-in-auth). */
                x1 = "ext-info-s";
                x2 = STRICT_S;
            } else {
                x1 = "ext-info-c";
                x2 = STRICT_C;
            }
        }
        wr_names(&w, &o, x1, x2);
    }
    wr_bool(&w, 0);     /* first_kex_packet_follows */
    wr_u32(&w, 0);      /* reserved */
    if (w.err || w.len > sizeof(c->kx.my_init))
        return conn_fail(c, NSSH_ERR_NOSPACE, NSSH_DISC_BY_APPLICATION, "kex",
                         "SSH_MSG_KEXINIT", NULL, "our algorithm lists are too long");
    memcpy(c->kx.my_init, w.p, w.len);
    c->kx.my_init_len = w.len;
    c->kx.state = KX_SENT_INIT;
    c->kx.sent_newkeys = c->kx.recv_newkeys = 0;
    c->kx.started_ms = c->now;
    conn_log(c, NSSH_LOG_DEBUG, "kex", "SSH_MSG_KEXINIT", NULL,
             "sending KEXINIT (exchange %u)", c->kx.count + 1);
    return pkt_end(c, &w);
}

/* Append the list to text for a diagnostic. */
static size_t show_list(char *buf, size_t cap, const uint8_t *l, size_t n)
{
    return nssh_fmt(buf, cap, "%.*s", (int)n, n ? (const char *)l : "(empty)");
}

static int no_match(nssh_conn *c, int cat, const uint8_t *peer, size_t plen)
{
    char ours[NSSH_LOG_MAX / 2], theirs[NSSH_LOG_MAX / 2];
    names o;
    size_t i, n = 0;
    our_names(c, cat, &o);
    for (i = 0; i < o.n; i++)
        n += nssh_fmt(ours + (n < sizeof(ours) ? n : sizeof(ours) - 1),
                      n < sizeof(ours) ? sizeof(ours) - n : 1, "%s%s",
                      i ? "," : "", o.v[i]);
    show_list(theirs, sizeof(theirs), peer, plen);
    return conn_fail(c, NSSH_ERR_NEGOTIATE, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex",
                     "SSH_MSG_KEXINIT", list_field[cat],
                     "no matching %s: %s offered [%s]; %s supports [%s]",
                     list_what[cat],
                     c->role == NSSH_ROLE_SERVER ? "client" : "server", theirs,
                     c->role == NSSH_ROLE_SERVER ? "server" : "client", ours);
}

static int is_marker(const uint8_t *e, size_t n)
{
    static const char *const m[] = { "ext-info-c", "ext-info-s", STRICT_C,
                                     STRICT_S };
    size_t i;
    for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (strlen(m[i]) == n && memcmp(m[i], e, n) == 0)
            return 1;
    return 0;
}

/*
 * RFC 4253 7.1: the chosen algorithm is the first on the client's list
 * that the server also supports. Returns the index in our list or -1.
 */
static int choose(nssh_conn *c, int cat, const uint8_t *peer, size_t plen)
{
    names o;
    size_t i, pos = 0, en;
    const uint8_t *e;
    our_names(c, cat, &o);
    if (c->role == NSSH_ROLE_SERVER) {
        while (namelist_next(peer, plen, &pos, &e, &en)) {
            if (is_marker(e, en))
                continue;
            for (i = 0; i < o.n; i++)
                if (strlen(o.v[i]) == en && memcmp(o.v[i], e, en) == 0)
                    return (int)i;
        }
        return -1;
    }
    for (i = 0; i < o.n; i++)
        if (namelist_has(peer, plen, o.v[i]))
            return (int)i;
    return -1;
}

/* The peer's KEXINIT lists, as views into its payload. */
typedef struct peer_init {
    const uint8_t *l[L_COUNT];
    size_t n[L_COUNT];
    int follows;
} peer_init;

static int parse(nssh_conn *c, rd *r, peer_init *pi)
{
    const uint8_t *cookie;
    uint32_t reserved;
    int i;
    if (rd_bytes(r, &cookie, 16) < 0)
        goto bad_cookie;
    for (i = 0; i < L_COUNT; i++)
        if (rd_string(r, &pi->l[i], &pi->n[i]) < 0)
            return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "kex",
                             "SSH_MSG_KEXINIT", list_field[i],
                             "name-list truncated: length exceeds the packet");
    if (rd_bool(r, &pi->follows) < 0 || rd_u32(r, &reserved) < 0)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "kex",
                         "SSH_MSG_KEXINIT", "first_kex_packet_follows",
                         "message ends early");
    (void)reserved;
    return 0;
bad_cookie:
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "kex",
                     "SSH_MSG_KEXINIT", "cookie", "message ends early");
}

/* Is the first name of a list equal to s? */
static int first_is(const uint8_t *l, size_t n, const char *s)
{
    size_t pos = 0, en;
    const uint8_t *e;
    return namelist_next(l, n, &pos, &e, &en) && en == strlen(s) &&
           memcmp(e, s, en) == 0;
}

static int choose_all(nssh_conn *c, const peer_init *pi)
{
    const nssh_config *k = c->cfg;
    int idx[L_COUNT], cat;
    for (cat = L_KEX; cat <= L_CMP_SC; cat++) {
        if ((cat == L_MAC_CS || cat == L_MAC_SC) &&
            (c->kx.cipher[cat - L_MAC_CS]->flags & NSSH_CIPHER_AEAD)) {
            idx[cat] = -1;   /* the MAC list is not negotiated for AEAD */
            continue;
        }
        idx[cat] = choose(c, cat, pi->l[cat], pi->n[cat]);
        if (idx[cat] < 0)
            return no_match(c, cat, pi->l[cat], pi->n[cat]);
        if (cat == L_ENC_CS || cat == L_ENC_SC)
            c->kx.cipher[cat - L_ENC_CS] = k->ciphers[idx[cat]];
    }
    c->kx.kem = k->kems[idx[L_KEX]];
    if (c->role == NSSH_ROLE_SERVER) {
        c->kx.hostkey = &k->hostkeys[idx[L_HOSTKEY]];
        c->kx.hostkey_alg = c->kx.hostkey->alg;
        if (!c->kx.count)
            c->kx.first_hostkey = c->kx.hostkey;
    } else {
        c->kx.hostkey_alg = k->sig_algs[idx[L_HOSTKEY]];
    }
    c->kx.mac[0] = idx[L_MAC_CS] < 0 ? NULL : k->macs[idx[L_MAC_CS]];
    c->kx.mac[1] = idx[L_MAC_SC] < 0 ? NULL : k->macs[idx[L_MAC_SC]];
    return 0;
}

/* Hash V_C, V_S, I_C, I_S: the start of H (RFC 4253 section 8). */
static int hash_start(nssh_conn *c, const uint8_t *peer, size_t plen);

int kexinit_handle(nssh_conn *c, rd *r, const uint8_t *payload, size_t len,
                   uint32_t seq)
{
    peer_init pi;
    const uint8_t *kl, *hl;
    size_t kn, hn;
    int e;
    if (c->kx.state == KX_IDLE && (e = kex_start(c)) < 0)
        return e;
    if ((e = parse(c, r, &pi)) < 0)
        return e;
    if (c->kx.count == 0) {
        int peer_marker = namelist_has(pi.l[L_KEX], pi.n[L_KEX],
                                       c->role == NSSH_ROLE_SERVER ? STRICT_C : STRICT_S);
        c->kx.strict = peer_marker;
        if (c->role == NSSH_ROLE_SERVER)
            c->kx.peer_ext_info = namelist_has(pi.l[L_KEX], pi.n[L_KEX], "ext-info-c");
        if (c->kx.strict && seq != 0)
            return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR,
                             "kex", "SSH_MSG_KEXINIT", NULL,
                             "strict KEX: KEXINIT was not the first packet");
    }
    if ((e = choose_all(c, &pi)) < 0)
        return e;
    kl = pi.l[L_KEX];
    kn = pi.n[L_KEX];
    hl = pi.l[L_HOSTKEY];
    hn = pi.n[L_HOSTKEY];
    /* RFC 4253 section 7: the guess is right only when both sides' first
     * kex and first host key algorithms are the same (then they are also
     * the chosen ones); otherwise the guessed packet is dropped. */
    if (pi.follows) {
        names ok, oh;
        our_names(c, L_KEX, &ok);
        our_names(c, L_HOSTKEY, &oh);
        if (!ok.n || !oh.n || !first_is(kl, kn, ok.v[0]) || !first_is(hl, hn, oh.v[0]))
            c->kx.skip_guess = 1;
    }
    conn_log(c, NSSH_LOG_VERBOSE, "kex", "SSH_MSG_KEXINIT", NULL,
             "kex: %s, host key: %s, cipher in/out: %s/%s%s%s",
             c->kx.kem->name, c->kx.hostkey_alg->name,
             c->kx.cipher[c->role == NSSH_ROLE_SERVER ? 0 : 1]->name,
             c->kx.cipher[c->role == NSSH_ROLE_SERVER ? 1 : 0]->name,
             c->kx.strict ? ", strict KEX" : "",
             c->kx.skip_guess ? ", ignoring wrong guess" : "");
    c->kx.state = KX_WAIT_KEX;
    if ((e = hash_start(c, payload, len)) < 0)
        return e;
    return kex_after_init(c);
}

static int hash_str(nssh_conn *c, const void *p, size_t n)
{
    const nssh_hash *h = c->kx.kem->hash;
    uint8_t l[4];
    int e;
    put_be32(l, (uint32_t)n);
    e = h->update(c->kx.hctx, l, 4);
    return e < 0 ? e : h->update(c->kx.hctx, p, n);
}

static int hash_start(nssh_conn *c, const uint8_t *peer, size_t plen)
{
    const nssh_hash *h = c->kx.kem->hash;
    int srv = c->role == NSSH_ROLE_SERVER, e;
    const char *vc = srv ? c->peer_version : c->my_version;
    const char *vs = srv ? c->my_version : c->peer_version;
    if (c->kx.hash_live)
        h->cleanup(c->kx.hctx);
    if ((e = h->init(c->kx.hctx)) < 0)
        goto fail;
    c->kx.hash_live = 1;
    e = hash_str(c, vc, strlen(vc));
    if (e == 0)
        e = hash_str(c, vs, strlen(vs));
    if (e == 0)
        e = srv ? hash_str(c, peer, plen) : hash_str(c, c->kx.my_init, c->kx.my_init_len);
    if (e == 0)
        e = srv ? hash_str(c, c->kx.my_init, c->kx.my_init_len) : hash_str(c, peer, plen);
    if (e == 0)
        return 0;
fail:
    return conn_fail(c, e, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex", NULL, NULL,
                     "exchange hash failed");
}

int kex_hash_string(nssh_conn *c, const void *p, size_t n)
{
    return hash_str(c, p, n);
}
