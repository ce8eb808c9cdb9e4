/*
 * Each round of the loop: before authentication, tell the listener of
 * each finite-field DH exchange (charged to the source); after it, tell
 * the listener the connection is no longer pending (MaxStartups), and
 * ClientAliveInterval /
 * ClientAliveCountMax (sshd_config(5)): when nothing has arrived from the
 * client for the interval, send keepalive@openssh.com wanting a reply;
 * after CountMax probes in a row without an answer, end the connection
 * (CountMax 0: never).
 * Any answer counts, REQUEST_FAILURE included (OpenSSH's clients refuse
 * the request, which proves they are there).
 */
#include <stdint.h>

#include "session.h"
#include "startups.h"

static uint64_t due(const dconn *s)
{
    uint64_t last = s->io.last_rx > s->alive_sent ? s->io.last_rx
                                                  : s->alive_sent;
    return last + (uint64_t)s->o->alive_interval * 1000u;
}

static uint64_t alive_due(const dconn *s)
{
    uint64_t d;
    if (!s->io.authenticated || s->o->alive_interval <= 0)
        return UINT64_MAX;
    d = due(s);
    return d > s->io.now ? d - s->io.now : 0;
}

/* The program's timers: ClientAlive and the channel timeouts. */
uint64_t alive_wait(void *app)
{
    uint64_t a = alive_due(app), c = chantime_wait(app);
    return a < c ? a : c;
}

void alive_answer(void *user, int ok, const uint8_t *data, size_t len)
{
    dconn *s = user;
    (void)ok;
    (void)data;
    (void)len;
    s->alive_missed = 0;
}

void alive_tick(void *app)
{
    dconn *s = app;
    nssh_conn_info info;
    int e;
    if (!s->io.authenticated) {   /* PerSourcePenalties: kex-dh */
        nssh_conn_get_info(s->io.c, &info);
        startups_kexdh(info.dh_count);
        return;
    }
    startups_authenticated();
    chantime_tick(s);
    if (s->o->alive_interval <= 0 || s->io.now < due(s) ||
        (nssh_conn_state(s->io.c) & NSSH_CLOSED))
        return;
    if (s->o->alive_count_max > 0 && s->alive_missed >= s->o->alive_count_max) {
        srv_log(s, LL_INFO, "Timeout, client not responding from user %s %s "
                "port %d", s->io.pw.name, s->io.peer, s->io.peer_port);
        s->end_logged = 1;
        nssh_conn_disconnect(s->io.c, NSSH_DISC_CONNECTION_LOST,
                             "Timeout, client not responding");
        return;
    }
    s->alive_sent = s->io.now;
    if ((e = nssh_conn_global_request(s->io.c, "keepalive@openssh.com", NULL, 0,
                                      1)) < 0) {
        log_debug("keepalive not sent: %s", nssh_strerror(e));
        return;
    }
    s->alive_missed++;
    log_debug2("client alive check %ld of %ld", s->alive_missed,
               s->o->alive_count_max);
}
