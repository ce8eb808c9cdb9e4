/*
 * POSIX adapter: what the nanosshd program uses. Options (command line and
 * sshd_config keywords), host keys, the listener and the per-connection
 * server.
 */
#ifndef NSSH_POSIX_H
#define NSSH_POSIX_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_ossl.h"
#include "log.h"

#define OPTS_MAX_PORTS 16
#define OPTS_MAX_LISTEN 16
#define OPTS_MAX_HOSTKEYS 16
#define OPTS_MAX_AKFILES 8
#define OPTS_MAX_ACCEPTENV 32
#define OPTS_HOST_MAX 256
#define OPTS_MAX_SUBSYS 16
#define OPTS_MAX_PERMIT 32

/* AllowTcpForwarding, GatewayPorts, PermitOpen / PermitListen values;
 * 0 is "not set" (opts_init zeroes), which means the first one. */
enum { FWD_ALLOW_ALL = 1, FWD_ALLOW_NONE, FWD_ALLOW_LOCAL, FWD_ALLOW_REMOTE };
enum { GATEWAY_NO = 1, GATEWAY_YES, GATEWAY_CLIENTSPECIFIED };
enum { PERMIT_ANY = 1, PERMIT_NONE, PERMIT_LIST };
/* The sftp server Debian's openssh-sftp-server installs: the Subsystem
 * for "sftp" when no Subsystem line is given. */
#define NSSHD_SFTP_SERVER "/usr/lib/openssh/sftp-server"

/* Default configuration file; a missing default file is not an error. */
#define NSSHD_CONFIG_FILE "/etc/nanossh/sshd_config"
#define NSSHD_SOFTWARE "nanossh_" NSSH_VERSION_STRING

typedef struct listen_addr {
    char host[OPTS_HOST_MAX];   /* "" means every address (0.0.0.0 and ::) */
    int port;                   /* 0: every Port */
} listen_addr;

typedef struct daemon_opts {
    /* Command line. */
    int debug;                  /* -d given (count) */
    int foreground;             /* -D */
    int log_stderr;             /* -e */
    int test_only;              /* -t */
    int exit_now;               /* --help or -V done: exit 0 */
    const char *config_file;    /* -f, or NULL for the default */
    char **argv;                /* for the restart on SIGHUP */

    /* Keywords. Scalars: the first value wins (-o comes before the file).
     * Lists (Port, ListenAddress, HostKey, AcceptEnv) accumulate. */
    int ports[OPTS_MAX_PORTS];
    size_t n_ports;
    int ports_from_cmdline;     /* -p given: Port lines are ignored */
    listen_addr listen[OPTS_MAX_LISTEN];
    size_t n_listen;
    char *hostkeys[OPTS_MAX_HOSTKEYS];
    size_t n_hostkeys;
    char *akfiles[OPTS_MAX_AKFILES];   /* AuthorizedKeysFile tokens */
    size_t n_akfiles;
    int akfiles_set;
    char *accept_env[OPTS_MAX_ACCEPTENV];
    size_t n_accept_env;
    int accept_env_set;
    int log_level;              /* LL_*, -1 unset */
    uint64_t rekey_bytes;       /* 0 engine default, UINT64_MAX none */
    uint32_t rekey_seconds;     /* 0 none */
    int rekey_set;
    long grace_seconds;         /* -1 unset, 0 no limit */
    long max_auth_tries;        /* -1 unset */
    char *pid_file;             /* NULL: none */
    int pid_file_set;

    /* Subsystem, AllowTcpForwarding, GatewayPorts, PermitOpen,
     * PermitListen (config_chan.c). */
    char *subsys_name[OPTS_MAX_SUBSYS];
    char *subsys_cmd[OPTS_MAX_SUBSYS];   /* command line, run by the shell */
    size_t n_subsys;
    int subsys_set;             /* any Subsystem line: no built-in sftp */
    int allow_tcp_fwd;          /* FWD_ALLOW_*, 0 unset (all) */
    int gateway_ports;          /* GATEWAY_*, 0 unset (no) */
    int permit_open_mode;       /* PERMIT_*, 0 unset (any) */
    char *permit_open[OPTS_MAX_PERMIT];    /* "host:port" */
    size_t n_permit_open;
    int permit_listen_mode;
    char *permit_listen[OPTS_MAX_PERMIT];  /* "port" or "host:port" */
    size_t n_permit_listen;
} daemon_opts;

/* ---- opts.c: defaults ---------------------------------------------------- */
void opts_init(daemon_opts *o);
/* Fill unset values with the defaults. */
int opts_finish(daemon_opts *o);
void opts_free(daemon_opts *o);

/* ---- args.c: command line -------------------------------------------------- */
/* Parse sshd's flags. Prints usage or the error itself. Returns 0 (check
 * o->exit_now) or a negative error; *exit_code is what main should return
 * on error. */
int args_parse(daemon_opts *o, int argc, char **argv, int *exit_code);

/* ---- config.c: sshd_config keywords ------------------------------------ */
/* One "Keyword value" / "Keyword=value" line. Comments and blank lines are
 * accepted. On error err gets "source: line N: why". */
int config_line(daemon_opts *o, const char *line, const char *source,
                unsigned lineno, char *err, size_t err_cap);
/* A whole file; must_exist 0 lets a missing file pass. Errors are logged. */
int config_load(daemon_opts *o, const char *path, int must_exist);

/* ---- config_chan.c: keywords about what channels may do ----------------- */
int config_kw_subsystem(daemon_opts *o, char **av, size_t ac, char *err,
                        size_t cap);
int config_kw_allow_tcp_fwd(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap);
int config_kw_gateway_ports(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap);
int config_kw_permit_open(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap);
int config_kw_permit_listen(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap);
/* Split "host:port", "[v6]:port" or "port" (host "" then) into its
 * parts; fails on malformed text or parts longer than the caps. */
int permit_split(const char *spec, char *host, size_t hcap, char *port,
                 size_t pcap);
/* The command line of subsystem name, or NULL when there is none. */
const char *opts_subsystem(const daemon_opts *o, const char *name);
/* Free what the keywords above allocated. */
void opts_chan_free(daemon_opts *o);

/* ---- hostkeys.c ------------------------------------------------------------- */
#define HOSTKEYS_MAX 16

typedef struct hostkey_set {
    nssh_key *keys[HOSTKEYS_MAX];
    uint8_t *blobs[HOSTKEYS_MAX];
    size_t blob_lens[HOSTKEYS_MAX];
    size_t n_keys;
    nssh_hostkey entries[HOSTKEYS_MAX * 2];   /* one per signature algorithm */
    size_t n_entries;
} hostkey_set;

/* Directory for generated host keys ($NANOSSH_STATE_DIR, /var/lib/nanossh
 * for root, else $XDG_STATE_HOME/nanossh or ~/.local/state/nanossh). */
int hostkeys_state_dir(char *out, size_t cap);
/* Load the HostKey files, or with none given the state directory's keys
 * (generated when missing and generate is set). */
int hostkeys_load(hostkey_set *hs, const daemon_opts *o, int generate);
void hostkeys_free(hostkey_set *hs);

/* ---- listener.c ---------------------------------------------------------- */
#define LISTENER_MAX 32

typedef struct listener {
    int fds[LISTENER_MAX];
    size_t n;
} listener;

/* Bind every ListenAddress x Port; logs "Server listening on ...". */
int listener_open(listener *l, const daemon_opts *o);
/* Accept and fork one process per connection until SIGTERM/SIGINT; with
 * -d serve one connection in this process and return. */
int listener_run(listener *l, const daemon_opts *o, const hostkey_set *hk);
void listener_close(listener *l);
/* Log how to connect ("Connect with: ssh -p 2222 user@127.0.0.1"). */
void listener_hint(const listener *l);

/* ---- daemon.c ------------------------------------------------------------- */
/* Detach from the terminal (fork, setsid); stderr stays when logging there. */
int daemon_detach(const daemon_opts *o);
int pidfile_write(const char *path);
void pidfile_remove(const char *path);

/* ---- server.c ------------------------------------------------------------ */
/* Serve one accepted connection to its end, in this process. */
int server_run(int fd, const daemon_opts *o, const hostkey_set *hk);

#endif
