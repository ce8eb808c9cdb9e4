/*
 * PermitUserEnvironment: ~/.ssh/environment read as sshd's
 * read_environment_file reads it (blank lines and '#' comments skipped,
 * leading blanks ignored, a line without '=' skipped), with the user's
 * rights; the authorized_keys environment= entries filtered by the same
 * pattern list.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userenv.h"
#include "auth.h"
#include "files.h"
#include "pattern.h"

#define USERENV_FILE_MAX (256u * 1024u)
#define USERENV_LINES_MAX 1000u   /* as sshd, which gives up past 1000 */

/* Is "NAME=value" allowed by the pattern list (NULL: any name)? */
static int allowed(const char *entry, size_t name_len, const char *allow)
{
    char name[256];
    if (!name_len || name_len >= sizeof(name))
        return 0;
    if (!allow)
        return 1;
    memcpy(name, entry, name_len);
    name[name_len] = 0;
    return match_pattern_list(name, allow) == 1;
}

static int add(char ***v, size_t *n, const char *p, size_t len)
{
    char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return NSSH_ERR_NOSPACE;
    *v = nv;
    if (!(nv[*n] = malloc(len + 1)))
        return NSSH_ERR_NOSPACE;
    memcpy(nv[*n], p, len);
    nv[*n][len] = 0;
    (*n)++;
    return 0;
}

static int parse_file(const char *path, const char *text, size_t len,
                      const char *allow, userenv *u)
{
    const char *p = text, *end = text + len;
    unsigned line = 0;
    int e;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end, *eq;
        if (++line > USERENV_LINES_MAX) {
            log_error("%s: more than %u lines; the rest is ignored", path,
                      USERENV_LINES_MAX);
            break;
        }
        while (p < stop && (*p == ' ' || *p == '\t'))
            p++;
        if (p < stop && *p != '#') {
            eq = memchr(p, '=', (size_t)(stop - p));
            if (!eq || memchr(p, 0, (size_t)(stop - p)))
                log_verbose("Bad line %u in %s", line, path);
            else if (allowed(p, (size_t)(eq - p), allow) &&
                     (e = add(&u->file, &u->n_file, p, (size_t)(stop - p))) < 0)
                return e;
        }
        p = stop + 1;
    }
    return 0;
}

int userenv_load(const dconn *s, userenv *u)
{
    static gid_t groups[NGROUPS_MAX];
    const char *allow;
    char path[4200], *text = NULL;
    size_t i, len = 0;
    int dropped, n_saved = 0, r, e = 0;
    memset(u, 0, sizeof(*u));
    if (!opts_user_env(s->o, &allow))
        return 0;
    for (i = 0; s->have_kopts && i < s->kopts.n_env; i++) {
        const char *v = s->kopts.env[i];
        if (allowed(v, strcspn(v, "="), allow) &&
            (e = add(&u->key, &u->n_key, v, strlen(v))) < 0)
            return e;
    }
    snprintf(path, sizeof(path), "%s/.ssh/environment", s->io.pw.home);
    if ((dropped = srv_as_user(&s->io.pw, groups, &n_saved)) < 0)
        return 0;
    r = file_read(path, USERENV_FILE_MAX, &text, &len, NULL, 0);
    if (dropped)
        srv_back_to_root(groups, n_saved);
    if (r < 0)
        return 0;   /* no file, as is usual */
    e = parse_file(path, text, len, allow, u);
    free(text);
    return e;
}

void userenv_free(userenv *u)
{
    size_t i;
    for (i = 0; i < u->n_key; i++)
        free(u->key[i]);
    for (i = 0; i < u->n_file; i++)
        free(u->file[i]);
    free(u->key);
    free(u->file);
    memset(u, 0, sizeof(*u));
}
