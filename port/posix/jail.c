/*
 * ChrootDirectory (sshd_config(5)): the checks sshd makes before it
 * chroots a session. A component that a user other than root can write
 * to could be swapped for a directory holding a forged /etc/passwd or a
 * set-uid program's libraries, so each one from "/" down is checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "log.h"

int jail_check(const char *path, char *why, size_t cap)
{
    char component[4096];
    const char *cp;
    struct stat st;
    if (path[0] != '/') {
        snprintf(why, cap, "chroot path does not begin at root");
        return -1;
    }
    if (strlen(path) >= sizeof(component)) {
        snprintf(why, cap, "chroot path too long");
        return -1;
    }
    /* "/", "/srv/", "/srv/jail/", ..., then the whole path. */
    for (cp = path; cp;) {
        size_t n;
        if ((cp = strchr(cp, '/')) != NULL)
            n = (size_t)(++cp - path);
        else
            n = strlen(path);
        memcpy(component, path, n);
        component[n] = 0;
        log_debug3("jail: checking '%s'", component);
        if (stat(component, &st) != 0) {
            snprintf(why, cap, "stat(\"%s\"): %s", component, strerror(errno));
            return -1;
        }
        if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
            snprintf(why, cap, "bad ownership or modes for chroot directory "
                     "%s\"%s\"", cp ? "component " : "", component);
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            snprintf(why, cap, "chroot path %s\"%s\" is not a directory",
                     cp ? "component " : "", component);
            return -1;
        }
    }
    return 0;
}

int jail_enter(const char *path)
{
    if (chdir(path) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return -1;
    return 0;
}
