/*
 * Session channels (RFC 4254 section 6): the engine's channel callbacks.
 * One session per channel number; the child is started by shell or exec.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"
#include "auth.h"
#include "chanio.h"
#include "pty.h"
#include "spawn.h"
#include "pattern.h"
#include "env.h"
#include "forward.h"
#include "signames.h"
#include "userenv.h"
#include "loginrec.h"

static int str_is(nssh_str s, const char *lit)
{
    return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

/* A peer string as C text; refused when it holds a NUL or is too long. */
static char *cstr(nssh_str s, size_t max)
{
    char *p;
    if (s.n > max || memchr(s.p, 0, s.n) || !(p = malloc(s.n + 1)))
        return NULL;
    memcpy(p, s.p, s.n);
    p[s.n] = 0;
    return p;
}

static int known_type(nssh_str type)
{
    static const char *const known[] = {
        "direct-tcpip", "forwarded-tcpip", "x11", "auth-agent@openssh.com",
        "direct-streamlocal@openssh.com", "forwarded-streamlocal@openssh.com",
        "tun@openssh.com",
    };
    size_t i;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (str_is(type, known[i]))
            return 1;
    return 0;
}

/* Open session channels (MaxSessions counts these, not forwardings). */
static long sessions_open(const dconn *s)
{
    long n = 0;
    size_t i;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        n += s->io.sess[i].used != 0;
    return n;
}

int sess_open(void *user, uint32_t ch, nssh_str type, const uint8_t *extra,
              size_t extra_len)
{
    dconn *s = user;
    session *ss;
    if (str_is(type, "direct-tcpip") && s->io.authenticated) {
        chantime_open(s, ch, CHK_DIRECT);
        return fwd_open_direct(&s->io, ch, extra, extra_len);
    }
    if (str_is(type, "direct-streamlocal@openssh.com") && s->io.authenticated)
        return fwd_open_streamlocal(&s->io, ch, extra, extra_len);
    if (!str_is(type, "session")) {
        srv_log(s, LL_DEBUG1, "refused channel of type \"%.*s\"",
                (int)(type.n > 64 ? 64 : type.n), type.p);
        /* RFC 4254 section 5.1: types we know but do not serve are
         * prohibited; anything else is unknown. */
        return NSSH_CB_REFUSE_REASON(known_type(type)
                                          ? NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED
                                          : NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    }
    if (!s->io.authenticated)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    if (ch >= NSSH_MAX_CHANNELS)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_RESOURCE_SHORTAGE);
    if (sessions_open(s) >= s->o->max_sessions) {
        srv_log(s, LL_VERBOSE, "refused session on channel %u: MaxSessions "
                "(%ld) reached", (unsigned)ch, s->o->max_sessions);
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    }
    ss = &s->io.sess[ch];
    memset(ss, 0, sizeof(*ss));
    ss->used = 1;
    pconn_chan_used(&s->io, ch);
    ss->ptm = ss->pts = ss->fd_in = ss->out.fd = ss->err.fd = -1;
    ss->err.ext = 1;
    chantime_open(s, ch, CHK_SESSION);
    log_debug("session opened on channel %u", (unsigned)ch);
    return NSSH_CB_ACCEPT;
}

static int req_pty(dconn *s, session *ss, const nssh_chan_req *q)
{
    if (!s->o->permit_tty) {
        logit(LL_INFO, "Pty allocation disabled for %s by PermitTTY",
              s->io.pw.name);
        return -1;
    }
    if (s->have_kopts && s->kopts.no_pty) {
        logit(LL_INFO, "Pty allocation disabled for %s by authorized_keys",
              s->io.pw.name);
        return -1;
    }
    if (ss->want_pty || ss->started || q->name.n >= sizeof(ss->term) ||
        memchr(q->name.p, 0, q->name.n))
        return -1;
    memcpy(ss->term, q->name.p, q->name.n);
    ss->term[q->name.n] = 0;
    srv_set_qos(s, 1);
    ss->ws.ws_col = (unsigned short)(q->cols > 0xffff ? 0xffff : q->cols);
    ss->ws.ws_row = (unsigned short)(q->rows > 0xffff ? 0xffff : q->rows);
    ss->ws.ws_xpixel = (unsigned short)(q->width_px > 0xffff ? 0xffff : q->width_px);
    ss->ws.ws_ypixel = (unsigned short)(q->height_px > 0xffff ? 0xffff : q->height_px);
    if (pty_open(ss, (const uint8_t *)q->modes.p, q->modes.n) < 0) {
        logit(LL_ERROR, "could not allocate a pty for %s", s->io.pw.name);
        return -1;
    }
    ss->want_pty = 1;
    log_debug("allocated pty %s (%ux%u)", ss->tty, ss->ws.ws_col, ss->ws.ws_row);
    return 0;
}

/* env: only names the AcceptEnv patterns allow (sshd_config(5)). */
static int req_env(dconn *s, session *ss, const nssh_chan_req *q)
{
    char *name = cstr(q->name, 256), *value = cstr(q->text, 16384), *entry = NULL;
    size_t i, nl;
    int r = -1;
    if (!name || !value)
        goto out;
    if (ss->started || !env_accepted(name, s->o->accept_env, s->o->n_accept_env)) {
        log_debug("Ignored env %s", name);
        goto out;
    }
    nl = strlen(name);
    if (asprintf(&entry, "%s=%s", name, value) < 0) {
        entry = NULL;
        goto out;
    }
    for (i = 0; i < ss->n_env; i++)
        if (!strncmp(ss->env[i], entry, nl + 1))
            break;
    if (i == SESS_ENV_MAX)
        goto out;
    if (i < ss->n_env)
        free(ss->env[i]);
    else
        ss->n_env++;
    ss->env[i] = entry;
    entry = NULL;
    log_debug("Setting env %s", name);
    r = 0;
out:
    free(name);
    free(value);
    free(entry);
    return r;
}

/* What policy_of fills besides the spawn_policy. */
typedef struct child_text {
    char jail[4096];           /* ChrootDirectory, expanded */
    char last_login[600];      /* PrintLastLog's line */
} child_text;

/* sshd's policy for the child, handed to the adapter's spawn: ForceCommand
 * wins over the key's command= option, as in sshd; SetEnv, and the key's
 * environment= and ~/.ssh/environment as PermitUserEnvironment allows
 * (u, freed by the caller), with ExposeAuthInfo's SSH_USER_AUTH after
 * SetEnv's; PrintMotd; PrintLastLog (read before this login's record
 * replaces it); ChrootDirectory. -1 when the session may not start
 * (logged). */
static int policy_of(dconn *s, const session *ss, int shell,
                     spawn_policy *p, const userenv *u, child_text *t)
{
    int jail;
    memset(p, 0, sizeof(*p));
    if (authinfo_env(s, &p->admin_env, &p->n_admin_env) < 0) {
        p->admin_env = s->o->set_env.v;   /* logged; the session still runs */
        p->n_admin_env = s->o->set_env.n;
    }
    if (s->o->force_command && *s->o->force_command) {
        p->forced = s->o->force_command;
        p->forced_by = 2;
    } else if (s->have_kopts && s->kopts.command) {
        p->forced = s->kopts.command;
        p->forced_by = 1;
    }
    p->key_env = u->key;
    p->n_key_env = u->n_key;
    p->user_env = u->file;
    p->n_user_env = u->n_file;
    p->motd = s->o->print_motd > 0;
    if ((jail = sess_chroot_path(s, t->jail, sizeof(t->jail))) < 0)
        return -1;
    p->chroot = jail ? t->jail : NULL;
    if (shell && !p->forced && ss->want_pty && s->o->print_lastlog > 0) {
        loginrec_last_message(s->io.pw.uid, t->last_login,
                              sizeof(t->last_login));
        p->last_login = t->last_login;
    }
    return 0;
}

static int req_run(dconn *s, uint32_t ch, const nssh_chan_req *q)
{
    spawn_policy p;
    userenv u;
    child_text *t;
    char *cmd = NULL;
    int r = -1;
    if (s->io.sess[ch].started)
        return -1;
    if (q->kind == NSSH_REQ_EXEC && !(cmd = cstr(q->text, 256 * 1024)))
        return -1;
    if (!(t = calloc(1, sizeof(*t)))) {
        free(cmd);
        return -1;
    }
    if (userenv_load(s, &u) == 0 &&
        policy_of(s, &s->io.sess[ch], !cmd, &p, &u, t) == 0)
        r = spawn_session(&s->io, ch, cmd, &p);
    userenv_free(&u);
    free(t);
    free(cmd);
    return r < 0 ? -1 : 0;
}

/* A subsystem runs its configured command line as exec would (sshd's
 * Subsystem keyword). */
static int req_subsystem(dconn *s, uint32_t ch, const nssh_chan_req *q)
{
    session *ss = &s->io.sess[ch];
    char *name = cstr(q->text, sizeof(ss->subsystem) - 1);
    const char *cmd = name ? opts_subsystem(s->o, name) : NULL;
    spawn_policy p;
    userenv u;
    child_text *t = NULL;
    int r = -1;
    if (!cmd) {
        logit(LL_INFO, "subsystem request for %.*s by user %s failed, "
              "subsystem not found", (int)(q->text.n > 64 ? 64 : q->text.n),
              q->text.p, s->io.pw.name);
        goto out;
    }
    if (ss->started)
        goto out;
    srv_log(s, LL_VERBOSE, "subsystem request for %s by user %s", name,
            s->io.pw.name);
    snprintf(ss->subsystem, sizeof(ss->subsystem), "%s", name);
    log_debug("subsystem: exec() %s", cmd);
    if ((t = calloc(1, sizeof(*t))) && userenv_load(s, &u) == 0 &&
        policy_of(s, ss, 0, &p, &u, t) == 0)
        r = spawn_session(&s->io, ch, cmd, &p) < 0 ? -1 : 0;
    if (t)
        userenv_free(&u);
    if (r < 0)
        ss->subsystem[0] = 0;
out:
    free(t);
    free(name);
    return r;
}

static int req_signal(dconn *s, session *ss, const nssh_chan_req *q)
{
    int sig = signame_to_num(q->name.p, q->name.n);
    if (!sig || ss->pid <= 0 || ss->reaped)
        return -1;
    log_debug("session signal %s to process group %ld", signame_from_num(sig),
              (long)ss->pid);
    return killpg(ss->pid, sig) == 0 ? 0 : -1;
}

/* Requests for forwarding into the session (OpenSSH PROTOCOL.agent,
 * RFC 4254 section 6.3.1); 1 when q is none of them. */
static int req_forward(dconn *s, uint32_t ch, const nssh_chan_req *q)
{
    session *ss = &s->io.sess[ch];
    if (str_is(q->type, "auth-agent-req@openssh.com")) {
        if (q->raw_len)
            return -1;
        return fwd_agent_start(&s->io, ch);
    }
    if (str_is(q->type, "x11-req")) {
        if (ss->started)
            return -1;   /* DISPLAY and xauth come before the command */
        return fwd_x11_start(&s->io, ch, q->raw, q->raw_len);
    }
    return 1;
}

/* 0 when the request is granted, -1 when refused. */
static int request(void *user, uint32_t ch, const nssh_chan_req *q)
{
    dconn *s = user;
    session *ss;
    int r;
    if (ch >= NSSH_MAX_CHANNELS || !s->io.sess[ch].used)
        return -1;
    ss = &s->io.sess[ch];
    switch (q->kind) {
    case NSSH_REQ_PTY: return req_pty(s, ss, q);
    case NSSH_REQ_ENV: return req_env(s, ss, q);
    case NSSH_REQ_SHELL:
    case NSSH_REQ_EXEC: return req_run(s, ch, q);
    case NSSH_REQ_SUBSYSTEM: return req_subsystem(s, ch, q);
    case NSSH_REQ_WINDOW_CHANGE:
        if (!ss->want_pty)
            return -1;
        ss->ws.ws_col = (unsigned short)(q->cols > 0xffff ? 0xffff : q->cols);
        ss->ws.ws_row = (unsigned short)(q->rows > 0xffff ? 0xffff : q->rows);
        ss->ws.ws_xpixel = (unsigned short)(q->width_px > 0xffff ? 0xffff : q->width_px);
        ss->ws.ws_ypixel = (unsigned short)(q->height_px > 0xffff ? 0xffff : q->height_px);
        return pty_resize(ss) < 0 ? -1 : 0;
    case NSSH_REQ_SIGNAL: return req_signal(s, ss, q);
    case NSSH_REQ_OTHER:
        if ((r = req_forward(s, ch, q)) <= 0)
            return r;
        /* fall through */
    default:
        log_debug("channel %u: unsupported request \"%.*s\"", (unsigned)ch,
                  (int)(q->type.n > 64 ? 64 : q->type.n), q->type.p);
        return -1;
    }
}

int sess_request(void *user, uint32_t ch, const nssh_chan_req *q)
{
    if (request(user, ch, q) < 0)
        return NSSH_CB_REFUSE;
    /* ChannelTimeout names a running session as sshd does. */
    if (str_is(q->type, "shell"))
        chantime_open(user, ch, CHK_SHELL);
    else if (str_is(q->type, "exec"))
        chantime_open(user, ch, CHK_COMMAND);
    else if (str_is(q->type, "subsystem"))
        chantime_open(user, ch, CHK_SUBSYSTEM);
    return NSSH_CB_ACCEPT;
}

/* Client data for the child, held until it reads it. The engine reopens
 * the window only as chanio_to_child consumes, so this never holds more
 * than one window. */
void sess_data(void *user, uint32_t ch, uint32_t ext, const uint8_t *data,
               size_t len)
{
    dconn *s = user;
    session *ss = &s->io.sess[ch];
    if (fwd_is(&s->io, ch)) {
        fwd_data(&s->io, ch, data, len);
        return;
    }
    if (ch >= NSSH_MAX_CHANNELS || !ss->used || ext != 0 || ss->in_eof ||
        (ss->started && ss->fd_in < 0)) {
        nssh_channel_consume(s->io.c, ch, len);   /* nobody will read it */
        return;
    }
    pump_queue(s->io.c, ch, &ss->in, data, len);
}

void sess_eof(void *user, uint32_t ch)
{
    dconn *s = user;
    if (fwd_is(&s->io, ch))
        fwd_eof(&s->io, ch);
    else if (ch < NSSH_MAX_CHANNELS && s->io.sess[ch].used)
        s->io.sess[ch].in_eof = 1;   /* chanio_to_child closes stdin once
                                        drained */
}

void sess_closed(void *user, uint32_t ch)
{
    dconn *s = user;
    chantime_closed(s, ch);
    if (fwd_is(&s->io, ch))
        fwd_closed(&s->io, ch);
    else if (ch < NSSH_MAX_CHANNELS && s->io.sess[ch].used)
        pconn_session_release(&s->io, &s->io.sess[ch]);
}
