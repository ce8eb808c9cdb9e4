/*
 * nanosshd's options: sshd_config lines (-o and files), the command line,
 * and the defaults.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#include "opts.h"
#include "args.h"
#include "config.h"

static int line(daemon_opts *o, const char *l, char *err, size_t cap)
{
    return config_line(o, l, "test", 3, err, cap);
}

static void test_forms(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "Port 2222", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "port=2223", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "  PORT = 2224  ", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "Port\t2225\r\n", err, sizeof(err)), 0);
    assert_int_equal(o.n_ports, 4);
    assert_int_equal(o.ports[0], 2222);
    assert_int_equal(o.ports[3], 2225);
    assert_int_equal(line(&o, "# a comment", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "   ", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "LogLevel VERBOSE # trailing comment", err, sizeof(err)), 0);
    assert_int_equal(o.log_level, LL_VERBOSE);
    opts_free(&o);
}

static void test_errors(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "Frobnicate yes", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_string_equal(err, "test: line 3: Bad configuration option: Frobnicate");
    assert_int_equal(line(&o, "Port", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "missing argument"));
    assert_int_equal(line(&o, "Port 0", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "test: line 3: Port"));
    assert_int_equal(line(&o, "Port 22 23", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "garbage"));
    assert_int_equal(line(&o, "LogLevel LOUD", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "RekeyLimit 1X", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "LoginGraceTime forever", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "MaxAuthTries -1", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "AcceptEnv A=B", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "HostKey \"unterminated", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(o.n_ports, 0);
    opts_free(&o);
}

static void test_first_wins_and_lists(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "LogLevel DEBUG2", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "LogLevel ERROR", err, sizeof(err)), 0);
    assert_int_equal(o.log_level, LL_DEBUG2);
    assert_int_equal(line(&o, "RekeyLimit 1G 1h", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "RekeyLimit 2G", err, sizeof(err)), 0);
    assert_int_equal(o.rekey_bytes, 1ull << 30);
    assert_int_equal(o.rekey_seconds, 3600);
    assert_int_equal(line(&o, "LoginGraceTime 30s", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "LoginGraceTime 1m", err, sizeof(err)), 0);
    assert_int_equal(o.grace_seconds, 30);
    assert_int_equal(line(&o, "MaxAuthTries 3", err, sizeof(err)), 0);
    assert_int_equal(o.max_auth_tries, 3);
    assert_int_equal(line(&o, "AuthorizedKeysFile %h/.ssh/a \"/etc/keys/%u\"", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AuthorizedKeysFile /other", err, sizeof(err)), 0);
    assert_int_equal(o.n_akfiles, 2);
    assert_string_equal(o.akfiles[0], "%h/.ssh/a");
    assert_string_equal(o.akfiles[1], "/etc/keys/%u");
    assert_int_equal(line(&o, "HostKey /a", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "HostKey=/b", err, sizeof(err)), 0);
    assert_int_equal(o.n_hostkeys, 2);
    assert_string_equal(o.hostkeys[1], "/b");
    assert_int_equal(line(&o, "AcceptEnv LANG LC_*", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AcceptEnv TZ", err, sizeof(err)), 0);
    assert_int_equal(o.n_accept_env, 3);
    assert_string_equal(o.accept_env[2], "TZ");
    assert_int_equal(line(&o, "ListenAddress 127.0.0.1", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "ListenAddress [::1]:2200", err, sizeof(err)), 0);
    assert_int_equal(o.n_listen, 2);
    assert_string_equal(o.listen[1].host, "::1");
    assert_int_equal(o.listen[1].port, 2200);
    assert_int_equal(line(&o, "PidFile /run/x.pid", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "PidFile /run/y.pid", err, sizeof(err)), 0);
    assert_string_equal(o.pid_file, "/run/x.pid");
    opts_free(&o);
}

static void test_defaults(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.n_ports, 1);
    assert_int_equal(o.ports[0], 22);
    assert_int_equal(o.n_listen, 1);
    assert_string_equal(o.listen[0].host, "");
    assert_int_equal(o.log_level, LL_INFO);
    assert_int_equal(o.n_akfiles, 2);
    assert_string_equal(o.akfiles[0], ".ssh/authorized_keys");
    assert_string_equal(o.akfiles[1], ".ssh/authorized_keys2");
    assert_int_equal(o.n_accept_env, 2);
    assert_string_equal(o.accept_env[0], "LANG");
    assert_string_equal(o.accept_env[1], "LC_*");
    assert_int_equal(o.grace_seconds, 120);
    assert_int_equal(o.max_auth_tries, 6);
    assert_int_equal(o.rekey_bytes, 0);
    assert_null(o.pid_file);
    opts_free(&o);
    /* "none" empties the lists. */
    opts_init(&o);
    assert_int_equal(line(&o, "AuthorizedKeysFile none", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AcceptEnv none", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "PidFile none", err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.n_akfiles, 0);
    assert_int_equal(o.n_accept_env, 0);
    assert_null(o.pid_file);
    opts_free(&o);
}

static int parse(daemon_opts *o, int argc, char **argv, int *code)
{
    optind = 0;   /* glibc: full reset between calls */
    opterr = 0;
    return args_parse(o, argc, argv, code);
}

static void test_args(void **state)
{
    char *argv[] = { "nanosshd", "-D", "-e", "-p", "2222", "-h", "/k1",
                     "-h", "/k2", "-o", "Port=2223", "-o", "LogLevel VERBOSE",
                     "-o", "ListenAddress=127.0.0.1", "-f", "/cfg", NULL };
    daemon_opts o;
    char err[256];
    int code = 0;
    (void)state;
    opts_init(&o);
    assert_int_equal(parse(&o, 17, argv, &code), 0);
    assert_true(o.foreground);
    assert_true(o.log_stderr);
    assert_false(o.debug);
    assert_int_equal(o.n_ports, 1);   /* -p makes Port lines ignored */
    assert_int_equal(o.ports[0], 2222);
    assert_int_equal(o.n_hostkeys, 2);
    assert_string_equal(o.hostkeys[1], "/k2");
    assert_int_equal(o.log_level, LL_VERBOSE);
    assert_string_equal(o.config_file, "/cfg");
    assert_int_equal(o.n_listen, 1);
    /* A file read later does not override -o. */
    assert_int_equal(config_line(&o, "LogLevel ERROR", "/cfg", 1, err, sizeof(err)), 0);
    assert_int_equal(o.log_level, LL_VERBOSE);
    opts_free(&o);
}

static void test_args_debug_and_errors(void **state)
{
    char *dbg[] = { "nanosshd", "-dd", NULL };
    char *bad_o[] = { "nanosshd", "-o", "Nope=1", NULL };
    char *bad_p[] = { "nanosshd", "-p", "http", NULL };
    char *extra[] = { "nanosshd", "stray", NULL };
    daemon_opts o;
    int code = 0;
    FILE *saved = stderr;
    (void)state;
    opts_init(&o);
    assert_int_equal(parse(&o, 2, dbg, &code), 0);
    assert_true(o.foreground && o.log_stderr);
    assert_int_equal(o.log_level, LL_DEBUG2);
    opts_free(&o);
    stderr = fopen("/dev/null", "w");   /* the parser prints its complaints */
    opts_init(&o);
    assert_true(parse(&o, 3, bad_o, &code) < 0);
    assert_int_equal(code, 255);
    opts_free(&o);
    opts_init(&o);
    assert_true(parse(&o, 3, bad_p, &code) < 0);
    assert_int_equal(code, 1);
    opts_free(&o);
    opts_init(&o);
    assert_true(parse(&o, 2, extra, &code) < 0);
    assert_int_equal(code, 1);
    opts_free(&o);
    fclose(stderr);
    stderr = saved;
}

static void test_file(void **state)
{
    char path[] = "/tmp/nanosshd-config-XXXXXX";
    const char *text = "# test\nPort 2201\n\nListenAddress 127.0.0.1:2300\n"
                       "AcceptEnv FOO_*\nRekeyLimit 64K 10s\n";
    daemon_opts o;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    opts_init(&o);
    assert_int_equal(config_load(&o, path, 1), 0);
    assert_int_equal(o.ports[0], 2201);
    assert_int_equal(o.listen[0].port, 2300);
    assert_string_equal(o.accept_env[0], "FOO_*");
    assert_int_equal(o.rekey_bytes, 65536);
    assert_int_equal(o.rekey_seconds, 10);
    opts_free(&o);
    unlink(path);
    opts_init(&o);
    assert_int_equal(config_load(&o, "/nonexistent/nanosshd_config", 0), 0);
    opts_free(&o);
}

/* ---- Every keyword ------------------------------------------------------- */

/* One good line per keyword of the table (and more for some); the test
 * fails when a keyword is added without one here. */
static const char *const good_lines[] = {
    "Port 2200", "AddressFamily inet6", "ListenAddress [::1]:2201",
    "HostKey /etc/ssh/ssh_host_ed25519_key", "HostKeyAgent SSH_AUTH_SOCK",
    "PidFile /run/n.pid",
    "TCPKeepAlive no", "SingleProcess yes", "MaxStartups 5:50:20", "LoginGraceTime 1h",
    "KexAlgorithms curve25519-sha256,+nothing-else-matters",
    "HostKeyAlgorithms ssh-ed25519,rsa-sha2-*",
    "Ciphers -aes*-ctr", "MACs ^hmac-sha2-512", "PubkeyAcceptedAlgorithms +ssh-rsa",
    "PubkeyAcceptedKeyTypes ssh-ed25519", "RekeyLimit 512M 30m",
    "PubkeyAuthentication no", "AuthorizedKeysFile %h/.ssh/k /k/%u %%x",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no",
    "ChallengeResponseAuthentication no", "UsePAM no",
    "PermitRootLogin forced-commands-only", "DenyUsers bad* x@10.0.0.0/8",
    "AllowUsers root", "DenyGroups games", "AllowGroups root wheel",
    "MaxAuthTries 3", "Banner /etc/issue.net", "MaxSessions 0",
    "ClientAliveInterval 15s", "ClientAliveCountMax 0", "AcceptEnv TZ LC_*",
    "SetEnv A=1 \"B=2 3\"", "ForceCommand /bin/echo \"quoted arg\"",
    "PrintMotd no", "Subsystem sftp /usr/lib/openssh/sftp-server -l INFO",
    "AllowTcpForwarding local", "GatewayPorts clientspecified",
    "PermitOpen localhost:80 [::1]:443", "PermitListen 8080 0.0.0.0:9090",
    "LogLevel DEBUG3", "SyslogFacility LOCAL7", "X11Forwarding no",
    "AllowAgentForwarding no", "AllowStreamLocalForwarding no",
    "PermitTunnel no", "PermitUserRC no", "GSSAPIAuthentication no",
    "KerberosAuthentication no", "HostbasedAuthentication no",
    "IgnoreRhosts yes", "PermitUserEnvironment no", "UseDNS no",
    "Compression no", "PrintLastLog no", "DebianBanner no",
    "ChrootDirectory /srv/%u",
    "StrictModes yes", "UsePrivilegeSeparation yes",
    "PermitEmptyPasswords no", "ModuliFile /etc/m",
    "VersionAddendum Debian 5", "IPQoS ef throughput",
    "SecurityKeyProvider internal", "SshdSessionPath /usr/lib/x",
    "SshdAuthPath /usr/lib/y", "PermitTTY no", "DisableForwarding yes",
    "PerSourceMaxStartups 7", "PerSourceNetBlockSize 24:56",
    "PerSourcePenalties authfail:30s noauth:2 max:1h min:20s max-sources4:100 "
    "overflow:deny-all kex-dh:3s",
    "PerSourcePenaltyExemptList 10.0.0.0/8,192.0.2.1",
    "DHGroupExchangeMaxSize 3072",
    "HostCertificate /etc/ssh/host-cert.pub", "CASignatureAlgorithms ssh-ed25519",
    "TrustedUserCAKeys /etc/ssh/ca.pub", "AuthorizedPrincipalsFile none",
    "AuthorizedPrincipalsCommand /usr/local/bin/principals %u %i %s %F",
    "AuthorizedPrincipalsCommandUser nobody",
    "AuthorizedKeysCommand /usr/local/bin/keys \"%u\" %f %k",
    "AuthorizedKeysCommandUser nobody", "RevokedKeys /etc/ssh/revoked_keys",
    "ExposeAuthInfo yes",
    "X11DisplayOffset 20", "X11UseLocalhost no", "XAuthLocation /usr/bin/xauth",
    "StreamLocalBindMask 0111", "StreamLocalBindUnlink yes",
    "AuthenticationMethods publickey,keyboard-interactive:pam password",
    "RequiredRSASize 2048", "PubkeyAuthOptions touch-required",
    "ChannelTimeout session=5m", "UnusedConnectionTimeout 1h",
    "LogVerbose kex.c:*:1000",
};

static int covered(const char *name)
{
    size_t i, n = strlen(name);
    for (i = 0; i < sizeof(good_lines) / sizeof(good_lines[0]); i++)
        if (!strncasecmp(good_lines[i], name, n) && good_lines[i][n] == ' ')
            return 1;
    return 0;
}

static void test_every_keyword(void **state)
{
    daemon_opts o;
    char err[512];
    size_t i;
    (void)state;
    for (i = 0; i < config_n_keywords; i++)
        if (!covered(config_keywords[i].name))
            fail_msg("keyword %s has no test line", config_keywords[i].name);
    opts_init(&o);
    for (i = 0; i < sizeof(good_lines) / sizeof(good_lines[0]); i++) {
        const char *l = good_lines[i];
        err[0] = 0;
        if (!strncmp(l, "KexAlgorithms", 13))
            l = "KexAlgorithms curve25519-sha256,ecdh-sha2-*";
        if (line(&o, l, err, sizeof(err)) != 0)
            fail_msg("\"%s\": %s", l, err);
    }
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.address_family, AF_INET6);
    assert_int_equal(o.tcp_keepalive, 0);
    assert_int_equal(o.startups_begin, 5);
    assert_int_equal(o.startups_rate, 50);
    assert_int_equal(o.startups_full, 20);
    assert_int_equal(o.grace_seconds, 3600);
    assert_int_equal(o.kex_algs.n, 4);
    assert_string_equal(o.kex_algs.name[0], "curve25519-sha256");
    assert_string_equal(o.kex_algs.name[1], "ecdh-sha2-nistp256");
    assert_string_equal(o.hostkey_algs.name[0], "ssh-ed25519");
    /* rsa-sha2-* matches the certificate names too, as in sshd. */
    assert_string_equal(o.hostkey_algs.name[1], "rsa-sha2-512-cert-v01@openssh.com");
    assert_string_equal(o.hostkey_algs.name[3], "rsa-sha2-512");
    assert_string_equal(o.ca_sign_algs.name[0], "ssh-ed25519");
    assert_int_equal(o.ca_sign_algs.n, 1);
    assert_string_equal(o.trusted_user_ca_keys, "/etc/ssh/ca.pub");
    assert_string_equal(o.principals_file, "");
    assert_int_equal(o.host_certs.n, 1);
    assert_string_equal(o.macs.name[0], "hmac-sha2-512");
    assert_string_equal(o.pubkey_algs.name[o.pubkey_algs.n - 1], "ssh-rsa");
    for (i = 0; i < o.ciphers.n; i++)
        assert_null(strstr(o.ciphers.name[i], "-ctr"));
    assert_int_equal(o.rekey_bytes, 512ull << 20);
    assert_int_equal(o.rekey_seconds, 1800);
    assert_int_equal(o.pubkey_auth, 0);
    assert_int_equal(o.n_akfiles, 3);
    assert_string_equal(o.akfiles[2], "%%x");
    assert_int_equal(o.deny_users.n, 2);
    assert_string_equal(o.deny_users.v[1], "x@10.0.0.0/8");
    assert_int_equal(o.allow_groups.n, 2);
    assert_int_equal(o.max_auth_tries, 3);
    assert_string_equal(o.banner, "/etc/issue.net");
    assert_int_equal(o.max_sessions, 0);
    assert_int_equal(o.alive_interval, 15);
    assert_int_equal(o.alive_count_max, 0);
    assert_int_equal(o.set_env.n, 2);
    assert_string_equal(o.set_env.v[1], "B=2 3");
    assert_string_equal(o.force_command, "/bin/echo \"quoted arg\"");
    assert_int_equal(o.print_motd, 0);
    assert_int_equal(o.log_level, LL_DEBUG3);
    assert_int_equal(o.syslog_facility, LOG_LOCAL7);
    assert_string_equal(opts_subsystem(&o, "sftp"),
                        "/usr/lib/openssh/sftp-server -l INFO");
    assert_int_equal(opts_permit_root(&o), ROOT_FORCED_ONLY);
    assert_string_equal(o.pid_file, "/run/n.pid");
    assert_int_equal(o.strict_modes, 1);
    assert_string_equal(o.moduli_file, "/etc/m");
    assert_string_equal(o.version_addendum, "Debian 5");
    assert_int_equal(o.ipqos_interactive, 0xb8);
    assert_int_equal(o.ipqos_bulk, 0x08);
    assert_string_equal(o.sk_provider, "internal");
    assert_string_equal(o.sshd_session_path, "/usr/lib/x");
    assert_string_equal(o.sshd_auth_path, "/usr/lib/y");
    assert_int_equal(o.permit_tty, 0);
    assert_int_equal(o.disable_forwarding, 1);
    assert_int_equal(o.persource_max, 7);
    assert_int_equal(o.netblock4, 24);
    assert_int_equal(o.netblock6, 56);
    assert_true(o.penalty.authfail == 30 && o.penalty.noauth == 2 &&
                o.penalty.max == 3600 && o.penalty.min == 20 &&
                o.penalty.kexdh == 3);
    assert_int_equal(o.penalty.max_sources4, 100);
    assert_int_equal(o.penalty.overflow, PENALTY_DENY_ALL);
    assert_string_equal(o.penalty_exempt, "10.0.0.0/8,192.0.2.1");
    assert_int_equal(o.gex_max_bits, 3072);
    opts_free(&o);
}

/* The sshd parity keywords: defaults, one IPQoS value for both, bad values. */
static void test_parity_keywords(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.strict_modes, 1);
#if defined(__x86_64__) || defined(__aarch64__)
    /* As sshd: a root daemon separates privileges unless told not to. */
    assert_int_equal(o.privsep, 1);
#endif
    /* sshd 9.8's per-source defaults; the GEX cap is nanosshd's. */
    assert_int_equal(o.persource_max, 0);
    assert_int_equal(o.netblock4, 32);
    assert_int_equal(o.netblock6, 128);
    assert_int_equal(o.penalty.enabled, 1);
    assert_true(o.penalty.crash == 90 && o.penalty.authfail == 5 &&
                o.penalty.noauth == 1 && o.penalty.grace == 10 &&
                o.penalty.refuse == 10 && o.penalty.max == 600 &&
                o.penalty.min == 15);
    assert_int_equal(o.penalty.max_sources4, 65536);
    assert_int_equal(o.penalty.max_sources6, 65536);
    assert_int_equal(o.penalty.overflow, PENALTY_PERMISSIVE);
    assert_int_equal(o.penalty.overflow6, PENALTY_PERMISSIVE);
    assert_int_equal(o.gex_max_bits, 4096);
    assert_int_equal(o.permit_tty, 1);
    assert_int_equal(o.disable_forwarding, 0);
    assert_int_equal(o.ipqos_interactive, 0x48);   /* af21 */
    assert_int_equal(o.ipqos_bulk, 0x20);          /* cs1 */
    assert_null(o.moduli_file);
    assert_null(o.version_addendum);
    {
        /* -T's PerSourcePenalties line loads again (whole seconds). */
        char shown[512];
        FILE *m = fmemopen(shown, sizeof(shown), "w");
        daemon_opts o2;
        assert_non_null(m);
        show_penalties(&o, "PerSourcePenalties", m);
        fclose(m);
        assert_non_null(strstr(shown, " crash:90s authfail:5s "));
        shown[strcspn(shown, "\n")] = 0;
        opts_init(&o2);
        assert_int_equal(line(&o2, shown, err, sizeof(err)), 0);
        assert_int_equal(opts_finish(&o2), 0);
        assert_true(o2.penalty.crash == 90 && o2.penalty.max == 600);
        opts_free(&o2);
    }
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "IPQoS af42", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "IPQoS cs7", err, sizeof(err)), 0);   /* first wins */
    assert_int_equal(line(&o, "VersionAddendum none", err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.ipqos_interactive, 0x90);
    assert_int_equal(o.ipqos_bulk, 0x90);
    assert_string_equal(o.version_addendum, "");
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "IPQoS none 0x20", err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.ipqos_interactive, IPQOS_NONE);
    assert_int_equal(o.ipqos_bulk, 0x20);
    assert_true(line(&o, "IPQoS af44", err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "af44"));
    assert_true(line(&o, "IPQoS 256", err, sizeof(err)) < 0);
    assert_true(line(&o, "IPQoS a b c", err, sizeof(err)) < 0);
    assert_true(line(&o, "PermitEmptyPasswords maybe", err, sizeof(err)) < 0);
    assert_true(line(&o, "AuthenticationMethods any publickey", err,
                     sizeof(err)) < 0);
    assert_true(line(&o, "AuthenticationMethods publickey,bogus", err,
                     sizeof(err)) < 0);
    assert_true(line(&o, "AuthenticationMethods publickey,", err,
                     sizeof(err)) < 0);
    assert_true(line(&o, "AuthenticationMethods :pam", err, sizeof(err)) < 0);
    assert_true(line(&o, "PermitTTY perhaps", err, sizeof(err)) < 0);
    assert_true(line(&o, "StrictModes", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourceMaxStartups 0", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourceNetBlockSize 33", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourceNetBlockSize 24:129", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourcePenalties no crash:1", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourcePenalties bogus:1", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourcePenalties overflow:maybe", err, sizeof(err)) < 0);
    assert_true(line(&o, "PerSourcePenaltyExemptList 10.0.0.0/99", err,
                     sizeof(err)) < 0);
    assert_true(line(&o, "DHGroupExchangeMaxSize 1024", err, sizeof(err)) < 0);
    assert_true(line(&o, "DHGroupExchangeMaxSize 16384", err, sizeof(err)) < 0);
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "PerSourcePenalties no", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "PerSourceMaxStartups none", err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.penalty.enabled, 0);
    assert_int_equal(o.persource_max, 0);
    opts_free(&o);
}

static void test_typed_defaults(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.address_family, AF_UNSPEC);
    assert_int_equal(o.syslog_facility, LOG_AUTH);
    assert_int_equal(o.pubkey_auth, 1);
    assert_int_equal(o.print_motd, 1);
    assert_int_equal(o.tcp_keepalive, 1);
    assert_int_equal(o.max_sessions, 10);
    assert_int_equal(o.alive_interval, 0);
    assert_int_equal(o.alive_count_max, 3);
    assert_int_equal(o.startups_begin, 10);
    assert_int_equal(o.startups_rate, 30);
    assert_int_equal(o.startups_full, 100);
    assert_null(o.banner);
    assert_null(o.force_command);
    assert_int_equal(o.kex_algs.n, 11);   /* the backend's default list */
    assert_int_equal(o.pubkey_algs.n, 17);   /* 8 certificate, 9 plain (2 security keys) */
    assert_int_equal(o.ca_sign_algs.n, 9);
    assert_int_equal(o.macs.n, 4);
    assert_int_equal(opts_finish(&o), 0);   /* again: nothing changes */
    assert_int_equal(o.n_accept_env, 2);
    opts_free(&o);
    /* "none" and first-value-wins for the typed rows. */
    opts_init(&o);
    assert_int_equal(line(&o, "Banner none", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "Banner /etc/issue", err, sizeof(err)), 0);
    assert_string_equal(o.banner, "");
    assert_int_equal(line(&o, "ForceCommand none", err, sizeof(err)), 0);
    assert_string_equal(o.force_command, "");
    assert_int_equal(line(&o, "SetEnv A=1", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "SetEnv B=2", err, sizeof(err)), 0);
    assert_int_equal(o.set_env.n, 1);   /* SetEnv: the first line wins */
    assert_int_equal(line(&o, "AllowUsers a", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AllowUsers b c", err, sizeof(err)), 0);
    assert_int_equal(o.allow_users.n, 3);   /* AllowUsers lines add up */
    assert_int_equal(line(&o, "MaxStartups 7", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "MaxStartups 8:10:9", err, sizeof(err)), 0);
    assert_int_equal(o.startups_begin, 7);
    assert_int_equal(o.startups_rate, 100);
    assert_int_equal(o.startups_full, 7);
    assert_int_equal(line(&o, "Ciphers aes128-ctr", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "Ciphers aes256-ctr", err, sizeof(err)), 0);
    assert_int_equal(o.ciphers.n, 1);
    assert_string_equal(o.ciphers.name[0], "aes128-ctr");
    assert_int_equal(line(&o, "ClientAliveInterval 1m", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "clientaliveinterval=5", err, sizeof(err)), 0);
    assert_int_equal(o.alive_interval, 60);
    opts_free(&o);
}

struct bad { const char *line, *why; };

static const struct bad bad_lines[] = {
    { "Frobnicate yes", "Bad configuration option: Frobnicate" },
    { "RDomain %D", "Unsupported option RDomain" },
    { "PrintLastLog maybe", "PrintLastLog: invalid value \"maybe\" (yes or no)." },
    { "PermitTunnel yes", "PermitTunnel yes: not supported by nanosshd" },
    { "StreamLocalBindMask 0999", "StreamLocalBindMask: invalid value" },
    { "StreamLocalBindMask 01000", "StreamLocalBindMask: invalid value" },
    { "AllowStreamLocalForwarding maybe", "(one of yes all no local remote)" },
    { "X11DisplayOffset 70000", "X11DisplayOffset: invalid value" },
    { "IgnoreRhosts no", "only \"yes\"" },
    { "Port", "Port: missing argument." },
    { "Port 22 23", "Port: garbage at end of line: \"23\"." },
    { "Port 65536", "Port: invalid value \"65536\"." },
    { "ListenAddress [::1", "ListenAddress: invalid value" },
    { "HostKey \"a b", "HostKey: bad quoting." },
    { "ForceCommand", "ForceCommand: missing argument." },
    { "PubkeyAuthentication maybe", "(yes or no)" },
    { "TCPKeepAlive 1", "TCPKeepAlive: invalid value \"1\" (yes or no)." },
    { "MaxAuthTries -1", "MaxAuthTries: invalid value \"-1\" (a number" },
    { "MaxSessions 1e3", "MaxSessions: invalid value" },
    { "ClientAliveCountMax 99999999", "up to 1000000" },
    { "LoginGraceTime forever", "LoginGraceTime: invalid value \"forever\" (a time" },
    { "ClientAliveInterval 1000w", "ClientAliveInterval: invalid value" },
    { "AddressFamily ipx", "AddressFamily: invalid value \"ipx\" (one of any inet inet6)." },
    { "SyslogFacility KERN", "SyslogFacility: invalid value \"KERN\" (one of DAEMON" },
    { "LogLevel LOUD", "LogLevel: unknown level \"LOUD\"" },
    { "SetEnv NOEQUALS", "SetEnv: \"NOEQUALS\" is not NAME=value." },
    { "SetEnv =x", "is not NAME=value" },
    { "AcceptEnv A=B", "AcceptEnv: invalid value \"A=B\"." },
    { "AuthorizedKeysFile %q", "AuthorizedKeysFile: unknown % token" },
    { "AuthorizedKeysFile a%", "unknown % token" },
    { "RekeyLimit 8", "RekeyLimit: invalid value \"8\"" },
    { "RekeyLimit 1G forever", "RekeyLimit: invalid value \"1G forever\"" },
    { "MaxStartups 0", "MaxStartups: invalid value" },
    { "MaxStartups 10:0:20", "rate 1 to 100" },
    { "MaxStartups 10:30", "MaxStartups: invalid value" },
    { "MaxStartups 10:101:20", "MaxStartups: invalid value" },
    { "MaxStartups 10:30:5", "full at least start" },
    { "MaxStartups 1:2:3:4", "MaxStartups: invalid value" },
    { "KexAlgorithms foo", "KexAlgorithms: unknown algorithm \"foo\"." },
    { "Ciphers +aes999*", "Ciphers: unknown algorithm \"aes999*\"." },
    { "MACs -nothing", "MACs: unknown algorithm \"nothing\"." },
    { "HostKeyAlgorithms ssh-dss", "unknown algorithm \"ssh-dss\"" },
    { "CASignatureAlgorithms ssh-ed25519-cert-v01@openssh.com",
      "unknown algorithm" },
    { "PubkeyAcceptedAlgorithms ,ssh-ed25519", "bad entry \"\"" },
    { "Ciphers aes128-ctr,", "Ciphers: empty entry at the end." },
    { "Ciphers !aes128-ctr", "bad entry \"!aes128-ctr\"" },
    { "Ciphers +", "Ciphers: empty list." },
    { "MACs -*", "MACs: no algorithm left." },
    { "PermitRootLogin sometimes", "PermitRootLogin: invalid value" },
    { "Subsystem sftp", "Subsystem: missing argument." },
    { "Match User x", "Match is only allowed in a configuration file." },
    { "Include /etc/x", "Include is only allowed in a configuration file." },
};

static void test_keyword_errors(void **state)
{
    daemon_opts o;
    char err[512], words[600];
    size_t i;
    int e;
    (void)state;
    opts_init(&o);
    for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
        err[0] = 0;
        e = line(&o, bad_lines[i].line, err, sizeof(err));
        if (e >= 0)
            fail_msg("\"%s\" was accepted", bad_lines[i].line);
        if (strncmp(err, "test: line 3: ", 14) || !strstr(err, bad_lines[i].why))
            fail_msg("\"%s\": got \"%s\", want \"%s\"", bad_lines[i].line, err,
                     bad_lines[i].why);
    }
    /* Too many words, and a line too long. */
    strcpy(words, "AllowUsers");
    for (i = 0; i < CFG_ARGS_MAX + 1; i++)
        strcat(words, " u");
    assert_true(line(&o, words, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "AllowUsers: too many arguments."));
    {
        char *longl = malloc(5000);
        memset(longl, 'a', 4999);
        longl[4999] = 0;
        memcpy(longl, "Banner ", 7);
        assert_true(line(&o, longl, err, sizeof(err)) < 0);
        assert_non_null(strstr(err, "test: line 3: line too long"));
        free(longl);
    }
    /* Nothing was taken from the bad lines. */
    assert_int_equal(o.n_ports, 0);
    assert_int_equal(o.set_env.n, 0);
    assert_false(o.ciphers.set);
    opts_free(&o);
}

static void test_match_only_keywords(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_true(config_apply(&o, "Port 22", 1, err, sizeof(err)) < 0);
    assert_string_equal(err, "Port is not allowed within a Match block.");
    assert_true(config_apply(&o, "Ciphers aes128-ctr", 1, err, sizeof(err)) < 0);
    assert_true(config_apply(&o, "UsePAM no", 1, err, sizeof(err)) < 0);
    assert_true(config_apply(&o, "PrintMotd no", 1, err, sizeof(err)) < 0);
    assert_true(config_apply(&o, "Compression no", 1, err, sizeof(err)) < 0);
    assert_int_equal(config_apply(&o, "X11Forwarding no", 1, err, sizeof(err)), 0);
    assert_int_equal(config_apply(&o, "MaxAuthTries 2", 1, err, sizeof(err)), 0);
    assert_int_equal(config_apply(&o, "MaxAuthTries 3", 1, err, sizeof(err)), 0);
    assert_int_equal(o.max_auth_tries, 2);
    assert_int_equal(config_apply(&o, "# only a comment", 1, err, sizeof(err)), 0);
    opts_free(&o);
}

static char *temp_dir(void)
{
    static char dir[64];
    strcpy(dir, "/tmp/nanosshd-cfg-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "w"));
    fputs(text, f);
    fclose(f);
}

static int load_quiet(daemon_opts *o, const char *path)
{
    FILE *saved = stderr;
    int e;
    stderr = fopen("/dev/null", "w");
    e = config_load(o, path, 1);
    fclose(stderr);
    stderr = saved;
    return e;
}

static void test_load_include_and_match(void **state)
{
    char *dir = temp_dir(), path[256];
    daemon_opts o;
    (void)state;
    if (mkdir(strcat(strcpy(path, dir), "/conf.d"), 0700) < 0)
        fail_msg("mkdir");
    put_file(dir, "conf.d/10-first.conf", "MaxAuthTries 2\n");
    put_file(dir, "conf.d/20-second.conf", "MaxAuthTries 4\nMaxSessions 5\n");
    put_file(dir, "inner.conf", "   AcceptEnv FROM_INCLUDE\n");
    put_file(dir, "main",
             "Include conf.d/*.conf missing/*.conf\r\n"
             "MaxAuthTries 9\n"
             "Match User alice,bob Address 10.0.0.0/8\n"
             "    MaxAuthTries 1\n"
             "    Include inner.conf\n"
             "Match All\n"
             "    PubkeyAuthentication no # trailing\n");
    snprintf(path, sizeof(path), "%s/main", dir);
    opts_init(&o);
    assert_int_equal(config_load(&o, path, 1), 0);
    assert_int_equal(o.max_auth_tries, 2);
    assert_int_equal(o.max_sessions, 5);
    assert_int_equal(o.n_accept_env, 0);
    assert_int_equal(o.n_matches, 2);
    assert_string_equal(o.matches[0].criteria, "User alice,bob Address 10.0.0.0/8");
    assert_int_equal(o.matches[0].lineno, 3);
    assert_int_equal(o.matches[0].n_lines, 2);
    assert_int_equal(o.matches[0].lines[1].lineno, 1);
    assert_non_null(strstr(o.matches[0].lines[1].source, "inner.conf"));
    assert_int_equal(o.matches[1].n_lines, 1);
    assert_int_equal(o.pubkey_auth, -1);   /* only in a Match block */
    opts_free(&o);

    /* Every bad line is counted, in Match blocks and included files too. */
    put_file(dir, "conf.d/30-bad.conf", "Nonsense 1\n");
    put_file(dir, "loop.conf", "Include loop.conf\n");
    put_file(dir, "bad",
             "Include conf.d/*.conf\n"
             "Include\n"
             "Include loop.conf\n"
             "Match\n"
             "Match User\n"
             "Match All User x\n"
             "Match Colour red\n"
             "    Port 22\n"
             "Match LocalPort http\n"
             "Match Address 10.0.0.1/8\n"
             "Match User x\n"
             "    ListenAddress 1.2.3.4\n");
    snprintf(path, sizeof(path), "%s/bad", dir);
    opts_init(&o);
    assert_int_equal(load_quiet(&o, path), NSSH_ERR_FORMAT);
    assert_int_equal(o.n_matches, 1);
    assert_int_equal(o.matches[0].n_lines, 0);
    opts_free(&o);

    opts_init(&o);
    snprintf(path, sizeof(path), "%s/none", dir);
    assert_int_equal(load_quiet(&o, path), NSSH_ERR_FORMAT);
    opts_free(&o);
    snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

static void test_args_modes(void **state)
{
    char *good[] = { "/usr/sbin/nanosshd", "-T", "-C", "user=alice,addr=10.0.0.1",
                     "-C", "host=h.example,laddr=127.0.0.1,lport=2222", "-i",
                     NULL };
    char *no_t[] = { "nanosshd", "-C", "user=x", NULL };
    char *bad_c[] = { "nanosshd", "-T", "-C", "colour=red", NULL };
    char *bad_port[] = { "nanosshd", "-T", "-C", "lport=0", NULL };
    char *help[] = { "nanosshd", "--help", NULL };
    daemon_opts o;
    int code = 0;
    FILE *saved = stderr, *saved_out = stdout;
    (void)state;
    opts_init(&o);
    assert_int_equal(parse(&o, 7, good, &code), 0);
    assert_true(o.show_config && o.inetd && o.spec_set);
    assert_string_equal(o.spec_user, "alice");
    assert_string_equal(o.spec_addr, "10.0.0.1");
    assert_string_equal(o.spec_host, "h.example");
    assert_string_equal(o.spec_laddr, "127.0.0.1");
    assert_int_equal(o.spec_lport, 2222);
    assert_string_equal(o.ident, "nanosshd");
    opts_free(&o);
    stderr = fopen("/dev/null", "w");
    stdout = fopen("/dev/null", "w");
    opts_init(&o);
    assert_true(parse(&o, 3, no_t, &code) < 0);
    assert_int_equal(code, 1);
    opts_free(&o);
    opts_init(&o);
    assert_true(parse(&o, 4, bad_c, &code) < 0);
    opts_free(&o);
    opts_init(&o);
    assert_true(parse(&o, 4, bad_port, &code) < 0);
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(parse(&o, 2, help, &code), 0);
    assert_true(o.exit_now);
    opts_free(&o);
    fclose(stderr);
    fclose(stdout);
    stderr = saved;
    stdout = saved_out;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_first_wins_and_lists),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_args_debug_and_errors),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_every_keyword),
        cmocka_unit_test(test_parity_keywords),
        cmocka_unit_test(test_typed_defaults),
        cmocka_unit_test(test_keyword_errors),
        cmocka_unit_test(test_match_only_keywords),
        cmocka_unit_test(test_load_include_and_match),
        cmocka_unit_test(test_args_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
