/*
 * Glob patterns in AuthorizedKeysFile / AuthorizedPrincipalsFile (see
 * authglob.h). No flags, as sshd: no GLOB_NOCHECK, so a plain path that
 * does not exist matches nothing and is skipped, and a pattern's matches
 * come sorted.
 */
#include <string.h>

#include "authglob.h"
#include "log.h"

size_t authglob(const char *pattern, glob_t *gl)
{
    int r;

    memset(gl, 0, sizeof(*gl));
    r = glob(pattern, 0, NULL, gl);
    if (r == 0 && gl->gl_pathc > 0) {
        if (gl->gl_pathc > 1)
            log_debug2("glob \"%s\" returned %zu matches", pattern,
                       gl->gl_pathc);
        return gl->gl_pathc;
    }
    if (r != 0 && r != GLOB_NOMATCH)
        logit(LL_INFO, "glob \"%s\" failed", pattern);
    globfree(gl);   /* partial results, if any */
    memset(gl, 0, sizeof(*gl));
    return 0;
}
