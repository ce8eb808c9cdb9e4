/*
 * User database lookups and path tokens.
 */
#include <pwd.h>
#include <string.h>

#include "user.h"

static int copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src ? src : "");
    if (n >= cap)
        return NSSH_ERR_NOSPACE;
    memcpy(dst, src ? src : "", n + 1);
    return 0;
}

int user_lookup(const char *name, user_info *u)
{
    struct passwd *pw = getpwnam(name);
    memset(u, 0, sizeof(*u));
    if (!pw || copy(u->name, sizeof(u->name), pw->pw_name) < 0 ||
        copy(u->home, sizeof(u->home), pw->pw_dir) < 0 ||
        copy(u->shell, sizeof(u->shell), pw->pw_shell) < 0)
        return NSSH_ERR_FORMAT;
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
    if (!u->shell[0])
        strcpy(u->shell, "/bin/sh");   /* passwd(5): empty means sh */
    return 0;
}

/* Append n bytes of s at *pos. */
static int put(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos + n >= cap)
        return NSSH_ERR_NOSPACE;
    memcpy(out + *pos, s, n);
    *pos += n;
    out[*pos] = 0;
    return 0;
}

int path_expand(const char *tmpl, const char *home, const char *user,
                char *out, size_t cap)
{
    size_t pos = 0;
    const char *p;
    int e = 0;
    if (!cap)
        return NSSH_ERR_NOSPACE;
    out[0] = 0;
    for (p = tmpl; *p && !e; p++) {
        if (*p != '%') {
            e = put(out, cap, &pos, p, 1);
            continue;
        }
        switch (*++p) {
        case 'h': e = put(out, cap, &pos, home, strlen(home)); break;
        case 'u': e = put(out, cap, &pos, user, strlen(user)); break;
        case '%': e = put(out, cap, &pos, "%", 1); break;
        default: return NSSH_ERR_FORMAT;   /* unknown token, or % at the end */
        }
    }
    if (e)
        return NSSH_ERR_NOSPACE;
    if (out[0] != '/') {   /* relative: from the home directory */
        char rel[4096];
        if (strlen(out) >= sizeof(rel))
            return NSSH_ERR_NOSPACE;
        strcpy(rel, out);
        pos = 0;
        out[0] = 0;
        e |= put(out, cap, &pos, home, strlen(home));
        if (pos == 0 || out[pos - 1] != '/')
            e |= put(out, cap, &pos, "/", 1);
        e |= put(out, cap, &pos, rel, strlen(rel));
    }
    return e ? NSSH_ERR_NOSPACE : 0;
}
