/*
 * nanosshd's configuration per connection: Match blocks, DenyUsers /
 * AllowUsers / DenyGroups / AllowGroups, -T output, the algorithm lists
 * and the host keys they select, MaxStartups' drop rule, and AcceptEnv
 * matching.
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
#include "access.h"
#include "algs.h"
#include "startups.h"
#include "config.h"
#include "pattern.h"

static const char *config_text =
    "MaxAuthTries 6\n"
    "AcceptEnv LANG\n"
    "Match User alice,!mallory Address 10.0.0.0/8,192.0.2.7\n"
    "    MaxAuthTries 2\n"
    "    AcceptEnv A1\n"
    "    AcceptEnv A2\n"
    "    SetEnv WHO=alice\n"
    "Match User alice\n"
    "    MaxAuthTries 3\n"
    "    AcceptEnv B1\n"
    "    LogLevel DEBUG2\n"
    "    SetEnv WHO=later\n"
    "Match Group root LocalPort 2222\n"
    "    PubkeyAuthentication no\n"
    "Match Host 127.0.0.* LocalAddress 127.0.0.0/8\n"
    "    Banner /etc/issue.net\n"
    "Match All\n"
    "    ClientAliveInterval 7\n";

static void load(daemon_opts *o)
{
    char path[] = "/tmp/nanosshd-match-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, config_text, strlen(config_text)),
                     (int)strlen(config_text));
    close(fd);
    opts_init(o);
    assert_int_equal(config_load(o, path, 1), 0);
    assert_int_equal(opts_finish(o), 0);
    unlink(path);
}

static void test_match_override(void **state)
{
    daemon_opts o;
    match_ctx m = { "alice", "10.1.1.1", "10.1.1.1", "10.9.9.9", 22, NULL, 0 };
    (void)state;
    load(&o);
    assert_int_equal(config_match_apply(&o, &m), 3);
    /* The first block that sets a keyword wins; lists from all matching
     * blocks replace the global list. */
    assert_int_equal(o.max_auth_tries, 2);
    assert_int_equal(o.n_accept_env, 3);
    assert_string_equal(o.accept_env[0], "A1");
    assert_string_equal(o.accept_env[2], "B1");
    assert_int_equal(o.set_env.n, 1);
    assert_string_equal(o.set_env.v[0], "WHO=alice");
    assert_int_equal(o.log_level, LL_DEBUG2);
    assert_int_equal(o.alive_interval, 7);
    assert_int_equal(o.pubkey_auth, 1);   /* Group root: alice is not in it */
    assert_null(o.banner);
    opts_free(&o);
}

static void test_match_criteria(void **state)
{
    daemon_opts o;
    match_ctx mallory = { "mallory", "10.1.1.1", "10.1.1.1", NULL, 0, NULL, 0 };
    match_ctx outside = { "alice", "172.16.0.1", "172.16.0.1", NULL, 0, NULL, 0 };
    match_ctx exact = { "alice", "192.0.2.7", "192.0.2.7", NULL, 0, NULL, 0 };
    match_ctx root = { "root", "127.0.0.1", "127.0.0.1", "127.0.0.1", 2222, NULL, 0 };
    match_ctx nouser = { NULL, "127.0.0.1", "127.0.0.1", "10.0.0.1", 2222, NULL, 0 };
    (void)state;
    load(&o);
    assert_int_equal(config_match_apply(&o, &mallory), 1);   /* All only */
    assert_int_equal(o.max_auth_tries, 6);
    assert_int_equal(o.n_accept_env, 1);
    opts_free(&o);
    load(&o);
    assert_int_equal(config_match_apply(&o, &outside), 2);
    assert_int_equal(o.max_auth_tries, 3);
    opts_free(&o);
    load(&o);
    assert_int_equal(config_match_apply(&o, &exact), 3);
    assert_int_equal(o.max_auth_tries, 2);
    opts_free(&o);
    load(&o);
    assert_int_equal(config_match_apply(&o, &root), 3);   /* Group, Host, All */
    assert_int_equal(o.pubkey_auth, 0);
    assert_string_equal(o.banner, "/etc/issue.net");
    opts_free(&o);
    load(&o);
    assert_int_equal(config_match_apply(&o, &nouser), 1);  /* LocalAddress no */
    opts_free(&o);
}

static int load_text(daemon_opts *o, const char *text)
{
    char path[] = "/tmp/nanosshd-match-XXXXXX";
    int fd = mkstemp(path), e;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    opts_init(o);
    e = config_load(o, path, 1);
    if (e == 0)
        assert_int_equal(opts_finish(o), 0);
    unlink(path);
    return e;
}

/* sshd 10's Invalid-User (no pattern), RDomain (the VRF device; unknown
 * never matches, none is "") and the criterion=pattern form. */
static void test_match_invalid_user_rdomain(void **state)
{
    static const char *text =
        "Match Invalid-User\n"
        "    MaxAuthTries 1\n"
        "Match RDomain vrf-blue User=alice\n"
        "    MaxAuthTries 4\n"
        "Match rdomain=*,!vrf-red\n"
        "    ClientAliveInterval 9\n";
    static const char *const bad[] = {
        "Match Invalid-User=yes\n", "Match RDomain\n", "Match User=\n",
        "Match SessionType shell\n", "Match All Invalid-User\n",
    };
    match_ctx blue = { "alice", "10.1.1.1", "10.1.1.1", NULL, 22, "vrf-blue", 0 };
    match_ctx red = { "alice", "10.1.1.1", "10.1.1.1", NULL, 22, "vrf-red", 0 };
    match_ctx unknown = { "alice", "10.1.1.1", "10.1.1.1", NULL, 22, NULL, 0 };
    match_ctx ghost = { "ghost", "10.1.1.1", "10.1.1.1", NULL, 22, "", 1 };
    match_ctx before_user = { NULL, "10.1.1.1", "10.1.1.1", NULL, 22, "", 1 };
    daemon_opts o;
    size_t i;
    (void)state;
    assert_int_equal(load_text(&o, text), 0);
    assert_int_equal(config_match_apply(&o, &blue), 2);
    assert_int_equal(o.max_auth_tries, 4);
    assert_int_equal(o.alive_interval, 9);
    opts_free(&o);
    assert_int_equal(load_text(&o, text), 0);
    assert_int_equal(config_match_apply(&o, &red), 0);
    assert_int_equal(o.max_auth_tries, 6);
    opts_free(&o);
    assert_int_equal(load_text(&o, text), 0);
    assert_int_equal(config_match_apply(&o, &unknown), 0);
    opts_free(&o);
    assert_int_equal(load_text(&o, text), 0);
    assert_int_equal(config_match_apply(&o, &ghost), 2);
    assert_int_equal(o.max_auth_tries, 1);
    opts_free(&o);
    assert_int_equal(load_text(&o, text), 0);
    assert_int_equal(config_match_apply(&o, &before_user), 1);   /* rdomain "" */
    assert_int_equal(o.max_auth_tries, 6);
    opts_free(&o);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(load_text(&o, bad[i]) < 0);
        opts_free(&o);
    }
}

static char *shown(const daemon_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    config_show(o, f);
    fclose(f);
    return buf;
}

static void test_show(void **state)
{
    daemon_opts o;
    char err[256], *out;
    (void)state;
    opts_init(&o);
    assert_int_equal(config_line(&o, "Port 2200", "t", 1, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "Port 2201", "t", 2, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "ListenAddress 127.0.0.1", "t", 3, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "ListenAddress [::1]:22", "t", 4, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "Ciphers aes128-ctr,aes256-ctr", "t", 5, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "PermitOpen a:1 b:2", "t", 6, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "RekeyLimit none 1h", "t", 7, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "AuthorizedKeysFile none", "t", 8, err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    out = shown(&o);
    assert_non_null(strstr(out, "port 2200\nport 2201\n"));
    assert_non_null(strstr(out, "listenaddress 127.0.0.1:2200\n"
                                "listenaddress 127.0.0.1:2201\n"
                                "listenaddress [::1]:22\n"));
    assert_non_null(strstr(out, "\nciphers aes128-ctr,aes256-ctr\n"));
    assert_non_null(strstr(out, "\npermitopen a:1 b:2\n"));
    assert_non_null(strstr(out, "\nrekeylimit none 3600\n"));
    assert_non_null(strstr(out, "\nauthorizedkeysfile none\n"));
    assert_non_null(strstr(out, "\nacceptenv LANG\nacceptenv LC_*\n"));
    assert_non_null(strstr(out, "\nbanner none\n"));
    assert_non_null(strstr(out, "\nmaxstartups 10:30:100\n"));
    assert_non_null(strstr(out, "\nsubsystem sftp "));
    assert_non_null(strstr(out, "\npermitrootlogin prohibit-password\n"));
    assert_non_null(strstr(out, "\nallowtcpforwarding yes\n"));
    assert_non_null(strstr(out, "\nloglevel INFO\n"));
    assert_non_null(strstr(out, "\nsyslogfacility AUTH\n"));
    assert_non_null(strstr(out, "\nx11forwarding no\n"));
    assert_null(strstr(out, "pubkeyacceptedkeytypes"));   /* an alias */
    assert_null(strstr(out, "challengeresponse"));
    free(out);
    opts_free(&o);
}

static void test_access(void **state)
{
    daemon_opts o;
    char err[256], why[128];
    strlist g = { 0 };
    (void)state;
    assert_int_equal(user_group_names("root", &g), 0);
    assert_true(g.n >= 1);
    assert_string_equal(g.v[0], "root");
    strlist_free(&g);
    assert_true(user_group_names("no-such-user-here", &g) < 0);

    opts_init(&o);
    assert_int_equal(access_user_allowed(&o, "root", "127.0.0.1", why, sizeof(why)), 1);
    assert_int_equal(config_line(&o, "DenyUsers bob root@10.0.0.0/8", "t", 1, err, sizeof(err)), 0);
    assert_int_equal(access_user_allowed(&o, "root", "127.0.0.1", why, sizeof(why)), 1);
    assert_int_equal(access_user_allowed(&o, "root", "10.2.3.4", why, sizeof(why)), 0);
    assert_string_equal(why, "listed in DenyUsers");
    assert_int_equal(config_line(&o, "AllowUsers r?ot@127.0.0.1 alice", "t", 2, err, sizeof(err)), 0);
    assert_int_equal(access_user_allowed(&o, "root", "127.0.0.1", why, sizeof(why)), 1);
    assert_int_equal(access_user_allowed(&o, "root", "127.0.0.2", why, sizeof(why)), 0);
    assert_string_equal(why, "not listed in AllowUsers");
    assert_int_equal(config_line(&o, "DenyGroups wheel ro*", "t", 3, err, sizeof(err)), 0);
    assert_int_equal(access_user_allowed(&o, "root", "127.0.0.1", why, sizeof(why)), 0);
    assert_string_equal(why, "a group is listed in DenyGroups");
    opts_free(&o);

    opts_init(&o);
    assert_int_equal(config_line(&o, "AllowGroups nosuchgroup", "t", 1, err, sizeof(err)), 0);
    assert_int_equal(access_user_allowed(&o, "root", "127.0.0.1", why, sizeof(why)), 0);
    assert_string_equal(why, "none of user's groups are listed in AllowGroups");
    assert_int_equal(access_user_allowed(&o, "no-such-user-here", "127.0.0.1",
                                         why, sizeof(why)), 0);
    assert_string_equal(why, "not in any group");
    opts_free(&o);
}

static void test_startups(void **state)
{
    daemon_opts o;
    startups st;
    src_addr a = { .af = AF_INET, .a = { 192, 0, 2, 1 } }, peer;
    int fds[4], i, drops = 0, authed;
    unsigned kex;
    (void)state;
    opts_init(&o);
    assert_int_equal(opts_finish(&o), 0);
    o.startups_begin = 2;
    o.startups_rate = 50;
    o.startups_full = 4;
    startups_init(&st);
    assert_false(startups_drop(&st, &o));
    for (i = 0; i < 2; i++) {
        assert_int_equal(startups_add(&st, &a, &fds[i]), 0);
        startups_set_pid(&st, 1000 + i);
    }
    for (i = 0; i < 200; i++)
        drops += startups_drop(&st, &o);
    assert_true(drops > 50 && drops < 150);   /* 50% at begin */
    for (i = 2; i < 4; i++) {
        assert_int_equal(startups_add(&st, &a, &fds[i]), 0);
        startups_set_pid(&st, 1000 + i);
    }
    assert_true(startups_drop(&st, &o));      /* full: always */
    assert_int_equal(startups_from(&st, &o, &a), 4);
    /* Two DH exchanges, then the login: no longer pending. The first
     * exchange of a connection that logs in costs nothing. */
    assert_int_equal(write(fds[3], "KKA", 3), 3);
    assert_int_equal(startups_read(&st, st.c[3].fd, &peer), 1);
    assert_true(src_addr_eq(&peer, &a));
    assert_int_equal(st.pending, 3);
    /* A child that closes its end without logging in: not pending either,
     * and its exit is charged with authed 0. */
    assert_int_equal(write(fds[2], "K", 1), 1);
    close(fds[2]);
    assert_int_equal(startups_read(&st, st.c[2].fd, &peer), 0);
    assert_int_equal(st.pending, 2);
    assert_int_equal(startups_reaped(&st, 1002, &peer, &authed, &kex), 1);
    assert_int_equal(authed, 0);
    assert_int_equal(kex, 1);   /* its one exchange, charged at the end */
    assert_int_equal(startups_reaped(&st, 1003, &peer, &authed, &kex), 1);
    assert_int_equal(authed, 1);
    assert_int_equal(kex, 0);
    assert_int_equal(startups_reaped(&st, 4242, &peer, &authed, &kex), 0);
    assert_int_equal(st.n, 2);
    for (i = 0; i < 2; i++)
        close(fds[i]);
    close(fds[3]);
    startups_free(&st);
    assert_int_equal(st.n, 0);
    opts_free(&o);
}

static void test_engine_tables(void **state)
{
    daemon_opts o;
    char err[256];
    const nssh_kem *kems[OPTS_MAX_ALGS];
    const nssh_cipher *ciphers[OPTS_MAX_ALGS];
    const nssh_mac *macs[OPTS_MAX_ALGS];
    const nssh_sig_alg *sigs[OPTS_MAX_ALGS];
    nssh_hostkey hk_entries[8];
    hostkey_set hs;
    (void)state;
    opts_init(&o);
    assert_int_equal(config_line(&o, "KexAlgorithms +diffie-hellman-group14-sha1", "t", 1, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "MACs hmac-sha1,hmac-sha2-256", "t", 2, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "PubkeyAcceptedAlgorithms ^ssh-rsa", "t", 3, err, sizeof(err)), 0);
    assert_int_equal(config_line(&o, "HostKeyAlgorithms rsa-sha2-256,ssh-ed25519,ssh-rsa", "t", 4, err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(algs_kems(&o.kex_algs, kems, OPTS_MAX_ALGS), 12);
    assert_string_equal(kems[11]->name, "diffie-hellman-group14-sha1");
    assert_int_equal(algs_ciphers(&o.ciphers, ciphers, OPTS_MAX_ALGS), 6);
    assert_int_equal(algs_macs(&o.macs, macs, OPTS_MAX_ALGS), 2);
    assert_string_equal(macs[0]->name, "hmac-sha1");
    assert_int_equal(algs_sigs(&o.pubkey_algs, sigs, OPTS_MAX_ALGS), 18);   /* with the certificates and the security keys */
    assert_string_equal(sigs[0]->name, "ssh-rsa");
    /* Host keys: one entry per listed algorithm and key that signs with it. */
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &hs.keys[0]), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_RSA, 2048, &hs.keys[1]), 0);
    hs.n_keys = 2;
    assert_int_equal(algs_hostkeys(&o.hostkey_algs, &hs, hk_entries, 8), 3);
    assert_string_equal(hk_entries[0].alg->name, "rsa-sha2-256");
    assert_ptr_equal(hk_entries[0].key, hs.keys[1]);
    assert_string_equal(hk_entries[1].alg->name, "ssh-ed25519");
    assert_string_equal(hk_entries[2].alg->name, "ssh-rsa");
    assert_int_equal(algs_hostkeys(&o.hostkey_algs, &hs, hk_entries, 1), 1);
    nssh_ossl_key_free(hs.keys[0]);
    nssh_ossl_key_free(hs.keys[1]);
    opts_free(&o);
}

static void test_accept_env(void **state)
{
    char *pats[] = { "LANG", "LC_*" };
    (void)state;
    assert_true(env_accepted("LANG", pats, 2));
    assert_true(env_accepted("LC_ALL", pats, 2));
    assert_true(env_accepted("LC_", pats, 2));
    assert_false(env_accepted("LANGUAGE", pats, 2));
    assert_false(env_accepted("PATH", pats, 2));
    assert_false(env_accepted("LD_PRELOAD", pats, 2));
    assert_false(env_accepted("", pats, 2));
    assert_false(env_accepted("LC_X=1", pats, 2));
    assert_false(env_accepted("LANG", pats, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_override),
        cmocka_unit_test(test_match_criteria),
        cmocka_unit_test(test_match_invalid_user_rdomain),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_access),
        cmocka_unit_test(test_startups),
        cmocka_unit_test(test_engine_tables),
        cmocka_unit_test(test_accept_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
