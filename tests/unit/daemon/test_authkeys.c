/*
 * authorized_keys: fields, comments, every option nanossh honours, the
 * refusal of options it does not know, quoting, from= patterns and
 * networks, several keys, malformed lines, and sshd's pattern lists.
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

#include "authkeys.h"
#include "pattern.h"
#include "nanossh.h"
#include "nanossh_ossl.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIKNR2c7eBOSbHJ4h4IzgDuLnCHv3dKH2SQ5khu7P13fn"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIF/Qc37KrWn/wmSz79nA9qYxuyAMljRU5wqAIleKJjqJ"
#define K3 "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOp2LqNBadYjmVW/" \
           "2szZ1op/Xqw5wv1OTVKOCzKT8NFmTSz/dt33N4ok8UWoUW1aG1kJcIUMfa4JhU4vZ1Qq1z8="
#define ED "ssh-ed25519"
#define EC "ecdsa-sha2-nistp256"

static authkey_opts o;
static unsigned line;
static char why[256];

/* Look for key b64 (of type) in text, from addr/host. */
static int find_from(const char *text, const char *type, const char *b64,
                     const char *addr, const char *host)
{
    uint8_t blob[256];
    long n = nssh_ossl_base64_decode(b64, strlen(b64), blob, sizeof(blob));

    assert_true(n > 0);
    authkeys_opts_free(&o);
    return authkeys_find(text, strlen(text), type, blob, (size_t)n, addr, host,
                         &o, &line, why, sizeof(why));
}

static int find(const char *text, const char *b64)
{
    return find_from(text, strncmp(b64, "AAAAE2", 6) == 0 ? EC : ED, b64,
                     "192.0.2.7", NULL);
}

static int teardown(void **state)
{
    (void)state;
    authkeys_opts_free(&o);
    return 0;
}

static void test_plain_and_comments(void **state)
{
    (void)state;
    assert_int_equal(find(ED " " K1 " user@host\n", K1), AUTHKEYS_MATCH);
    assert_int_equal(line, 1);
    assert_string_equal(o.comment, "user@host");
    assert_null(o.command);
    assert_int_equal(o.no_pty + o.restrict_all + o.no_port_forwarding, 0);
    assert_string_equal(why, "");

    assert_int_equal(find("# a comment " ED " " K1 "\n\n   \n\t# indented\r\n"
                          "\t" ED "\t" K1 "\tmy key  comment \r\n", K1), AUTHKEYS_MATCH);
    assert_int_equal(line, 5);
    assert_string_equal(o.comment, "my key  comment");

    assert_int_equal(find(ED " " K1, K1), AUTHKEYS_MATCH);     /* no newline, no comment */
    assert_null(o.comment);
    assert_int_equal(find(ED " " K1 "\n", K2), AUTHKEYS_NOMATCH);
    assert_int_equal(line, 0);
    assert_int_equal(find("", K1), AUTHKEYS_NOMATCH);
    assert_int_equal(find("# only " ED " " K1 "\n", K1), AUTHKEYS_NOMATCH);
}

static void test_several_keys(void **state)
{
    static const char text[] =
        ED " " K1 " one\n" EC " " K3 " three\n" ED " " K2 " two\n";
    (void)state;
    assert_int_equal(find(text, K1), AUTHKEYS_MATCH);
    assert_int_equal(line, 1);
    assert_string_equal(o.comment, "one");
    assert_int_equal(find(text, K3), AUTHKEYS_MATCH);
    assert_int_equal(line, 2);
    assert_string_equal(o.comment, "three");
    assert_int_equal(find(text, K2), AUTHKEYS_MATCH);
    assert_int_equal(line, 3);
    /* The first line with the key decides, for better or worse. */
    assert_int_equal(find("command=\"a\" " ED " " K1 "\ncommand=\"b\" " ED " " K1 "\n", K1),
                     AUTHKEYS_MATCH);
    assert_string_equal(o.command, "a");
    assert_int_equal(find("bogus " ED " " K1 "\n" ED " " K1 "\n", K1), AUTHKEYS_REFUSED);
    assert_int_equal(line, 1);
    /* An unknown option on another key's line does not matter. */
    assert_int_equal(find("cert-authority " ED " " K2 "\n" ED " " K1 "\n", K1), AUTHKEYS_MATCH);
    assert_int_equal(line, 2);
    /* Same blob under another type name is not the key. */
    assert_int_equal(find_from(ED " " K1 "\n", EC, K1, "192.0.2.7", NULL), AUTHKEYS_NOMATCH);
}

static void test_flags(void **state)
{
    (void)state;
    assert_int_equal(find("no-pty,no-port-forwarding,no-agent-forwarding,"
                          "no-X11-forwarding,no-user-rc " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_int_equal(o.restrict_all, 0);
    assert_true(o.no_pty && o.no_port_forwarding && o.no_agent_forwarding &&
                o.no_x11_forwarding && o.no_user_rc);

    assert_int_equal(find("restrict " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_true(o.restrict_all && o.no_pty && o.no_port_forwarding &&
                o.no_agent_forwarding && o.no_x11_forwarding && o.no_user_rc);

    assert_int_equal(find("restrict,pty " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_true(o.restrict_all && !o.no_pty && o.no_port_forwarding && o.no_user_rc);
    /* Order matters: restrict after pty takes it away again. */
    assert_int_equal(find("pty,restrict " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_true(o.no_pty);

    assert_int_equal(find("restrict,port-forwarding,agent-forwarding,X11-forwarding,"
                          "user-rc,pty " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_true(o.restrict_all);
    assert_int_equal(o.no_pty + o.no_port_forwarding + o.no_agent_forwarding +
                     o.no_x11_forwarding + o.no_user_rc, 0);
    /* Names are case-insensitive, as in sshd. */
    assert_int_equal(find("NO-PTY,No-X11-Forwarding " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_true(o.no_pty && o.no_x11_forwarding);
}

static void test_values(void **state)
{
    static const char text[] =
        "restrict,command=\"echo \\\"hi\\\" there \\\\n\",environment=\"FOO=bar baz\","
        "environment=\"MSG=say \\\"hi\\\"\",permitopen=\"host.example:22\","
        "permitopen=\"[::1]:80\",permitopen=\"*:443\",permitlisten=\"8080\","
        "permitlisten=\"localhost:*\",permitlisten=\"[::1]:0\",from=\"192.0.2.0/24\" "
        ED " " K1 " with options";
    (void)state;
    assert_int_equal(find(text, K1), AUTHKEYS_MATCH);
    assert_string_equal(o.command, "echo \"hi\" there \\\\n");
    assert_int_equal(o.n_env, 2);
    assert_string_equal(o.env[0], "FOO=bar baz");
    assert_string_equal(o.env[1], "MSG=say \"hi\"");
    assert_int_equal(o.n_permitopen, 3);
    assert_string_equal(o.permitopen[0], "host.example:22");
    assert_string_equal(o.permitopen[1], "[::1]:80");
    assert_string_equal(o.permitopen[2], "*:443");
    assert_int_equal(o.n_permitlisten, 3);
    assert_string_equal(o.permitlisten[0], "8080");
    assert_string_equal(o.permitlisten[1], "localhost:*");
    assert_string_equal(o.from, "192.0.2.0/24");
    assert_string_equal(o.comment, "with options");
    /* A quoted value may hold blanks and commas. */
    assert_int_equal(find("command=\"a, b\tc\",no-pty " ED " " K1, K1), AUTHKEYS_MATCH);
    assert_string_equal(o.command, "a, b\tc");
    assert_true(o.no_pty);
}

static void expect_refused(const char *opts, const char *in_why)
{
    char text[512];
    snprintf(text, sizeof(text), "# first line\n%s " ED " " K1 " c\n", opts);
    assert_int_equal(find(text, K1), AUTHKEYS_REFUSED);
    assert_int_equal(line, 2);
    assert_non_null(strstr(why, "line 2"));
    if (in_why && !strstr(why, in_why))
        fail_msg("why \"%s\" lacks \"%s\"", why, in_why);
    assert_null(o.command);     /* nothing half-honoured is handed back */
    assert_int_equal(o.n_env, 0);
}

/* expiry-time="YYYYMMDD[HHMM[SS]][Z]": past 2038 in 64 bits, malformed
 * values refused, the earliest of two kept, an expired line refused. */
static void test_expiry_time(void **state)
{
    int64_t t;
    (void)state;
    assert_int_equal(authkeys_parse_time("19700102Z", &t), 0);
    assert_int_equal(t, 86400);
    assert_int_equal(authkeys_parse_time("20380119031408Z", &t), 0);
    assert_int_equal(t, 2147483648LL);
    assert_int_equal(authkeys_parse_time("21000301Z", &t), 0);
    assert_int_equal(t, 4107542400LL);
    assert_int_equal(authkeys_parse_time("999912312359Z", &t), 0);
    assert_int_equal(t, 253402300740LL);
    assert_int_equal(authkeys_parse_time("20400229", &t), 0);   /* local */
    assert_true(t > 2147483647LL);
    assert_int_equal(authkeys_parse_time("20390229Z", &t), -1);
    assert_int_equal(authkeys_parse_time("2039010", &t), -1);
    assert_int_equal(authkeys_parse_time("203901011", &t), -1);
    assert_int_equal(authkeys_parse_time("20390101 ", &t), -1);
    assert_int_equal(authkeys_parse_time("20391301Z", &t), -1);
    assert_int_equal(authkeys_parse_time("203901012460Z", &t), -1);
    assert_int_equal(authkeys_parse_time("19691231Z", &t), -1);
    assert_int_equal(find("expiry-time=\"20991231Z\",expiry-time=\"20501231Z\" "
                          ED " " K1, K1), AUTHKEYS_MATCH);
    assert_int_equal(authkeys_parse_time("20501231Z", &t), 0);
    assert_int_equal(o.expiry, t);
    expect_refused("expiry-time=\"19991231Z\"", "entry expired at 1999-12-3");
    expect_refused("expiry-time=\"2050\"", "expiry-time");
}

static void test_unknown_options_refuse(void **state)
{
    (void)state;
    /* principals= belongs on a cert-authority line only. */
    expect_refused("principals=\"root\"", "principals");
    expect_refused("tunnel=\"1\"", "tunnel");
    expect_refused("no-touch-required=\"1\"", "no-touch-required");
    expect_refused("no-ptty", "no-ptty");
    expect_refused("command=\"ls\",no-pty,restrictt", "restrictt");
    expect_refused("environment=\"A=b\",x11-forwarding,bogus=\"1\"", "bogus");
}

/* cert-authority lines hold CA keys: skipped when looking for a user
 * key, the only lines found when looking for a CA (certauth.c). */
static void test_cert_authority(void **state)
{
    const char *text = "cert-authority,principals=\"ops,dev\" " ED " " K1 "\n"
                       "no-pty " ED " " K1 " plain\n"
                       "cert-authority " ED " " K2 "\n";
    uint8_t blob[256];
    long n;

    (void)state;
    assert_int_equal(find(text, K1), AUTHKEYS_MATCH);
    assert_int_equal(line, 2);
    assert_false(o.cert_authority);
    assert_true(o.no_pty);
    assert_int_equal(find(text, K2), AUTHKEYS_NOMATCH);
    n = nssh_ossl_base64_decode(K1, strlen(K1), blob, sizeof(blob));
    authkeys_opts_free(&o);
    assert_int_equal(authkeys_find_ca(text, strlen(text), ED, blob, (size_t)n,
                                      "192.0.2.7", NULL, &o, NULL, &line, why,
                                      sizeof(why)), AUTHKEYS_MATCH);
    assert_int_equal(line, 1);
    assert_true(o.cert_authority);
    assert_string_equal(o.principals, "ops,dev");
    authkeys_opts_free(&o);
    assert_int_equal(authkeys_find_ca("no-pty " ED " " K1 "\n", strlen(ED) + strlen(K1) + 9,
                                      ED, blob, (size_t)n, "192.0.2.7", NULL,
                                      &o, NULL, &line, why, sizeof(why)),
                     AUTHKEYS_NOMATCH);
    expect_refused("cert-authority,principals=\"\"", "principals");
}

/* Every cert-authority line for the CA is reachable (sshd tries each):
 * resuming after a refused or a matching line finds the next one. */
static void test_ca_lines_resume(void **state)
{
    const char *text = "cert-authority,from=\"10.0.0.0/8\" " ED " " K1 "\n"
                       "# comment\n"
                       "cert-authority,principals=\"ops\" " ED " " K1 "\n"
                       "cert-authority,no-pty " ED " " K1 "\n";
    uint8_t blob[256];
    size_t pos = 0;
    long n;

    (void)state;
    n = nssh_ossl_base64_decode(K1, strlen(K1), blob, sizeof(blob));
    line = 0;
    assert_int_equal(authkeys_find_ca(text, strlen(text), ED, blob, (size_t)n,
                                      "192.0.2.7", NULL, &o, &pos, &line, why,
                                      sizeof(why)), AUTHKEYS_REFUSED);
    assert_int_equal(line, 1);
    assert_int_equal(authkeys_find_ca(text, strlen(text), ED, blob, (size_t)n,
                                      "192.0.2.7", NULL, &o, &pos, &line, why,
                                      sizeof(why)), AUTHKEYS_MATCH);
    assert_int_equal(line, 3);
    assert_string_equal(o.principals, "ops");
    authkeys_opts_free(&o);
    assert_int_equal(authkeys_find_ca(text, strlen(text), ED, blob, (size_t)n,
                                      "192.0.2.7", NULL, &o, &pos, &line, why,
                                      sizeof(why)), AUTHKEYS_MATCH);
    assert_int_equal(line, 4);
    assert_true(o.no_pty);
    authkeys_opts_free(&o);
    assert_int_equal(authkeys_find_ca(text, strlen(text), ED, blob, (size_t)n,
                                      "192.0.2.7", NULL, &o, &pos, &line, why,
                                      sizeof(why)), AUTHKEYS_NOMATCH);
}

static void test_bad_option_syntax_refuses(void **state)
{
    char many[1024] = "";
    int i;

    (void)state;
    expect_refused("command=ls", "quotes");
    expect_refused("no-pty=\"x\"", "no value");
    expect_refused("command", "needs");
    expect_refused("command=\"a\",command=\"b\"", "command");
    expect_refused("from=\"*\",from=\"*\"", "from");
    expect_refused("from=\"\"", "from");
    expect_refused("environment=\"=x\"", "environment");
    expect_refused("environment=\"NOEQUALS\"", "environment");
    expect_refused("environment=\"BAD-NAME=1\"", "environment");
    expect_refused("permitopen=\"host\"", "permitopen");
    expect_refused("permitopen=\"host:0\"", "permitopen");
    expect_refused("permitopen=\"::1:22\"", "permitopen");
    expect_refused("permitopen=\":22\"", "permitopen");
    expect_refused("permitlisten=\"host:99999\"", "permitlisten");
    expect_refused("permitlisten=\"x\"", "permitlisten");
    expect_refused("no-pty,", "comma");
    expect_refused(",no-pty", NULL);
    expect_refused("no-pty,,no-pty", NULL);
    expect_refused("command=\"a\"x", NULL);
    for (i = 0; i <= AUTHKEYS_MAX_ENV; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%senvironment=\"V%d=1\"",
                 i ? "," : "", i);
    expect_refused(many, "environment");
}

static void test_from(void **state)
{
    static const struct {
        const char *list, *addr, *host;
        int want;
    } v[] = {
        { "127.0.0.1", "127.0.0.1", NULL, AUTHKEYS_MATCH },
        { "127.0.0.1", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "10.0.0.0/8", "10.1.2.3", NULL, AUTHKEYS_MATCH },
        { "10.0.0.0/8", "11.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "10.0.0.0/8", "::ffff:10.1.2.3", NULL, AUTHKEYS_MATCH },
        { "10.1.2.3", "::ffff:10.1.2.3", NULL, AUTHKEYS_MATCH },
        { "192.168.0.0/23", "192.168.1.200", NULL, AUTHKEYS_MATCH },
        { "192.168.0.0/23", "192.168.2.1", NULL, AUTHKEYS_REFUSED },
        { "0.0.0.0/0", "203.0.113.9", NULL, AUTHKEYS_MATCH },
        { "0.0.0.0/0", "::1", NULL, AUTHKEYS_REFUSED },
        { "2001:db8::/32", "2001:db8::1", NULL, AUTHKEYS_MATCH },
        { "2001:db8::/32", "2001:db9::1", NULL, AUTHKEYS_REFUSED },
        { "::1", "0:0::1", NULL, AUTHKEYS_MATCH },
        { "*.example.com", "192.0.2.1", "Host.Example.COM", AUTHKEYS_MATCH },
        { "*.example.com", "192.0.2.1", NULL, AUTHKEYS_REFUSED },
        { "*.example.com", "192.0.2.1", "example.org", AUTHKEYS_REFUSED },
        { "192.168.*,!192.168.1.*", "192.168.2.5", NULL, AUTHKEYS_MATCH },
        { "192.168.*,!192.168.1.*", "192.168.1.5", NULL, AUTHKEYS_REFUSED },
        { "!10.0.0.1,*", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "!10.0.0.1,*", "10.0.0.2", NULL, AUTHKEYS_MATCH },
        { "!10.0.0.0/8,*", "10.9.9.9", NULL, AUTHKEYS_REFUSED },
        { "*,!bad.example.com", "192.0.2.1", "bad.example.com", AUTHKEYS_REFUSED },
        { "10.0.0.?", "10.0.0.7", NULL, AUTHKEYS_MATCH },
        { "10.0.0.?", "10.0.0.17", NULL, AUTHKEYS_REFUSED },
        { "!*", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "10.0.0.1/8", "10.0.0.1", NULL, AUTHKEYS_REFUSED },   /* host bits set */
        { "10.0.0.0/33", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "10.0.0.0/", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "bad/8", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
        { "10.0.0.0/8,10.0.0.1/8", "10.0.0.1", NULL, AUTHKEYS_REFUSED },
    };
    char text[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        snprintf(text, sizeof(text), "from=\"%s\" " ED " " K1 "\n", v[i].list);
        if (find_from(text, ED, K1, v[i].addr, v[i].host) != v[i].want)
            fail_msg("from=\"%s\" addr %s host %s: got %d, want %d (%s)", v[i].list,
                     v[i].addr, v[i].host ? v[i].host : "-", v[i].want == 1 ? -1 : 1,
                     v[i].want, why);
        if (v[i].want == AUTHKEYS_REFUSED) {
            assert_non_null(strstr(why, "line 1"));
            assert_true(strstr(why, "from=") || strstr(why, "network"));
        } else {
            assert_string_equal(o.from, v[i].list);
        }
    }
}

static void test_malformed_lines(void **state)
{
    (void)state;
    assert_int_equal(find(ED "\n" ED " !!!!\ngarbage\n"
                          "command=\"x " ED " " K1 "\n" ED " " K2 "\n"
                          "no-pty " ED " " K1 " fine\n", K1), AUTHKEYS_MATCH);
    assert_int_equal(line, 6);
    assert_true(o.no_pty);
    assert_non_null(strstr(why, "line 1"));
    assert_int_equal(find(ED "\n" EC " " K1 "\ncommand=\"x " ED " " K1 "\n", K1),
                     AUTHKEYS_NOMATCH);
    assert_non_null(strstr(why, "line 1"));
    assert_non_null(strstr(why, "2 more malformed"));
    /* Type name and blob disagree: skipped, not matched under either. */
    assert_int_equal(find(EC " " K1 "\n", K1), AUTHKEYS_NOMATCH);
    assert_non_null(strstr(why, "line 1"));
    /* Truncated base64 is malformed too. */
    assert_int_equal(find(ED " AAAAC3NzaC1lZDI1NTE5AAAAIKNR2c7eBOSbHJ4h4IzgDuLnCHv3dKH2SQ5\n",
                          K1), AUTHKEYS_NOMATCH);
    assert_non_null(strstr(why, "skipped"));
}

static void test_match_pattern_list(void **state)
{
    (void)state;
    assert_int_equal(match_pattern_list("foo", "f*"), 1);
    assert_int_equal(match_pattern_list("foo", "bar,f?o"), 1);
    assert_int_equal(match_pattern_list("foo", "bar,baz"), 0);
    assert_int_equal(match_pattern_list("foo", "!foo,*"), -1);
    assert_int_equal(match_pattern_list("bar", "!foo,*"), 1);
    assert_int_equal(match_pattern_list("bar", "!foo"), 0);
    assert_int_equal(match_pattern_list("x", ""), 0);
    assert_int_equal(match_pattern_list("", "*"), 1);
    assert_int_equal(match_pattern_list("abc", "a*c*"), 1);
    assert_int_equal(match_pattern_list("abc", "a*b"), 0);
    assert_int_equal(match_pattern_list("user", "USER"), 0);
    assert_int_equal(match_pattern_list("LANG", "LC_*,LANG"), 1);
    assert_int_equal(match_pattern_list("a", "?"), 1);
    assert_int_equal(match_pattern_list("ab", "?"), 0);
    /* Backtracking stays linear-ish: this must return at once. */
    assert_int_equal(match_pattern_list("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
                                        "*a*a*a*a*a*a*a*a*a*a*a*a*c"), 0);
}

static void test_file(void **state)
{
    const char *tmp = getenv("TMPDIR");
    char dir[256], path[300];
    uint8_t blob[128];
    long n = nssh_ossl_base64_decode(K1, strlen(K1), blob, sizeof(blob));
    FILE *f;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/nssh-authkeys-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/authorized_keys", dir);
    assert_int_equal(authkeys_find_file(path, ED, blob, (size_t)n, "127.0.0.1", NULL,
                                        &o, &line, why, sizeof(why)), AUTHKEYS_NOMATCH);
    assert_non_null(strstr(why, "authorized_keys"));
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("# keys\nno-pty " ED " " K1 " file key\n", f);
    fclose(f);
    assert_int_equal(authkeys_find_file(path, ED, blob, (size_t)n, "127.0.0.1", NULL,
                                        &o, &line, why, sizeof(why)), AUTHKEYS_MATCH);
    assert_int_equal(line, 2);
    assert_true(o.no_pty);
    assert_string_equal(o.comment, "file key");
    authkeys_opts_free(&o);
    assert_int_equal(authkeys_find_file(dir, ED, blob, (size_t)n, "127.0.0.1", NULL,
                                        &o, &line, why, sizeof(why)), AUTHKEYS_NOMATCH);
    assert_non_null(strstr(why, "not a regular file"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_comments),
        cmocka_unit_test(test_several_keys),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_unknown_options_refuse),
        cmocka_unit_test(test_cert_authority),
        cmocka_unit_test(test_ca_lines_resume),
        cmocka_unit_test(test_bad_option_syntax_refuses),
        cmocka_unit_test(test_from),
        cmocka_unit_test(test_expiry_time),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_match_pattern_list),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
