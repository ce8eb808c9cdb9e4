/*
 * Every keyword OpenSSH's sshd allows inside a Match block (the list of
 * sshd_config(5), OpenSSH 10.5) is allowed there by nanosshd too, when
 * nanosshd knows the keyword; and the forwarding keywords set in a Match
 * block take effect for the connections it matches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "opts.h"
#include "config.h"

/* sshd_config(5), "Match": "Only a subset of keywords may be used on the
 * lines following a Match keyword." (Include is handled by the file
 * reader, not the keyword table.) */
static const char *const sshd_match_keywords[] = {
    "AcceptEnv", "AllowAgentForwarding", "AllowGroups",
    "AllowStreamLocalForwarding", "AllowTcpForwarding", "AllowUsers",
    "AuthenticationMethods", "AuthorizedKeysCommand",
    "AuthorizedKeysCommandUser", "AuthorizedKeysFile",
    "AuthorizedPrincipalsCommand", "AuthorizedPrincipalsCommandUser",
    "AuthorizedPrincipalsFile", "Banner", "CASignatureAlgorithms",
    "ChannelTimeout", "ChrootDirectory", "ClientAliveCountMax",
    "ClientAliveInterval", "DenyGroups", "DenyUsers", "DisableForwarding",
    "ExposeAuthInfo", "ForceCommand", "GatewayPorts",
    "GSSAPIAuthentication", "HostbasedAcceptedAlgorithms",
    "HostbasedAuthentication", "HostbasedUsesNameFromPacketOnly",
    "IgnoreRhosts", "IPQoS", "KbdInteractiveAuthentication",
    "KerberosAuthentication", "LogLevel", "MaxAuthTries", "MaxSessions",
    "PAMServiceName", "PasswordAuthentication", "PermitEmptyPasswords",
    "PermitListen", "PermitOpen", "PermitRootLogin", "PermitTTY",
    "PermitTunnel", "PermitUserRC", "PubkeyAcceptedAlgorithms",
    "PubkeyAuthentication", "PubkeyAuthOptions", "RefuseConnection",
    "RekeyLimit", "RevokedKeys", "RDomain", "SetEnv", "StreamLocalBindMask",
    "StreamLocalBindUnlink", "TrustedUserCAKeys", "UnusedConnectionTimeout",
    "X11DisplayOffset", "X11Forwarding", "X11UseLocalhost",
};

static void test_sshd_match_keywords_allowed(void **state)
{
    size_t i, known = 0;
    (void)state;
    for (i = 0; i < sizeof(sshd_match_keywords) / sizeof(sshd_match_keywords[0]);
         i++) {
        const keyword *k = config_keyword(sshd_match_keywords[i]);
        if (!k)
            continue;   /* not a keyword of nanosshd (yet) */
        known++;
        if (!(k->flags & KW_MATCH))
            fail_msg("%s: sshd allows it in Match, nanosshd does not",
                     sshd_match_keywords[i]);
    }
    /* The list is checked against real rows, not skipped wholesale. */
    assert_true(known >= 40);
}

static const char *conf =
    "AllowAgentForwarding yes\n"
    "X11Forwarding no\n"
    "Match User alice\n"
    "    AllowAgentForwarding no\n"
    "    X11Forwarding yes\n"
    "    X11DisplayOffset 42\n"
    "    X11UseLocalhost no\n"
    "    AllowStreamLocalForwarding local\n"
    "    StreamLocalBindMask 0022\n"
    "    StreamLocalBindUnlink yes\n"
    "Match User bob\n"
    "    DisableForwarding yes\n"
    "    AllowStreamLocalForwarding remote\n";

static void load(daemon_opts *o, const char *user)
{
    char path[] = "/tmp/nanosshd-mkw-XXXXXX";
    int fd = mkstemp(path);
    match_ctx m = { user, "127.0.0.1", "127.0.0.1", "127.0.0.1", 22, NULL, 0 };
    assert_true(fd >= 0);
    assert_int_equal(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
    close(fd);
    opts_init(o);
    assert_int_equal(config_load(o, path, 1), 0);
    unlink(path);
    assert_int_equal(opts_finish(o), 0);
    assert_true(config_match_apply(o, &m) >= 0);
}

static void test_forwarding_keywords_in_match(void **state)
{
    daemon_opts o;
    (void)state;
    load(&o, "carol");   /* no block: the global values and defaults */
    assert_int_equal(o.allow_agent_fwd, 1);
    assert_int_equal(o.x11_forwarding, 0);
    assert_int_equal(o.x11_display_offset, 10);
    assert_int_equal(o.x11_use_localhost, 1);
    assert_string_equal(o.xauth_location, "/usr/bin/xauth");
    assert_int_equal(o.allow_streamlocal_fwd, FWD_ALLOW_ALL);
    assert_true(o.streamlocal_bind_mask < 0);   /* sshd's 0177 */
    assert_int_equal(o.streamlocal_bind_unlink, 0);
    opts_free(&o);
    load(&o, "alice");
    assert_int_equal(o.allow_agent_fwd, 0);
    assert_int_equal(o.x11_forwarding, 1);
    assert_int_equal(o.x11_display_offset, 42);
    assert_int_equal(o.x11_use_localhost, 0);
    assert_int_equal(o.allow_streamlocal_fwd, FWD_ALLOW_LOCAL);
    assert_int_equal(o.streamlocal_bind_mask, 022);
    assert_int_equal(o.streamlocal_bind_unlink, 1);
    opts_free(&o);
    load(&o, "bob");
    assert_int_equal(o.disable_forwarding, 1);
    assert_int_equal(o.allow_streamlocal_fwd, FWD_ALLOW_REMOTE);
    opts_free(&o);
}

/* -T prints them as sshd does. */
static void test_show(void **state)
{
    daemon_opts o;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;
    load(&o, "alice");
    assert_non_null(f = open_memstream(&buf, &len));
    config_show(&o, f);
    fclose(f);
    assert_non_null(strstr(buf, "\nstreamlocalbindmask 0022\n"));
    assert_non_null(strstr(buf, "\nallowstreamlocalforwarding local\n"));
    assert_non_null(strstr(buf, "\nx11forwarding yes\n"));
    assert_non_null(strstr(buf, "\nx11displayoffset 42\n"));
    assert_non_null(strstr(buf, "\nxauthlocation /usr/bin/xauth\n"));
    assert_non_null(strstr(buf, "\nallowagentforwarding no\n"));
    free(buf);
    opts_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sshd_match_keywords_allowed),
        cmocka_unit_test(test_forwarding_keywords_in_match),
        cmocka_unit_test(test_show),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
