/*
 * Who may forward what (sshd_config(5) AllowTcpForwarding, GatewayPorts,
 * PermitOpen, PermitListen, AllowStreamLocalForwarding,
 * AllowAgentForwarding, X11Forwarding, DisableForwarding; sshd(8)
 * authorized_keys no-port-forwarding, no-agent-forwarding,
 * no-X11-forwarding, restrict, permitopen, permitlisten). The server's
 * list and the key's list must both allow a forwarding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "session.h"
#include "pattern.h"

/* "*" or the same number. */
static int port_match(const char *spec, int port)
{
    char *end;
    long v;
    if (!strcmp(spec, "*"))
        return 1;
    v = strtol(spec, &end, 10);
    return !*end && v == port;
}

/* PermitOpen / permitopen: host and port as written; '*' for any host
 * or port. Names are compared as text, not looked up (as sshd does). */
static int open_entry_match(const char *entry, const char *host, int port)
{
    char eh[OPTS_HOST_MAX], ep[16];
    if (permit_split(entry, eh, sizeof(eh), ep, sizeof(ep)) < 0 || !eh[0])
        return 0;
    return (!strcmp(eh, "*") || !strcmp(eh, host)) && port_match(ep, port);
}

/* PermitListen / permitlisten: a bare "port" allows any listen address
 * ("*:port", as sshd reads both); a host may be a pattern. */
static int listen_entry_match(const char *entry, const char *host, int port)
{
    char eh[OPTS_HOST_MAX], ep[16];
    if (permit_split(entry, eh, sizeof(eh), ep, sizeof(ep)) < 0)
        return 0;
    if (!port_match(ep, port))
        return 0;
    if (!eh[0])
        return 1;
    return !strcmp(eh, "*") || match_pattern_list(host, eh) == 1;
}

static int any_match(char *const *list, size_t n, const char *host, int port,
                     int (*match)(const char *, const char *, int))
{
    size_t i;
    for (i = 0; i < n; i++)
        if (match(list[i], host, port))
            return 1;
    return 0;
}

/* Both lists allow it: the server's (mode and entries) and, when the key
 * has any, the key's. */
static int lists_allow(int mode, char *const *cfg, size_t n_cfg,
                       char *const *key, size_t n_key, const char *host,
                       int port, int (*match)(const char *, const char *, int))
{
    if (mode == PERMIT_NONE)
        return 0;
    if (mode == PERMIT_LIST && !any_match(cfg, n_cfg, host, port, match))
        return 0;
    return n_key == 0 || any_match(key, n_key, host, port, match);
}

static int key_forbids(const dconn *s)
{
    return s->have_kopts && s->kopts.no_port_forwarding;
}

int fwd_policy_local(void *app, const char *host, int port, const char *orig,
                     int orig_port, const char **why)
{
    const dconn *s = app;
    const daemon_opts *o = s->o;
    int allowed = !o->disable_forwarding &&
                  (o->allow_tcp_fwd == 0 || o->allow_tcp_fwd == FWD_ALLOW_ALL ||
                   o->allow_tcp_fwd == FWD_ALLOW_LOCAL);
    if (!allowed || key_forbids(s)) {
        logit(LL_INFO, "refused local port forward: originator %s port %d, "
              "target %s port %d%s", orig, orig_port, host, port,
              allowed ? " (no-port-forwarding in authorized_keys)" : "");
        *why = allowed ? "port forwarding is not allowed for this key"
                       : "TCP forwarding is disabled on this server";
        return 0;
    }
    if (!lists_allow(o->permit_open_mode, o->permit_open, o->n_permit_open,
                     s->have_kopts ? s->kopts.permitopen : NULL,
                     s->have_kopts ? s->kopts.n_permitopen : 0, host, port,
                     open_entry_match)) {
        logit(LL_INFO, "Received request from %s port %d to connect to host "
              "%s port %d, but the request was denied.", orig, orig_port,
              host, port);
        *why = "this destination is not permitted";
        return 0;
    }
    return 1;
}

int fwd_policy_remote(void *app, const char *host, int port)
{
    const dconn *s = app;
    const daemon_opts *o = s->o;
    int allowed = !o->disable_forwarding &&
                  (o->allow_tcp_fwd == 0 || o->allow_tcp_fwd == FWD_ALLOW_ALL ||
                   o->allow_tcp_fwd == FWD_ALLOW_REMOTE);
    if (!allowed || key_forbids(s)) {
        logit(LL_INFO, "refused remote port forward: listen %s port %d for "
              "user %s%s", host, port, s->io.pw.name,
              allowed ? " (no-port-forwarding in authorized_keys)" : "");
        return 0;
    }
    /* Only root may listen on a privileged port, as with any program. */
    if (port != 0 && port < 1024 && s->io.pw.uid != 0) {
        logit(LL_INFO, "refused remote port forward: user %s may not listen "
              "on privileged port %d", s->io.pw.name, port);
        return 0;
    }
    if (!lists_allow(o->permit_listen_mode, o->permit_listen,
                     o->n_permit_listen,
                     s->have_kopts ? s->kopts.permitlisten : NULL,
                     s->have_kopts ? s->kopts.n_permitlisten : 0, host, port,
                     listen_entry_match)) {
        logit(LL_INFO, "Received request from %s port %d to remote forward "
              "to host %s port %d, but the request was denied.", s->io.peer,
              s->io.peer_port, host, port);
        return 0;
    }
    return 1;
}

/* GatewayPorts no: loopback only, whatever was asked; yes: every
 * address; clientspecified: what was asked, "" or "*" meaning every
 * address and "localhost" the loopback addresses. */
const char *fwd_bind_host(void *app, const char *host)
{
    const dconn *s = app;
    switch (s->o->gateway_ports) {
    case GATEWAY_YES:
        return "";
    case GATEWAY_CLIENTSPECIFIED:
        if (!host[0] || !strcmp(host, "*"))
            return "";
        if (!strcasecmp(host, "localhost"))
            return NULL;
        return host;
    default:
        return NULL;
    }
}

static int mode_allows(int mode, int want)
{
    return mode == 0 || mode == FWD_ALLOW_ALL || mode == want;
}

/* The one check of each kind besides TCP; DisableForwarding switches
 * every kind off, as in sshd. */
int fwd_policy_allowed(void *app, int kind, const char *what)
{
    const dconn *s = app;
    const daemon_opts *o = s->o;
    int cfg = 0, key = 0;
    switch (kind) {
    case FWD_KIND_STREAMLOCAL_LOCAL:
    case FWD_KIND_STREAMLOCAL_REMOTE:
        cfg = mode_allows(o->allow_streamlocal_fwd,
                          kind == FWD_KIND_STREAMLOCAL_LOCAL ? FWD_ALLOW_LOCAL
                                                             : FWD_ALLOW_REMOTE);
        key = !key_forbids(s);
        break;
    case FWD_KIND_AGENT:
        cfg = o->allow_agent_fwd > 0;
        key = !(s->have_kopts && s->kopts.no_agent_forwarding);
        break;
    case FWD_KIND_X11:
        cfg = o->x11_forwarding > 0;
        key = !(s->have_kopts && s->kopts.no_x11_forwarding);
        break;
    default:
        return 0;
    }
    if (cfg && key && !o->disable_forwarding)
        return 1;
    switch (kind) {
    case FWD_KIND_STREAMLOCAL_LOCAL:
        logit(LL_INFO, "refused streamlocal port forward: originator %s "
              "port %d, target %s%s", s->io.peer, s->io.peer_port,
              what ? what : "", key ? "" : " (no-port-forwarding in "
              "authorized_keys)");
        break;
    case FWD_KIND_STREAMLOCAL_REMOTE:
        logit(LL_INFO, "refused remote streamlocal forward: listen %s for "
              "user %s%s", what ? what : "", s->io.pw.name,
              key ? "" : " (no-port-forwarding in authorized_keys)");
        break;
    case FWD_KIND_AGENT:
        logit(LL_VERBOSE, "agent forwarding disabled for %s%s",
              s->io.pw.name, key ? "" : " by authorized_keys");
        break;
    default:
        logit(LL_VERBOSE, "X11 forwarding disabled for %s%s", s->io.pw.name,
              key ? "" : " by key options");
        break;
    }
    return 0;
}

void fwd_policy_settings(void *app, fwd_settings *out)
{
    const dconn *s = app;
    const daemon_opts *o = s->o;
    out->bind_mask = o->streamlocal_bind_mask < 0
                         ? 0177u : (unsigned)o->streamlocal_bind_mask;
    out->bind_unlink = o->streamlocal_bind_unlink > 0;
    out->x11_offset = (int)o->x11_display_offset;
    out->x11_localhost = o->x11_use_localhost != 0;
    out->xauth = o->xauth_location ? o->xauth_location : "";
}
