/*
 * nanosshd: an SSH server on the nanossh engine, with sshd's command line
 * and configuration keywords for what it supports.
 */
#include <stdio.h>
#include <unistd.h>

#include "posix.h"

int main(int argc, char **argv)
{
    daemon_opts o;
    hostkey_set hk = { 0 };
    listener l = { 0 };
    int code = 255;
    opts_init(&o);
    if (args_parse(&o, argc, argv, &code) < 0)
        goto out;
    code = 0;
    if (o.exit_now)
        goto out;
    code = 255;
    if (config_load(&o, o.config_file ? o.config_file : NSSHD_CONFIG_FILE,
                    o.config_file != NULL) < 0 || opts_finish(&o) < 0)
        goto out;
    log_init("nanosshd", o.log_level, o.log_stderr || o.test_only);
    if (hostkeys_load(&hk, &o, !o.test_only) < 0)
        goto out;
    if (o.test_only) {
        code = 0;
        goto out;
    }
    if (listener_open(&l, &o) < 0)
        goto out;
    if (o.log_stderr && isatty(STDERR_FILENO))
        listener_hint(&l);
    if (!o.foreground && daemon_detach(&o) < 0)
        goto out;
    if (o.pid_file && pidfile_write(o.pid_file) < 0)
        goto out;
    code = listener_run(&l, &o, &hk) < 0 ? 255 : 0;
    if (o.pid_file)
        pidfile_remove(o.pid_file);
out:
    listener_close(&l);
    hostkeys_free(&hk);
    opts_free(&o);
    return code;
}
