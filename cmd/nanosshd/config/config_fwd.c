/*
 * StreamLocalBindMask (sshd_config(5)): the umask for Unix sockets that
 * remote streamlocal forwardings create, written in octal as sshd reads
 * and prints it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

int kw_streamlocal_mask(daemon_opts *o, char **av, size_t ac, char *err,
                        size_t cap)
{
    char *end;
    long v = strtol(av[0], &end, 8);
    (void)ac;
    if (end == av[0] || *end || v < 0 || v > 0777)
        return kw_bad_value("StreamLocalBindMask", av[0], err, cap);
    if (o->streamlocal_bind_mask < 0)
        o->streamlocal_bind_mask = v;
    return 0;
}

void kw_reset_streamlocal_mask(daemon_opts *o)
{
    o->streamlocal_bind_mask = -1;
}

void show_streamlocal_mask(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s 0%03lo\n", name,
            o->streamlocal_bind_mask < 0 ? 0177L : o->streamlocal_bind_mask);
}
