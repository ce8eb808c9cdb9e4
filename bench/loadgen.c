/*
 * nanossh-loadgen: many concurrent SSH sessions from one process, for the
 * benchmark's sessions test. The engine's client role on non-blocking
 * sockets and one epoll loop: each connection does the key exchange,
 * logs in with a key, opens a session channel (no command: the channel
 * just stays open) and is held. Any SSH-2.0 server can be the target.
 *
 *   nanossh-loadgen -p PORT -u USER -i KEY -n COUNT [-c INFLIGHT]
 *                   [-t SECONDS] [-k KEX] [-H HOST]
 *
 * At most INFLIGHT (default 8) connections are between connect and an
 * open session at once, so the server's MaxStartups is respected. When
 * every connection is held or has failed, one line goes to stdout:
 *   held N failed F seconds S rate R
 * (R: sessions opened per second of wall clock, connect to channel open).
 * Then it waits for a line or end of file on stdin (the benchmark
 * measures the server meanwhile), closes every connection with a
 * DISCONNECT, prints "closed", and exits 0 when all N were held. Every
 * phase is bounded by -t (default 300 s).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

enum { ST_FREE = 0, ST_CONNECTING, ST_HANDSHAKE, ST_HELD, ST_DONE };

typedef struct lconn {
    int fd, state, auth_sent;
    nssh_config cfg;           /* the shared one with user = this */
    nssh_conn *c;
    void *mem;
} lconn;

typedef struct lg {
    const char *host, *user, *keyfile, *kex;
    int port;
    long n, inflight_max, seconds;
    nssh_key *key;
    const nssh_sig_alg *alg;
    uint8_t blob[2048];
    size_t blob_len;
    const nssh_kem *kems[1];
    const nssh_cipher *ciphers[2];
    const nssh_mac *macs[1];
    const nssh_sig_alg *sigs[6];
    nssh_config cfg;
    lconn *conns;
    long started, held, failed, inflight;
    int ep;
} lg;

static lg G;
/* The first failure's reason goes to stderr, once: enough to say why a
 * server refuses without a line per connection. */
static int told;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int on_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    (void)u; (void)alg; (void)b; (void)n;
    return NSSH_CB_ACCEPT;   /* a throwaway server on loopback */
}

static void on_auth(void *u, int ok, nssh_str methods)
{
    lconn *k = u;
    if (!ok && !told) {
        told = 1;
        fprintf(stderr, "nanossh-loadgen: login refused; methods left: %.*s\n",
                (int)methods.n, methods.p);
    }
    if (!ok || nssh_client_open_session(k->c) < 0)
        nssh_conn_disconnect(k->c, NSSH_DISC_BY_APPLICATION, "login refused");
}

static void on_open(void *u, uint32_t ch, int ok, uint32_t reason, nssh_str d)
{
    lconn *k = u;
    (void)ch; (void)d;
    if (!ok) {
        if (!told) {
            told = 1;
            fprintf(stderr, "nanossh-loadgen: session channel refused (reason %u)\n",
                    (unsigned)reason);
        }
        nssh_conn_disconnect(k->c, NSSH_DISC_BY_APPLICATION, "session refused");
        return;
    }
    k->state = ST_HELD;
    G.held++;
    G.inflight--;
}

static void on_log(void *u, const nssh_log *l)
{
    (void)u;
    if (l->level == NSSH_LOG_ERROR && !told) {
        told = 1;
        fprintf(stderr, "nanossh-loadgen: %s: %s\n", l->stage ? l->stage : "?",
                l->text ? l->text : "?");
    }
}

static const nssh_callbacks callbacks = {
    .log = on_log,
    .check_hostkey = on_hostkey,
    .client_auth = on_auth,
    .channel_open_reply = on_open,
};

static int load_key(void)
{
    uint8_t buf[16384];
    char comment[256];
    const nssh_sig_alg *alg[4];
    size_t n;
    FILE *f = fopen(G.keyfile, "rb");
    if (!f) {
        fprintf(stderr, "nanossh-loadgen: cannot open %s\n", G.keyfile);
        return -1;
    }
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (nssh_ossl_key_load_private(buf, n, &G.key, comment, sizeof(comment)) < 0 ||
        nssh_ossl_key_public_blob(G.key, G.blob, sizeof(G.blob), &G.blob_len) < 0 ||
        nssh_ossl_key_sig_algs(G.key, alg, 4) == 0) {
        fprintf(stderr, "nanossh-loadgen: %s is not a usable private key\n",
                G.keyfile);
        return -1;
    }
    G.alg = alg[0];
    return 0;
}

static int setup(void)
{
    static const char *const sigs[] = { "ssh-ed25519", "ecdsa-sha2-nistp256",
                                        "rsa-sha2-512", "rsa-sha2-256" };
    size_t i, n = 0;
    if (!(G.kems[0] = nssh_ossl_kem_by_name(G.kex))) {
        fprintf(stderr, "nanossh-loadgen: unknown key exchange %s\n", G.kex);
        return -1;
    }
    G.ciphers[0] = nssh_ossl_cipher_by_name("chacha20-poly1305@openssh.com");
    G.ciphers[1] = nssh_ossl_cipher_by_name("aes128-gcm@openssh.com");
    G.macs[0] = nssh_ossl_mac_by_name("hmac-sha2-256-etm@openssh.com");
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if ((G.sigs[n] = nssh_ossl_sig_by_name(sigs[i])) != NULL)
            n++;
    memset(&G.cfg, 0, sizeof(G.cfg));
    G.cfg.role = NSSH_ROLE_CLIENT;
    G.cfg.software = "nanossh-loadgen_" NSSH_VERSION_STRING;
    G.cfg.kems = G.kems;
    G.cfg.n_kems = 1;
    G.cfg.ciphers = G.ciphers;
    G.cfg.n_ciphers = 2;
    G.cfg.macs = G.macs;
    G.cfg.n_macs = 1;
    G.cfg.sig_algs = G.sigs;
    G.cfg.n_sig_algs = n;
    G.cfg.rng = nssh_ossl_rng;
    G.cfg.cb = &callbacks;
    return load_key();
}

static void fail(lconn *k)
{
    if (k->state == ST_CONNECTING || k->state == ST_HANDSHAKE)
        G.inflight--;
    if (k->state == ST_HELD)
        G.held--;
    if (k->state != ST_DONE)
        G.failed++;
    k->state = ST_DONE;
    if (k->fd >= 0)
        close(k->fd);   /* also leaves the epoll set */
    k->fd = -1;
}

/* Register what the connection waits for: input, and output while some
 * is queued. */
static void arm(lconn *k, int op)
{
    struct epoll_event ev;
    size_t len;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    if (k->state == ST_CONNECTING ||
        (k->c && nssh_conn_sendbuf(k->c, &len) && len))
        ev.events |= EPOLLOUT;
    ev.data.ptr = k;
    epoll_ctl(G.ep, op, k->fd, &ev);
}

static int flush(lconn *k)
{
    const uint8_t *p;
    size_t len;
    ssize_t w;
    while ((p = nssh_conn_sendbuf(k->c, &len)) != NULL && len) {
        w = send(k->fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (w <= 0)
            return -1;
        nssh_conn_sent(k->c, (size_t)w);
    }
    return 0;
}

static void start_one(lconn *k)
{
    struct sockaddr_in sa;
    int one = 1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)G.port);
    inet_pton(AF_INET, G.host, &sa.sin_addr);
    G.started++;
    G.inflight++;
    k->state = ST_CONNECTING;
    k->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (k->fd < 0) {
        perror("nanossh-loadgen: socket");
        fail(k);
        return;
    }
    setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(k->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
        errno != EINPROGRESS) {
        fail(k);
        return;
    }
    arm(k, EPOLL_CTL_ADD);
}

static void engine_start(lconn *k)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        fail(k);
        return;
    }
    if (!k->mem && posix_memalign(&k->mem, 16, nssh_conn_mem_size()) != 0) {
        k->mem = NULL;
        fail(k);
        return;
    }
    k->cfg = G.cfg;   /* the engine keeps a pointer: one per connection */
    k->cfg.user = k;
    if (!(k->c = nssh_conn_init(k->mem, nssh_conn_mem_size(), &k->cfg, now_ms()))) {
        fail(k);
        return;
    }
    k->state = ST_HANDSHAKE;
}

static void event(lconn *k, uint32_t ev)
{
    uint8_t *p;
    size_t room;
    ssize_t r;
    if (k->state == ST_CONNECTING) {
        if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        engine_start(k);
        if (k->state != ST_HANDSHAKE)
            return;
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        p = nssh_conn_recvbuf(k->c, &room);
        if (room) {
            r = recv(k->fd, p, room, 0);
            if (r < 0 && errno != EAGAIN && errno != EINTR)
                r = 0;
            if (r >= 0)
                nssh_conn_recvd(k->c, (size_t)r);
        }
    }
    if (!k->auth_sent && nssh_client_ready(k->c)) {
        k->auth_sent = 1;
        nssh_client_auth_pubkey(k->c, G.user, G.alg, G.key, G.blob, G.blob_len);
    }
    if (flush(k) < 0 || nssh_conn_error(k->c) ||
        (nssh_conn_state(k->c) & NSSH_CLOSED)) {
        fail(k);
        return;
    }
    arm(k, EPOLL_CTL_MOD);
}

static void pump(uint64_t deadline, int (*done)(void))
{
    struct epoll_event evs[256];
    int n, i;
    while (!done() && now_ms() < deadline) {
        while (G.started < G.n && G.inflight < G.inflight_max)
            start_one(&G.conns[G.started]);
        n = epoll_wait(G.ep, evs, 256, 100);
        for (i = 0; i < n; i++)
            event(evs[i].data.ptr, evs[i].events);
    }
}

static int all_settled(void) { return G.started == G.n && G.inflight == 0; }

static void close_all(void)
{
    long i;
    for (i = 0; i < G.n; i++) {
        lconn *k = &G.conns[i];
        if (k->c) {
            if (k->fd >= 0) {
                nssh_conn_disconnect(k->c, NSSH_DISC_BY_APPLICATION, "done");
                flush(k);
            }
            nssh_conn_release(k->c);
        }
        if (k->fd >= 0)
            close(k->fd);
        free(k->mem);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: nanossh-loadgen -p PORT -u USER -i KEY -n COUNT "
            "[-c INFLIGHT] [-t SECONDS] [-k KEX] [-H HOST]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    uint64_t t0, t1;
    char line[64];
    long i;
    int ch;
    G.host = "127.0.0.1";
    G.kex = "curve25519-sha256";
    G.inflight_max = 8;
    G.seconds = 300;
    while ((ch = getopt(argc, argv, "p:u:i:n:c:t:k:H:")) != -1) {
        switch (ch) {
        case 'p': G.port = atoi(optarg); break;
        case 'u': G.user = optarg; break;
        case 'i': G.keyfile = optarg; break;
        case 'n': G.n = atol(optarg); break;
        case 'c': G.inflight_max = atol(optarg); break;
        case 't': G.seconds = atol(optarg); break;
        case 'k': G.kex = optarg; break;
        case 'H': G.host = optarg; break;
        default: usage();
        }
    }
    if (G.port <= 0 || !G.user || !G.keyfile || G.n <= 0 || G.n > 1000000 ||
        G.inflight_max <= 0 || G.seconds <= 0)
        usage();
    /* One socket per connection: the soft limit up to the hard one. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)G.n + 16 > rl.rlim_cur) {
        fprintf(stderr, "nanossh-loadgen: %ld connections need more open files "
                "than the limit (%lu)\n", G.n, (unsigned long)rl.rlim_cur);
        return 2;
    }
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);   /* untouched buffer pages stay free */
    if (setup() < 0 || !(G.conns = calloc((size_t)G.n, sizeof(*G.conns))) ||
        (G.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return 2;
    for (i = 0; i < G.n; i++)
        G.conns[i].fd = -1;
    t0 = now_ms();
    pump(t0 + (uint64_t)G.seconds * 1000u, all_settled);
    t1 = now_ms();
    printf("held %ld failed %ld seconds %.3f rate %.1f\n", G.held,
           G.failed + (G.n - G.started) + G.inflight,
           (double)(t1 - t0) / 1000.0,
           t1 > t0 ? (double)G.held * 1000.0 / (double)(t1 - t0) : 0.0);
    fflush(stdout);
    /* Hold: keep answering the server (keepalives) until told to stop. */
    {
        int in = fcntl(STDIN_FILENO, F_GETFL);
        struct epoll_event ev;
        uint64_t end = now_ms() + (uint64_t)G.seconds * 1000u;
        memset(&ev, 0, sizeof(ev));
        ev.events = EPOLLIN;
        ev.data.ptr = NULL;
        fcntl(STDIN_FILENO, F_SETFL, in | O_NONBLOCK);
        if (epoll_ctl(G.ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev) < 0)
            end = now_ms();   /* stdin is not pollable: close at once */
        while (now_ms() < end) {
            struct epoll_event evs[256];
            int n = epoll_wait(G.ep, evs, 256, 1000), j, stop = 0;
            for (j = 0; j < n; j++) {
                if (!evs[j].data.ptr) {
                    stop = read(STDIN_FILENO, line, sizeof(line)) >= 0 || errno != EAGAIN;
                    continue;
                }
                event(evs[j].data.ptr, evs[j].events);
            }
            if (stop)
                break;
        }
    }
    close_all();
    printf("closed\n");
    fflush(stdout);
    nssh_ossl_key_free(G.key);
    free(G.conns);
    close(G.ep);
    return G.held == G.n ? 0 : 1;
}
