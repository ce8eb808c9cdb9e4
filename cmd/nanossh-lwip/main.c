/*
 * nanossh-lwip: SSH served by the lwIP stack (Debian's liblwip, NO_SYS=0)
 * on a TAP device. The kernel never sees the TCP connection: lwIP owns the
 * TAP's Ethernet frames, its own IP address and the SSH port.
 *
 *   nanossh-lwip --tap TAP --addr A.B.C.D/PREFIX [--addr6 IPV6] --host-key FILE
 *                --authorized-key FILE.pub [--user NAME] [--port N]
 *                [--connections N] [--crypto compact|openssl]
 *                [--login-grace SECONDS] [-v]...
 *
 * Crypto: the compact backend by default (the firmware's own, seeded from
 * getrandom()), or OpenSSL.
 *
 * Threads: lwIP's tcpip thread runs the stack, its timers and every raw
 * API callback (so the whole adapter and the application); the TAP
 * driver's reader thread (tapnet.c) hands frames to it with
 * tcpip_input(); the main
 * thread sets up under LOCK_TCPIP_CORE and then waits for SIGINT/SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwipd.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "tapnet.h"

struct opts {
    const char *tap, *addr, *addr6, *gw, *hostkey, *authkey, *user, *crypto;
    unsigned port, conns, grace;
    int verbose;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: nanossh-lwip --tap TAP --addr A.B.C.D/PREFIX "
            "--host-key FILE\n"
            "                    --authorized-key FILE.pub [--user NAME] "
            "[--gateway A.B.C.D]\n"
            "                    [--addr6 IPV6]\n"
            "                    [--port N] [--connections N] "
            "[--crypto compact|openssl]\n"
            "                    [--login-grace SECONDS] [-v]...\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        { "tap", required_argument, 0, 't' },
        { "addr", required_argument, 0, 'a' },
        { "gateway", required_argument, 0, 'g' },
        { "addr6", required_argument, 0, '6' },
        { "port", required_argument, 0, 'p' },
        { "host-key", required_argument, 0, 'k' },
        { "authorized-key", required_argument, 0, 'K' },
        { "user", required_argument, 0, 'u' },
        { "connections", required_argument, 0, 'n' },
        { "crypto", required_argument, 0, 'c' },
        { "login-grace", required_argument, 0, 'G' },
        { "verbose", no_argument, 0, 'v' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    int ch;
    o->port = 22;
    o->conns = 4;
    o->user = "admin";
    o->crypto = "compact";
    o->grace = 60;
    while ((ch = getopt_long(argc, argv, "t:a:6:g:p:k:K:u:n:c:G:vh", lo, 0)) != -1) {
        switch (ch) {
        case 't': o->tap = optarg; break;
        case 'a': o->addr = optarg; break;
        case 'g': o->gw = optarg; break;
        case '6': o->addr6 = optarg; break;
        case 'p': o->port = (unsigned)strtoul(optarg, 0, 10); break;
        case 'k': o->hostkey = optarg; break;
        case 'K': o->authkey = optarg; break;
        case 'u': o->user = optarg; break;
        case 'n': o->conns = (unsigned)strtoul(optarg, 0, 10); break;
        case 'c': o->crypto = optarg; break;
        case 'G': o->grace = (unsigned)strtoul(optarg, 0, 10); break;
        case 'v': o->verbose++; break;
        default: usage(); return -1;
        }
    }
    if (optind != argc || !o->tap || !o->addr || !o->hostkey || !o->authkey ||
        !o->port || o->port > 65535 || !o->conns || o->conns > 64 ||
        !*o->user || o->grace > 3600 || (strcmp(o->crypto, "compact") && strcmp(o->crypto, "openssl"))) {
        usage();
        return -1;
    }
    return 0;
}

/* "A.B.C.D/PREFIX" into address and netmask. */
static int parse_addr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
    char buf[32];
    const char *slash = strchr(s, '/');
    unsigned long prefix = 24;
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (slash) {
        char *end;
        prefix = strtoul(slash + 1, &end, 10);
        if (*end || prefix < 1 || prefix > 30)
            return -1;
    }
    if (!ip4addr_aton(buf, ip))
        return -1;
    ip4_addr_set_u32(mask, lwip_htonl(0xFFFFFFFFu << (32 - prefix)));
    return 0;
}

static void tcpip_ready(void *arg)
{
    sys_sem_signal((sys_sem_t *)arg);
}

int main(int argc, char **argv)
{
    static lwipd d;
    static nssh_lwip_server srv;
    static struct netif netif;
    static tapnet tap;
    struct opts o = { 0 };
    ip4_addr_t ip, mask, gw;
    nssh_lwip_conn *conns = NULL;
    void *app = NULL;
    sys_sem_t ready;
    sigset_t sigs;
    int sig = 0, rc = 1, e;
    size_t i, mem = nssh_conn_mem_size();

    if (parse(argc, argv, &o) < 0)
        return 2;
    if (parse_addr(o.addr, &ip, &mask) < 0 ||
        (o.gw && !ip4addr_aton(o.gw, &gw))) {
        fprintf(stderr, "nanossh-lwip: bad address %s\n", o.addr);
        return 2;
    }
    if (!o.gw)
        ip4_addr_set_zero(&gw);
    d.user = o.user;
    d.verbose = NSSH_LOG_INFO + o.verbose;
    d.compact = !strcmp(o.crypto, "compact");
    if (lwipd_load_hostkey(&d, o.hostkey) < 0 ||
        lwipd_load_authorized(&d, o.authkey) < 0 ||
        lwipd_engine_config(&d) < 0)
        return 1;
    d.tmpl.login_grace_ms = o.grace * 1000u;    /* 0: no limit */
    if (!(conns = calloc(o.conns, sizeof(*conns))) ||
        lwipd_app_init(&d, &srv, o.conns, &app) < 0) {
        fprintf(stderr, "nanossh-lwip: cannot set up the application\n");
        goto out;
    }
    for (i = 0; i < o.conns; i++) {
        void *m = aligned_alloc(16, (mem + 15) & ~(size_t)15);
        if (!m) {
            fprintf(stderr, "nanossh-lwip: out of memory\n");
            goto out;
        }
        nssh_lwip_conn_setup(&conns[i], m, mem);
    }

    /* Signals are taken by sigwait in this thread only: block them before
     * lwIP starts its threads, which inherit the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (tapnet_open(&tap, o.tap) < 0)
        goto out;
    if (sys_sem_new(&ready, 0) != ERR_OK)
        goto out;
    tcpip_init(tcpip_ready, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);

    srv.hooks = &lwipd_app_hooks;
    srv.app = app;
    srv.conns = conns;
    srv.n_conns = o.conns;
    LOCK_TCPIP_CORE();
    if (tapnet_add(&tap, &netif, &ip, &mask, &gw) < 0 ||
        (o.addr6 && tapnet_add_ip6(&netif, o.addr6) < 0)) {
        UNLOCK_TCPIP_CORE();
        fprintf(stderr, "nanossh-lwip: cannot add %s to lwIP\n", o.tap);
        goto out;
    }
    e = nssh_lwip_server_start(&srv, IP_ANY_TYPE, (uint16_t)o.port);
    UNLOCK_TCPIP_CORE();
    if (e < 0) {
        fprintf(stderr, "nanossh-lwip: cannot listen on port %u: %s\n",
                o.port, nssh_strerror(e));
        goto out;
    }
    /* The demo script waits for this line. */
    printf("nanossh-lwip: listening on %s port %u (lwIP %s on %s, %s "
           "crypto)\n", ip4addr_ntoa(&ip), o.port, LWIP_VERSION_STRING, o.tap,
           o.crypto);
    fflush(stdout);

    while (sigwait(&sigs, &sig) != 0)
        ;
    lwipd_log(&d, NSSH_LOG_INFO, "signal %d, stopping", sig);
    LOCK_TCPIP_CORE();
    nssh_lwip_server_stop(&srv);
    netif_set_down(&netif);
    UNLOCK_TCPIP_CORE();
    rc = 0;
out:
    /* lwIP's threads keep running until exit; nothing of ours is used by
     * them once the server is stopped. */
    if (conns)
        for (i = 0; i < o.conns; i++)
            free(conns[i].mem);
    free(conns);
    lwipd_app_free(app);
    if (d.hostkey)
        nssh_ossl_key_free(d.hostkey);
    nssh_compact_key_clear(&d.ckey);
    nssh_compact_drbg_clear(&d.drbg);
    return rc;
}
