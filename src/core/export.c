/*
 * The state of an authenticated server connection, moved between
 * processes (privilege separation): the sandboxed pre-auth process
 * exports it once USERAUTH_SUCCESS is sent, the monitor imports it and
 * carries on. The blob names algorithms instead of pointing at tables, and
 * carries each direction's keys with the cipher's position at the time
 * of the export, so the importer re-creates the contexts with its own
 * backend.
 *
 * Blob (RFC 4251 types): "nssh-export-v1", string peer version, string our
 * version, string session id, uint32 kex count, byte strict, byte
 * ext-info, string kex, string host key algorithm, then for the incoming
 * and the outgoing direction: string cipher, string mac ("" with AEAD),
 * string IV, string key, string MAC key, uint32 seq, uint64 bytes, uint64
 * total; then string user, string method, uint32 failures, string unread
 * bytes.
 */
#include <string.h>

#include "internal.h"

#define MAGIC "nssh-export-v1"

/* strcmp is not in the freestanding set (tools/cortex-m4-check.sh). */
static int same(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && !memcmp(a, b, n);
}

/* Add n to the big-endian counter ctr[0..len). */
static void ctr_add(uint8_t *ctr, size_t len, uint64_t n)
{
    size_t i = len;
    unsigned carry = 0;
    while (i-- > 0 && (n || carry)) {
        unsigned v = ctr[i] + (unsigned)(n & 0xffu) + carry;
        ctr[i] = (uint8_t)v;
        carry = v >> 8;
        n >>= 8;
    }
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !memcmp(s + a - b, tail, b);
}

/* The IV a fresh context needs to continue where d is: the counter of
 * aes*-ctr advanced by the blocks used (RFC 4344 section 4), GCM's
 * invocation counter by the packets (RFC 5647 section 7.1), CBC's chain
 * by the last ciphertext block (RFC 4253 section 6.3); chacha20-poly1305
 * takes its nonce from the sequence number and keeps nothing. */
static int current_iv(const dir *d, uint8_t *iv)
{
    const nssh_cipher *ci = d->cipher;
    memcpy(iv, d->k_iv, ci->iv_len);
    if (ci->flags & NSSH_CIPHER_AEAD) {
        if (ci->iv_len == 0)
            return 0;
        if (ci->iv_len != 12)
            return NSSH_ERR_UNSUPPORTED;
        ctr_add(iv + 4, 8, d->ops);
        return 0;
    }
    if (d->chained) {   /* CBC: the last ciphertext block, once there is one */
        if (d->ops % ci->block_len)
            return NSSH_ERR_UNSUPPORTED;
        if (d->ops)
            memcpy(iv, d->chain, ci->iv_len);
        return 0;
    }
    if (!ends_with(ci->name, "-ctr") || !ci->block_len ||
        ci->iv_len != ci->block_len || d->ops % ci->block_len)
        return NSSH_ERR_UNSUPPORTED;
    ctr_add(iv, ci->iv_len, d->ops / ci->block_len);
    return 0;
}

static int put_dir(wr *w, const dir *d)
{
    uint8_t iv[KEX_IV_MAX];
    const nssh_mac *mac = d->mac;
    int e;
    if (!d->cipher || !d->keep)
        return NSSH_ERR_STATE;
    if ((e = current_iv(d, iv)) < 0)
        return e;
    wr_cstring(w, d->cipher->name);
    wr_cstring(w, mac ? mac->name : "");
    wr_string(w, iv, d->cipher->iv_len);
    wr_string(w, d->k_key, d->cipher->key_len);
    wr_string(w, d->k_mac, mac ? mac->key_len : 0);
    wr_u32(w, d->seq);
    wr_u64(w, d->bytes);
    wr_u64(w, d->total);
    nssh_wipe(iv, sizeof(iv));
    return 0;
}

int nssh_conn_export(nssh_conn *c, uint8_t *out, size_t cap, size_t *len)
{
    wr w;
    int e;
    if (c->err)
        return c->err;
    if (c->role != NSSH_ROLE_SERVER || !c->held || c->out_len > c->out_off ||
        c->kx.state != KX_IDLE || c->defer_len || c->in_pkt_total ||
        !c->kx.kem || !c->kx.hostkey || !c->au.method)
        return NSSH_ERR_STATE;
    wr_init(&w, out, cap);
    wr_cstring(&w, MAGIC);
    wr_cstring(&w, c->peer_version);
    wr_cstring(&w, c->my_version);
    wr_string(&w, c->session_id, c->session_id_len);
    wr_u32(&w, c->kx.count);
    wr_u8(&w, (uint8_t)c->kx.strict);
    wr_u8(&w, (uint8_t)c->kx.peer_ext_info);
    wr_cstring(&w, c->kx.kem->name);
    wr_cstring(&w, c->kx.hostkey->alg->name);
    if ((e = put_dir(&w, &c->in)) < 0 || (e = put_dir(&w, &c->out)) < 0) {
        nssh_wipe(out, w.len < cap ? w.len : cap);
        return e;
    }
    wr_cstring(&w, c->au.user);
    wr_cstring(&w, c->au.method);
    wr_u32(&w, c->au.failures);
    wr_string(&w, c->inbuf + c->in_off, c->in_len - c->in_off);
    if (w.err) {
        nssh_wipe(out, cap);
        return NSSH_ERR_NOSPACE;
    }
    *len = w.len;
    return 0;
}

/* ---- import: everything below is checked before anything is taken ---- */

/* A name field as a C string in buf (no NUL inside, fits). */
static int get_name(rd *r, char *buf, size_t cap)
{
    const uint8_t *p;
    size_t n;
    if (rd_string(r, &p, &n) < 0 || n >= cap || memchr(p, 0, n))
        return NSSH_ERR_FORMAT;
    memcpy(buf, p, n);
    buf[n] = 0;
    return 0;
}

typedef struct dir_in {
    const nssh_cipher *ci;
    const nssh_mac *mac;
    const uint8_t *iv, *key, *mkey;
    uint32_t seq;
    uint64_t bytes, total;
} dir_in;

static int get_dir(const nssh_config *cfg, rd *r, dir_in *d)
{
    char name[64];
    size_t i, n_iv, n_key, n_mac;
    if (get_name(r, name, sizeof(name)) < 0)
        return NSSH_ERR_FORMAT;
    for (i = 0, d->ci = NULL; i < cfg->n_ciphers && !d->ci; i++)
        if (same(cfg->ciphers[i]->name, name))
            d->ci = cfg->ciphers[i];
    if (!d->ci || get_name(r, name, sizeof(name)) < 0)
        return NSSH_ERR_FORMAT;
    d->mac = NULL;
    if (!(d->ci->flags & NSSH_CIPHER_AEAD)) {
        for (i = 0; i < cfg->n_macs && !d->mac; i++)
            if (same(cfg->macs[i]->name, name))
                d->mac = cfg->macs[i];
        if (!d->mac)
            return NSSH_ERR_FORMAT;
    } else if (name[0]) {
        return NSSH_ERR_FORMAT;
    }
    if (rd_string(r, &d->iv, &n_iv) < 0 || n_iv != d->ci->iv_len ||
        rd_string(r, &d->key, &n_key) < 0 || n_key != d->ci->key_len ||
        rd_string(r, &d->mkey, &n_mac) < 0 ||
        n_mac != (d->mac ? d->mac->key_len : 0u) ||
        rd_u32(r, &d->seq) < 0 || rd_u64(r, &d->bytes) < 0 ||
        rd_u64(r, &d->total) < 0)
        return NSSH_ERR_FORMAT;
    return 0;
}

static const char *method_of(const char *m)
{
    static const char *const known[] = { "publickey", "password",
                                         "keyboard-interactive", "none" };
    size_t i;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (same(m, known[i]))
            return known[i];
    return NULL;
}

typedef struct imp {
    char peer_version[256], my_version[256];
    const uint8_t *sid;
    size_t sid_len;
    uint32_t count, failures;
    uint8_t strict, ext_info;
    const nssh_kem *kem;
    const nssh_hostkey *hostkey;
    dir_in in, out;
    char user[NSSH_USER_MAX + 1];
    const char *method;
    const uint8_t *unread;
    size_t unread_len;
} imp;

static int parse(const nssh_config *cfg, const uint8_t *blob, size_t len,
                 imp *m)
{
    char name[64];
    rd r;
    size_t i;
    rd_init(&r, blob, len);
    if (get_name(&r, name, sizeof(name)) < 0 || !same(name, MAGIC) ||
        get_name(&r, m->peer_version, sizeof(m->peer_version)) < 0 ||
        get_name(&r, m->my_version, sizeof(m->my_version)) < 0 ||
        rd_string(&r, &m->sid, &m->sid_len) < 0 || !m->sid_len ||
        m->sid_len > NSSH_HASH_MAX || rd_u32(&r, &m->count) < 0 ||
        !m->count || rd_u8(&r, &m->strict) < 0 || m->strict > 1 ||
        rd_u8(&r, &m->ext_info) < 0 || m->ext_info > 1 ||
        get_name(&r, name, sizeof(name)) < 0)
        return NSSH_ERR_FORMAT;
    for (i = 0, m->kem = NULL; i < cfg->n_kems && !m->kem; i++)
        if (same(cfg->kems[i]->name, name))
            m->kem = cfg->kems[i];
    if (!m->kem || get_name(&r, name, sizeof(name)) < 0)
        return NSSH_ERR_FORMAT;
    for (i = 0, m->hostkey = NULL; i < cfg->n_hostkeys && !m->hostkey; i++)
        if (same(cfg->hostkeys[i].alg->name, name))
            m->hostkey = &cfg->hostkeys[i];
    if (!m->hostkey || get_dir(cfg, &r, &m->in) < 0 ||
        get_dir(cfg, &r, &m->out) < 0 ||
        get_name(&r, m->user, sizeof(m->user)) < 0 || !m->user[0] ||
        get_name(&r, name, sizeof(name)) < 0 ||
        !(m->method = method_of(name)) || rd_u32(&r, &m->failures) < 0 ||
        rd_string(&r, &m->unread, &m->unread_len) < 0 ||
        m->unread_len > INBUF_SIZE || rd_end(&r) < 0)
        return NSSH_ERR_FORMAT;
    return 0;
}

static int set_dir(dir *d, const dir_in *x, int encrypt)
{
    int e = dir_set_keys(d, x->ci, x->mac, x->iv, x->key, x->mkey, encrypt);
    d->seq = x->seq;
    d->bytes = x->bytes;
    d->total = x->total;
    return e;
}

int nssh_conn_import(nssh_conn *c, const uint8_t *blob, size_t len,
                     char *user, size_t user_cap)
{
    imp m;
    int e;
    if (c->err)
        return c->err;
    if (c->role != NSSH_ROLE_SERVER || c->version_done || c->kx.count)
        return NSSH_ERR_STATE;
    memset(&m, 0, sizeof(m));
    if (parse(c->cfg, blob, len, &m) < 0)
        return NSSH_ERR_FORMAT;
    /* Our version line and first KEXINIT were never sent. */
    c->out_off = c->out_len = 0;
    c->defer_len = 0;
    if (c->kx.hash_live && c->kx.kem)
        c->kx.kem->hash->cleanup(c->kx.hctx);
    c->kx.hash_live = 0;
    c->kx.state = KX_IDLE;
    c->kx.sent_newkeys = c->kx.recv_newkeys = 0;
    c->kx.my_init_len = 0;
    c->version_done = 1;
    memcpy(c->peer_version, m.peer_version, sizeof(c->peer_version));
    memcpy(c->my_version, m.my_version, sizeof(c->my_version));
    memcpy(c->session_id, m.sid, m.sid_len);
    c->session_id_len = m.sid_len;
    c->kx.count = m.count;
    c->kx.strict = m.strict;
    c->kx.peer_ext_info = m.ext_info;
    c->kx.kem = m.kem;
    c->kx.hostkey = m.hostkey;
    c->kx.cipher[0] = m.in.ci;
    c->kx.cipher[1] = m.out.ci;
    c->kx.mac[0] = m.in.mac;
    c->kx.mac[1] = m.out.mac;
    c->kx.started_ms = c->now;
    c->in.keep = c->out.keep = 0;
    if ((e = set_dir(&c->in, &m.in, 0)) < 0 || (e = set_dir(&c->out, &m.out, 1)) < 0)
        return conn_fail(c, e, NSSH_DISC_BY_APPLICATION, "export", NULL, NULL,
                         "cannot set up the imported keys");
    c->au.service_ok = 1;
    c->au.done = 1;
    c->au.banner_sent = 1;
    c->au.failures = m.failures;
    c->au.method = m.method;
    memcpy(c->au.user, m.user, sizeof(c->au.user));
    c->grace_deadline = 0;
    c->in_off = 0;
    c->in_len = m.unread_len;
    c->in_pkt_total = c->in_pkt_done = 0;
    memcpy(c->inbuf, m.unread, m.unread_len);
    if (user && user_cap) {
        size_t n = strlen(m.user) < user_cap ? strlen(m.user) : user_cap - 1;
        memcpy(user, m.user, n);
        user[n] = 0;
    }
    conn_log(c, NSSH_LOG_DEBUG, "export", NULL, NULL,
             "imported the connection of %s (%zu bytes unread)", c->au.user,
             m.unread_len);
    if (c->in_len)
        pkt_process(c);
    return c->err;
}
