/*
 * -T: the effective configuration, one "keyword value" line each (lists
 * one line per value), keywords in lower case, as sshd -T prints it.
 * Also the show and reset functions of keywords kept in fields of their
 * own shape.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "optval.h"
#include "hostkeys.h"

void config_show(const daemon_opts *o, FILE *f)
{
    char lower[64];
    size_t i, j;
    for (i = 0; i < config_n_keywords; i++) {
        const keyword *k = &config_keywords[i];
        if (k->type == KT_CUSTOM && !k->show)
            continue;   /* another name of a keyword shown already */
        for (j = 0; k->name[j] && j < sizeof(lower) - 1; j++)
            lower[j] = (char)tolower((unsigned char)k->name[j]);
        lower[j] = 0;
        kw_show_typed(k, o, lower, f);
    }
}

void show_port(const daemon_opts *o, const char *name, FILE *f)
{
    size_t i;
    for (i = 0; i < o->n_ports; i++)
        fprintf(f, "%s %d\n", name, o->ports[i]);
}

static void show_addr(const daemon_opts *o, const char *name, const char *host,
                      int port, FILE *f)
{
    if (host[0])
        fprintf(f, strchr(host, ':') ? "%s [%s]:%d\n" : "%s %s:%d\n", name,
                host, port);
    else {
        if (o->address_family != AF_INET)
            fprintf(f, "%s [::]:%d\n", name, port);
        if (o->address_family != AF_INET6)
            fprintf(f, "%s 0.0.0.0:%d\n", name, port);
    }
}

void show_listen(const daemon_opts *o, const char *name, FILE *f)
{
    size_t i, j;
    for (i = 0; i < o->n_listen; i++) {
        if (o->listen[i].port)
            show_addr(o, name, o->listen[i].host, o->listen[i].port, f);
        else
            for (j = 0; j < o->n_ports; j++)
                show_addr(o, name, o->listen[i].host, o->ports[j], f);
    }
}

void show_hostkey(const daemon_opts *o, const char *name, FILE *f)
{
    static const char *const types[] = { "ed25519", "rsa" };   /* hostkeys.c */
    char dir[4096];
    size_t i;
    for (i = 0; i < o->n_hostkeys; i++)
        fprintf(f, "%s %s\n", name, o->hostkeys[i]);
    if (o->n_hostkeys == 0 && hostkeys_state_dir(dir, sizeof(dir)) == 0)
        for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            fprintf(f, "%s %s/ssh_host_%s_key\n", name, dir, types[i]);
}

void show_akfile(const daemon_opts *o, const char *name, FILE *f)
{
    size_t i;
    fprintf(f, "%s", name);
    for (i = 0; i < o->n_akfiles; i++)
        fprintf(f, " %s", o->akfiles[i]);
    fprintf(f, "%s\n", o->n_akfiles ? "" : " none");
}

void show_loglevel(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %s\n", name, log_level_name(o->log_level));
}

void show_rekey(const daemon_opts *o, const char *name, FILE *f)
{
    if (o->rekey_bytes == UINT64_MAX)
        fprintf(f, "%s none %u\n", name, (unsigned)o->rekey_seconds);
    else
        fprintf(f, "%s %llu %u\n", name, (unsigned long long)o->rekey_bytes,
                (unsigned)o->rekey_seconds);
}

static void show_qos(int tos, FILE *f)
{
    const char *n = config_qos_name(tos);
    if (n)
        fputs(n, f);
    else
        fprintf(f, "0x%02x", (unsigned)tos);
}

void show_ipqos(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s ", name);
    show_qos(o->ipqos_interactive, f);
    fputc(' ', f);
    show_qos(o->ipqos_bulk, f);
    fputc('\n', f);
}

void show_acceptenv(const daemon_opts *o, const char *name, FILE *f)
{
    size_t i;
    for (i = 0; i < o->n_accept_env; i++)
        fprintf(f, "%s %s\n", name, o->accept_env[i]);
}

void show_pidfile(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %s\n", name, o->pid_file ? o->pid_file : "none");
}

void show_startups(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %d:%d:%d\n", name, o->startups_begin, o->startups_rate,
            o->startups_full);
}

void show_subsystem(const daemon_opts *o, const char *name, FILE *f)
{
    size_t i;
    const char *sftp = opts_subsystem(o, "sftp");
    for (i = 0; i < o->n_subsys; i++)
        fprintf(f, "%s %s %s\n", name, o->subsys_name[i], o->subsys_cmd[i]);
    if (!o->subsys_set && sftp)
        fprintf(f, "%s sftp %s\n", name, sftp);
}

void show_allow_tcp_fwd(const daemon_opts *o, const char *name, FILE *f)
{
    static const char *const v[] = { "yes", "yes", "no", "local", "remote" };
    int i = o->allow_tcp_fwd;
    fprintf(f, "%s %s\n", name, i >= 0 && i <= FWD_ALLOW_REMOTE ? v[i] : "?");
}

void show_gateway_ports(const daemon_opts *o, const char *name, FILE *f)
{
    static const char *const v[] = { "no", "no", "yes", "clientspecified" };
    int i = o->gateway_ports;
    fprintf(f, "%s %s\n", name, i >= 0 && i <= GATEWAY_CLIENTSPECIFIED ? v[i] : "?");
}

static void show_permit(int mode, char *const *list, size_t n,
                        const char *name, FILE *f)
{
    size_t i;
    if (mode != PERMIT_LIST) {
        fprintf(f, "%s %s\n", name, mode == PERMIT_NONE ? "none" : "any");
        return;
    }
    fprintf(f, "%s", name);
    for (i = 0; i < n; i++)
        fprintf(f, " %s", list[i]);
    fputc('\n', f);
}

void show_permit_open(const daemon_opts *o, const char *name, FILE *f)
{
    show_permit(o->permit_open_mode, o->permit_open, o->n_permit_open, name, f);
}

void show_permit_listen(const daemon_opts *o, const char *name, FILE *f)
{
    show_permit(o->permit_listen_mode, o->permit_listen, o->n_permit_listen,
                name, f);
}

static void show_yesno(int v, const char *name, FILE *f)
{
    fprintf(f, "%s %s\n", name, v == YESNO_NO ? "no" : "yes");
}

void show_password_auth(const daemon_opts *o, const char *name, FILE *f)
{
    show_yesno(o->password_auth, name, f);
}

void show_kbdint_auth(const daemon_opts *o, const char *name, FILE *f)
{
    show_yesno(o->kbdint_auth, name, f);
}

void show_use_pam(const daemon_opts *o, const char *name, FILE *f)
{
    show_yesno(o->use_pam, name, f);
}

void show_permit_user_env(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %s\n", name, o->permit_user_env ? o->permit_user_env : "no");
}

void show_permit_root(const daemon_opts *o, const char *name, FILE *f)
{
    static const char *const v[] = { "prohibit-password", "prohibit-password",
                                     "yes", "forced-commands-only", "no" };
    int i = opts_permit_root(o);
    fprintf(f, "%s %s\n", name, i >= 0 && i <= ROOT_NO ? v[i] : "?");
}

/* Back to "not set" before a Match block's value. */
void reset_allow_tcp_fwd(daemon_opts *o) { o->allow_tcp_fwd = 0; }
void reset_gateway_ports(daemon_opts *o) { o->gateway_ports = 0; }
void reset_password_auth(daemon_opts *o) { o->password_auth = 0; }
void reset_kbdint_auth(daemon_opts *o) { o->kbdint_auth = 0; }
void reset_permit_root(daemon_opts *o) { o->permit_root = 0; }

void reset_permit_open(daemon_opts *o)
{
    opts_free_strs(o->permit_open, &o->n_permit_open);
    o->permit_open_mode = 0;
}

void reset_permit_listen(daemon_opts *o)
{
    opts_free_strs(o->permit_listen, &o->n_permit_listen);
    o->permit_listen_mode = 0;
}
