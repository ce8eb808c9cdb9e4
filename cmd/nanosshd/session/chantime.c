/*
 * ChannelTimeout and UnusedConnectionTimeout (sshd_config(5)), after
 * authentication.
 *
 * A channel is in use while bytes move through it in either direction
 * (the adapter's pump buffers note when, pump.h). Its timeout is the
 * first ChannelTimeout entry whose pattern matches its type, named as
 * sshd names them: "session:shell", "session:command",
 * "session:subsystem:NAME" once a session runs something ("session"
 * before, and as a fallback when no entry matches the longer name),
 * "direct-tcpip", "forwarded-tcpip", "direct-streamlocal@openssh.com",
 * "forwarded-streamlocal@openssh.com", "x11-connection",
 * "agent-connection" (sshd_config(5)). "global" is never matched by a
 * pattern: it covers all channels together, and when no channel moved a
 * byte for that long, all are closed. A channel idle past its timeout is
 * closed with sshd's line.
 *
 * UnusedConnectionTimeout: once no channel has been open for that long,
 * the connection ends with sshd's "terminating inactive connection".
 */
#include <stdio.h>
#include <string.h>

#include "forward.h"
#include "pattern.h"
#include "session.h"

static const char *const kind_names[] = {
    [CHK_NONE] = "",
    [CHK_SESSION] = "session",
    [CHK_SHELL] = "session:shell",
    [CHK_COMMAND] = "session:command",
    [CHK_SUBSYSTEM] = "session:subsystem:",
    [CHK_DIRECT] = "direct-tcpip",
    [CHK_FORWARDED] = "forwarded-tcpip",
    [CHK_FWD] = "forwarded-tcpip",
};

/* sshd's ChannelTimeout name for a channel the forwarding code serves,
 * from the type it was opened with. */
static const char *fwd_type_name(const dconn *s, uint32_t ch)
{
    const char *t = s->io.fwd->ch[ch].type;
    if (!t)
        return "forwarded-tcpip";
    if (!strcmp(t, "x11"))
        return "x11-connection";
    if (!strcmp(t, "auth-agent@openssh.com"))
        return "agent-connection";
    return t;   /* the streamlocal types keep their names */
}

void chantime_open(dconn *s, uint32_t ch, int kind)
{
    if (ch >= NSSH_MAX_CHANNELS)
        return;
    s->chan_kind[ch] = (unsigned char)kind;
    s->chan_since[ch] = s->io.now;
}

void chantime_closed(dconn *s, uint32_t ch)
{
    if (ch < NSSH_MAX_CHANNELS)
        s->chan_kind[ch] = CHK_NONE;
}

static long lookup(const dconn *s, const char *type)
{
    int i;
    for (i = 0; i < s->o->n_chan_timeouts; i++) {
        const struct chan_timeout *t = &s->o->chan_timeouts[i];
        if (strcmp(t->type, "global") && match_pattern_list(type, t->type) == 1)
            return t->seconds;
    }
    return -1;
}

static long limit_of(const dconn *s, uint32_t ch)
{
    char type[128];
    long v;
    int k = s->chan_kind[ch];
    if (k == CHK_SUBSYSTEM)
        snprintf(type, sizeof(type), "session:subsystem:%s",
                 s->io.sess[ch].subsystem);
    else if (k == CHK_FWD && fwd_is(&s->io, ch))
        snprintf(type, sizeof(type), "%s", fwd_type_name(s, ch));
    else
        snprintf(type, sizeof(type), "%s", kind_names[k]);
    v = lookup(s, type);
    if (v < 0 && k >= CHK_SESSION && k <= CHK_SUBSYSTEM && k != CHK_SESSION)
        v = lookup(s, "session");
    return v < 0 ? 0 : v;
}

static long global_limit(const dconn *s)
{
    int i;
    for (i = 0; i < s->o->n_chan_timeouts; i++)
        if (!strcmp(s->o->chan_timeouts[i].type, "global"))
            return s->o->chan_timeouts[i].seconds;
    return 0;
}

static uint64_t newest(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* When channel ch last moved a byte (or was opened). */
static uint64_t last_use(const dconn *s, uint32_t ch)
{
    uint64_t t = s->chan_since[ch];
    const session *ss = &s->io.sess[ch];
    if (fwd_is(&s->io, ch)) {
        const fwd_chan *f = &s->io.fwd->ch[ch];
        return newest(t, newest(f->in.last_io, f->out.last_io));
    }
    return newest(t, newest(ss->in.last_io,
                            newest(ss->out.b.last_io, ss->err.b.last_io)));
}

/* Channels the daemon serves now; forwarded-tcpip ones are opened by the
 * adapter and noticed here. */
static int scan(dconn *s)
{
    uint32_t ch;
    int open = 0;
    for (ch = 0; ch < s->io.ch_hi && ch < NSSH_MAX_CHANNELS; ch++) {
        int is_fwd = fwd_is(&s->io, ch);
        if (!is_fwd && !s->io.sess[ch].used) {
            s->chan_kind[ch] = CHK_NONE;
            continue;
        }
        if (s->chan_kind[ch] == CHK_NONE)
            chantime_open(s, ch, is_fwd ? CHK_FWD : CHK_SESSION);
        open++;
    }
    return open;
}

static void expire(dconn *s, uint32_t ch, long secs)
{
    srv_log(s, LL_VERBOSE, "channel %u: closing after %ld seconds of "
            "inactivity", (unsigned)ch, secs);
    s->chan_kind[ch] = CHK_CLOSING;
    nssh_channel_close(s->io.c, ch);
}

uint64_t chantime_wait(dconn *s)
{
    uint64_t due = UINT64_MAX, glast = 0, t;
    long g = global_limit(s), lim;
    uint32_t ch;
    if (!s->io.authenticated)
        return UINT64_MAX;
    if (!scan(s)) {
        if (s->o->unused_timeout <= 0)
            return UINT64_MAX;
        if (!s->unused_since)
            s->unused_since = s->io.now;
        t = s->unused_since + (uint64_t)s->o->unused_timeout * 1000u;
        return t > s->io.now ? t - s->io.now : 0;
    }
    s->unused_since = 0;
    for (ch = 0; ch < s->io.ch_hi && ch < NSSH_MAX_CHANNELS; ch++) {
        if (s->chan_kind[ch] == CHK_NONE || s->chan_kind[ch] == CHK_CLOSING)
            continue;
        glast = newest(glast, last_use(s, ch));
        if ((lim = limit_of(s, ch)) > 0) {
            t = last_use(s, ch) + (uint64_t)lim * 1000u;
            due = t < due ? t : due;
        }
    }
    if (g > 0 && glast) {
        t = glast + (uint64_t)g * 1000u;
        due = t < due ? t : due;
    }
    return due == UINT64_MAX ? due : due > s->io.now ? due - s->io.now : 0;
}

void chantime_tick(dconn *s)
{
    uint64_t glast = 0;
    long g, lim;
    uint32_t ch;
    if (!s->io.authenticated || (nssh_conn_state(s->io.c) & NSSH_CLOSED))
        return;
    if (!scan(s)) {
        if (s->o->unused_timeout <= 0)
            return;
        if (!s->unused_since)
            s->unused_since = s->io.now;
        if (s->io.now >= s->unused_since + (uint64_t)s->o->unused_timeout * 1000u) {
            srv_log(s, LL_INFO, "terminating inactive connection from user %s "
                    "%s port %d", s->io.pw.name, s->io.peer, s->io.peer_port);
            s->end_logged = 1;
            nssh_conn_disconnect(s->io.c, NSSH_DISC_BY_APPLICATION,
                                 "terminating inactive connection");
        }
        return;
    }
    s->unused_since = 0;
    if (s->o->n_chan_timeouts <= 0)
        return;
    g = global_limit(s);
    for (ch = 0; ch < s->io.ch_hi && ch < NSSH_MAX_CHANNELS; ch++)
        if (s->chan_kind[ch] != CHK_NONE && s->chan_kind[ch] != CHK_CLOSING)
            glast = newest(glast, last_use(s, ch));
    for (ch = 0; ch < s->io.ch_hi && ch < NSSH_MAX_CHANNELS; ch++) {
        if (s->chan_kind[ch] == CHK_NONE || s->chan_kind[ch] == CHK_CLOSING)
            continue;
        lim = limit_of(s, ch);
        if (lim > 0 && s->io.now >= last_use(s, ch) + (uint64_t)lim * 1000u)
            expire(s, ch, lim);
        else if (g > 0 && s->io.now >= glast + (uint64_t)g * 1000u)
            expire(s, ch, g);
    }
}
