/*
 * sshd(8)'s command-line flags that nanosshd supports.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "args.h"
#include "optval.h"
#include "algs.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: nanosshd [-DdeiqTtV] [-C connection_spec] [-E log_file]\n"
        "                [-f config_file] [-h host_key_file] [-o option]\n"
        "                [-p port] [-Q kex|cipher|mac|key]\n"
        "\n"
        "  -C spec     with -T: apply the Match blocks for this connection,\n"
        "              \"user=NAME,addr=ADDR,host=NAME,laddr=ADDR,lport=PORT,\n"
        "              rdomain=NAME,invalid-user\"\n"
        "  -D          do not detach (run in the foreground)\n"
        "  -d          debug: foreground, log to stderr at DEBUG, serve one\n"
        "              connection and exit (-dd, -ddd for more)\n"
        "  -E file     append log lines to file instead of syslog\n"
        "  -e          log to stderr instead of syslog\n"
        "  -f file     configuration file (default " NSSHD_CONFIG_FILE ")\n"
        "  -h file     host key file (repeatable)\n"
        "  -i          inetd mode: serve one connection on stdin and stdout\n"
        "  -o option   sshd_config line, \"Keyword=value\" (repeatable)\n"
        "  -p port     listen on this port (repeatable)\n"
        "  -Q what     list the supported kex, cipher, mac or key algorithms\n"
        "  -q          quiet: log nothing\n"
        "  -T          check the configuration and print the effective one\n"
        "  -t          check the configuration and host keys, then exit\n"
        "  -V          print the version and exit\n"
        "\n"
        "The configuration file uses sshd_config syntax and keywords; see\n"
        "nanosshd_config(5), and nanosshd(8) for the start modes (foreground,\n"
        "background with PidFile, inetd, systemd socket activation) and the\n"
        "signals (SIGHUP re-reads the configuration, SIGTERM stops).\n"
        "Without HostKey, keys are kept (and made on first start) in\n"
        "$NANOSSH_STATE_DIR, /var/lib/nanossh for root, or\n"
        "$XDG_STATE_HOME/nanossh (~/.local/state/nanossh).\n");
}

/* -C: "key=value" pairs separated by commas (sshd(8) -C). */
static int conn_spec(daemon_opts *o, const char *spec)
{
    char buf[1024], *p = buf, *kv, *v, **dst;
    if (strlen(spec) >= sizeof(buf))
        return NSSH_ERR_FORMAT;
    strcpy(buf, spec);
    while ((kv = strsep(&p, ",")) != NULL) {
        if (!*kv)
            continue;   /* an empty item ("user=u,"), which sshd passes over */
        if (!strcmp(kv, "invalid-user")) {   /* sshd: the user has no account */
            o->spec_invalid_user = 1;
            continue;
        }
        if (!(v = strchr(kv, '=')) || v == kv)
            return NSSH_ERR_FORMAT;
        *v++ = 0;
        if (!strcmp(kv, "lport")) {
            if (optval_port(v, &o->spec_lport) < 0)
                return NSSH_ERR_FORMAT;
            continue;
        }
        if (!strcmp(kv, "user"))
            dst = &o->spec_user;
        else if (!strcmp(kv, "host"))
            dst = &o->spec_host;
        else if (!strcmp(kv, "addr"))
            dst = &o->spec_addr;
        else if (!strcmp(kv, "laddr"))
            dst = &o->spec_laddr;
        else if (!strcmp(kv, "rdomain"))
            dst = &o->spec_rdomain;
        else
            return NSSH_ERR_FORMAT;
        free(*dst);
        if (!(*dst = strdup(v)))
            return NSSH_ERR_NOSPACE;
    }
    o->spec_set = 1;
    return 0;
}

static int one_flag(daemon_opts *o, int ch, unsigned *n_o, int *quiet)
{
    char err[1024];
    int port;
    switch (ch) {
    case 'd': o->debug++; return 0;
    case 'D': o->foreground = 1; return 0;
    case 'e': o->log_stderr = 1; return 0;
    case 'E': o->log_file = optarg; return 0;
    case 'Q':
        if (algs_query(optarg, stdout) < 0) {
            fprintf(stderr, "Unsupported query \"%s\" (kex, cipher, mac or "
                    "key)\n", optarg);
            return NSSH_ERR_FORMAT;
        }
        o->exit_now = 1;
        return 0;
    case 't': o->test_only = 1; return 0;
    case 'T': o->show_config = 1; return 0;
    case 'i': o->inetd = 1; return 0;
    case 'C':
        if (conn_spec(o, optarg) < 0) {
            fprintf(stderr, "Invalid test mode specification %s\n", optarg);
            return NSSH_ERR_FORMAT;
        }
        return 0;
    case 'q': *quiet = 1; return 0;
    case 'f': o->config_file = optarg; return 0;
    case 'h':
        if (o->n_hostkeys >= OPTS_MAX_HOSTKEYS ||
            !(o->hostkeys[o->n_hostkeys] = strdup(optarg))) {
            fprintf(stderr, "too many host keys\n");
            return NSSH_ERR_NOSPACE;
        }
        o->n_hostkeys++;
        return 0;
    case 'p':
        if (optval_port(optarg, &port) < 0 || o->n_ports >= OPTS_MAX_PORTS) {
            fprintf(stderr, "Bad port number: %s\n", optarg);
            return NSSH_ERR_FORMAT;
        }
        o->ports_from_cmdline = 1;
        o->ports[o->n_ports++] = port;
        return 0;
    case 'o':
        if (config_line(o, optarg, "command-line", ++*n_o, err, sizeof(err)) < 0) {
            fprintf(stderr, "%s\n", err);
            return NSSH_ERR_FORMAT;
        }
        return 0;
    case 'V':
        printf("%s, %s\n", NSSHD_SOFTWARE, OpenSSL_version(OPENSSL_VERSION));
        o->exit_now = 1;
        return 0;
    case 'H':
        usage(stdout);
        o->exit_now = 1;
        return 0;
    default:
        usage(stderr);
        return NSSH_ERR_FORMAT;
    }
}

int args_parse(daemon_opts *o, int argc, char **argv, int *exit_code)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'H' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 }
    };
    unsigned n_o = 0;
    int ch, quiet = 0, e;
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    o->argv = argv;
    /* Relative -f and -h names stay valid for the restart on SIGHUP, after
     * detaching has moved to "/". */
    o->start_dir = getcwd(NULL, 0);
    /* The name it runs under names it in syslog ("sshd" when started
     * under that name). */
    o->ident = slash ? slash + 1 : argc > 0 && argv[0][0] ? argv[0] : "nanosshd";
    while ((ch = getopt_long(argc, argv, "C:dDeE:iTtqQ:f:h:p:o:V", longopts, NULL)) != -1) {
        /* Bad values of -o exit like config errors (255); usage errors 1. */
        *exit_code = ch == 'o' ? 255 : 1;
        if ((e = one_flag(o, ch, &n_o, &quiet)) < 0)
            return e;
        if (o->exit_now)
            return 0;
    }
    if (optind < argc) {
        fprintf(stderr, "Extra argument %s.\n", argv[optind]);
        *exit_code = 1;
        return NSSH_ERR_FORMAT;
    }
    if (o->spec_set && !o->show_config) {
        fprintf(stderr, "-C is only valid with -T\n");
        *exit_code = 1;
        return NSSH_ERR_FORMAT;
    }
    if (o->debug) {   /* as sshd: -d forces the level and stderr */
        o->foreground = 1;
        o->log_stderr = 1;
        o->log_level = LL_DEBUG1 + (o->debug > 3 ? 2 : o->debug - 1);
    } else if (quiet) {
        o->log_level = LL_QUIET;
    }
    return 0;
}
