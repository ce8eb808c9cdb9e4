/*
 * POSIX adapter: what the nanosshd program uses. Options (command line and
 * sshd_config keywords), host keys, the listener and the per-connection
 * server.
 */
#ifndef NSSH_POSIX_H
#define NSSH_POSIX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* The sftp server Debian's openssh-sftp-server installs (what Debian's
 * sshd_config names), and the Subsystem for "sftp" when no Subsystem line
 * is given: the built-in one. */
#define NSSHD_SFTP_SERVER "/usr/lib/openssh/sftp-server"
#define NSSHD_SFTP_DEFAULT "internal-sftp"

/* Default configuration file; a missing default file is not an error. */
#define NSSHD_CONFIG_FILE "/etc/nanossh/sshd_config"
#define NSSHD_SOFTWARE "nanossh_" NSSH_VERSION_STRING

/* A list of words from configuration lines (malloc'ed). */
typedef struct strlist {
    char **v;
    size_t n;
    int set;                    /* a line gave it (even an empty one) */
} strlist;

/* Algorithm names (the backend's own strings), in order of preference. */
#define OPTS_MAX_ALGS 32
typedef struct alglist {
    const char *name[OPTS_MAX_ALGS];
    size_t n;
    int set;
} alglist;

/* One configuration line kept for later: the lines of a Match block. */
typedef struct cfg_line {
    char *text;
    char *source;               /* file name */
    unsigned lineno;
} cfg_line;

typedef struct match_block {
    char *criteria;             /* the words after "Match" */
    char *source;
    unsigned lineno;
    cfg_line *lines;
    size_t n_lines;
} match_block;

/* What a connection is, for Match (sshd_config(5) Match criteria). */
typedef struct match_ctx {
    const char *user;           /* NULL until known: User, Group never match */
    const char *host;           /* client host name, or its address text */
    const char *addr;           /* client address */
    const char *laddr;          /* local address */
    int lport;                  /* local port, 0 when unknown */
} match_ctx;

/* Keywords in the table, at most (Match bookkeeping). */
#define CFG_KEYWORDS_MAX 128

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

    /* PasswordAuthentication, KbdInteractiveAuthentication, UsePAM,
     * PermitRootLogin (config_auth.c); 0 is "not set". */
    int password_auth;          /* YESNO_*, 0 unset (yes) */
    int kbdint_auth;            /* YESNO_*, 0 unset (yes) */
    int use_pam;                /* YESNO_*, 0 unset (yes) */
    int permit_root;            /* ROOT_*, 0 unset (prohibit-password) */

    /* Start modes and -T (args.c). */
    int inetd;                  /* -i: one connection on stdin and stdout */
    int show_config;            /* -T */
    char *spec_user, *spec_host, *spec_addr, *spec_laddr;   /* -C */
    int spec_lport;
    int spec_set;
    const char *ident;          /* program name for syslog (argv[0]) */
    char *start_dir;            /* working directory at start (SIGHUP) */

    /* The other keywords (config_table.c rows). Until opts_finish:
     * numbers and yes/no -1, strings NULL, lists not set. */
    int address_family;         /* AF_UNSPEC, AF_INET, AF_INET6 */
    int syslog_facility;        /* LOG_AUTH ... */
    int pubkey_auth;            /* PubkeyAuthentication */
    int print_motd;
    int tcp_keepalive;
    long max_sessions;
    long alive_interval;        /* ClientAliveInterval, seconds; 0 off */
    long alive_count_max;       /* ClientAliveCountMax */
    int startups_begin, startups_rate, startups_full;   /* MaxStartups */
    strlist allow_users, deny_users, allow_groups, deny_groups;
    strlist set_env;            /* SetEnv: "NAME=value" */
    char *banner;               /* Banner file; "" for none */
    char *force_command;        /* ForceCommand; "" for none */
    alglist kex_algs, ciphers, macs, hostkey_algs, pubkey_algs;
    match_block *matches;       /* Match blocks, in file order */
    size_t n_matches;
    /* Match: keywords a block has already set (the first one wins). */
    unsigned char match_seen[CFG_KEYWORDS_MAX];
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
/* A whole file; must_exist 0 lets a missing file pass. Errors go to
 * stderr, each naming file and line; all lines are checked. Match blocks
 * are checked and kept for config_match_apply. */
int config_load(daemon_opts *o, const char *path, int must_exist);
/* Apply the Match blocks m satisfies, in file order: as in sshd, their
 * values override the global ones, and among the blocks the first value
 * of a keyword wins. opts_finish is run again afterwards. Returns how
 * many blocks applied, or a negative error (logged). */
int config_match_apply(daemon_opts *o, const match_ctx *m);
/* -T: the effective configuration, "keyword value" lines in lower case. */
void config_show(const daemon_opts *o, FILE *f);

/* ---- access.c: DenyUsers, AllowUsers, DenyGroups, AllowGroups -------------- */
/* Names of the user's groups (primary and supplementary) added to out. */
int user_group_names(const char *user, strlist *out);
/* 1 when the lists let user in from addr; 0 with why set to the end of
 * sshd's line "User U from A not allowed because WHY". */
int access_user_allowed(const daemon_opts *o, const char *user,
                        const char *addr, char *why, size_t cap);

/* ---- config_algs.c: engine tables of the algorithm keywords ---------------- */
size_t algs_kems(const alglist *l, const nssh_kem **out, size_t max);
size_t algs_ciphers(const alglist *l, const nssh_cipher **out, size_t max);
size_t algs_macs(const alglist *l, const nssh_mac **out, size_t max);
size_t algs_sigs(const alglist *l, const nssh_sig_alg **out, size_t max);

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

/* ---- config_auth.c: how users may log in ---------------------------------- */
enum { YESNO_YES = 1, YESNO_NO };
/* PermitRootLogin; without-password is prohibit-password. */
enum { ROOT_PROHIBIT_PASSWORD = 1, ROOT_YES, ROOT_FORCED_ONLY, ROOT_NO };
int config_kw_password_auth(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap);
int config_kw_kbdint_auth(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap);
int config_kw_use_pam(daemon_opts *o, char **av, size_t ac, char *err,
                      size_t cap);
int config_kw_permit_root(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap);
/* Effective values, defaults applied. Password and keyboard-interactive
 * logins go through PAM: without UsePAM they are off. */
int opts_use_pam(const daemon_opts *o);
int opts_password_auth(const daemon_opts *o);
int opts_kbdint_auth(const daemon_opts *o);
int opts_permit_root(const daemon_opts *o);     /* ROOT_* */

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
    int activated;              /* the sockets came from systemd */
} listener;

/* Bind every ListenAddress x Port (logs "Server listening on ..."), or
 * take the sockets systemd passed (socket activation). */
int listener_open(listener *l, const daemon_opts *o);
/* Accept and fork one process per connection until SIGTERM/SIGINT; with
 * -d serve one connection in this process and return. SIGHUP checks the
 * configuration (the program with -t) and, when it is good, restarts
 * the program in place, keeping the pid; connections keep running in
 * their own processes. o is this process's own copy: a connection's
 * process changes it (Match). */
int listener_run(listener *l, daemon_opts *o, const hostkey_set *hk);
void listener_close(listener *l);
/* Log how to connect ("Connect with: ssh -p 2222 user@127.0.0.1"). */
void listener_hint(const listener *l);

/* ---- startups.c: MaxStartups ----------------------------------------------- */
typedef struct startups {
    int *fds;                   /* read ends, one per pending connection */
    size_t n, cap;
} startups;

void startups_init(startups *st);
void startups_free(startups *st);
/* Should a new connection be dropped now (random early drop)? */
int startups_drop(const startups *st, const daemon_opts *o);
/* A new pending connection: *child_end is the write end for its process. */
int startups_add(startups *st, int *child_end);
/* That read end reported EOF: the connection authenticated or ended. */
void startups_forget(startups *st, int fd);
/* In a connection's process: keep the write end; close it once the user
 * is authenticated. */
void startups_child(int fd);
void startups_authenticated(void);

/* ---- sd.c: systemd ------------------------------------------------------------ */
/* Sockets passed by socket activation (LISTEN_PID, LISTEN_FDS): how many
 * were written to fds (0 when none), or a negative error. */
int sd_sockets(int *fds, size_t max);
/* Before restarting by exec: the passed sockets stay this pid's. */
void sd_sockets_keep(void);
/* "READY=1", "STOPPING=1", ... to $NOTIFY_SOCKET when set. */
void sd_notify_state(const char *state);

/* ---- daemon.c ------------------------------------------------------------- */
/* Detach from the terminal (fork, setsid); stderr stays when logging there. */
int daemon_detach(const daemon_opts *o);
int pidfile_write(const char *path);
void pidfile_remove(const char *path);
/* SIGHUP: run the program with -t on the same arguments; when the
 * configuration is good, exec it again in this process (in the
 * foreground, as it is already detached). Returns only on failure. */
void daemon_restart(const daemon_opts *o);

/* ---- server.c ------------------------------------------------------------ */
/* Serve one connection to its end, in this process: bytes arrive on fd_in
 * and leave on fd_out (the same socket, or stdin and stdout with -i).
 * o is this connection's own copy of the options: Match changes it. */
int server_run(int fd_in, int fd_out, daemon_opts *o, const hostkey_set *hk);
/* -i: the connection on stdin and stdout. */
int server_run_inetd(daemon_opts *o, const hostkey_set *hk);

/* ---- config_algs.c: host keys for HostKeyAlgorithms -------------------------- */
/* One entry per algorithm of the list and key that can sign with it, in
 * the list's order. Returns how many were written. */
size_t algs_hostkeys(const alglist *l, const hostkey_set *hs,
                     nssh_hostkey *out, size_t max);

#endif
