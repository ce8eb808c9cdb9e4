/*
 * Who may log in at all (sshd_config(5) DenyUsers, AllowUsers, DenyGroups,
 * AllowGroups), checked in sshd's order: the first rule that refuses
 * decides, and its reason reads as in sshd's log line
 * "User NAME from ADDR not allowed because REASON".
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "access.h"
#include "pattern.h"

int user_group_names(const char *user, strlist *out)
{
    struct passwd *pw = getpwnam(user);
    struct group *gr;
    gid_t *g = NULL, *ng;
    int n = 32, i, e = 0;
    if (!pw)
        return NSSH_ERR_FORMAT;
    gid_t primary = pw->pw_gid;
    for (;;) {
        int want = n;
        if (!(ng = realloc(g, (size_t)want * sizeof(*g)))) {
            free(g);
            return NSSH_ERR_NOSPACE;
        }
        g = ng;
        if (getgrouplist(user, primary, g, &n) >= 0)
            break;
        if (n <= want)
            n = want * 2;
    }
    for (i = 0; i < n && e == 0; i++)
        if ((gr = getgrgid(g[i])) != NULL)
            e = strlist_add(out, gr->gr_name);
    free(g);
    return e;
}

/* "user" or "user@host": the host part is matched against the client's
 * address, and may hold address/length networks. */
static int user_matches(const char *user, const char *addr, const char *pat)
{
    const char *at = strchr(pat, '@');
    char name[256], why[128];
    if (!at)
        return match_pattern_list(user, pat) == 1;
    if ((size_t)(at - pat) >= sizeof(name))
        return 0;
    memcpy(name, pat, (size_t)(at - pat));
    name[at - pat] = 0;
    return match_pattern_list(user, name) == 1 && addr &&
           match_addr_list(at + 1, addr, NULL, why, sizeof(why)) == 1;
}

static int any_user(const strlist *l, const char *user, const char *addr)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (user_matches(user, addr, l->v[i]))
            return 1;
    return 0;
}

static int any_group(const strlist *pats, const strlist *groups)
{
    size_t i, j;
    for (i = 0; i < pats->n; i++)
        for (j = 0; j < groups->n; j++)
            if (match_pattern_list(groups->v[j], pats->v[i]) == 1)
                return 1;
    return 0;
}

int access_user_allowed(const daemon_opts *o, const char *user,
                        const char *addr, char *why, size_t cap)
{
    strlist groups = { 0 };
    const char *no = NULL;
    if (any_user(&o->deny_users, user, addr))
        no = "listed in DenyUsers";
    else if (o->allow_users.n && !any_user(&o->allow_users, user, addr))
        no = "not listed in AllowUsers";
    else if (o->deny_groups.n || o->allow_groups.n) {
        if (user_group_names(user, &groups) < 0 || groups.n == 0)
            no = "not in any group";
        else if (any_group(&o->deny_groups, &groups))
            no = "a group is listed in DenyGroups";
        else if (o->allow_groups.n && !any_group(&o->allow_groups, &groups))
            no = "none of user's groups are listed in AllowGroups";
        strlist_free(&groups);
    }
    if (no)
        snprintf(why, cap, "%s", no);
    return no == NULL;
}
