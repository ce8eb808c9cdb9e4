/*
 * One connection in its own process: engine set-up from the options and
 * host keys, then the loop, then cleanup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "algs.h"
#include "auth.h"
#include "authmeth.h"
#include "session.h"
#include "forward.h"
#include "moduli.h"
#include "loop.h"
#include "srclimit.h"
#include "startups.h"
#include "privsep.h"

static int last_status = 255;   /* server_exit_status */

/* The adapter's forwarding answers the engine for the connection. */
static void open_reply(void *user, uint32_t ch, int ok, uint32_t reason,
                       nssh_str desc)
{
    dconn *s = user;
    fwd_open_reply(&s->io, ch, ok, reason, desc);
}

static int global_request(void *user, nssh_str name, const uint8_t *data,
                          size_t len, int want_reply, uint8_t *reply,
                          size_t reply_cap, size_t *reply_len)
{
    dconn *s = user;
    return fwd_global_request(&s->io, name, data, len, want_reply, reply,
                              reply_cap, reply_len);
}

static const nssh_callbacks callbacks = {
    .log = srv_engine_log,
    .auth_pubkey = srv_auth_pubkey,
    .auth_result = srv_auth_result,
    .auth_sk = srv_auth_sk,
    .channel_open = sess_open,
    .channel_request = sess_request,
    .channel_data = sess_data,
    .channel_eof = sess_eof,
    .channel_closed = sess_closed,
    .auth_password = srv_auth_password,
    .kbdint_start = srv_kbdint_start,
    .kbdint_respond = srv_kbdint_respond,
    .channel_open_reply = open_reply,
    .global_request = global_request,
    .auth_request = srv_auth_request,
    .global_answer = alive_answer,
    .auth_complete = srv_auth_complete,
    .auth_none = srv_auth_none,
};

/* What the adapter asks the daemon (conn.h). */
static const conn_policy policy = {
    .log = srv_log_line,
    .wait = alive_wait,
    .tick = alive_tick,
    .fwd_local = fwd_policy_local,
    .fwd_remote = fwd_policy_remote,
    .fwd_bind_host = fwd_bind_host,
    .fwd_allowed = fwd_policy_allowed,
    .fwd_settings = fwd_policy_settings,
};

void srv_set_qos(const dconn *s, int interactive)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int tos = interactive ? s->o->ipqos_interactive : s->o->ipqos_bulk;
    if (tos < 0 || getsockname(s->io.fd, (struct sockaddr *)&ss, &len) < 0)
        return;   /* IPQoS none, or not a socket (inetd on a pipe) */
    /* Best effort, as in sshd: a refusal only costs the marking. */
    if (ss.ss_family == AF_INET &&
        setsockopt(s->io.fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == 0)
        log_debug("set_sock_tos: set socket %d IP_TOS 0x%02x", s->io.fd, tos);
    else if (ss.ss_family == AF_INET6 &&
             setsockopt(s->io.fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
                        sizeof(tos)) == 0)
        log_debug("set_sock_tos: set socket %d IPV6_TCLASS 0x%02x", s->io.fd,
                  tos);
}

/* VersionAddendum: appended to the version line after a space, as sshd
 * does; cut so the line stays within RFC 4253's 255 characters. */
static const char *software(const daemon_opts *o)
{
    static char buf[200];
    if (!o->version_addendum || !o->version_addendum[0])
        return NSSHD_SOFTWARE;
    snprintf(buf, sizeof(buf), "%s %s", NSSHD_SOFTWARE, o->version_addendum);
    return buf;
}

/* Algorithms from KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms; the
 * settings Match may change come from srv_engine_opts. */
static void engine_config(dconn *s)
{
    nssh_config *cfg = &s->cfg;
    const daemon_opts *o = s->o;
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = NSSH_ROLE_SERVER;
    cfg->software = software(o);
    cfg->n_kems = algs_kems(&o->kex_algs, s->kems, OPTS_MAX_ALGS);
    cfg->kems = s->kems;
    cfg->n_ciphers = algs_ciphers(&o->ciphers, s->ciphers, OPTS_MAX_ALGS);
    cfg->ciphers = s->ciphers;
    cfg->n_macs = algs_macs(&o->macs, s->macs, OPTS_MAX_ALGS);
    cfg->macs = s->macs;
    cfg->n_hostkeys = algs_hostkeys(&o->hostkey_algs, s->hk, s->hostkeys,
                                    HOSTKEYS_MAX * 2);
    cfg->hostkeys = s->hostkeys;
    cfg->moduli = moduli_get(o->moduli_file, &cfg->n_moduli);
    cfg->gex_max_bits = o->gex_max_bits > 0 ? (uint32_t)o->gex_max_bits : 0;
    cfg->login_grace_ms = (uint32_t)o->grace_seconds * 1000u;
    cfg->rng = nssh_ossl_rng;
    cfg->cb = &callbacks;
    cfg->user = s;
    srv_engine_opts(s);
}

/* The exit status that tells the listener how an unauthenticated
 * connection ended (PerSourcePenalties, srclimit.h), as sshd's session
 * process does; 0 once the user was in. */
static int outcome(const dconn *s)
{
    nssh_conn_info info;
    if (s->io.authenticated)
        return 0;
    if (s->io.c) {
        nssh_conn_get_info(s->io.c, &info);
        startups_kexdh(info.dh_count);
        if (nssh_conn_error(s->io.c) == NSSH_ERR_TIMEOUT)
            return EXIT_LOGIN_GRACE;
    }
    if (s->preauth_status == EXIT_LOGIN_GRACE)   /* privsep: the child's timer */
        return EXIT_LOGIN_GRACE;
    if (s->auth_attempted)
        return s->valid_attempt ? EXIT_AUTH_ATTEMPTED : EXIT_INVALID_USER;
    return 255;
}

/* Everything but the session table, whose used slots
 * pconn_session_release has cleared: wiping all of it would fault in
 * the untouched pages of a slot for every channel number. */
static void wipe_dconn(dconn *s)
{
    unsigned char *p = (unsigned char *)s;
    size_t lo = offsetof(dconn, io) + offsetof(pconn, sess);
    size_t hi = lo + sizeof(s->io.sess);
    explicit_bzero(p, lo);
    explicit_bzero(p + hi, sizeof(*s) - hi);
}

static void cleanup(dconn *s)
{
    int single = s->o->single_process;
    pconn_end_channels(&s->io);   /* the sessions' children hang up */
    if (s->have_kopts)
        authkeys_opts_free(&s->kopts);
    if (s->have_acc_kopts)
        authkeys_opts_free(&s->acc_kopts);
    pamauth_end(s);   /* closes the PAM session, as root */
    authinfo_end(s);  /* ExposeAuthInfo's file */
    authmeth_free(s);
    /* Single-process mode maps the engine's memory on its own (single.c
     * fixes malloc's mmap threshold), so free() gives its pages back to
     * the kernel, which clears them before any reuse; wiping first would
     * fault in every untouched page of the largest-packet buffers. */
    pconn_release(&s->io, !single);
    free(s->banner);
    if (!single)
        wipe_dconn(s);
    free(s);
}

/* The connection's state and engine; sigs: the signals its own loop
 * catches (NULL in single-process mode, where the one loop catches them). */
static dconn *start(int fd, int fd_out, daemon_opts *o, const hostkey_set *hk,
                    const int *sigs, int privsep)
{
    dconn *s = calloc(1, sizeof(*s));
    if (!s) {
        close(fd);
        if (fd_out != fd)
            close(fd_out);
        return NULL;
    }
    pconn_init(&s->io, fd, fd_out, &policy, s);
    s->o = o;
    s->hk = hk;
    log_verbose("Connection from %s port %d on %s port %d", s->io.peer,
                s->io.peer_port, s->io.local, s->io.local_port);
    srv_set_qos(s, 0);   /* IPQoS: bulk until a pty */
    engine_config(s);
    if (privsep)
        privsep_callbacks(s);
    if (pconn_start(&s->io, &s->cfg, sigs) < 0) {
        cleanup(s);
        return NULL;
    }
    return s;
}

int server_run(int fd, int fd_out, daemon_opts *o, const hostkey_set *hk)
{
    static const int sigs[] = { SIGCHLD, 0 };
    dconn *s;
    int e, privsep = o->privsep && geteuid() == 0;
    if (!(s = start(fd, fd_out, o, hk, sigs, privsep)))
        return NSSH_ERR_NOSPACE;
    /* As root with UsePrivilegeSeparation: the pre-auth work in a
     * sandboxed child, this process its monitor (privsep/). */
    e = privsep ? privsep_run(s) : loop_run(&s->io);
    srv_log_end(s);
    last_status = outcome(s);
    cleanup(s);
    return e;
}

dconn *server_new(int fd, daemon_opts *o, const hostkey_set *hk)
{
    return start(fd, fd, o, hk, NULL, 0);
}

int server_end(dconn *s)
{
    int e = nssh_conn_error(s->io.c);
    srv_log_end(s);
    cleanup(s);
    return e;
}

int server_exit_status(void) { return last_status; }

/* -i: the connection is stdin and stdout (one socket from inetd or
 * systemd, or two pipes from ssh's ProxyCommand). They are moved off 0
 * and 1 so that nothing written to stdout by accident reaches the peer;
 * /dev/null takes their place. */
int server_run_inetd(daemon_opts *o, const hostkey_set *hk)
{
    int in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    int out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_RDWR);
    if (in < 0 || out < 0 || null < 0) {
        log_error("inetd mode: %s", strerror(errno));
        return NSSH_ERR_INTERNAL;
    }
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    if (null > STDERR_FILENO)
        close(null);
    fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
    fcntl(out, F_SETFL, fcntl(out, F_GETFL) | O_NONBLOCK);
    return server_run(in, out, o, hk);
}
