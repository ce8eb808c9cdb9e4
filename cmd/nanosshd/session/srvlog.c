/*
 * Log lines of a connection. The engine's records go out at their level
 * as "stage: message: field: text"; the ones that end a connection are
 * shaped like sshd's so log watchers (fail2ban and the like) read them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

static int ll_of(int engine_level)
{
    switch (engine_level) {
    case NSSH_LOG_ERROR: return LL_ERROR;
    case NSSH_LOG_INFO: return LL_INFO;
    case NSSH_LOG_VERBOSE: return LL_VERBOSE;
    default: return LL_DEBUG1;
    }
}

/* The adapter's lines and the daemon's take the same way: pconn_vlog
 * formats, srv_log_line (the connection's policy->log) adds the tag. */
void srv_log(const dconn *s, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pconn_vlog(&s->io, level, fmt, ap);
    va_end(ap);
}

void srv_log_line(void *app, int level, const char *line)
{
    const dconn *s = app;
    logit(level, "%s%s", line, s->io.authenticated ? "" : " [preauth]");
}

/* "authenticating user root " / "invalid user foo " / "" before an
 * address, as sshd names who a pre-auth connection was. */
static void who(const dconn *s, char *out, size_t cap)
{
    out[0] = 0;
    if (s->io.authenticated)
        snprintf(out, cap, "user %s ", s->io.pw.name);
    else if (s->user[0] && !strcmp(s->user, s->io.pw.name) && !s->access_denied)
        snprintf(out, cap, "authenticating user %s ", s->user);
    else if (s->user[0])
        snprintf(out, cap, "invalid user %s ", s->user);
}

static void closing_line(dconn *s, const nssh_log *rec)
{
    char w[NSSH_USER_MAX + 32];
    who(s, w, sizeof(w));
    switch (rec->err) {
    case NSSH_ERR_EOF:
        srv_log(s, LL_INFO, "Connection %s by %s%s port %d",
                s->io.conn_reset ? "reset" : "closed", w, s->io.peer,
                s->io.peer_port);
        break;
    case NSSH_ERR_PEER_DISCONNECT:
        /* rec->text is "reason: description" */
        s->peer_disconnected = 1;
        srv_log(s, LL_INFO, "Received disconnect from %s port %d:%s",
                s->io.peer, s->io.peer_port, rec->text);
        break;
    case NSSH_ERR_AUTH_TRIES:
        srv_log_auth_limit(s);
        break;
    case NSSH_ERR_APP:
        if (s->auth_limit_logged || s->end_logged)
            break;   /* our own disconnect, already said why */
        srv_log(s, LL_INFO, "%s (%s port %d)", rec->text ? rec->text : "",
                s->io.peer, s->io.peer_port);
        break;
    case NSSH_ERR_TIMEOUT:
        if (!s->io.authenticated) {
            srv_log(s, LL_ERROR, "Timeout before authentication for %s port %d",
                    s->io.peer, s->io.peer_port);
            break;
        }
        /* fall through */
    default:
        srv_log(s, ll_of(rec->level), "%s: %s%s%s%s%s (%s port %d)",
                rec->stage ? rec->stage : "?",
                rec->message ? rec->message : "", rec->message ? ": " : "",
                rec->field ? rec->field : "", rec->field ? ": " : "",
                rec->text ? rec->text : "", s->io.peer, s->io.peer_port);
    }
}

void srv_log_auth_limit(dconn *s)
{
    char w[NSSH_USER_MAX + 32];
    if (s->auth_limit_logged)
        return;
    s->auth_limit_logged = 1;
    who(s, w, sizeof(w));
    /* Repeated "none" requests reach the limit with no method having
     * named the user: the name the requests carried, as sshd says. */
    srv_log(s, LL_ERROR, "maximum authentication attempts exceeded for %s%s "
            "from %s port %d ssh2",
            s->user[0] && (strcmp(s->user, s->io.pw.name) || s->access_denied)
                ? "invalid user " : "",
            s->user[0] ? s->user : s->match_user, s->io.peer, s->io.peer_port);
    srv_log(s, LL_INFO, "Disconnecting %s%s port %d: Too many authentication "
            "failures", w, s->io.peer, s->io.peer_port);
}

void srv_engine_log(void *user, const nssh_log *rec)
{
    dconn *s = user;
    if (rec->err) {   /* the record that ends the connection */
        closing_line(s, rec);
        return;
    }
    if (!log_enabled(ll_of(rec->level)))
        return;
    srv_log(s, ll_of(rec->level), "%s: %s%s%s%s%s", rec->stage ? rec->stage : "?",
            rec->message ? rec->message : "", rec->message ? ": " : "",
            rec->field ? rec->field : "", rec->field ? ": " : "",
            rec->text ? rec->text : "");
}

void srv_log_end(const dconn *s)
{
    char w[NSSH_USER_MAX + 32];
    if (s->io.authenticated) {
        logit(LL_INFO, "Disconnected from user %s %s port %d", s->io.pw.name,
              s->io.peer, s->io.peer_port);
    } else if (s->peer_disconnected) {
        who(s, w, sizeof(w));
        srv_log(s, LL_INFO, "Disconnected from %s%s port %d", w, s->io.peer,
                s->io.peer_port);
    }
}
