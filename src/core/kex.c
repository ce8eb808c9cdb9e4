/*
 * One driver for every key exchange, written as a KEM (RFC 4253 section 8,
 * RFC 5656 section 4, RFC 8731): the client sends its public key, the
 * server encapsulates and signs H, both derive keys (section 7.2) and
 * switch at NEWKEYS. Group exchange (RFC 4419) adds its request and group
 * first (kex_gex.c); its INIT, REPLY and NEWKEYS take the same path.
 */
#include <string.h>

#include "internal.h"

static int kex_send_newkeys(nssh_conn *c);

int kex_fail(nssh_conn *c, int err, const char *msg, const char *field,
                    const char *text)
{
    return conn_fail(c, err, err == NSSH_ERR_FORMAT ? NSSH_DISC_PROTOCOL_ERROR
                                                    : NSSH_DISC_KEY_EXCHANGE_FAILED,
                     "kex", msg, field, "%s (%s)", text, c->kx.kem->name);
}

/* Exchange values travel as mpints in classic and group-exchange DH,
 * as strings otherwise. */
static int value_mpint(const nssh_conn *c)
{
    return c->kx.kem->gex || (c->kx.kem->flags & NSSH_KEM_PK_MPINT);
}

/* Bytes of Q_C (e) and Q_S (f): fixed by the KEM, or the group's size. */
static size_t qc_len(const nssh_conn *c)
{
    return c->kx.kem->gex ? c->kx.gex_plen : c->kx.kem->pk_len;
}

static size_t qs_len(const nssh_conn *c)
{
    return c->kx.kem->gex ? c->kx.gex_plen : c->kx.kem->ct_len;
}

static void wr_value(const nssh_conn *c, wr *w, const uint8_t *v, size_t n)
{
    if (value_mpint(c))
        wr_mpint(w, v, n);
    else
        wr_string(w, v, n);
}

static int hash_mpint(nssh_conn *c, const uint8_t *v, size_t n)
{
    uint8_t tmp[(KEM_PK_MAX > KEM_CT_MAX ? KEM_PK_MAX : KEM_CT_MAX) + 8];
    wr w;
    wr_init(&w, tmp, sizeof(tmp));
    wr_mpint(&w, v, n);
    if (w.err)
        return NSSH_ERR_NOSPACE;
    return c->kx.kem->hash->update(c->kx.hctx, tmp, w.len);
}

static int hash_value(nssh_conn *c, const uint8_t *v, size_t n)
{
    return value_mpint(c) ? hash_mpint(c, v, n) : kex_hash_string(c, v, n);
}

static int hash_u32(nssh_conn *c, uint32_t v)
{
    uint8_t b[4];
    put_be32(b, v);
    return c->kx.kem->hash->update(c->kx.hctx, b, 4);
}

/* Read a value of exactly want bytes (an mpint is left-padded to it). */
static int rd_value(nssh_conn *c, rd *r, uint8_t *out, size_t want,
                    const char *msg, const char *field)
{
    const uint8_t *v;
    size_t n;
    if (value_mpint(c)) {
        if (rd_mpint(r, &v, &n) < 0 || n > want)
            return kex_fail(c, NSSH_ERR_FORMAT, msg, field, "malformed mpint");
        memset(out, 0, want - n);
        memcpy(out + want - n, v, n);
        return 0;
    }
    if (rd_string(r, &v, &n) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, msg, field, "string length exceeds the message");
    if (n != want) {
        conn_fail(c, NSSH_ERR_KEX_VALUE, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex",
                  msg, field, "%s is %zu bytes, expected %zu (%s)", field, n,
                  want, c->kx.kem->name);
        return c->err;
    }
    memcpy(out, v, n);
    return 0;
}

#if NSSH_ENABLE_SERVER
/* The same without a copy where the wire holds the value as it is: *out
 * points into the received packet, which stays put while it is handled.
 * Only an mpint (left-padded to want) goes through buf. Spares the
 * server's deepest frame a KEM public key (1,216 bytes for
 * mlkem768x25519). */
static int rd_value_ref(nssh_conn *c, rd *r, uint8_t *buf, size_t cap,
                        size_t want, const uint8_t **out, const char *msg,
                        const char *field)
{
    size_t n;
    if (value_mpint(c)) {
        if (want > cap)
            return kex_fail(c, NSSH_ERR_INTERNAL, msg, field, "value larger than NSSH_DH_MAX");
        *out = buf;
        return rd_value(c, r, buf, want, msg, field);
    }
    if (rd_string(r, out, &n) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, msg, field, "string length exceeds the message");
    if (n != want) {
        conn_fail(c, NSSH_ERR_KEX_VALUE, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex",
                  msg, field, "%s is %zu bytes, expected %zu (%s)", field, n,
                  want, c->kx.kem->name);
        return c->err;
    }
    return 0;
}
#endif

/* K as hashed: mpint or string (PITFALLS; RFC 8731 section 3.1). */
static void encode_k(nssh_conn *c, const uint8_t *ss, size_t n)
{
    wr w;
    wr_init(&w, c->kx.kenc, sizeof(c->kx.kenc));
    if (c->kx.kem->gex || (c->kx.kem->flags & NSSH_KEM_SS_MPINT))
        wr_mpint(&w, ss, n);
    else
        wr_string(&w, ss, n);
    c->kx.kenc_len = w.len;
    TRACE(c, shared_secret, c->kx.kenc, c->kx.kenc_len);
}

static void set_session_id(nssh_conn *c)
{
    if (c->session_id_len == 0) {
        memcpy(c->session_id, c->kx.h, c->kx.h_len);
        c->session_id_len = c->kx.h_len;
    }
}

/* Finish H = HASH(... K_S || Q_C || Q_S || K); group exchange hashes its
 * request and group between K_S and e (RFC 4419 section 3). */
static int hash_finish(nssh_conn *c, const uint8_t *ks, size_t ksn,
                       const uint8_t *qc, const uint8_t *qs)
{
    kex *x = &c->kx;
    const nssh_kem *k = x->kem;
    int e = kex_hash_string(c, ks, ksn);
    if (e == 0 && k->gex) {
        e = hash_u32(c, x->gex_min);
        if (e == 0)
            e = hash_u32(c, x->gex_n);
        if (e == 0)
            e = hash_u32(c, x->gex_max);
        if (e == 0)
            e = hash_mpint(c, x->gex_p, x->gex_plen);
        if (e == 0)
            e = hash_mpint(c, x->gex_g, x->gex_glen);
    }
    if (e == 0)
        e = hash_value(c, qc, qc_len(c));
    if (e == 0)
        e = hash_value(c, qs, qs_len(c));
    if (e == 0)
        e = k->hash->update(x->hctx, x->kenc, x->kenc_len);
    if (e == 0)
        e = k->hash->final(x->hctx, x->h);
    x->hash_live = 0;
    x->h_len = k->hash->out_len;
    if (e == 0)
        set_session_id(c);
    return e;
}

#if NSSH_ENABLE_CLIENT
static const char *reply_name(const nssh_conn *c)
{
    return c->kx.kem->gex ? "SSH_MSG_KEX_DH_GEX_REPLY" : "SSH_MSG_KEX_ECDH_REPLY";
}

/* The server's host key: type as negotiated, and accepted by the app. */
static int client_hostkey(nssh_conn *c, const uint8_t *ks, size_t ksn,
                       const char *m)
{
    rd kr;
    const uint8_t *kt;
    size_t ktn;
    rd_init(&kr, ks, ksn);
    if (rd_string(&kr, &kt, &ktn) < 0 || ktn != strlen(c->kx.hostkey_alg->key_type) ||
        memcmp(kt, c->kx.hostkey_alg->key_type, ktn) != 0)
        return kex_fail(c, NSSH_ERR_KEY, m, "K_S", "host key type does not match the negotiated algorithm");
    if (!c->cb->check_hostkey ||
        c->cb->check_hostkey(c->cfg->user, c->kx.hostkey_alg->name, ks, ksn) != NSSH_CB_ACCEPT)
        return conn_fail(c, NSSH_ERR_HOSTKEY, NSSH_DISC_HOST_KEY_NOT_VERIFIABLE,
                         "kex", m, "K_S", "host key not accepted");
    return 0;
}

int kex_after_init(nssh_conn *c)
{
    const nssh_kem *k = c->kx.kem;
    wr w;
    int e;
    if (k->gex)
        return gex_start(c);
    if (c->role == NSSH_ROLE_SERVER)
        return 0;
    e = k->keypair(c->kx.pk, c->kx.sk, c->cfg->rng, c->cfg->rng_user);
    if (e < 0)
        return kex_fail(c, e, "SSH_MSG_KEX_ECDH_INIT", NULL, "key generation failed");
    pkt_begin(c, &w, MSG_KEX_ECDH_INIT);
    wr_value(c, &w, c->kx.pk, k->pk_len);
    return pkt_end(c, &w);
}

/* The server's reply, for every KEM and group exchange: K_S, Q_S (f) and
 * the signature over H; then NEWKEYS (RFC 4253 section 8, RFC 4419
 * section 3, RFC 5656 section 4). */
static int client_reply(nssh_conn *c, rd *r)
{
    kex *x = &c->kx;
    const nssh_kem *k = x->kem;
    const char *m = reply_name(c), *f = k->gex ? "f" : "Q_S";
    const uint8_t *ks, *sig;
    size_t ksn, sign;
    uint8_t qs[KEM_CT_MAX], ss[KEM_SS_MAX];
    int e;
    if (rd_string(r, &ks, &ksn) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, m, "K_S", "string length exceeds the message");
    if ((e = rd_value(c, r, qs, qs_len(c), m, f)) < 0)
        return e;
    if (rd_string(r, &sig, &sign) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, m, "signature", "string length exceeds the message");
    if (rd_end(r) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, m, NULL, "trailing bytes after the signature");
    if ((e = client_hostkey(c, ks, ksn, m)) < 0)
        return e;
    if (k->gex)
        e = k->gex->shared(x->gex_p, x->gex_plen, qs, x->sk, ss);
    else
        e = k->decaps(ss, qs, x->sk);
    if (e < 0)
        return kex_fail(c, e, m, f, "invalid server key exchange value");
    encode_k(c, ss, k->gex ? x->gex_plen : k->ss_len);
    nssh_wipe(ss, sizeof(ss));
    e = hash_finish(c, ks, ksn, x->pk, qs);
    if (e < 0)
        return kex_fail(c, e, m, NULL, "exchange hash failed");
    e = x->hostkey_alg->verify(ks, ksn, x->h, x->h_len, sig, sign);
    if (e < 0)
        return kex_fail(c, e, m, "signature", "server's signature over the exchange hash did not verify");
    return kex_send_newkeys(c);
}
#else
int kex_after_init(nssh_conn *c) { return c->kx.kem->gex ? gex_start(c) : 0; }
#endif

#if NSSH_ENABLE_SERVER
static const char *init_name(const nssh_conn *c)
{
    return c->kx.kem->gex ? "SSH_MSG_KEX_DH_GEX_INIT" : "SSH_MSG_KEX_ECDH_INIT";
}

/* The client's value, for every KEM and group exchange: encapsulate (or
 * make our DH half and the shared secret), sign H, reply, NEWKEYS. */
static int server_init(nssh_conn *c, rd *r)
{
    kex *x = &c->kx;
    const nssh_kem *k = x->kem;
    const nssh_hostkey *hk = x->hostkey;
    const char *m = init_name(c), *f = k->gex ? "e" : "Q_C";
    uint8_t qc_dh[NSSH_DH_MAX], qs[KEM_CT_MAX], ss[KEM_SS_MAX], sig[NSSH_SIG_MAX];
    const uint8_t *qc;
    size_t sign = 0;
    wr w;
    int e;
    if (k->gex && x->gex_plen == 0)
        return kex_fail(c, NSSH_ERR_UNEXPECTED, m, NULL, "no group was requested");
    if ((e = rd_value_ref(c, r, qc_dh, sizeof(qc_dh), qc_len(c), &qc, m, f)) < 0)
        return e;
    if (rd_end(r) < 0)
        return kex_fail(c, NSSH_ERR_FORMAT, m, NULL, "trailing bytes after the key exchange value");
    if (value_mpint(c))   /* the costly kind, counted for the caller */
        x->dh_count++;
    if (k->gex) {
        e = k->gex->keypair(x->gex_p, x->gex_plen, x->gex_g, x->gex_glen, qs,
                            x->sk, c->cfg->rng, c->cfg->rng_user);
        if (e == 0)
            e = k->gex->shared(x->gex_p, x->gex_plen, qc, x->sk, ss);
    } else {
        e = k->encaps(qs, ss, qc, c->cfg->rng, c->cfg->rng_user);
    }
    if (e < 0)
        return kex_fail(c, e, m, f, "invalid client key exchange value");
    encode_k(c, ss, k->gex ? x->gex_plen : k->ss_len);
    nssh_wipe(ss, sizeof(ss));
    e = hash_finish(c, hk->blob, hk->blob_len, qc, qs);
    if (e == 0)
        e = hk->alg->sign(hk->key, x->h, x->h_len, sig, sizeof(sig), &sign,
                          c->cfg->rng, c->cfg->rng_user);
    if (e < 0)
        return kex_fail(c, e, m, NULL, "signing the exchange hash failed");
    pkt_begin(c, &w, k->gex ? MSG_KEX_DH_GEX_REPLY : MSG_KEX_ECDH_REPLY);
    wr_string(&w, hk->blob, hk->blob_len);
    wr_value(c, &w, qs, qs_len(c));
    wr_string(&w, sig, sign);
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    return kex_send_newkeys(c);
}
#endif

/* Derive need bytes for one letter (RFC 4253 section 7.2). */
static int derive(nssh_conn *c, char letter, uint8_t *out, size_t need)
{
    const nssh_hash *h = c->kx.kem->hash;
    uint8_t ctx[NSSH_HASH_CTX_SIZE] ALIGN16;
    uint8_t buf[2 * NSSH_HASH_MAX + 128];
    size_t have = 0, hl = h->out_len;
    uint8_t l = (uint8_t)letter;
    int e;
    if (need > sizeof(buf) - hl)
        return NSSH_ERR_INTERNAL;
    while (have < need) {
        memset(ctx, 0, sizeof(ctx));
        e = h->init(ctx);
        if (e == 0)
            e = h->update(ctx, c->kx.kenc, c->kx.kenc_len);
        if (e == 0)
            e = h->update(ctx, c->kx.h, c->kx.h_len);
        if (e == 0 && have == 0) {
            e = h->update(ctx, &l, 1);
            if (e == 0)
                e = h->update(ctx, c->session_id, c->session_id_len);
        } else if (e == 0) {
            e = h->update(ctx, buf, have);
        }
        if (e == 0)
            e = h->final(ctx, buf + have);
        if (e < 0) {
            h->cleanup(ctx);
            return e;
        }
        have += hl;
    }
    memcpy(out, buf, need);
    nssh_wipe(buf, sizeof(buf));
    return 0;
}

/* Switch one direction: d 0 is client to server, 1 server to client. */
static int switch_keys(nssh_conn *c, int outgoing)
{
    int d = (c->role == NSSH_ROLE_SERVER) == outgoing;
    const nssh_cipher *ci = c->kx.cipher[d];
    const nssh_mac *mac = c->kx.mac[d];
    uint8_t iv[KEX_IV_MAX], key[KEX_KEY_MAX], mkey[KEX_KEY_MAX];
    int e;
    e = derive(c, (char)('A' + d), iv, ci->iv_len);
    if (e == 0)
        e = derive(c, (char)('C' + d), key, ci->key_len);
    if (e == 0 && mac)
        e = derive(c, (char)('E' + d), mkey, mac->key_len);
    if (e == 0)
        e = dir_set_keys(outgoing ? &c->out : &c->in, ci, mac, iv, key, mkey,
                         outgoing);
    nssh_wipe(iv, sizeof(iv));
    nssh_wipe(key, sizeof(key));
    nssh_wipe(mkey, sizeof(mkey));
    if (e < 0)
        return conn_fail(c, e, NSSH_DISC_KEY_EXCHANGE_FAILED, "kex",
                         "SSH_MSG_NEWKEYS", NULL, "cannot set up %s keys: %s",
                         outgoing ? "outgoing" : "incoming", nssh_strerror(e));
    if (c->kx.strict)
        (outgoing ? &c->out : &c->in)->seq = 0;   /* strict KEX resets */
    return 0;
}

static void kex_finish(nssh_conn *c)
{
    c->kx.state = KX_IDLE;
    c->kx.count++;
    c->kx.started_ms = c->now;
    nssh_wipe(c->kx.kenc, sizeof(c->kx.kenc));
    nssh_wipe(c->kx.sk, sizeof(c->kx.sk));
    c->kx.kenc_len = 0;
    conn_log(c, NSSH_LOG_VERBOSE, "kex", "SSH_MSG_NEWKEYS", NULL,
             "key exchange %u complete: %s, cipher in %s out %s",
             c->kx.count, c->kx.kem->name, c->in.cipher->name,
             c->out.cipher->name);
#if NSSH_ENABLE_CLIENT
    if (c->role == NSSH_ROLE_CLIENT && c->kx.count == 1)
        auth_client_kex_done(c);
#endif
}

static int kex_send_newkeys(nssh_conn *c)
{
    wr w;
    int e;
    pkt_begin(c, &w, MSG_NEWKEYS);
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    if ((e = switch_keys(c, 1)) < 0)
        return e;
    c->kx.sent_newkeys = 1;
    c->kx.state = KX_WAIT_NEWKEYS;
    if (c->role == NSSH_ROLE_SERVER && c->kx.count == 0 && c->kx.peer_ext_info &&
        (e = send_ext_info(c)) < 0)
        return e;
    if ((e = pkt_flush_deferred(c)) < 0)
        return e;
    if (c->kx.recv_newkeys)
        kex_finish(c);
    return 0;
}

int kex_newkeys(nssh_conn *c)
{
    int e = switch_keys(c, 0);
    if (e < 0)
        return e;
    c->kx.recv_newkeys = 1;
    if (c->kx.sent_newkeys)
        kex_finish(c);
    return 0;
}

int kex_handle(nssh_conn *c, uint8_t msg, rd *r, const uint8_t *payload,
               size_t payload_len)
{
    int gex = c->kx.kem->gex != NULL;
    (void)payload;
    (void)payload_len;
#if NSSH_ENABLE_SERVER
    if (c->role == NSSH_ROLE_SERVER &&
        msg == (gex ? MSG_KEX_DH_GEX_INIT : MSG_KEX_ECDH_INIT))
        return server_init(c, r);
#endif
#if NSSH_ENABLE_CLIENT
    if (c->role == NSSH_ROLE_CLIENT &&
        msg == (gex ? MSG_KEX_DH_GEX_REPLY : MSG_KEX_ECDH_REPLY))
        return client_reply(c, r);
#endif
    if (gex)   /* the group request and the group (kex_gex.c) */
        return gex_handle(c, msg, r);
    return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "kex",
                     msg_name(msg), NULL, "unexpected message %u during %s",
                     msg, c->kx.kem->name);
}

int kex_check_rekey(nssh_conn *c)
{
    const nssh_config *k = c->cfg;
    uint64_t limit = k->rekey_bytes ? k->rekey_bytes : NSSH_DEFAULT_REKEY_BYTES;
    const char *why = NULL;
    /* Limits are checked only once user authentication has succeeded: an
     * OpenSSH client treats KEXINIT during auth as a protocol error ("bad
     * message during authentication: type 20"), and sshd never re-keys
     * before login either. The bytes counted meanwhile stay counted, so a
     * limit passed during auth starts the exchange right after it. */
    if (c->closing || c->kx.state != KX_IDLE || c->kx.count == 0 || !c->au.done ||
        c->held)   /* hand-off: the importing side re-keys */
        return 0;
    if (c->out.bytes >= limit || c->in.bytes >= limit)
        why = "data limit";
    else if (k->rekey_seconds &&
             c->now - c->kx.started_ms >= (uint64_t)k->rekey_seconds * 1000u)
        why = "time limit";
    if (!why)
        return 0;
    conn_log(c, NSSH_LOG_VERBOSE, "kex", NULL, NULL, "re-keying: %s reached", why);
    return kex_start(c);
}
