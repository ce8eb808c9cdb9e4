/*
 * sshd(8)'s command-line flags that nanosshd supports.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "posix.h"
#include "optval.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: nanosshd [-DdeqtV] [-f config_file] [-h host_key_file]\n"
        "                [-o option] [-p port]\n"
        "\n"
        "  -D          do not detach (run in the foreground)\n"
        "  -d          debug: foreground, log to stderr at DEBUG, serve one\n"
        "              connection and exit (-dd, -ddd for more)\n"
        "  -e          log to stderr instead of syslog\n"
        "  -f file     configuration file (default " NSSHD_CONFIG_FILE ")\n"
        "  -h file     host key file (repeatable)\n"
        "  -o option   sshd_config line, \"Keyword=value\" (repeatable)\n"
        "  -p port     listen on this port (repeatable)\n"
        "  -q          quiet: log nothing\n"
        "  -t          check the configuration and host keys, then exit\n"
        "  -V          print the version and exit\n"
        "\n"
        "Keywords: Port, ListenAddress, HostKey, AuthorizedKeysFile, LogLevel,\n"
        "RekeyLimit, LoginGraceTime, MaxAuthTries, AcceptEnv, PidFile.\n"
        "Without HostKey, keys are kept (and made on first start) in\n"
        "$NANOSSH_STATE_DIR, /var/lib/nanossh for root, or\n"
        "$XDG_STATE_HOME/nanossh (~/.local/state/nanossh).\n");
}

static int one_flag(daemon_opts *o, int ch, unsigned *n_o, int *quiet)
{
    char err[1024];
    int port;
    switch (ch) {
    case 'd': o->debug++; return 0;
    case 'D': o->foreground = 1; return 0;
    case 'e': o->log_stderr = 1; return 0;
    case 't': o->test_only = 1; return 0;
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
    o->argv = argv;
    while ((ch = getopt_long(argc, argv, "dDetqf:h:p:o:V", longopts, NULL)) != -1) {
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
    if (o->debug) {   /* as sshd: -d forces the level and stderr */
        o->foreground = 1;
        o->log_stderr = 1;
        o->log_level = LL_DEBUG1 + (o->debug > 3 ? 2 : o->debug - 1);
    } else if (quiet) {
        o->log_level = LL_QUIET;
    }
    return 0;
}
