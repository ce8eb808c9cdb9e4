/*
 * One connection: the engine in the client role over a TCP socket, with
 * the trace hooks recording every payload and K, and a timeline of what
 * happened when. The protocol itself is entirely the engine's; this file
 * only moves bytes, answers callbacks and watches the clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "nanossh_ossl.h"
#include "probe.h"

/* Everything the backend can do, best first; the legacy names last, so a
 * server that has nothing better still completes and can be audited. */
static const char *const all_kex =
    "mlkem768x25519-sha256,sntrup761x25519-sha512,"
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
    "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
    "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,"
    "diffie-hellman-group-exchange-sha1";
static const char *const all_hk =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
static const char *const all_ciphers =
    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";
static const char *const all_macs =
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
    "hmac-sha2-256,hmac-sha2-512,hmac-sha1-etm@openssh.com,hmac-sha1";

/* Fill tab from a comma-separated list via lookup; -1 on an unknown name. */
#define FILL(list, tab, max, lookup, count)                                   \
    do {                                                                      \
        char tmp_[1024];                                                      \
        char *save_, *tok_;                                                   \
        snprintf(tmp_, sizeof(tmp_), "%s", list);                             \
        count = 0;                                                            \
        for (tok_ = strtok_r(tmp_, ",", &save_); tok_;                        \
             tok_ = strtok_r(NULL, ",", &save_)) {                            \
            if (!lookup(tok_)) {                                              \
                fprintf(stderr, "nanossh-probe: unknown algorithm %s\n", tok_); \
                return -1;                                                    \
            }                                                                 \
            if (count < (max))                                                \
                tab[count++] = lookup(tok_);                                  \
        }                                                                     \
    } while (0)

/* ---- callbacks -------------------------------------------------------- */
static void add_event(run *r, const char *what)
{
    if (r->n_ev >= RUN_MAX_EVENTS)
        return;
    snprintf(r->ev[r->n_ev].what, sizeof(r->ev[0].what), "%s", what);
    r->ev[r->n_ev].ms = now_ms() - r->t0;
    r->n_ev++;
}

static void on_log(void *u, const nssh_log *rec)
{
    run *r = u;
    if (!rec->err || r->err)
        return;
    r->err = rec->err;
    snprintf(r->err_stage, sizeof(r->err_stage), "%s", rec->stage ? rec->stage : "");
    snprintf(r->err_msg, sizeof(r->err_msg), "%s", rec->message ? rec->message : "");
    snprintf(r->err_field, sizeof(r->err_field), "%s", rec->field ? rec->field : "");
    snprintf(r->err_text, sizeof(r->err_text), "%s", rec->text ? rec->text : "");
}

void keep_hostkey(hostkey_seen *h, const char *src, const char *alg,
                  const uint8_t *b, size_t n)
{
    nssh_key *k = NULL;
    free(h->blob);
    h->blob = malloc(n ? n : 1);
    if (h->blob)
        memcpy(h->blob, b, n);
    h->len = h->blob ? n : 0;
    snprintf(h->src, sizeof(h->src), "%s", src);
    snprintf(h->alg, sizeof(h->alg), "%s", alg);
    if (nssh_blob_type(b, n, h->type, sizeof(h->type)) < 0)
        snprintf(h->type, sizeof(h->type), "?");
    if (nssh_fingerprint(b, n, h->fp, sizeof(h->fp)) < 0)
        snprintf(h->fp, sizeof(h->fp), "?");
    h->bits = 0;
    if (nssh_key_from_blob(b, n, &k) == 0) {
        h->bits = nssh_key_bits(k);
        nssh_key_free(k);
    }
}

static int on_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    run *r = u;
    keep_hostkey(&r->hk, "kex", alg, b, n);
    add_event(r, "host key received");
    return NSSH_AUTH_ALLOW;
}

/* hostkeys-00@openssh.com (OpenSSH PROTOCOL section 2.5): one string per
 * host key blob. It needs no reply. */
static int on_global(void *u, nssh_str name, const uint8_t *d, size_t n,
                     int want_reply)
{
    run *r = u;
    size_t pos = 0;
    (void)want_reply;
    if (name.n != 23 || memcmp(name.p, "hostkeys-00@openssh.com", 23) != 0)
        return -1;
    r->got_hostkeys00 = 1;
    while (pos + 4 <= n && r->n_hks < RUN_MAX_HOSTKEYS) {
        uint32_t k = get_be32(d + pos);
        char type[64];
        if (k > n - pos - 4)
            break;
        if (nssh_blob_type(d + pos + 4, k, type, sizeof(type)) < 0)
            snprintf(type, sizeof(type), "?");
        keep_hostkey(&r->hks[r->n_hks++], "hostkeys-00", type, d + pos + 4, k);
        pos += 4 + k;
    }
    add_event(r, "hostkeys-00@openssh.com received");
    return -1;
}

static void on_auth(void *u, int ok, nssh_str methods)
{
    run *r = u;
    char ev[64];
    if (methods.n && !r->methods[0])
        snprintf(r->methods, sizeof(r->methods), "%.*s", (int)methods.n, methods.p);
    if (!ok && r->ukey && !r->pubkey_tried && list_has(r->methods, "publickey")) {
        r->pubkey_tried = 1;
        add_event(r, "auth methods received");
        nssh_client_auth_pubkey(r->c, r->o->user, r->ualg, r->ukey, r->ublob,
                                r->ublob_len);
        return;
    }
    r->auth_done = 1;
    r->auth_ok = ok;
    snprintf(ev, sizeof(ev), "%s", ok ? "authenticated" : "auth methods received");
    add_event(r, ev);
    if (ok)
        nssh_client_open_session(r->c);
}

static void on_open(void *u, uint32_t ch, int ok)
{
    run *r = u;
    nssh_chan_req q;
    if (!ok) {
        r->exit_seen = -1;
        return;
    }
    add_event(r, "session open");
    memset(&q, 0, sizeof(q));
    q.kind = NSSH_REQ_EXEC;
    q.text.p = "exit 0";
    q.text.n = 6;
    nssh_client_channel_request(r->c, ch, &q);
    r->exec_sent = 1;
}

static int on_chreq(void *u, uint32_t ch, const nssh_chan_req *q)
{
    run *r = u;
    (void)ch;
    if (q->kind == NSSH_REQ_EXIT_STATUS) {
        r->exit_seen = 1;
        r->exit_status = q->exit_status;
        add_event(r, "exit-status received");
    }
    return 0;
}

static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d,
                    size_t n)
{
    run *r = u;
    (void)ext;
    (void)d;
    nssh_channel_consume(r->c, ch, n);
}

static void on_closed(void *u, uint32_t ch)
{
    run *r = u;
    (void)ch;
    if (!r->exit_seen)
        r->exit_seen = -1;
}

/* ---- trace -------------------------------------------------------------- */
static void parse_ext_info(run *r, const uint8_t *p, size_t n)
{
    size_t pos = 5;
    uint32_t count;
    if (n < 5)
        return;
    count = get_be32(p + 1);
    r->ext_info = 1;
    while (count-- && pos + 4 <= n) {
        uint32_t kn = get_be32(p + pos), vn;
        const uint8_t *k = p + pos + 4;
        if (kn > n - pos - 4 || pos + 8 + kn > n)
            return;
        vn = get_be32(p + pos + 4 + kn);
        if (vn > n - pos - 8 - kn)
            return;
        if (kn == 15 && memcmp(k, "server-sig-algs", 15) == 0)
            snprintf(r->server_sig_algs, sizeof(r->server_sig_algs), "%.*s",
                     (int)vn, (const char *)(k + kn + 4));
        pos += 8 + kn + vn;
    }
}

static void on_packet(void *u, int sent, uint32_t seq, const uint8_t *p,
                      size_t n)
{
    run *r = u;
    char ev[96];
    if (n == 0)
        return;
    if (r->n_pkts < RUN_MAX_PKTS) {
        pkt *k = &r->pkts[r->n_pkts];
        k->data = malloc(n);
        if (k->data) {
            memcpy(k->data, p, n);
            k->len = n;
            k->sent = sent;
            k->seq = seq;
            k->ms = now_ms() - r->t0;
            r->n_pkts++;
        }
    } else {
        r->pkts_dropped++;
    }
    if (p[0] == 20 && run_find(r, 0, 20, 0) && run_find(r, 1, 20, 0))
        negotiated_from_kexinits(r);
    if (!sent && p[0] == 7)
        parse_ext_info(r, p, n);
    /* The timeline shows the handshake, not the channel traffic. */
    if (p[0] >= 90 && p[0] != 90 && p[0] != 91 && p[0] != 98)
        return;
    snprintf(ev, sizeof(ev), "%s %s", run_msg_name(r, p[0]), sent ? "sent" : "received");
    add_event(r, ev);
}

static void on_secret(void *u, const uint8_t *k, size_t n)
{
    run *r = u;
    if (n > sizeof(r->kenc))
        n = sizeof(r->kenc);
    memcpy(r->kenc, k, n);
    r->kenc_len = n;
}

/* ---- set-up --------------------------------------------------------------- */
static int rng(void *u, uint8_t *out, size_t n)
{
    return nssh_ossl_rng(u, out, n);
}

static int load_user_key(run *r)
{
    FILE *f;
    uint8_t buf[16384];
    size_t n;
    char comment[256];
    const nssh_sig_alg *alg[4];
    if (!r->o->keyfile)
        return 0;
    f = fopen(r->o->keyfile, "rb");
    if (!f) {
        fprintf(stderr, "nanossh-probe: cannot open %s\n", r->o->keyfile);
        return -1;
    }
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (nssh_key_load_private(buf, n, &r->ukey, comment, sizeof(comment)) < 0 ||
        nssh_key_public_blob(r->ukey, r->ublob, sizeof(r->ublob), &r->ublob_len) < 0 ||
        nssh_key_sig_algs(r->ukey, alg, 4) == 0) {
        fprintf(stderr, "nanossh-probe: %s is not a usable private key "
                "(unencrypted OpenSSH or PEM format)\n", r->o->keyfile);
        return -1;
    }
    r->ualg = alg[0];
    return 0;
}

int run_init(run *r, const opts *o)
{
    size_t n;
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->fd = -1;
    snprintf(r->my_kex, sizeof(r->my_kex), "%s", o->kex ? o->kex : all_kex);
    snprintf(r->my_hk, sizeof(r->my_hk), "%s", o->hostkeys ? o->hostkeys : all_hk);
    snprintf(r->my_ciphers, sizeof(r->my_ciphers), "%s", o->ciphers ? o->ciphers : all_ciphers);
    snprintf(r->my_macs, sizeof(r->my_macs), "%s", o->macs ? o->macs : all_macs);
    FILL(r->my_kex, r->kems, 32, nssh_ossl_kem_by_name, n);
    r->cfg.kems = r->kems;
    r->cfg.n_kems = n;
    FILL(r->my_hk, r->sigs, 16, nssh_ossl_sig_by_name, n);
    r->cfg.sig_algs = r->sigs;
    r->cfg.n_sig_algs = n;
    FILL(r->my_ciphers, r->ciphers, 16, nssh_ossl_cipher_by_name, n);
    r->cfg.ciphers = r->ciphers;
    r->cfg.n_ciphers = n;
    FILL(r->my_macs, r->macs, 16, nssh_ossl_mac_by_name, n);
    r->cfg.macs = r->macs;
    r->cfg.n_macs = n;
    if (!r->cfg.n_kems || !r->cfg.n_sig_algs || !r->cfg.n_ciphers || !r->cfg.n_macs) {
        fprintf(stderr, "nanossh-probe: an algorithm list is empty\n");
        return -1;
    }
    if (load_user_key(r) < 0)
        return -1;
    r->cfg.role = NSSH_ROLE_CLIENT;
    r->cfg.software = "nanossh-probe_" NSSH_VERSION_STRING;
    snprintf(r->vc, sizeof(r->vc), "SSH-2.0-%s", r->cfg.software);
    r->cfg.rng = rng;
    r->cb.log = on_log;
    r->cb.check_hostkey = on_hostkey;
    r->cb.client_auth = on_auth;
    r->cb.client_channel_open = on_open;
    r->cb.channel_request = on_chreq;
    r->cb.channel_data = on_data;
    r->cb.channel_closed = on_closed;
    r->cb.global_request = on_global;
    r->cfg.cb = &r->cb;
    r->cfg.user = r;
    r->trace.packet = on_packet;
    r->trace.shared_secret = on_secret;
    r->trace.user = r;
    r->cfg.trace = &r->trace;
    wire_init(&r->w, 1u << 20);
    r->mem = aligned_alloc(16, (nssh_conn_mem_size() + 15) & ~(size_t)15);
    return r->mem && r->w.buf ? 0 : -1;
}

void run_free(run *r)
{
    size_t i;
    if (r->c)
        nssh_conn_release(r->c);
    free(r->mem);
    for (i = 0; i < r->n_pkts; i++) {
        memset(r->pkts[i].data, 0, r->pkts[i].len);
        free(r->pkts[i].data);
    }
    free(r->hk.blob);
    for (i = 0; i < r->n_hks; i++)
        free(r->hks[i].blob);
    memset(r->kenc, 0, sizeof(r->kenc));
    if (r->ukey)
        nssh_key_free(r->ukey);
    wire_free(&r->w);
    if (r->fd >= 0)
        close(r->fd);
}

const pkt *run_find(const run *r, int sent, uint8_t msg, int nth)
{
    size_t i;
    for (i = 0; i < r->n_pkts; i++)
        if (r->pkts[i].sent == sent && r->pkts[i].data[0] == msg && nth-- == 0)
            return &r->pkts[i];
    return NULL;
}

int run_is_gex(const run *r)
{
    return strncmp(r->negotiated[0], "diffie-hellman-group-exchange", 29) == 0;
}

int run_is_classic_dh(const run *r)
{
    return !run_is_gex(r) && strncmp(r->negotiated[0], "diffie-hellman-", 15) == 0;
}

const char *run_msg_name(const run *r, uint8_t m)
{
    switch (m) {
    case 1: return "SSH_MSG_DISCONNECT";
    case 2: return "SSH_MSG_IGNORE";
    case 3: return "SSH_MSG_UNIMPLEMENTED";
    case 4: return "SSH_MSG_DEBUG";
    case 5: return "SSH_MSG_SERVICE_REQUEST";
    case 6: return "SSH_MSG_SERVICE_ACCEPT";
    case 7: return "SSH_MSG_EXT_INFO";
    case 20: return "SSH_MSG_KEXINIT";
    case 21: return "SSH_MSG_NEWKEYS";
    case 30: return run_is_gex(r) ? "SSH_MSG_KEX_DH_GEX_REQUEST_OLD"
                  : run_is_classic_dh(r) ? "SSH_MSG_KEXDH_INIT" : "SSH_MSG_KEX_ECDH_INIT";
    case 31: return run_is_gex(r) ? "SSH_MSG_KEX_DH_GEX_GROUP"
                  : run_is_classic_dh(r) ? "SSH_MSG_KEXDH_REPLY" : "SSH_MSG_KEX_ECDH_REPLY";
    case 32: return "SSH_MSG_KEX_DH_GEX_INIT";
    case 33: return "SSH_MSG_KEX_DH_GEX_REPLY";
    case 34: return "SSH_MSG_KEX_DH_GEX_REQUEST";
    case 50: return "SSH_MSG_USERAUTH_REQUEST";
    case 51: return "SSH_MSG_USERAUTH_FAILURE";
    case 52: return "SSH_MSG_USERAUTH_SUCCESS";
    case 53: return "SSH_MSG_USERAUTH_BANNER";
    case 60: return "SSH_MSG_USERAUTH_PK_OK";
    case 80: return "SSH_MSG_GLOBAL_REQUEST";
    case 81: return "SSH_MSG_REQUEST_SUCCESS";
    case 82: return "SSH_MSG_REQUEST_FAILURE";
    case 90: return "SSH_MSG_CHANNEL_OPEN";
    case 91: return "SSH_MSG_CHANNEL_OPEN_CONFIRMATION";
    case 92: return "SSH_MSG_CHANNEL_OPEN_FAILURE";
    case 93: return "SSH_MSG_CHANNEL_WINDOW_ADJUST";
    case 94: return "SSH_MSG_CHANNEL_DATA";
    case 95: return "SSH_MSG_CHANNEL_EXTENDED_DATA";
    case 96: return "SSH_MSG_CHANNEL_EOF";
    case 97: return "SSH_MSG_CHANNEL_CLOSE";
    case 98: return "SSH_MSG_CHANNEL_REQUEST";
    case 99: return "SSH_MSG_CHANNEL_SUCCESS";
    case 100: return "SSH_MSG_CHANNEL_FAILURE";
    default: return "an unknown message";
    }
}

/* ---- the loop -------------------------------------------------------------- */
static int start_engine(run *r)
{
    r->t0 = r->t0 ? r->t0 : now_ms();
    r->c = nssh_conn_init(r->mem, nssh_conn_mem_size(), &r->cfg, now_ms());
    return r->c ? 0 : -1;
}

/* What to do next on our side; 1 when the run is over. */
static int step(run *r)
{
    if (nssh_conn_error(r->c))
        return 0;
    if (r->quick && nssh_client_ready(r->c)) {
        r->end = END_OK;
        nssh_conn_disconnect(r->c, NSSH_DISC_BY_APPLICATION, "probe finished");
        return 1;
    }
    if (nssh_client_ready(r->c) && !r->auth_asked) {
        r->auth_asked = 1;
        nssh_client_auth_none(r->c, r->o->user ? r->o->user : "nanossh-probe");
    }
    if (r->auth_done && (!r->auth_ok || r->exit_seen)) {
        r->end = END_OK;
        nssh_conn_disconnect(r->c, NSSH_DISC_BY_APPLICATION, "probe finished");
        return 1;
    }
    return 0;
}

int run_feed(run *r, const uint8_t *p, size_t n)
{
    size_t len;
    if (!r->c && start_engine(r) < 0)
        return -1;
    while (nssh_conn_sendbuf(r->c, &len))
        nssh_conn_sent(r->c, len);
    wire_add(&r->w, p, n, now_ms() - r->t0);
    while (n) {
        long k = nssh_conn_feed(r->c, p, n);
        if (k <= 0)
            break;
        p += k;
        n -= (size_t)k;
        step(r);
        while (nssh_conn_sendbuf(r->c, &len))
            nssh_conn_sent(r->c, len);
    }
    return nssh_conn_error(r->c);
}

int run_feed_end(run *r)
{
    if (!r->c && start_engine(r) < 0)
        return END_ERROR;
    if (!nssh_conn_error(r->c) && r->end != END_OK)
        nssh_conn_recvd(r->c, 0);
    if (!r->end) {
        int e = nssh_conn_error(r->c);
        r->end = e == 0 || e == NSSH_ERR_EOF ? END_EOF : END_ERROR;
    }
    nssh_conn_get_info(r->c, &r->info);
    return r->end;
}

static int tcp_connect(run *r)
{
    struct addrinfo hints, *res = NULL, *a;
    int fd = -1, e;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    e = getaddrinfo(r->o->host, r->o->port, &hints, &res);
    if (e) {
        snprintf(r->err_text, sizeof(r->err_text), "cannot resolve %s: %s",
                 r->o->host, gai_strerror(e));
        return -1;
    }
    snprintf(r->err_text, sizeof(r->err_text), "no address for %s", r->o->host);
    for (a = res; a; a = a->ai_next) {
        struct pollfd pf;
        int one = 1, soerr = 0;
        socklen_t sl = sizeof(soerr);
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
            soerr = errno;
        } else {
            pf.fd = fd;
            pf.events = POLLOUT;
            if (poll(&pf, 1, r->o->timeout_s * 1000) <= 0)
                soerr = ETIMEDOUT;
            else
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        }
        if (!soerr)
            break;
        snprintf(r->err_text, sizeof(r->err_text), "TCP connection to %s port %s "
                 "failed: %s", r->o->host, r->o->port, strerror(soerr));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        r->err_text[0] = 0;
    r->fd = fd;
    return fd < 0 ? -1 : 0;
}

static int flush_out(run *r)
{
    size_t len;
    const uint8_t *q;
    while ((q = nssh_conn_sendbuf(r->c, &len)) != NULL) {
        ssize_t k = send(r->fd, q, len, MSG_NOSIGNAL);
        if (k < 0)
            return errno == EAGAIN ? 0 : -1;
        nssh_conn_sent(r->c, (size_t)k);
    }
    return 0;
}

static uint64_t last_activity(const run *r)
{
    uint64_t t = r->last_rx_ms;
    if (r->n_pkts && r->pkts[r->n_pkts - 1].ms > t)
        t = r->pkts[r->n_pkts - 1].ms;
    return t;
}

int run_connect(run *r)
{
    uint8_t buf[65536];
    r->t0 = now_ms();
    if (tcp_connect(r) < 0) {
        r->end = END_NET;
        return r->end;
    }
    add_event(r, "TCP connected");
    r->last_rx_ms = now_ms() - r->t0;
    if (start_engine(r) < 0) {
        r->end = END_ERROR;
        return r->end;
    }
    for (;;) {
        struct pollfd pf;
        uint64_t t = now_ms() - r->t0, idle = t - last_activity(r);
        uint64_t limit = (uint64_t)r->o->timeout_s * 1000u;
        size_t pending = 0;
        ssize_t k;
        if (flush_out(r) < 0 && !nssh_conn_error(r->c)) {
            nssh_conn_recvd(r->c, 0);
            r->end = END_EOF;
            break;
        }
        if (nssh_conn_error(r->c)) {
            if (!r->end)
                r->end = nssh_conn_error(r->c) == NSSH_ERR_EOF ? END_EOF : END_ERROR;
            break;
        }
        if (step(r)) {
            flush_out(r);
            break;
        }
        if (idle >= limit) {
            r->end = END_STALL;
            r->waited_ms = idle;
            break;
        }
        nssh_conn_sendbuf(r->c, &pending);
        pf.fd = r->fd;
        pf.events = POLLIN | (pending ? POLLOUT : 0);
        if (poll(&pf, 1, (int)(limit - idle > 250 ? 250 : limit - idle)) < 0)
            continue;
        nssh_conn_tick(r->c, now_ms());
        if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        k = recv(r->fd, buf, sizeof(buf), 0);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k <= 0) {
            if (!r->w.version_done && k < 0)
                snprintf(r->err_text, sizeof(r->err_text), "%s", strerror(errno));
            add_event(r, "TCP closed by the server");
            nssh_conn_recvd(r->c, 0);
            r->end = nssh_conn_error(r->c) && nssh_conn_error(r->c) != NSSH_ERR_EOF
                         ? END_ERROR : END_EOF;
            break;
        }
        r->last_rx_ms = now_ms() - r->t0;
        {
            int had = r->w.version_done;
            wire_add(&r->w, buf, (size_t)k, r->last_rx_ms);
            if (!had && r->w.version_done)
                add_event(r, "banner received");
        }
        {
            const uint8_t *p = buf;
            size_t n = (size_t)k;
            while (n && !nssh_conn_error(r->c)) {
                long used = nssh_conn_feed(r->c, p, n);
                if (used < 0)
                    break;
                if (used == 0) {
                    /* The engine's output is full: let it drain. */
                    struct pollfd po = { .fd = r->fd, .events = POLLOUT };
                    if (poll(&po, 1, 1000) <= 0 || flush_out(r) < 0)
                        break;
                    continue;
                }
                p += used;
                n -= (size_t)used;
                step(r);
                flush_out(r);
            }
        }
    }
    nssh_conn_get_info(r->c, &r->info);
    return r->end;
}
