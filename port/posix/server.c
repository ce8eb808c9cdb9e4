/*
 * One connection in its own process: engine set-up from the options and
 * host keys, then the loop, then cleanup.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "moduli.h"
#include "selfpipe.h"
#include "loop.h"

static const nssh_callbacks callbacks = {
    .log = srv_engine_log,
    .auth_pubkey = srv_auth_pubkey,
    .auth_result = srv_auth_result,
    .channel_open = sess_open,
    .channel_request = sess_request,
    .channel_data = sess_data,
    .channel_eof = sess_eof,
    .channel_closed = sess_closed,
};

static size_t count(const void *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

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

static void engine_config(srv *s)
{
    nssh_config *cfg = &s->cfg;
    const daemon_opts *o = s->o;
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = NSSH_ROLE_SERVER;
    cfg->software = NSSHD_SOFTWARE;
    cfg->kems = nssh_ossl_kems;
    cfg->n_kems = count((const void *const *)nssh_ossl_kems);
    cfg->ciphers = nssh_ossl_ciphers;
    cfg->n_ciphers = count((const void *const *)nssh_ossl_ciphers);
    cfg->macs = nssh_ossl_macs;
    cfg->n_macs = count((const void *const *)nssh_ossl_macs);
    cfg->sig_algs = nssh_ossl_sig_algs;
    cfg->n_sig_algs = count((const void *const *)nssh_ossl_sig_algs);
    cfg->hostkeys = s->hk->entries;
    cfg->n_hostkeys = s->hk->n_entries;
    cfg->moduli = moduli_get(&cfg->n_moduli);
    cfg->auth_methods = NSSH_METHOD_PUBLICKEY;
    cfg->auth_max_tries = (uint32_t)o->max_auth_tries;
    cfg->login_grace_ms = (uint32_t)o->grace_seconds * 1000u;
    cfg->rekey_bytes = o->rekey_bytes;
    cfg->rekey_seconds = o->rekey_seconds;
    cfg->rng = nssh_ossl_rng;
    cfg->cb = &callbacks;
    cfg->user = s;
}

static void cleanup(srv *s)
{
    size_t i;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        if (s->sess[i].used)
            sess_release(s, &s->sess[i]);
    if (s->have_kopts)
        authkeys_opts_free(&s->kopts);
    selfpipe_close();
    close(s->fd);
    nssh_conn_release(s->c);   /* the backend's contexts, keys wiped */
    if (s->mem)
        explicit_bzero(s->mem, nssh_conn_mem_size());
    free(s->mem);
    explicit_bzero(s, sizeof(*s));
    free(s);
}

int server_run(int fd, const daemon_opts *o, const hostkey_set *hk)
{
    static const int sigs[] = { SIGCHLD, 0 };
    srv *s = calloc(1, sizeof(*s));
    size_t size = nssh_conn_mem_size();
    int e = NSSH_ERR_NOSPACE;
    if (!s) {
        close(fd);
        return e;
    }
    s->o = o;
    s->hk = hk;
    s->fd = fd;
    signal(SIGPIPE, SIG_IGN);
    peer_names(s);
    log_verbose("Connection from %s port %d on %s port %d", s->peer,
                s->peer_port, s->local, s->local_port);
    if ((s->sig_fd = selfpipe_open(sigs)) < 0 ||
        posix_memalign(&s->mem, 16, size) != 0) {
        log_error("out of resources for connection from %s port %d", s->peer,
                  s->peer_port);
        goto out;
    }
    engine_config(s);
    s->now = loop_now_ms();
    if (!(s->c = nssh_conn_init(s->mem, size, &s->cfg, s->now))) {
        log_error("engine refused the configuration");
        e = NSSH_ERR_INTERNAL;
        goto out;
    }
    e = loop_run(s);
    srv_log_end(s);
out:
    cleanup(s);
    return e;
}
