/*
 * One connection in its own process: engine set-up from the options and
 * host keys, then the loop, then cleanup.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "algs.h"
#include "auth.h"
#include "session.h"
#include "forward.h"
#include "moduli.h"
#include "selfpipe.h"
#include "loop.h"
#include "privsep.h"

static const nssh_callbacks callbacks = {
    .log = srv_engine_log,
    .auth_pubkey = srv_auth_pubkey,
    .auth_result = srv_auth_result,
    .channel_open = sess_open,
    .channel_request = sess_request,
    .channel_data = sess_data,
    .channel_eof = sess_eof,
    .channel_closed = sess_closed,
    .auth_password = srv_auth_password,
    .kbdint_start = srv_kbdint_start,
    .kbdint_respond = srv_kbdint_respond,
    .channel_open_reply = fwd_open_reply,
    .global_request = fwd_global_request,
    .auth_request = srv_auth_request,
    .global_answer = alive_answer,
};

/* Address text as sshd prints it: IPv4-mapped IPv6 shown as IPv4. */
static void addr_text(const struct sockaddr_storage *ss, char *out, size_t cap,
                      int *port)
{
    const struct sockaddr_in6 *s6 = (const void *)ss;
    const struct sockaddr_in *s4 = (const void *)ss;
    struct in_addr v4;
    strncpy(out, "UNKNOWN", cap);
    *port = 0;
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)cap);
        *port = ntohs(s4->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        *port = ntohs(s6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            memcpy(&v4, s6->sin6_addr.s6_addr + 12, 4);
            inet_ntop(AF_INET, &v4, out, (socklen_t)cap);
        } else {
            inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)cap);
        }
    }
}

static void peer_names(srv *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (getpeername(s->fd, (struct sockaddr *)&ss, &len) == 0)
        addr_text(&ss, s->peer, sizeof(s->peer), &s->peer_port);
    len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == 0)
        addr_text(&ss, s->local, sizeof(s->local), &s->local_port);
}

void srv_set_qos(const srv *s, int interactive)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int tos = interactive ? s->o->ipqos_interactive : s->o->ipqos_bulk;
    if (tos < 0 || getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0)
        return;   /* IPQoS none, or not a socket (inetd on a pipe) */
    /* Best effort, as in sshd: a refusal only costs the marking. */
    if (ss.ss_family == AF_INET &&
        setsockopt(s->fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == 0)
        log_debug("set_sock_tos: set socket %d IP_TOS 0x%02x", s->fd, tos);
    else if (ss.ss_family == AF_INET6 &&
             setsockopt(s->fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) == 0)
        log_debug("set_sock_tos: set socket %d IPV6_TCLASS 0x%02x", s->fd, tos);
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
static void engine_config(srv *s)
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
    cfg->login_grace_ms = (uint32_t)o->grace_seconds * 1000u;
    cfg->rng = nssh_ossl_rng;
    cfg->cb = &callbacks;
    cfg->user = s;
    srv_engine_opts(s);
}

static void cleanup(srv *s)
{
    size_t i;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        if (s->sess[i].used)
            sess_release(s, &s->sess[i]);
    fwd_release_all(s);
    if (s->have_kopts)
        authkeys_opts_free(&s->kopts);
    pamauth_end(s);   /* closes the PAM session, as root */
    selfpipe_close();
    close(s->fd);
    if (s->fd_out != s->fd)
        close(s->fd_out);
    free(s->banner);
    nssh_conn_release(s->c);   /* the backend's contexts, keys wiped */
    if (s->mem)
        explicit_bzero(s->mem, nssh_conn_mem_size());
    free(s->mem);
    explicit_bzero(s, sizeof(*s));
    free(s);
}

int server_run(int fd, int fd_out, daemon_opts *o, const hostkey_set *hk)
{
    static const int sigs[] = { SIGCHLD, 0 };
    srv *s = calloc(1, sizeof(*s));
    size_t size = nssh_conn_mem_size();
    int e = NSSH_ERR_NOSPACE, privsep;
    if (!s) {
        close(fd);
        if (fd_out != fd)
            close(fd_out);
        return e;
    }
    s->o = o;
    s->hk = hk;
    s->fd = fd;
    s->fd_out = fd_out;
    signal(SIGPIPE, SIG_IGN);
    peer_names(s);
    log_verbose("Connection from %s port %d on %s port %d", s->peer,
                s->peer_port, s->local, s->local_port);
    srv_set_qos(s, 0);   /* IPQoS: bulk until a pty */
    if ((s->sig_fd = selfpipe_open(sigs)) < 0 ||
        posix_memalign(&s->mem, 16, size) != 0) {
        log_error("out of resources for connection from %s port %d", s->peer,
                  s->peer_port);
        goto out;
    }
    engine_config(s);
    privsep = s->o->privsep && geteuid() == 0;
    if (privsep)
        privsep_callbacks(s);
    s->now = loop_now_ms();
    if (!(s->c = nssh_conn_init(s->mem, size, &s->cfg, s->now))) {
        log_error("engine refused the configuration");
        e = NSSH_ERR_INTERNAL;
        goto out;
    }
    /* As root with UsePrivilegeSeparation: the pre-auth work in a
     * sandboxed child, this process its monitor (privsep/). */
    e = privsep ? privsep_run(s) : loop_run(s);
    srv_log_end(s);
out:
    cleanup(s);
    return e;
}

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
