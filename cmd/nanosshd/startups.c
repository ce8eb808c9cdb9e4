/*
 * MaxStartups (sshd_config(5)): how many connections have not finished
 * authentication yet, and the random early drop of new ones.
 *
 * Each connection process gets the write end of a pipe and closes it once
 * its user is authenticated (or it exits); the listener holds the read
 * ends, and a read end that reports EOF is one pending connection less.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "startups.h"
#include "nanossh_ossl.h"

/* In a connection process: the write end, -1 when none. */
static int child_fd = -1;

void startups_init(startups *st)
{
    st->fds = NULL;
    st->n = st->cap = 0;
}

void startups_free(startups *st)
{
    size_t i;
    for (i = 0; i < st->n; i++)
        close(st->fds[i]);
    free(st->fds);
    startups_init(st);
}

/* sshd's rule: below begin never, from full on always, in between with a
 * probability rising linearly from rate% to 100%. */
int startups_drop(const startups *st, const daemon_opts *o)
{
    long begin = o->startups_begin, full = o->startups_full;
    long n = (long)st->n, p;
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

int startups_add(startups *st, int *child_end)
{
    int p[2], *nf;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        if (!(nf = realloc(st->fds, cap * sizeof(*nf))))
            return NSSH_ERR_NOSPACE;
        st->fds = nf;
        st->cap = cap;
    }
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        return NSSH_ERR_INTERNAL;
    st->fds[st->n++] = p[0];
    *child_end = p[1];
    return 0;
}

void startups_forget(startups *st, int fd)
{
    size_t i;
    for (i = 0; i < st->n; i++)
        if (st->fds[i] == fd) {
            close(fd);
            st->fds[i] = st->fds[--st->n];
            return;
        }
}

void startups_child(int fd) { child_fd = fd; }

void startups_authenticated(void)
{
    if (child_fd >= 0)
        close(child_fd);
    child_fd = -1;
}
