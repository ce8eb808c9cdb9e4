/*
 * ChrootDirectory (sshd_config(5)): the path for this user, with sshd's
 * tokens (%h home, %u user, %% a percent) and a leading "~" for the
 * home, checked as sshd checks it before a session may start.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "session.h"
#include "jail.h"

/* The expanded path into out: 0, or -1 for an unknown token or no room. */
static int expand(const char *tmpl, const user_info *pw, char *out, size_t cap)
{
    size_t n = 0;
    if (tmpl[0] == '~' && (tmpl[1] == '/' || !tmpl[1])) {
        if (strlen(pw->home) >= cap)
            return -1;
        n = strlen(pw->home);
        memcpy(out, pw->home, n + 1);
        tmpl++;
    }
    for (; *tmpl; tmpl++) {
        char one[2] = { *tmpl, 0 };
        const char *add = one;
        if (*tmpl == '%') {
            tmpl++;
            if (*tmpl == 'h')
                add = pw->home;
            else if (*tmpl == 'u')
                add = pw->name;
            else if (*tmpl == '%')
                add = "%";
            else
                return -1;
        }
        if (n + strlen(add) >= cap)
            return -1;
        memcpy(out + n, add, strlen(add) + 1);
        n += strlen(add);
    }
    out[n] = 0;
    return 0;
}

int sess_chroot_path(const dconn *s, char *out, size_t cap)
{
    const char *tmpl = s->o->chroot_directory;
    char why[4200];
    if (!tmpl || !*tmpl || !strcasecmp(tmpl, "none"))
        return 0;
    if (geteuid() != 0) {
        srv_log(s, LL_FATAL, "server lacks privileges to chroot to "
                "ChrootDirectory");
        return -1;
    }
    if (expand(tmpl, &s->io.pw, out, cap) < 0) {
        srv_log(s, LL_FATAL, "ChrootDirectory \"%s\": unknown %% token or "
                "path too long", tmpl);
        return -1;
    }
    if (jail_check(out, why, sizeof(why)) < 0) {
        srv_log(s, LL_FATAL, "%s", why);
        return -1;
    }
    srv_log(s, LL_VERBOSE, "Changed root directory to \"%s\"", out);
    return 1;
}
