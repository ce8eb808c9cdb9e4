/*
 * sshd_config keywords about channels: Subsystem, AllowTcpForwarding,
 * GatewayPorts, PermitOpen, PermitListen, and "host:port" splitting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "posix.h"

static char err[512];

static int line(daemon_opts *o, const char *l)
{
    err[0] = 0;
    return config_line(o, l, "test", 1, err, sizeof(err));
}

static void test_subsystem_default(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_string_equal(opts_subsystem(&o, "sftp"), NSSHD_SFTP_DEFAULT);
    assert_null(opts_subsystem(&o, "other"));
    opts_free(&o);
}

static void test_subsystem_lines(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "Subsystem  sftp  /usr/lib/sftp-server -l INFO"), 0);
    assert_int_equal(line(&o, "Subsystem=sftp /other"), 0);   /* first wins */
    assert_int_equal(line(&o, "subsystem echo \"/bin/echo\" hi"), 0);
    assert_string_equal(opts_subsystem(&o, "sftp"), "/usr/lib/sftp-server -l INFO");
    assert_string_equal(opts_subsystem(&o, "echo"), "/bin/echo hi");
    assert_null(opts_subsystem(&o, "sft"));
    assert_int_equal(line(&o, "Subsystem sftp"), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "missing argument"));
    opts_free(&o);

    /* Any Subsystem line replaces the built-in sftp. */
    opts_init(&o);
    assert_int_equal(line(&o, "Subsystem echo /bin/echo"), 0);
    assert_null(opts_subsystem(&o, "sftp"));
    opts_free(&o);
}

static void test_internal_sftp_options(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "Subsystem sftp internal-sftp -l BOGUS"),
                     NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "test: line 1: internal-sftp: bad log level"));
    assert_int_equal(line(&o, "Subsystem sftp internal-sftp -P nosuch"),
                     NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "unknown request \"nosuch\""));
    assert_int_equal(line(&o, "Subsystem sftp internal-sftp -X"), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "Subsystem sftp internal-sftp -u 999"),
                     NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "Subsystem sftp internal-sftp -l INFO -f LOCAL3 "
                          "-d %d/pub -u 027 -R -e -P remove,posix-rename "
                          "-p open,read,close"), 0);
    assert_string_equal(opts_subsystem(&o, "sftp"), "internal-sftp -l INFO "
                        "-f LOCAL3 -d %d/pub -u 027 -R -e -P remove,posix-rename "
                        "-p open,read,close");
    opts_free(&o);
}

static void test_forwarding_switches(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(o.allow_tcp_fwd, 0);
    assert_int_equal(line(&o, "AllowTcpForwarding local"), 0);
    assert_int_equal(line(&o, "AllowTcpForwarding no"), 0);
    assert_int_equal(o.allow_tcp_fwd, FWD_ALLOW_LOCAL);
    assert_int_equal(line(&o, "AllowTcpForwarding maybe"), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "GatewayPorts clientspecified"), 0);
    assert_int_equal(o.gateway_ports, GATEWAY_CLIENTSPECIFIED);
    assert_int_equal(line(&o, "GatewayPorts sometimes"), NSSH_ERR_FORMAT);
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "AllowTcpForwarding=all"), 0);
    assert_int_equal(o.allow_tcp_fwd, FWD_ALLOW_ALL);
    opts_free(&o);
}

static void test_permit_lists(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "PermitOpen localhost:80 [::1]:22 *:443 db:*"), 0);
    assert_int_equal(o.permit_open_mode, PERMIT_LIST);
    assert_int_equal(o.n_permit_open, 4);
    assert_string_equal(o.permit_open[1], "[::1]:22");
    assert_int_equal(line(&o, "PermitOpen none"), 0);   /* first wins */
    assert_int_equal(o.permit_open_mode, PERMIT_LIST);
    /* A port alone is no PermitOpen entry; bad ports; bare IPv6. */
    assert_int_equal(line(&o, "PermitOpen 80"), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "PermitOpen host:0"), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "PermitOpen host:http"), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "PermitOpen ::1:22"), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "PermitListen 8080 localhost:9000 *:*"), 0);
    assert_int_equal(o.n_permit_listen, 3);
    assert_int_equal(line(&o, "PermitListen :80"), NSSH_ERR_FORMAT);
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "PermitOpen any"), 0);
    assert_int_equal(o.permit_open_mode, PERMIT_ANY);
    assert_int_equal(line(&o, "PermitListen none"), 0);
    assert_int_equal(o.permit_listen_mode, PERMIT_NONE);
    assert_int_equal(o.n_permit_listen, 0);
    opts_free(&o);
}

static void test_permit_split(void **state)
{
    char h[16], p[8];
    (void)state;
    assert_int_equal(permit_split("example.org:22", h, sizeof(h), p, sizeof(p)), 0);
    assert_string_equal(h, "example.org");
    assert_string_equal(p, "22");
    assert_int_equal(permit_split("[fe80::1]:*", h, sizeof(h), p, sizeof(p)), 0);
    assert_string_equal(h, "fe80::1");
    assert_string_equal(p, "*");
    assert_int_equal(permit_split("8080", h, sizeof(h), p, sizeof(p)), 0);
    assert_string_equal(h, "");
    assert_string_equal(p, "8080");
    assert_int_equal(permit_split("[::1]", h, sizeof(h), p, sizeof(p)), NSSH_ERR_FORMAT);
    assert_int_equal(permit_split("host:", h, sizeof(h), p, sizeof(p)), NSSH_ERR_FORMAT);
    assert_int_equal(permit_split("a-very-long-host-name:1", h, sizeof(h), p,
                                  sizeof(p)), NSSH_ERR_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subsystem_default),
        cmocka_unit_test(test_subsystem_lines),
        cmocka_unit_test(test_internal_sftp_options),
        cmocka_unit_test(test_forwarding_switches),
        cmocka_unit_test(test_permit_lists),
        cmocka_unit_test(test_permit_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
