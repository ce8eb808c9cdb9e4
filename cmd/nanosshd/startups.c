/*
 * MaxStartups and PerSourceMaxStartups (sshd_config(5)): how many
 * connections have not finished authentication yet, overall and per
 * source, and the random early drop of new ones.
 *
 * Each connection process gets the write end of a pipe. Before its user
 * is authenticated it writes one byte per finite-field Diffie-Hellman
 * exchange, then one byte when the user is in, and closes it; the
 * listener holds the read ends. EOF without that byte means the process
 * ended unauthenticated. The exchanges are charged to the source
 * (PerSourcePenalties kex-dh): a connection's first only if it never
 * logs in, so an ordinary client that uses a DH group pays nothing, and
 * every further one at once.
 * The entry itself lives until the process is reaped, so that its exit
 * status can be charged to its source.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "startups.h"
#include "nanossh_ossl.h"

/* In a connection process: the write end, -1 when none. */
static int child_fd = -1;
static unsigned kexdh_told;

void startups_init(startups *st)
{
    st->c = NULL;
    st->n = st->cap = st->pending = 0;
}

void startups_free(startups *st)
{
    size_t i;
    for (i = 0; i < st->n; i++)
        if (st->c[i].fd >= 0)
            close(st->c[i].fd);
    free(st->c);
    startups_init(st);
}

/* sshd's rule: below begin never, from full on always, in between with a
 * probability rising linearly from rate% to 100%. */
int startups_drop(const startups *st, const daemon_opts *o)
{
    long begin = o->startups_begin, full = o->startups_full;
    long n = (long)st->pending, p;
    uint32_t r;
    if (n >= full)
        return 1;
    if (n < begin)
        return 0;
    p = o->startups_rate + (100 - o->startups_rate) * (n - begin) / (full - begin);
    if (nssh_ossl_rng(NULL, (uint8_t *)&r, sizeof(r)) < 0)
        return 1;
    return (long)(r % 100u) < p;
}

size_t startups_from(const startups *st, const daemon_opts *o,
                     const src_addr *peer)
{
    src_addr net = src_net(o, peer), other;
    size_t i, n = 0;
    for (i = 0; i < st->n; i++) {
        if (st->c[i].fd < 0 || !st->c[i].peer.af)
            continue;
        other = src_net(o, &st->c[i].peer);
        n += src_addr_eq(&net, &other);
    }
    return n;
}

int startups_add(startups *st, const src_addr *peer, int *child_end)
{
    startup *nc;
    int p[2];
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        if (!(nc = realloc(st->c, cap * sizeof(*nc))))
            return NSSH_ERR_NOSPACE;
        st->c = nc;
        st->cap = cap;
    }
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        return NSSH_ERR_INTERNAL;
    st->c[st->n] = (startup){ .pid = -1, .fd = p[0], .peer = *peer };
    st->n++;
    st->pending++;
    *child_end = p[1];
    return 0;
}

void startups_set_pid(startups *st, pid_t pid) { st->c[st->n - 1].pid = pid; }

void startups_undo(startups *st)
{
    close(st->c[st->n - 1].fd);
    st->n--;
    st->pending--;
}

static void not_pending(startups *st, startup *c)
{
    close(c->fd);
    c->fd = -1;
    st->pending--;
}

unsigned startups_read(startups *st, int fd, src_addr *peer)
{
    unsigned char buf[256];
    unsigned kex = 0;
    ssize_t r, i;
    size_t k;
    for (k = 0; k < st->n && st->c[k].fd != fd; k++)
        ;
    if (k == st->n)
        return 0;
    *peer = st->c[k].peer;
    for (;;) {
        r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return kex;
        if (r <= 0)
            break;
        for (i = 0; i < r; i++) {
            if (buf[i] == STARTUPS_MSG_KEXDH && ++st->c[k].kex > 1)
                kex++;
            else if (buf[i] == STARTUPS_MSG_AUTH)
                st->c[k].authed = 1;
        }
        if (st->c[k].authed)
            break;
    }
    not_pending(st, &st->c[k]);
    return kex;
}

int startups_reaped(startups *st, pid_t pid, src_addr *peer, int *authed,
                    unsigned *kex)
{
    src_addr ignored;
    size_t i;
    *kex = 0;
    for (i = 0; i < st->n; i++)
        if (st->c[i].pid == pid) {
            if (st->c[i].fd >= 0)   /* what it said before it went */
                *kex = startups_read(st, st->c[i].fd, &ignored);
            *peer = st->c[i].peer;
            *authed = st->c[i].authed;
            if (!st->c[i].authed && st->c[i].kex > 0)
                (*kex)++;   /* the first exchange of a failed connection */
            if (st->c[i].fd >= 0)
                not_pending(st, &st->c[i]);
            st->c[i] = st->c[--st->n];
            return 1;
        }
    return 0;
}

void startups_child(int fd)
{
    child_fd = fd;
    kexdh_told = 0;
}

/* Best effort: a full pipe (the listener is behind) loses a byte, never
 * blocks the connection. */
static void say(unsigned char b)
{
    ssize_t r;
    do
        r = write(child_fd, &b, 1);
    while (r < 0 && errno == EINTR);
}

void startups_kexdh(unsigned total)
{
    if (child_fd < 0)
        return;
    while (kexdh_told < total) {
        say(STARTUPS_MSG_KEXDH);
        kexdh_told++;
    }
}

void startups_authenticated(void)
{
    if (child_fd < 0)
        return;
    say(STARTUPS_MSG_AUTH);
    close(child_fd);
    child_fd = -1;
}
