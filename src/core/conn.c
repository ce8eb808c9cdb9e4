/* Public connection API: memory, buffers, timers, errors and logs. */
#include <stdarg.h>
#include <string.h>

#include "internal.h"

size_t nssh_conn_mem_size(void) { return sizeof(struct nssh_conn); }

/* The build's fixed buffers hold every configuration NSSH_CONN_MEM_SIZE
 * promises. */
_Static_assert(sizeof(struct nssh_conn) <= NSSH_CONN_MEM_SIZE,
               "NSSH_CONN_MEM_SIZE (nanossh.h) is smaller than the connection");

/* Every table's sizes fit the buffers this build was sized for
 * (NSSH_KEM_*_MAX, NSSH_DH_MAX, NSSH_HASH_MAX in nanossh_opts.h, and the
 * key buffers of kex.c). Context sizes are the backend's promise
 * (NSSH_*_CTX_SIZE); the tables do not carry them. NULL when they do, else why not. */
static const char *tables_fit(const nssh_config *cfg)
{
    size_t i;
    for (i = 0; i < cfg->n_kems; i++) {
        const nssh_kem *k = cfg->kems[i];
        if (!k || k->pk_len > KEM_PK_MAX || k->ct_len > KEM_CT_MAX ||
            k->sk_len > NSSH_KEM_SK_MAX || k->ss_len > KEM_SS_MAX ||
            !k->hash || k->hash->out_len > NSSH_HASH_MAX)
            return "a key exchange's sizes exceed NSSH_KEM_*_MAX or the hash buffers";
    }
    for (i = 0; i < cfg->n_ciphers; i++) {
        const nssh_cipher *ci = cfg->ciphers[i];
        if (!ci || ci->iv_len > KEX_IV_MAX || ci->key_len > KEX_KEY_MAX ||
            ci->tag_len > NSSH_HASH_MAX)
            return "a cipher's key, IV or tag exceeds the engine's buffers";
    }
    for (i = 0; i < cfg->n_macs; i++) {
        const nssh_mac *m = cfg->macs[i];
        if (!m || m->key_len > KEX_KEY_MAX || m->out_len > NSSH_HASH_MAX)
            return "a MAC's key or output exceeds the engine's buffers";
    }
    return NULL;
}

static int init_fail(nssh_conn **out, const char **why, int err,
                     const char *text)
{
    *out = NULL;
    if (why)
        *why = text;
    return err;
}

int nssh_conn_init2(void *mem, size_t mem_len, const nssh_config *cfg,
                    uint64_t now_ms, nssh_conn **out, const char **why)
{
    nssh_conn *c = mem;
    const char *bad;
    if (why)
        *why = NULL;
    if (!mem || mem_len < sizeof(*c))
        return init_fail(out, why, NSSH_ERR_NOSPACE,
                         "memory missing or smaller than nssh_conn_mem_size()");
    if ((uintptr_t)mem & 15)
        return init_fail(out, why, NSSH_ERR_CONFIG, "memory not aligned to 16 bytes");
    if (!cfg)
        return init_fail(out, why, NSSH_ERR_CONFIG, "no config");
    if (!cfg->rng)
        return init_fail(out, why, NSSH_ERR_CONFIG, "no random source (rng)");
    if (!cfg->cb)
        return init_fail(out, why, NSSH_ERR_CONFIG, "no callbacks (cb)");
    if (!cfg->n_kems || !cfg->n_ciphers)
        return init_fail(out, why, NSSH_ERR_CONFIG, "no key exchange or no cipher");
    if ((bad = tables_fit(cfg)) != NULL)
        return init_fail(out, why, NSSH_ERR_CONFIG, bad);
    if (cfg->role != NSSH_ROLE_SERVER && cfg->role != NSSH_ROLE_CLIENT)
        return init_fail(out, why, NSSH_ERR_CONFIG, "unknown role");
    if ((cfg->role == NSSH_ROLE_SERVER && !NSSH_ENABLE_SERVER) ||
        (cfg->role == NSSH_ROLE_CLIENT && !NSSH_ENABLE_CLIENT))
        return init_fail(out, why, NSSH_ERR_UNSUPPORTED, "role not compiled in");
    if (cfg->role == NSSH_ROLE_SERVER && !cfg->n_hostkeys)
        return init_fail(out, why, NSSH_ERR_CONFIG, "server without host keys");
    if (cfg->role == NSSH_ROLE_CLIENT && !cfg->n_sig_algs)
        return init_fail(out, why, NSSH_ERR_CONFIG,
                         "client without host key algorithms (sig_algs)");
    /* State only: the buffers need no clearing, nor do the channel slots
     * (chan_alloc clears one when it is first used). */
    memset(c, 0, offsetof(struct nssh_conn, ch));
    memset((uint8_t *)c + offsetof(struct nssh_conn, ch) + sizeof(c->ch), 0,
           offsetof(struct nssh_conn, defer) - offsetof(struct nssh_conn, ch) -
           sizeof(c->ch));
    c->cfg = cfg;
    c->cb = cfg->cb;
    c->role = cfg->role;
    c->now = now_ms;
    c->pad_pos = sizeof(c->pad_pool);
    c->kx.started_ms = now_ms;
    c->in.keep = c->out.keep = (cfg->flags & NSSH_CONFIG_HANDOFF) != 0;
    if (c->role == NSSH_ROLE_SERVER && cfg->login_grace_ms)
        c->grace_deadline = now_ms + cfg->login_grace_ms;
    *out = c;
    /* A failure here is the sticky error; the caller sees it. */
    if (version_send(c) == 0)
        kex_start(c);
    return 0;
}

nssh_conn *nssh_conn_init(void *mem, size_t mem_len, const nssh_config *cfg,
                          uint64_t now_ms)
{
    nssh_conn *c;
    return nssh_conn_init2(mem, mem_len, cfg, now_ms, &c, NULL) == 0 ? c : NULL;
}

int nssh_conn_error(const nssh_conn *c) { return c->err; }

void nssh_conn_release(nssh_conn *c)
{
    if (!c)
        return;
    dir_cleanup(&c->in);
    dir_cleanup(&c->out);
    c->in.cipher = c->out.cipher = NULL;
    c->in.mac = c->out.mac = NULL;
    if (c->kx.hash_live && c->kx.kem)
        c->kx.kem->hash->cleanup(c->kx.hctx);
    c->kx.hash_live = 0;
    nssh_wipe(&c->kx, sizeof(c->kx));
    nssh_wipe(c->session_id, sizeof(c->session_id));
    c->closing = 1;
    if (!c->err)
        c->err = NSSH_ERR_CLOSED;
}

uint8_t *nssh_conn_recvbuf(nssh_conn *c, size_t *room)
{
    *room = 0;
    if (c->closing || c->peer_eof)
        return c->inbuf;
    if (c->in_off > 0) {
        memmove(c->inbuf, c->inbuf + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    if (NSSH_OUTBUF_SIZE - (c->out_len - c->out_off) < NSSH_CONTROL_RESERVE)
        return c->inbuf + c->in_len;   /* output full: back-pressure */
    *room = sizeof(c->inbuf) - c->in_len;
    return c->inbuf + c->in_len;
}

int nssh_conn_recvd(nssh_conn *c, size_t n)
{
    if (c->err)
        return c->err;
    if (n == 0) {
        c->peer_eof = 1;
        conn_fail(c, NSSH_ERR_EOF, 0, c->version_done ? "transport" : "version",
                  NULL, NULL, "connection closed by peer");
        return c->err;
    }
    if (n > sizeof(c->inbuf) - c->in_len)
        return NSSH_ERR_STATE;
    c->in_len += n;
    pkt_process(c);
    return c->err;
}

long nssh_conn_feed(nssh_conn *c, const uint8_t *data, size_t len)
{
    size_t room;
    uint8_t *p = nssh_conn_recvbuf(c, &room);
    int e;
    if (c->err)
        return c->err;
    if (len == 0)
        return nssh_conn_recvd(c, 0);
    if (room > len)
        room = len;
    if (room == 0)
        return 0;
    memcpy(p, data, room);
    e = nssh_conn_recvd(c, room);
    return e < 0 && e != NSSH_ERR_PEER_DISCONNECT ? e : (long)room;
}

const uint8_t *nssh_conn_sendbuf(nssh_conn *c, size_t *len)
{
    *len = c->out_len - c->out_off;
    return *len ? c->outbuf + c->out_off : NULL;
}

int nssh_conn_sent(nssh_conn *c, size_t n)
{
    if (n > c->out_len - c->out_off)
        return NSSH_ERR_STATE;   /* more than sendbuf offered: refused */
    c->out_off += n;
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    /* Input may have waited for output room. */
    if (!c->closing && c->in_len > c->in_off)
        pkt_process(c);
    return 0;
}

int nssh_conn_tick(nssh_conn *c, uint64_t now_ms)
{
    c->now = now_ms;
    if (c->closing)
        return c->err;
    if (c->grace_deadline && !c->au.done && now_ms >= c->grace_deadline)
        return conn_fail(c, NSSH_ERR_TIMEOUT, NSSH_DISC_BY_APPLICATION, "auth",
                         NULL, NULL, "login grace time exceeded");
    kex_check_rekey(c);
    return c->err;
}

uint64_t nssh_conn_next_timeout(const nssh_conn *c, uint64_t now_ms)
{
    uint64_t t = UINT64_MAX;
    if (c->closing)
        return t;
    if (c->grace_deadline && !c->au.done)
        t = c->grace_deadline > now_ms ? c->grace_deadline - now_ms : 0;
    if (c->cfg->rekey_seconds && c->kx.state == KX_IDLE && c->kx.count &&
        c->au.done) {   /* no re-key before auth: kex_check_rekey */
        uint64_t due = c->kx.started_ms + (uint64_t)c->cfg->rekey_seconds * 1000u;
        uint64_t d = due > now_ms ? due - now_ms : 0;
        if (d < t)
            t = d;
    }
    return t;
}

unsigned nssh_conn_state(const nssh_conn *c)
{
    unsigned s = 0;
    if (c->out_len > c->out_off)
        s |= NSSH_WANT_WRITE;
    else if (c->closing)
        s |= NSSH_CLOSED;
    if (!c->closing && !c->peer_eof && !c->held)
        s |= NSSH_WANT_READ;
    if (c->held && !c->closing)
        s |= NSSH_HELD;
    return s;
}

void nssh_conn_disconnect(nssh_conn *c, uint32_t reason, const char *text)
{
    if (c->closing)
        return;
    conn_fail(c, NSSH_ERR_APP, reason, "connection", NULL, NULL, "%s",
              text ? text : "disconnected by application");
}

int nssh_conn_rekey(nssh_conn *c)
{
    if (c->closing)
        return NSSH_ERR_CLOSED;
    if (c->kx.state != KX_IDLE || !c->kx.count)
        return 0;
    return kex_start(c);
}

void nssh_conn_get_info(const nssh_conn *c, nssh_conn_info *i)
{
    memset(i, 0, sizeof(*i));
    i->peer_version = c->peer_version;
    if (c->kx.kem)
        i->kex = c->kx.kem->name;
    if (c->kx.hostkey)
        i->hostkey = c->kx.hostkey->alg->name;
    else if (c->kx.hostkey_alg)
        i->hostkey = c->kx.hostkey_alg->name;
    i->cipher_in = c->in.cipher ? c->in.cipher->name : "none";
    i->cipher_out = c->out.cipher ? c->out.cipher->name : "none";
    i->mac_in = c->in.mac ? c->in.mac->name : c->in.cipher ? "<implicit>" : "none";
    i->mac_out = c->out.mac ? c->out.mac->name : c->out.cipher ? "<implicit>" : "none";
    i->authenticated = c->au.done;
    i->username = c->au.done ? c->au.user : NULL;
    i->auth_method = c->au.method;
    i->kex_count = c->kx.count;
    i->dh_count = c->kx.dh_count;
    i->bytes_in = c->in.total;
    i->bytes_out = c->out.total;
    i->session_id = c->session_id;
    i->session_id_len = c->session_id_len;
}

int conn_random(nssh_conn *c, uint8_t *out, size_t n)
{
    if (c->cfg->rng(c->cfg->rng_user, out, n) < 0)
        return conn_fail(c, NSSH_ERR_RNG, NSSH_DISC_BY_APPLICATION, "transport",
                         NULL, NULL, "random source failed");
    return 0;
}

static void emit(nssh_conn *c, int level, int err, const char *stage,
                 const char *message, const char *field, const char *text)
{
    nssh_log rec;
    if (!c->cb->log)
        return;
    rec.level = level;
    rec.err = err;
    rec.stage = stage;
    rec.message = message;
    rec.field = field;
    rec.text = text;
    c->cb->log(c->cfg->user, &rec);
}

void conn_log(nssh_conn *c, int level, const char *stage, const char *message,
              const char *field, const char *fmt, ...)
{
    char text[NSSH_LOG_MAX];
    va_list ap;
    if (!c->cb->log)
        return;
    va_start(ap, fmt);
    nssh_vfmt(text, sizeof(text), fmt, ap);
    va_end(ap);
    emit(c, level, 0, stage, message, field, text);
}

/*
 * Before the client's identification string there is no binary packet
 * protocol to carry a DISCONNECT: the server says why in a line of plain
 * text, as sshd does ("Invalid SSH identification string." or "Protocol
 * major versions differ."), which a person or a script at the other end
 * can read.
 */
static void send_text_line(nssh_conn *c, const char *why)
{
    static const char bad_id[] = "Invalid SSH identification string.\r\n";
    static const char major[] = "Protocol major versions differ.\r\n";
    static const char major_why[] = "protocol major versions differ";
    size_t k = 0;
    int is_major;
    while (k < sizeof(major_why) - 1 && why[k] == major_why[k])
        k++;
    is_major = k == sizeof(major_why) - 1;
    const char *t = is_major ? major : bad_id;
    size_t n = is_major ? sizeof(major) - 1 : sizeof(bad_id) - 1;
    if (c->out_len + n > NSSH_OUTBUF_SIZE)
        return;
    memcpy(c->outbuf + c->out_len, t, n);
    c->out_len += n;
}

static void send_disconnect(nssh_conn *c, uint32_t reason, const char *text)
{
    wr w;
    if (!c->version_done && c->role == NSSH_ROLE_SERVER) {
        send_text_line(c, text);
        return;
    }
    if (pkt_begin(c, &w, MSG_DISCONNECT) < 0)
        return;
    wr_u32(&w, reason);
    wr_cstring(&w, text);
    wr_cstring(&w, "");
    pkt_end(c, &w);
}

int conn_fail(nssh_conn *c, int err, uint32_t reason, const char *stage,
              const char *message, const char *field, const char *fmt, ...)
{
    char text[NSSH_LOG_MAX];
    va_list ap;
    int quiet = err == NSSH_ERR_EOF || err == NSSH_ERR_PEER_DISCONNECT;
    if (c->err)
        return c->err;
    c->err = err;
    va_start(ap, fmt);
    nssh_vfmt(text, sizeof(text), fmt, ap);
    va_end(ap);
    emit(c, quiet || err == NSSH_ERR_APP ? NSSH_LOG_INFO : NSSH_LOG_ERROR, err,
         stage, message, field, text);
    /* Drop pending input and deferred output; say why, then drain. */
    c->in_off = c->in_len = 0;
    c->defer_len = 0;
    if (!quiet && reason) {
        c->kx.state = KX_IDLE;   /* DISCONNECT may go out at any time */
        send_disconnect(c, reason, text);
    }
    c->closing = 1;
    return err;
}

const char *nssh_strerror(int err)
{
    switch (err) {
    case NSSH_OK: return "success";
    case NSSH_ERR_FORMAT: return "malformed message";
    case NSSH_ERR_PACKET: return "bad packet length or padding";
    case NSSH_ERR_MAC: return "message authentication code incorrect";
    case NSSH_ERR_VERSION: return "bad protocol version line";
    case NSSH_ERR_NEGOTIATE: return "no matching algorithm";
    case NSSH_ERR_KEX_VALUE: return "invalid key exchange value";
    case NSSH_ERR_SIGNATURE: return "signature did not verify";
    case NSSH_ERR_KEY: return "malformed or unsupported key";
    case NSSH_ERR_HOSTKEY: return "host key refused";
    case NSSH_ERR_UNEXPECTED: return "unexpected message";
    case NSSH_ERR_NOSPACE: return "buffer too small";
    case NSSH_ERR_CRYPTO: return "cryptographic backend failure";
    case NSSH_ERR_RNG: return "random source failed";
    case NSSH_ERR_AUTH_TRIES: return "too many authentication failures";
    case NSSH_ERR_TIMEOUT: return "timeout";
    case NSSH_ERR_PEER_DISCONNECT: return "peer disconnected";
    case NSSH_ERR_APP: return "closed by application";
    case NSSH_ERR_STATE: return "call not valid in this state";
    case NSSH_ERR_CHANNEL: return "channel error";
    case NSSH_ERR_CLOSED: return "connection closed";
    case NSSH_ERR_UNSUPPORTED: return "not supported";
    case NSSH_ERR_INTERNAL: return "internal error";
    case NSSH_ERR_EOF: return "connection closed by peer";
    case NSSH_ERR_CONFIG: return "configuration or memory unusable";
    case NSSH_ERR_IO: return "system call failed";
    default: return "unknown error";
    }
}
