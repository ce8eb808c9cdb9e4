/*
 * Per-user settings, at a connection's first USERAUTH_REQUEST (the
 * engine's auth_request callback): the Match blocks for this user and
 * client, DenyUsers / AllowUsers / DenyGroups / AllowGroups, and the
 * Banner. As in sshd, the user name may not change afterwards.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "session.h"
#include "access.h"
#include "auth.h"
#include "authmeth.h"
#include "algs.h"
#include "files.h"

/* sshd reads a Banner file of at most 1 MiB (auth2_read_banner); the
 * engine sends what fits in one packet. */
#define BANNER_MAX (1024u * 1024u)

void srv_engine_opts(dconn *s)
{
    nssh_config *cfg = &s->cfg;
    const daemon_opts *o = s->o;
    s->enabled_methods = (o->pubkey_auth > 0 ? NSSH_METHOD_PUBLICKEY : 0) |
        (opts_password_auth(o) ? NSSH_METHOD_PASSWORD : 0) |
        (opts_kbdint_auth(o) ? NSSH_METHOD_KBDINT : 0);
    cfg->auth_methods = authmeth_engine_bits(s, s->enabled_methods);
    cfg->auth_max_tries = (uint32_t)o->max_auth_tries;
    cfg->rekey_bytes = o->rekey_bytes;
    cfg->rekey_seconds = o->rekey_seconds;
    cfg->n_sig_algs = algs_sigs(&o->pubkey_algs, s->sigs, OPTS_MAX_ALGS);
    cfg->sig_algs = s->sigs;
}

static void load_banner(dconn *s)
{
    const char *path = s->o->banner;
    char *text = NULL;
    size_t len;
    free(s->banner);
    s->banner = NULL;
    s->cfg.banner = NULL;
    if (!path || !*path)
        return;
    if (file_read(path, BANNER_MAX, &text, &len, NULL, 0) < 0) {
        log_error("Banner: cannot read \"%s\" (missing, unreadable or over "
                  "%u bytes)", path, BANNER_MAX);
        return;
    }
    s->banner = text;
    s->cfg.banner = text;
}

/* Match RDomain: the VRF device the connection's socket is bound to, as
 * sshd reads it on Linux (SO_BINDTODEVICE; "" when unbound); NULL when
 * the descriptor is not a socket (inetd mode on a pipe). */
static const char *rdomain_of(int fd, char *dev, size_t cap)
{
    socklen_t len = (socklen_t)(cap - 1);
    if (cap < 2 || getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) < 0)
        return NULL;
    dev[len < cap ? len : cap - 1] = 0;
    return dev;
}

static void changed_user(dconn *s, const char *name)
{
    int known = s->io.pw.name[0] && !strcmp(s->io.pw.name, s->match_user);
    srv_log(s, LL_INFO, "Disconnecting %s user %s %s port %d: Change of "
            "username or service not allowed: (%s,ssh-connection) -> "
            "(%s,ssh-connection)", known ? "authenticating" : "invalid",
            s->match_user, s->io.peer, s->io.peer_port, s->match_user, name);
    s->end_logged = 1;
    nssh_conn_disconnect(s->io.c, NSSH_DISC_PROTOCOL_ERROR,
                         "Change of username or service not allowed");
}

/* Only for an existing account, as in sshd; an unknown one is an
 * invalid user already. */
static void check_access(dconn *s, const char *name)
{
    user_info u;
    char why[128];
    if (user_lookup(name, &u) < 0)
        return;
    if (access_user_allowed(s->o, name, s->io.peer, why, sizeof(why)))
        return;
    s->access_denied = 1;
    logit(LL_INFO, "User %s from %s not allowed because %s", name, s->io.peer,
          why);
}

void srv_auth_request(void *user, nssh_str username, nssh_str method)
{
    dconn *s = user;
    char name[NSSH_USER_MAX + 1], rdomain[IFNAMSIZ + 1];
    user_info u;
    match_ctx m;
    (void)method;
    username = srv_user_part(username);
    memcpy(name, username.p, username.n);   /* the engine checked the size */
    name[username.n] = 0;
    if (s->user_fixed) {
        if (strcmp(name, s->match_user))
            changed_user(s, name);
        return;
    }
    s->user_fixed = 1;
    snprintf(s->match_user, sizeof(s->match_user), "%s", name);
    memset(&m, 0, sizeof(m));
    m.user = name;
    m.host = s->io.peer;   /* no name lookups (UseDNS no) */
    m.addr = s->io.peer;
    m.laddr = s->io.local;
    m.lport = s->io.local_port;
    m.rdomain = rdomain_of(s->io.fd, rdomain, sizeof(rdomain));
    m.user_invalid = user_lookup(name, &u) < 0;
    /* Single-process mode has no Match blocks (single.c): the options
     * are every connection's and stay as they are. */
    if (!s->o->single_process && config_match_apply(s->o, &m) < 0) {
        s->end_logged = 1;
        nssh_conn_disconnect(s->io.c, NSSH_DISC_BY_APPLICATION,
                             "server configuration error");
        return;
    }
    log_set_level(s->o->log_level);
    if (authmeth_setup(s) < 0) {
        s->end_logged = 1;
        nssh_conn_disconnect(s->io.c, NSSH_DISC_NO_MORE_AUTH_METHODS,
                             "no authentication methods enabled");
        return;
    }
    srv_engine_opts(s);
    load_banner(s);
    check_access(s, name);
}
