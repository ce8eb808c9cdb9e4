/*
 * Single-process mode (SingleProcess yes): one epoll loop serves every
 * connection of the one user the daemon runs as, with no process per
 * connection. Shells, commands and subsystems still run as children.
 *
 * Each connection is driven one round at a time (loop.h): after a round
 * it says which fds it waits for and when its next timer is due; those
 * fds are (re)registered with epoll under the connection's slot number.
 * A connection runs a round when one of its fds fired, its timer is due
 * or one of its children was reaped. Idle connections cost nothing per
 * round but a timer comparison.
 *
 * epoll registrations belong to open files, not fd numbers: an fd closed
 * by a connection (a child's pipe) drops its registration unless a child
 * still holds a copy, and its number may be reused by another connection
 * before the first one's next round. So every wanted fd is re-armed with
 * MOD (ADD when the kernel no longer knows it), owner[] says which slot
 * registered an fd number last, only the owner removes it, and events
 * whose slot is not the owner are ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "single.h"
#include "conn.h"
#include "dconn.h"
#include "daemon.h"
#include "loop.h"
#include "sd.h"
#include "selfpipe.h"
#include "server.h"
#include "startups.h"

#define EVENTS_MAX 256
#define NO_SLOT 0xffffffffu    /* epoll tag of the listeners and the signals */

typedef struct slot {
    dconn *s;                  /* NULL: free */
    uint64_t due;              /* next timer, ms (UINT64_MAX: none) */
    int *reg;                  /* fds registered for this connection */
    size_t n_reg, cap_reg;
    int queued;                /* in this round's run list */
    int pending;               /* counted as not yet authenticated */
} slot;

typedef struct single {
    int ep;
    slot *slots;
    size_t n_slots, cap_slots, live, pending;
    uint32_t *owner;           /* per fd: slot + 1 that registered it, 0 none */
    uint32_t *rev;             /* per fd: events seen this round */
    uint32_t *want;            /* per fd: scratch for sync */
    size_t n_fds;              /* size of the three arrays (RLIMIT_NOFILE) */
    uint32_t *run;             /* slots to run this round */
    size_t n_run;
    loop_set *set;
    daemon_opts *o;
    const hostkey_set *hk;
} single;

/* As sshd: the soft limit on open files up to the hard one, since every
 * connection is a socket here (and its children's pipes). */
static size_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
        return 1u << 20;
    return (size_t)rl.rlim_cur;
}

static void queue(single *g, uint32_t i)
{
    if (g->slots[i].queued || !g->slots[i].s)
        return;
    g->slots[i].queued = 1;
    g->run[g->n_run++] = i;
}

static int reg_push(slot *sl, int fd)
{
    int *n;
    if (sl->n_reg == sl->cap_reg) {
        size_t cap = sl->cap_reg ? sl->cap_reg * 2 : 2;
        if (!(n = realloc(sl->reg, cap * sizeof(*n))))
            return NSSH_ERR_NOSPACE;
        sl->reg = n;
        sl->cap_reg = cap;
    }
    sl->reg[sl->n_reg++] = fd;
    return 0;
}

/* Register what the connection waits for now; drop what it no longer
 * waits for. */
static void sync_fds(single *g, uint32_t i, int timeout)
{
    slot *sl = &g->slots[i];
    struct pollfd *fds = loop_set_fds(g->set);
    size_t n = loop_set_count(g->set), k, old_n = sl->n_reg;
    int *old = sl->reg;
    struct epoll_event ev;
    sl->reg = NULL;
    sl->n_reg = sl->cap_reg = 0;
    for (k = 0; k < n; k++)
        if (fds[k].fd >= 0 && (size_t)fds[k].fd < g->n_fds)
            g->want[fds[k].fd] |= (uint16_t)fds[k].events;
    for (k = 0; k < n; k++) {
        int fd = fds[k].fd;
        if (fd < 0 || (size_t)fd >= g->n_fds || !g->want[fd])
            continue;   /* a duplicate, already done */
        memset(&ev, 0, sizeof(ev));
        ev.events = g->want[fd];
        ev.data.u64 = ((uint64_t)i << 32) | (uint32_t)fd;
        g->want[fd] = 0;
        if (epoll_ctl(g->ep, EPOLL_CTL_MOD, fd, &ev) < 0 &&
            epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            log_error("epoll_ctl: fd %d: %s", fd, strerror(errno));
            continue;
        }
        g->owner[fd] = i + 1;
        if (reg_push(sl, fd) < 0)
            log_error("out of memory for the fds of a connection");
    }
    /* Whatever of the old list is not in the new one goes, when it is
     * still ours (owner[] is i + 1 exactly for the fds just registered
     * and those not re-registered). */
    for (k = 0; k < sl->n_reg; k++)
        g->want[sl->reg[k]] = 1;   /* mark: kept */
    for (k = 0; k < old_n; k++) {
        int fd = old[k];
        if (g->want[fd] || g->owner[fd] != i + 1)
            continue;
        epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);   /* may be closed already */
        g->owner[fd] = 0;
    }
    for (k = 0; k < sl->n_reg; k++)
        g->want[sl->reg[k]] = 0;
    free(old);
    sl->due = timeout < 0 ? UINT64_MAX : loop_now_ms() + (uint64_t)timeout;
}

static void finish(single *g, uint32_t i)
{
    slot *sl = &g->slots[i];
    size_t k;
    for (k = 0; k < sl->n_reg; k++)
        if (g->owner[sl->reg[k]] == i + 1) {
            epoll_ctl(g->ep, EPOLL_CTL_DEL, sl->reg[k], NULL);
            g->owner[sl->reg[k]] = 0;
        }
    free(sl->reg);
    if (sl->pending)
        g->pending--;
    server_end(sl->s);
    memset(sl, 0, sizeof(*sl));
    g->live--;
}

/* One round of connection i: the events it got, its timers, its output. */
static void run_one(single *g, uint32_t i)
{
    slot *sl = &g->slots[i];
    struct pollfd *fds;
    size_t n, k;
    sl->queued = 0;
    if (!sl->s)
        return;
    loop_wants(&sl->s->io, g->set);   /* the set registered after the last round */
    fds = loop_set_fds(g->set);
    n = loop_set_count(g->set);
    for (k = 0; k < n; k++) {
        int fd = fds[k].fd;
        if (fd >= 0 && (size_t)fd < g->n_fds && g->owner[fd] == i + 1)
            fds[k].revents = (short)(g->rev[fd] &
                                     ((uint32_t)fds[k].events | POLLHUP | POLLERR));
    }
    for (k = 0; k < sl->n_reg; k++)
        g->rev[sl->reg[k]] = 0;
    if (loop_events(&sl->s->io, g->set)) {
        finish(g, i);
        return;
    }
    if (sl->pending && sl->s->io.authenticated) {
        sl->pending = 0;   /* MaxStartups counts it no longer */
        g->pending--;
    }
    sync_fds(g, i, loop_wants(&sl->s->io, g->set));
}

static int new_slot(single *g, uint32_t *out)
{
    size_t i;
    slot *ns;
    uint32_t *nr;
    for (i = 0; i < g->n_slots; i++)
        if (!g->slots[i].s) {
            *out = (uint32_t)i;
            return 0;
        }
    if (g->n_slots == g->cap_slots) {
        size_t cap = g->cap_slots ? g->cap_slots * 2 : 64;
        if (!(ns = realloc(g->slots, cap * sizeof(*ns))))
            return NSSH_ERR_NOSPACE;
        g->slots = ns;
        if (!(nr = realloc(g->run, cap * sizeof(*nr))))
            return NSSH_ERR_NOSPACE;
        g->run = nr;
        memset(g->slots + g->cap_slots, 0, (cap - g->cap_slots) * sizeof(*ns));
        g->cap_slots = cap;
    }
    *out = (uint32_t)g->n_slots++;
    return 0;
}

static void accept_one(single *g, int fd)
{
    startups st = { .pending = g->pending };
    int one = 1;
    uint32_t i;
    dconn *s;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (g->o->tcp_keepalive > 0)
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    if (startups_drop(&st, g->o)) {
        log_info("drop connection #%zu past MaxStartups", g->pending);
        close(fd);
        return;
    }
    if (new_slot(g, &i) < 0) {
        log_error("out of memory for a connection");
        close(fd);
        return;
    }
    if (!(s = server_new(fd, g->o, g->hk)))
        return;   /* logged; fd closed */
    g->slots[i].s = s;
    g->slots[i].pending = 1;
    g->pending++;
    g->live++;
    if (loop_start(&s->io)) {
        finish(g, i);
        return;
    }
    sync_fds(g, i, loop_wants(&s->io, g->set));
}

static void accept_all(single *g, int lfd)
{
    int fd;
    while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
        accept_one(g, fd);
    if (errno == EMFILE || errno == ENFILE)
        log_error("accept: %s (%zu connections)", strerror(errno), g->live);
}

/* A child ended: the session that ran it finishes in its next round. */
static void reap(single *g)
{
    pid_t pid;
    int st;
    size_t i, ch;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        for (i = 0; i < g->n_slots; i++) {
            dconn *s = g->slots[i].s;
            if (!s)
                continue;
            for (ch = 0; ch < NSSH_MAX_CHANNELS; ch++) {
                session *ss = &s->io.sess[ch];
                if (ss->used && ss->pid == pid && !ss->reaped) {
                    ss->reaped = 1;
                    ss->wstatus = st;
                    queue(g, (uint32_t)i);
                }
            }
        }
}

/* Signals: 1 to stop. */
static int on_signals(single *g, int sig_fd)
{
    unsigned mask = selfpipe_drain(sig_fd);
    if (mask & (1u << SIGCHLD))
        reap(g);
    if (mask & ((1u << SIGTERM) | (1u << SIGINT))) {
        log_info("Received signal %d; terminating.",
                 mask & (1u << SIGTERM) ? SIGTERM : SIGINT);
        sd_notify_state("STOPPING=1");
        return 1;
    }
    if (mask & (1u << SIGHUP))
        daemon_restart(g->o);   /* the connections end with this process */
    return 0;
}

/* Queue the connections whose timer is due; the wait until the next. */
static int timers(single *g)
{
    uint64_t now = loop_now_ms(), next = UINT64_MAX;
    size_t i;
    for (i = 0; i < g->n_slots; i++) {
        slot *sl = &g->slots[i];
        if (!sl->s)
            continue;
        if (sl->due <= now)
            queue(g, (uint32_t)i);
        else if (sl->due < next)
            next = sl->due;
    }
    if (g->n_run)
        return 0;
    return next == UINT64_MAX ? -1 : next - now > 60000 ? 60000 : (int)(next - now);
}

static int watch(single *g, int fd)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.u64 = ((uint64_t)NO_SLOT << 32) | (uint32_t)fd;
    return epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* One wait: record the connections' events, handle listeners and signals.
 * 1 to stop. */
static int wait_round(single *g, const listener *l, int sig_fd, int timeout)
{
    struct epoll_event evs[EVENTS_MAX];
    int n = epoll_wait(g->ep, evs, EVENTS_MAX, timeout), k, stop = 0;
    size_t j;
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    for (k = 0; k < n; k++) {
        uint32_t i = (uint32_t)(evs[k].data.u64 >> 32);
        int fd = (int)(uint32_t)evs[k].data.u64;
        if (i == NO_SLOT)
            continue;
        if (i < g->n_slots && g->slots[i].s && (size_t)fd < g->n_fds &&
            g->owner[fd] == i + 1) {
            g->rev[fd] |= evs[k].events;
            queue(g, i);
        } else if ((size_t)fd < g->n_fds && !g->owner[fd]) {
            epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);   /* left over */
        }
    }
    for (k = 0; k < n; k++) {
        int fd = (int)(uint32_t)evs[k].data.u64;
        if ((uint32_t)(evs[k].data.u64 >> 32) != NO_SLOT)
            continue;
        if (fd == sig_fd)
            stop = on_signals(g, sig_fd);
        else
            for (j = 0; j < l->n; j++)
                if (l->fds[j] == fd)
                    accept_all(g, fd);
    }
    return stop;
}

static void teardown(single *g)
{
    size_t i;
    for (i = 0; i < g->n_slots; i++)
        if (g->slots[i].s)
            finish(g, (uint32_t)i);
    free(g->slots);
    free(g->run);
    free(g->owner);
    free(g->rev);
    free(g->want);
    loop_set_free(g->set);
    if (g->ep >= 0)
        close(g->ep);
}

int single_check(const daemon_opts *o)
{
    if (o->n_matches) {
        log_fatal("Match blocks are not supported with SingleProcess yes: "
                  "every connection shares one configuration.");
        return NSSH_ERR_CONFIG;
    }
    return 0;
}

int single_run(listener *l, daemon_opts *o, const hostkey_set *hk)
{
    static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, 0 };
    single g;
    size_t i;
    int sig_fd, e = 0, r;
    /* A connection's memory is mostly room it never touches (buffers for
     * the largest packet, state for every channel number): from fresh
     * mappings those pages cost nothing until used. glibc would raise its
     * mmap threshold after the first frees and serve the same blocks
     * from the heap, where calloc clears (touches) all of it; a fixed
     * threshold keeps large blocks mapped and returned on free. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    memset(&g, 0, sizeof(g));
    g.o = o;
    g.hk = hk;
    g.n_fds = raise_nofile();
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    g.owner = calloc(g.n_fds, sizeof(*g.owner));
    g.rev = calloc(g.n_fds, sizeof(*g.rev));
    g.want = calloc(g.n_fds, sizeof(*g.want));
    g.set = loop_set_new();
    if (single_check(o) < 0 || g.ep < 0 || !g.owner || !g.rev || !g.want ||
        !g.set || (sig_fd = selfpipe_open(sigs)) < 0) {
        teardown(&g);
        return NSSH_ERR_INTERNAL;
    }
    signal(SIGPIPE, SIG_IGN);
    for (i = 0; i < l->n; i++)
        if (watch(&g, l->fds[i]) < 0)
            e = NSSH_ERR_INTERNAL;
    if (watch(&g, sig_fd) < 0)
        e = NSSH_ERR_INTERNAL;
    log_info("Single-process mode: one loop for every connection of uid %u, "
             "up to %zu open files.", (unsigned)geteuid(), g.n_fds);
    while (!e) {
        int timeout = timers(&g);
        if ((r = wait_round(&g, l, sig_fd, timeout)) != 0) {
            if (r < 0) {
                log_error("epoll_wait: %s", strerror(errno));
                e = NSSH_ERR_INTERNAL;
            }
            break;
        }
        timers(&g);
        for (i = 0; i < g.n_run; i++)
            run_one(&g, g.run[i]);
        g.n_run = 0;
    }
    teardown(&g);
    selfpipe_close();
    return e;
}
