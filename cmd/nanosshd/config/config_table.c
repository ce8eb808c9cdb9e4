/*
 * Every sshd_config keyword nanosshd understands, with sshd's name,
 * default and Match rule (sshd_config(5)), in the order -T prints them.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>

#include "config.h"

#define OFF(f) offsetof(daemon_opts, f)
#define YESNO(n, f, d, fl) \
    { .name = n, .type = KT_YESNO, .flags = fl, .min_args = 1, .max_args = 1, \
      .off = OFF(f), .def = d }
#define NUM(n, f, d, max, fl) \
    { .name = n, .type = KT_NUM, .flags = fl, .min_args = 1, .max_args = 1, \
      .off = OFF(f), .def = d, .lim = max }
#define TIME(n, f, d, max, fl) \
    { .name = n, .type = KT_TIME, .flags = fl, .min_args = 1, .max_args = 1, \
      .off = OFF(f), .def = d, .lim = max }
#define ENUM(n, f, d, tab, fl) \
    { .name = n, .type = KT_ENUM, .flags = fl, .min_args = 1, .max_args = 1, \
      .off = OFF(f), .def = d, .names = tab }
#define STR(n, f, fl) \
    { .name = n, .type = KT_STR, .flags = fl, .min_args = 1, .max_args = 1, \
      .off = OFF(f) }
#define STRDEF(n, f, d, fl) \
    { .name = n, .type = KT_STR, .flags = fl, .min_args = 1, .max_args = 1, \
      .off = OFF(f), .sdef = d }
#define LIST(n, f, fl) \
    { .name = n, .type = KT_LIST, .flags = fl, .min_args = 1, \
      .max_args = CFG_ARGS_MAX, .off = OFF(f) }
#define FIXED(n, v, fl) \
    { .name = n, .type = KT_FIXED, .flags = fl, .min_args = 1, .max_args = 1, \
      .fixed = v }
/* Own syntax: parse, reset (Match keywords), show. */
#define CUSTOM(n, p, lo, hi, fl, r, s) \
    { .name = n, .type = KT_CUSTOM, .flags = fl, .min_args = lo, \
      .max_args = hi, .parse = p, .reset = r, .show = s }

#define YEAR (365L * 86400L)

/* AllowStreamLocalForwarding takes AllowTcpForwarding's values. */
static const kw_name fwd_modes[] = {
    { "yes", FWD_ALLOW_ALL }, { "all", FWD_ALLOW_ALL },
    { "no", FWD_ALLOW_NONE }, { "local", FWD_ALLOW_LOCAL },
    { "remote", FWD_ALLOW_REMOTE }, { NULL, 0 }
};

static const kw_name families[] = {
    { "any", AF_UNSPEC }, { "inet", AF_INET }, { "inet6", AF_INET6 },
    { NULL, 0 }
};

/* sshd's SyslogFacility names. */
static const kw_name facilities[] = {
    { "DAEMON", LOG_DAEMON }, { "USER", LOG_USER }, { "AUTH", LOG_AUTH },
    { "AUTHPRIV", LOG_AUTHPRIV }, { "LOCAL0", LOG_LOCAL0 },
    { "LOCAL1", LOG_LOCAL1 }, { "LOCAL2", LOG_LOCAL2 },
    { "LOCAL3", LOG_LOCAL3 }, { "LOCAL4", LOG_LOCAL4 },
    { "LOCAL5", LOG_LOCAL5 }, { "LOCAL6", LOG_LOCAL6 },
    { "LOCAL7", LOG_LOCAL7 }, { NULL, 0 }
};

/* UsePrivilegeSeparation: older sshd also took "sandbox" (privilege
 * separation with a sandboxed child), which is what "yes" does here;
 * OpenSSH's regress suite (connect-privsep) still writes it. */
static const kw_name privsep_modes[] = {
    { "yes", 1 }, { "no", 0 }, { "sandbox", 1 }, { NULL, 0 }
};

/* On by default where the sandbox has a seccomp filter (privsep/
 * sandbox.c), as sshd's is; it only takes effect for a root daemon. */
#if defined(__x86_64__) || defined(__aarch64__)
#define PRIVSEP_DEFAULT 1
#else
#define PRIVSEP_DEFAULT 0
#endif

const keyword config_keywords[] = {
    /* Where to listen and with which keys. */
    CUSTOM("Port", kw_port, 1, 1, 0, NULL, show_port),
    ENUM("AddressFamily", address_family, AF_UNSPEC, families, 0),
    CUSTOM("ListenAddress", kw_listen, 1, 1, 0, NULL, show_listen),
    CUSTOM("HostKey", kw_hostkey, 1, 1, 0, NULL, show_hostkey),
    /* Host keys held by an ssh-agent (port/posix/hostkey_agent.c). */
    STR("HostKeyAgent", host_key_agent, 0),
    CUSTOM("PidFile", kw_pidfile, 1, 1, 0, NULL, show_pidfile),
    YESNO("TCPKeepAlive", tcp_keepalive, 1, 0),
    /* nanosshd's own: every connection in one process (single.c). */
    YESNO("SingleProcess", single_process, 0, 0),
    CUSTOM("MaxStartups", kw_startups, 1, 1, 0, NULL, show_startups),
    CUSTOM("PerSourceMaxStartups", kw_persource_startups, 1, 1, 0,
           kw_reset_srclimit, show_persource_startups),
    CUSTOM("PerSourceNetBlockSize", kw_netblock, 1, 1, 0, NULL, show_netblock),
    CUSTOM("PerSourcePenalties", kw_penalties, 1, CFG_ARGS_MAX, 0, NULL,
           show_penalties),
    CUSTOM("PerSourcePenaltyExemptList", kw_penalty_exempt, 1, 1, 0,
           kw_reset_penalty_exempt, show_penalty_exempt),
    STR("VersionAddendum", version_addendum, KW_NONE | KW_RAW),
    CUSTOM("IPQoS", kw_ipqos, 1, 2, KW_MATCH, kw_reset_ipqos, show_ipqos),
    /* The FIDO middleware that signs with security-key host keys
     * (port/posix/skprov.c). sshd's helper programs: nanosshd runs none
     * (sessions are forked in process), so any path is accepted and
     * unused. */
    STR("SecurityKeyProvider", sk_provider, 0),
    STR("SshdSessionPath", sshd_session_path, 0),
    STR("SshdAuthPath", sshd_auth_path, 0),
    TIME("LoginGraceTime", grace_seconds, 120, YEAR, 0),
    /* Algorithms. */
    CUSTOM("KexAlgorithms", kw_kex_algs, 1, 1, 0, NULL, show_kex_algs),
    CUSTOM("HostKeyAlgorithms", kw_hostkey_algs, 1, 1, 0, NULL,
           show_hostkey_algs),
    CUSTOM("Ciphers", kw_ciphers, 1, 1, 0, NULL, show_ciphers),
    CUSTOM("MACs", kw_macs, 1, 1, 0, NULL, show_macs),
    CUSTOM("PubkeyAcceptedAlgorithms", kw_pubkey_algs, 1, 1, KW_MATCH,
           kw_reset_pubkey_algs, show_pubkey_algs),
    CUSTOM("PubkeyAcceptedKeyTypes", kw_pubkey_algs, 1, 1, KW_MATCH,
           kw_reset_pubkey_algs, NULL),   /* sshd's older name */
    NUM("RequiredRSASize", required_rsa_size, 1024, 1000000, 0),
    STR("ModuliFile", moduli_file, 0),
    /* OpenSSH certificates (PROTOCOL.certkeys). */
    { .name = "HostCertificate", .type = KT_LIST, .min_args = 1,
      .max_args = 1, .off = OFF(host_certs) },
    CUSTOM("CASignatureAlgorithms", kw_ca_sign_algs, 1, 1, KW_MATCH,
           kw_reset_ca_sign_algs,
           show_ca_sign_algs),
    STR("TrustedUserCAKeys", trusted_user_ca_keys, KW_MATCH | KW_NONE),
    STR("AuthorizedPrincipalsFile", principals_file, KW_MATCH | KW_NONE),
    STR("AuthorizedPrincipalsCommand", principals_cmd, KW_MATCH | KW_NONE | KW_RAW),
    STR("AuthorizedPrincipalsCommandUser", principals_cmd_user, KW_MATCH | KW_NONE),
    CUSTOM("DHGroupExchangeMaxSize", kw_gex_max, 1, 1, 0, NULL, show_gex_max),
    CUSTOM("RekeyLimit", kw_rekey, 1, 2, KW_MATCH, kw_reset_rekey, show_rekey),
    /* Who may log in, and how. */
    YESNO("PubkeyAuthentication", pubkey_auth, 1, KW_MATCH),
    CUSTOM("PubkeyAuthOptions", kw_pkauth_opts, 1, CFG_ARGS_MAX, KW_MATCH,
           kw_reset_pkauth_opts, show_pkauth_opts),
    YESNO("StrictModes", strict_modes, 1, 0),
    /* sshd's old keyword: here a sandboxed pre-auth child (privsep/). */
    ENUM("UsePrivilegeSeparation", privsep, PRIVSEP_DEFAULT, privsep_modes, 0),
    YESNO("PermitEmptyPasswords", permit_empty_passwd, 0, KW_MATCH),
    CUSTOM("AuthenticationMethods", config_kw_auth_methods, 1, CFG_ARGS_MAX,
           KW_MATCH, reset_auth_methods, show_auth_methods),
    CUSTOM("AuthorizedKeysFile", kw_akfile, 1, OPTS_MAX_AKFILES, KW_MATCH,
           kw_reset_akfile, show_akfile),
    CUSTOM("PasswordAuthentication", config_kw_password_auth, 1, 1, KW_MATCH,
           reset_password_auth, show_password_auth),
    CUSTOM("KbdInteractiveAuthentication", config_kw_kbdint_auth, 1, 1,
           KW_MATCH, reset_kbdint_auth, show_kbdint_auth),
    CUSTOM("ChallengeResponseAuthentication", config_kw_kbdint_auth, 1, 1,
           KW_MATCH, reset_kbdint_auth, NULL),   /* older name of the above */
    CUSTOM("UsePAM", config_kw_use_pam, 1, 1, 0, NULL, show_use_pam),
    CUSTOM("PermitRootLogin", config_kw_permit_root, 1, 1, KW_MATCH,
           reset_permit_root, show_permit_root),
    CUSTOM("PermitUserEnvironment", config_kw_permit_user_env, 1, 1, 0, NULL,
           show_permit_user_env),
    /* AuthorizedKeysCommand runs without a shell (auth/authcmd.h). */
    STR("AuthorizedKeysCommand", ak_command, KW_MATCH | KW_NONE | KW_RAW),
    STR("AuthorizedKeysCommandUser", ak_command_user, KW_MATCH | KW_NONE),
    /* Several files on one line, as sshd 9.8 and later take them. */
    { .name = "RevokedKeys", .type = KT_STR, .flags = KW_MATCH | KW_NONE | KW_WORDS,
      .min_args = 1, .max_args = CFG_ARGS_MAX, .off = OFF(revoked_keys) },
    YESNO("ExposeAuthInfo", expose_auth_info, 0, KW_MATCH),
    LIST("DenyUsers", deny_users, KW_MATCH),
    LIST("AllowUsers", allow_users, KW_MATCH),
    LIST("DenyGroups", deny_groups, KW_MATCH),
    LIST("AllowGroups", allow_groups, KW_MATCH),
    NUM("MaxAuthTries", max_auth_tries, 6, 1000000, KW_MATCH),
    STR("Banner", banner, KW_MATCH | KW_NONE),
    /* The connection once logged in. */
    NUM("MaxSessions", max_sessions, 10, 1000000, KW_MATCH),
    TIME("ClientAliveInterval", alive_interval, 0, YEAR, KW_MATCH),
    NUM("ClientAliveCountMax", alive_count_max, 3, 1000000, KW_MATCH),
    CUSTOM("ChannelTimeout", kw_chan_timeout, 1, OPTS_MAX_CHAN_TIMEOUTS,
           KW_MATCH, kw_reset_chan_timeout, show_chan_timeout),
    CUSTOM("UnusedConnectionTimeout", kw_unused_timeout, 1, 1, KW_MATCH,
           kw_reset_unused_timeout, show_unused_timeout),
    CUSTOM("AcceptEnv", kw_acceptenv, 1, OPTS_MAX_ACCEPTENV, KW_MATCH,
           kw_reset_acceptenv, show_acceptenv),
    LIST("SetEnv", set_env, KW_MATCH | KW_FIRST | KW_NAMEVAL),
    STR("ForceCommand", force_command, KW_MATCH | KW_NONE | KW_RAW),
    YESNO("PermitTTY", permit_tty, 1, KW_MATCH),
    YESNO("DisableForwarding", disable_forwarding, 0, KW_MATCH),
    YESNO("PrintMotd", print_motd, 1, 0),
    YESNO("PrintLastLog", print_lastlog, 1, 0),
    STR("ChrootDirectory", chroot_directory, KW_MATCH | KW_NONE),
    CUSTOM("Subsystem", config_kw_subsystem, 2, CFG_ARGS_MAX, KW_MATCH,
           reset_subsystem, show_subsystem),
    CUSTOM("AllowTcpForwarding", config_kw_allow_tcp_fwd, 1, 1, KW_MATCH,
           reset_allow_tcp_fwd, show_allow_tcp_fwd),
    CUSTOM("GatewayPorts", config_kw_gateway_ports, 1, 1, KW_MATCH,
           reset_gateway_ports, show_gateway_ports),
    CUSTOM("PermitOpen", config_kw_permit_open, 1, CFG_ARGS_MAX, KW_MATCH,
           reset_permit_open, show_permit_open),
    CUSTOM("PermitListen", config_kw_permit_listen, 1, CFG_ARGS_MAX, KW_MATCH,
           reset_permit_listen, show_permit_listen),
    YESNO("AllowAgentForwarding", allow_agent_fwd, 1, KW_MATCH),
    YESNO("X11Forwarding", x11_forwarding, 0, KW_MATCH),
    NUM("X11DisplayOffset", x11_display_offset, 10, 64535 - 1000, KW_MATCH),
    YESNO("X11UseLocalhost", x11_use_localhost, 1, KW_MATCH),
    STRDEF("XAuthLocation", xauth_location, "/usr/bin/xauth", 0),
    ENUM("AllowStreamLocalForwarding", allow_streamlocal_fwd, FWD_ALLOW_ALL,
         fwd_modes, KW_MATCH),
    CUSTOM("StreamLocalBindMask", kw_streamlocal_mask, 1, 1, KW_MATCH,
           kw_reset_streamlocal_mask, show_streamlocal_mask),
    YESNO("StreamLocalBindUnlink", streamlocal_bind_unlink, 0, KW_MATCH),
    /* Logging. */
    CUSTOM("LogLevel", kw_loglevel, 1, 1, KW_MATCH, kw_reset_loglevel,
           show_loglevel),
    ENUM("SyslogFacility", syslog_facility, LOG_AUTH, facilities, 0),
    /* file:function():line patterns forcing debug lines (log.c). */
    LIST("LogVerbose", log_verbose, KW_FIRST),
    /* sshd features nanosshd does not have: accepted only when they
     * say the feature is off, which is what nanosshd does. */
    FIXED("PermitTunnel", "no", KW_MATCH),
    FIXED("PermitUserRC", "no", KW_MATCH),
    FIXED("GSSAPIAuthentication", "no", KW_MATCH),
    FIXED("KerberosAuthentication", "no", KW_MATCH),
    FIXED("HostbasedAuthentication", "no", KW_MATCH),
    FIXED("IgnoreRhosts", "yes", KW_MATCH),
    FIXED("UseDNS", "no", 0),
    FIXED("Compression", "no", 0),
    FIXED("DebianBanner", "no", 0),
};

const size_t config_n_keywords = sizeof(config_keywords) / sizeof(config_keywords[0]);

typedef char table_fits[sizeof(config_keywords) / sizeof(config_keywords[0])
                        <= CFG_KEYWORDS_MAX ? 1 : -1];

const keyword *config_keyword(const char *name)
{
    size_t i;
    for (i = 0; i < config_n_keywords; i++)
        if (!strcasecmp(name, config_keywords[i].name))
            return &config_keywords[i];
    return NULL;
}

/* OpenSSH sshd keywords without a row above: named as such in errors. */
static const char *const elsewhere[] = {
    "FingerprintHash",
    "GSSAPICleanupCredentials", "GSSAPIKexAlgorithms", "GSSAPIKeyExchange",
    "GSSAPIStoreCredentialsOnRekey", "GSSAPIStrictAcceptorCheck",
    "HostbasedAcceptedAlgorithms", "HostbasedUsesNameFromPacketOnly",
    "IgnoreUserKnownHosts",
    "KerberosGetAFSToken", "KerberosOrLocalPasswd", "KerberosTicketCleanup",
    "RDomain",
};

int config_known_elsewhere(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof(elsewhere) / sizeof(elsewhere[0]); i++)
        if (!strcasecmp(name, elsewhere[i]))
            return 1;
    return 0;
}

void config_defaults(daemon_opts *o)
{
    size_t i;
    for (i = 0; i < config_n_keywords; i++) {
        const keyword *k = &config_keywords[i];
        char *f = (char *)o + k->off;
        switch (k->type) {
        case KT_YESNO:
        case KT_ENUM:
            if (*(int *)f < 0)
                *(int *)f = (int)k->def;
            break;
        case KT_NUM:
        case KT_TIME:
            if (*(long *)f < 0)
                *(long *)f = k->def;
            break;
        case KT_STR:   /* left unset when the copy fails: no default */
            if (!*(char **)f && k->sdef)
                *(char **)f = strdup(k->sdef);
            break;
        default:
            break;
        }
    }
}
