/*
 * nanosshd: an SSH server on the nanossh engine, with sshd's command line
 * and configuration keywords for what it supports.
 *
 * Start modes: in the background (default; PidFile), in the foreground
 * (-D, or systemd with or without socket activation), one connection on
 * stdin and stdout (-i: inetd, systemd Accept=yes, ssh's ProxyCommand),
 * one connection in debug mode (-d); -t and -T only check.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "auth.h"
#include "daemon.h"
#include "hostkeys.h"
#include "agent.h"
#include "listener.h"
#include "sd.h"
#include "server.h"
#include "single.h"
#include "privsep.h"
#include "algs.h"
#include "moduli.h"
#include "nanossh_ossl.h"

/* -T: the configuration as a connection described by -C would see it. */
static int show(daemon_opts *o)
{
    match_ctx m = { o->spec_user, o->spec_host ? o->spec_host : o->spec_addr,
                    o->spec_addr, o->spec_laddr, o->spec_lport,
                    o->spec_rdomain, o->spec_invalid_user };
    if (o->spec_set && config_match_apply(o, &m) < 0)
        return 255;
    config_show(o, stdout);
    return 0;
}

/* -t: are there host keys for the HostKeyAlgorithms? */
/* RequiredRSASize: RSA host keys below it are left out, as sshd does
 * ("Host key ...: Invalid key length"). */
static void drop_small_rsa(const daemon_opts *o, hostkey_set *hk)
{
    size_t i = 0, j;
    while (i < hk->n_keys) {
        nssh_key *k = hk->keys[i];
        if (nssh_ossl_key_type(k) != NSSH_KEY_RSA ||
            (long)nssh_ossl_key_bits(k) >= o->required_rsa_size) {
            i++;
            continue;
        }
        log_error("Host key %s: Invalid key length",
                  hk->n_keys == o->n_hostkeys ? o->hostkeys[i] : "(RSA)");
        nssh_ossl_key_free(k);
        free(hk->blobs[i]);
        for (j = i + 1; j < hk->n_keys; j++) {
            hk->keys[j - 1] = hk->keys[j];
            hk->blobs[j - 1] = hk->blobs[j];
            hk->blob_lens[j - 1] = hk->blob_lens[j];
        }
        hk->n_keys--;
    }
}

static int usable_keys(const daemon_opts *o, const hostkey_set *hk)
{
    nssh_hostkey e[HOSTKEYS_MAX * 2];
    if (hk->n_keys && algs_hostkeys(&o->hostkey_algs, hk, e, HOSTKEYS_MAX * 2))
        return 1;
    log_fatal("no host key can sign with any of HostKeyAlgorithms -- exiting.");
    return 0;
}

/* -E: as sshd, the file takes the place of stderr (appended, kept
 * across the restart on SIGHUP), and the log goes there, not to syslog. */
static int log_file(daemon_opts *o)
{
    int fd = open(o->log_file, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, 0600);
    if (fd < 0) {
        fprintf(stderr, "Couldn't open logfile %s: %s\n", o->log_file,
                strerror(errno));
        return NSSH_ERR_FORMAT;
    }
    if (fd != STDERR_FILENO) {
        if (dup2(fd, STDERR_FILENO) < 0) {
            close(fd);
            return NSSH_ERR_FORMAT;
        }
        close(fd);
    }
    o->log_stderr = 1;
    return 0;
}

/* -i: 0 when the connection ended normally (the client closed it), 255
 * when it ended in an error (a bad version line, a failed key exchange),
 * the status sshd's fatal() leaves and ProxyCommand users test for. */
/* HostKeyAgent's socket when the agent answers (sshd: "SSH_AUTH_SOCK"
 * takes the environment's); an agent that cannot be reached is said, and
 * keys that need it are then missing. */
static const char *host_key_agent(const daemon_opts *o)
{
    const char *sock = o->host_key_agent;
    char why[300];
    if (!sock)
        return NULL;
    if (!strcmp(sock, "SSH_AUTH_SOCK"))
        sock = getenv("SSH_AUTH_SOCK");
    if (!sock || agent_check(sock, why, sizeof(why)) < 0) {
        log_error("Could not connect to agent \"%s\": %s", o->host_key_agent,
                  sock ? why : "SSH_AUTH_SOCK is not set");
        return NULL;
    }
    return sock;
}

static int inetd(daemon_opts *o, const hostkey_set *hk)
{
    int e = server_run_inetd(o, hk);
    return e == 0 || e == NSSH_ERR_PEER_DISCONNECT || e == NSSH_ERR_EOF ? 0 : 255;
}

/* NSS loads the modules nsswitch.conf names (systemd, ...) at their
 * first use, and a login's group lookup walks all of them: done once in
 * the listener, their relocated data pages are shared by every
 * connection instead of written again by each (about 20 kB apiece). */
static void nss_preload(void)
{
    gid_t groups[4];
    int n = 4;
    struct passwd *pw = getpwuid(0);
    if (pw)
        (void)getgrouplist(pw->pw_name, pw->pw_gid, groups, &n);
    endpwent();
    endgrent();
}

static int serve(daemon_opts *o, const hostkey_set *hk)
{
    listener l = { { 0 }, 0, 0 };
    size_t n_moduli;
    int code = 255;
    /* Once, before any fork: the connections share the groups and
     * libcrypto's tables instead of each building them at its start.
     * Before the listening line too, which callers take as the sign that
     * signals are handled: this takes a while under sanitizers. */
    moduli_get(o->moduli_file, &n_moduli);
    nssh_ossl_preload();
    nss_preload();
    if (opts_use_pam(o) && geteuid() == 0)
        pamauth_preload(o);
    if ((o->single_process && single_check(o) < 0) || listener_open(&l, o) < 0)
        goto out;
    if (o->log_stderr && isatty(STDERR_FILENO))
        listener_hint(&l);
    if (!o->foreground && daemon_detach(o) < 0)
        goto out;
    if (o->pid_file && pidfile_write(o->pid_file) < 0)
        goto out;
    sd_notify_state("READY=1");
    if (o->single_process && !o->debug)
        code = single_run(&l, o, hk) < 0 ? 255 : 0;
    else
        code = listener_run(&l, o, hk) < 0 ? 255 : 0;
    if (o->pid_file)
        pidfile_remove(o->pid_file);
out:
    listener_close(&l);
    return code;
}

int main(int argc, char **argv)
{
    daemon_opts o;
    hostkey_set hk = { 0 };
    char err[256];
    int code = 255, loaded;
    opts_init(&o);
    if (args_parse(&o, argc, argv, &code) < 0)
        goto out;
    code = 0;
    if (o.exit_now)
        goto out;
    code = 255;
    if (config_load(&o, o.config_file ? o.config_file : NSSHD_CONFIG_FILE,
                    o.config_file != NULL) < 0 || opts_finish(&o) < 0)
        goto out;
    if (authmeth_check(&o, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (o.log_file && log_file(&o) < 0)
        goto out;
    log_setup(o.ident, o.log_level,
              o.log_stderr || o.test_only || o.show_config, o.syslog_facility);
    log_set_verbose(o.log_verbose.v, o.log_verbose.n);
    if (o.show_config) {
        code = show(&o);
        goto out;
    }
    loaded = hostkeys_load_ext(&hk, o.hostkeys, o.n_hostkeys, !o.test_only,
                               o.sk_provider, host_key_agent(&o));
    if (loaded < 0)
        goto out;
    drop_small_rsa(&o, &hk);   /* RequiredRSASize */
    hostkeys_load_certs(&hk, o.host_certs.v, o.host_certs.n);
    if (o.test_only && o.n_hostkeys && !usable_keys(&o, &hk))
        goto out;
    /* Like sshd -t, the test mode also checks what privilege separation
     * needs (its user, its directory) when it would be used. */
    if (privsep_ready(&o) < 0)
        ;   /* logged */
    else if (o.test_only)
        code = 0;
    else if (o.inetd)
        code = inetd(&o, &hk);
    else if (usable_keys(&o, &hk))
        code = serve(&o, &hk);
out:
    log_set_verbose(NULL, 0);
    hostkeys_free(&hk);
    opts_free(&o);
    return code;
}
