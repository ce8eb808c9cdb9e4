/*
 * nanosshd's options: the command line and sshd_config keywords in one
 * struct, and the calls that fill, apply and show it.
 *
 * Map (cmd/nanosshd/config/):
 *   opts.c          defaults, opts_finish, opts_free
 *   config.c        one line; config_file.c whole files and Include
 *   config_table.c  the keyword table; config_kw.c, config_net.c,
 *                   config_chan.c, config_auth.c keyword parsers
 *   config_match.c  Match blocks; config_show.c -T
 *   config_algs.c   algorithm keywords to engine tables (algs.h)
 *   optval.c        value syntax shared by flags and keywords (optval.h)
 */
#ifndef NSSHD_OPTS_H
#define NSSHD_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nanossh.h"
#include "log.h"

#define OPTS_MAX_PORTS 16
#define OPTS_MAX_LISTEN 16
#define OPTS_MAX_HOSTKEYS 16
#define OPTS_MAX_AKFILES 8
#define OPTS_MAX_ACCEPTENV 32
#define OPTS_HOST_MAX 256
#define OPTS_MAX_SUBSYS 16
#define OPTS_MAX_PERMIT 32
#define OPTS_MAX_CHAN_TIMEOUTS 16

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
    const char *rdomain;        /* routing domain (Linux: the VRF device the
                                 * socket is bound to, "" for none); NULL
                                 * when unknown: RDomain never matches */
    int user_invalid;           /* the user has no account (Invalid-User) */
} match_ctx;

/* Keywords in the table, at most (Match bookkeeping). */
#define CFG_KEYWORDS_MAX 128

typedef struct listen_addr {
    char host[OPTS_HOST_MAX];   /* "" means every address (0.0.0.0 and ::) */
    int port;                   /* 0: every Port */
} listen_addr;

/* PerSourcePenalties (sshd_config(5)): seconds of penalty per event,
 * the accumulation bounds, and the size of the tables. -1: unset. */
enum { PENALTY_PERMISSIVE = 0, PENALTY_DENY_ALL = 1 };
typedef struct penalty_opts {
    int enabled;
    double crash, authfail, invaliduser, noauth, grace, refuse, kexdh;
    double max, min;
    long max_sources4, max_sources6;
    int overflow, overflow6;    /* PENALTY_* */
} penalty_opts;

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
    size_t subsys_base;         /* entries below it came before the Match
                                   blocks: a Match may redefine them once */
    unsigned char subsys_rematched[OPTS_MAX_SUBSYS];
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
    char *permit_user_env;      /* PermitUserEnvironment as written; NULL
                                   unset (no) */
    char *auth_methods;         /* AuthenticationMethods lists, space
                                   separated; NULL unset (any) */
    int permit_empty_passwd;    /* PermitEmptyPasswords, -1 unset */

    /* Start modes and -T (args.c). */
    int inetd;                  /* -i: one connection on stdin and stdout */
    const char *log_file;       /* -E: log lines appended to this file */
    int show_config;            /* -T */
    char *spec_user, *spec_host, *spec_addr, *spec_laddr;   /* -C */
    char *spec_rdomain;
    int spec_lport, spec_invalid_user;
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
    /* Per-source limits (srclimit.c, config_srclimit.c); -1 unset. */
    long persource_max;         /* PerSourceMaxStartups; 0: none */
    int netblock4, netblock6;   /* PerSourceNetBlockSize, bits */
    penalty_opts penalty;       /* PerSourcePenalties */
    char *penalty_exempt;       /* PerSourcePenaltyExemptList; NULL none */
    long gex_max_bits;          /* DHGroupExchangeMaxSize, bits */
    strlist allow_users, deny_users, allow_groups, deny_groups;
    strlist set_env;            /* SetEnv: "NAME=value" */
    char *banner;               /* Banner file; "" for none */
    char *force_command;        /* ForceCommand; "" for none */
    char *ak_command;           /* AuthorizedKeysCommand; "" for none */
    char *ak_command_user;      /* AuthorizedKeysCommandUser; "" for none */
    char *revoked_keys;         /* RevokedKeys file (krl.h); "" for none */
    int expose_auth_info;       /* ExposeAuthInfo: SSH_USER_AUTH file */
    int strict_modes;           /* StrictModes (authkeys.c) */
    int privsep;                /* UsePrivilegeSeparation (privsep/) */
    int permit_tty;             /* PermitTTY: no refuses pty-req */
    int disable_forwarding;     /* DisableForwarding: no forwarding of any kind */
    char *chroot_directory;     /* ChrootDirectory (%h %u %%); "" for none */
    int print_lastlog;          /* PrintLastLog */
    /* Agent, X11 and Unix-socket forwarding (fwd_policy.c). */
    int allow_agent_fwd;        /* AllowAgentForwarding */
    int x11_forwarding;         /* X11Forwarding */
    long x11_display_offset;    /* X11DisplayOffset */
    int x11_use_localhost;      /* X11UseLocalhost */
    char *xauth_location;       /* XAuthLocation; "" none */
    int allow_streamlocal_fwd;  /* AllowStreamLocalForwarding: FWD_ALLOW_* */
    long streamlocal_bind_mask; /* StreamLocalBindMask (octal) */
    int streamlocal_bind_unlink;   /* StreamLocalBindUnlink */
    char *moduli_file;          /* ModuliFile for group exchange */
    char *version_addendum;     /* VersionAddendum; "" for none */
    char *sk_provider;          /* SecurityKeyProvider: signs for security-key host keys */
    char *host_key_agent;       /* HostKeyAgent: socket, or "SSH_AUTH_SOCK" */
    char *sshd_session_path;    /* SshdSessionPath: accepted, unused */
    char *sshd_auth_path;       /* SshdAuthPath: accepted, unused */
    int single_process;         /* SingleProcess: one loop, no fork (single.c) */
    int ipqos_interactive, ipqos_bulk;   /* IPQoS: DSCP << 2 (TOS byte) */
#define IPQOS_NONE (-2)           /* IPQoS none: leave the system's */
#define IPQOS_UNSET (-3)
    /* PubkeyAuthOptions (config_pkauth.c): PKAUTH_* bits, -1 unset. */
    int pubkey_auth_options;
#define PKAUTH_TOUCH_REQUIRED 0x1
#define PKAUTH_VERIFY_REQUIRED 0x2
    long required_rsa_size;     /* RequiredRSASize, bits */
    /* ChannelTimeout (config_timeout.c): type patterns and seconds, in
     * order; n_chan_timeouts -1 unset, 0 for "none". */
    struct chan_timeout {
        char type[64];          /* pattern, or "global" */
        long seconds;           /* 0: no timeout */
    } chan_timeouts[OPTS_MAX_CHAN_TIMEOUTS];
    int n_chan_timeouts;
    long unused_timeout;        /* UnusedConnectionTimeout; 0 none, -1 unset */
    strlist log_verbose;        /* LogVerbose patterns */
    alglist kex_algs, ciphers, macs, hostkey_algs, pubkey_algs;
    /* Certificates (auth/certauth.c, hostcert.c); strings "" for none. */
    char *trusted_user_ca_keys;     /* TrustedUserCAKeys file */
    char *principals_file;          /* AuthorizedPrincipalsFile (tokens) */
    char *principals_cmd;           /* AuthorizedPrincipalsCommand */
    char *principals_cmd_user;      /* AuthorizedPrincipalsCommandUser */
    strlist host_certs;             /* HostCertificate files */
    alglist ca_sign_algs;           /* CASignatureAlgorithms */
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
/* Free the n strings of list and set n to 0 (the options' string lists). */
void opts_free_strs(char **list, size_t *n);

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
/* PermitUserEnvironment: "yes", "no" or a pattern list of the variable
 * names allowed. 0 for no; 1 with *allow NULL (any name) or the list. */
int config_kw_permit_user_env(daemon_opts *o, char **av, size_t ac,
                              char *err, size_t cap);
int opts_user_env(const daemon_opts *o, const char **allow);

/* ---- config_authmeth.c: AuthenticationMethods --------------------------- */
#define AUTHMETH_LISTS_MAX 32
int config_kw_auth_methods(daemon_opts *o, char **av, size_t ac, char *err,
                           size_t cap);
void reset_auth_methods(daemon_opts *o);
void show_auth_methods(const daemon_opts *o, const char *name, FILE *f);
/* At start-up, as sshd: some list must use enabled methods only. 0, or
 * an error with err filled. */
int authmeth_check(const daemon_opts *o, char *err, size_t cap);
/* Does every method of this list have its keyword on? */
int authmeth_list_enabled(const daemon_opts *o, const char *list);
/* Split a copy of the lists at spaces: how many, at most max. */
size_t authmeth_split(char *copy, char **out, size_t max);

#endif
