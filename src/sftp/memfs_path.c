/*
 * Path resolution for the in-memory filesystem. A relative path starts at
 * the current directory; "." is skipped, ".." goes to the parent (and
 * stays at "/" at the root, so nothing outside the filesystem can be
 * named); a symbolic link met before the last component, or at it when
 * following, is replaced by its target and the walk goes on (at most
 * NSSH_MEMFS_MAX_LINKS times). m->canon is kept as the walk goes.
 */
#include <string.h>

#include "memfs_int.h"

/* Drop the last component of the canonical path. */
static void canon_up(nssh_memfs *m)
{
    size_t n = strlen(m->canon);
    while (n > 1 && m->canon[n - 1] != '/')
        n--;
    if (n > 1)
        n--;
    m->canon[n] = 0;
}

static int canon_add(nssh_memfs *m, const char *c, size_t n)
{
    size_t l = strlen(m->canon);
    if (l + 1 + n >= sizeof(m->canon))
        return -SSH_FX_FAILURE;
    if (l > 1)
        m->canon[l++] = '/';
    memcpy(m->canon + l, c, n);
    m->canon[l + n] = 0;
    return 0;
}

/* Replace m->work with target + "/" + rest (rest points into work). */
static int splice(nssh_memfs *m, uint32_t link, const char *rest)
{
    size_t got = 0, rn = strlen(rest);
    uint64_t tn = m->ino[link].size;
    if (tn + 1 + rn >= sizeof(m->tmp))
        return -SSH_FX_FAILURE;
    if (memfs_read(m, link, 0, (uint8_t *)m->tmp, (size_t)tn, &got) < 0 ||
        got != tn)
        return -SSH_FX_FAILURE;
    m->tmp[tn] = '/';
    memcpy(m->tmp + tn + 1, rest, rn + 1);
    memcpy(m->work, m->tmp, tn + rn + 2);
    return 0;
}

/* Start the walk: absolute path from the root, else from the cwd. */
static int start(nssh_memfs *m, const char *path)
{
    size_t pn = strlen(path), cn = strlen(m->cwd);
    if (path[0] == '/') {
        if (pn >= sizeof(m->work))
            return -SSH_FX_FAILURE;
        memcpy(m->work, path, pn + 1);
    } else {
        if (cn + 1 + pn >= sizeof(m->work))
            return -SSH_FX_FAILURE;
        memcpy(m->work, m->cwd, cn);
        m->work[cn] = '/';
        memcpy(m->work + cn + 1, path, pn + 1);
    }
    m->canon[0] = '/';
    m->canon[1] = 0;
    return 0;
}

int memfs_resolve(nssh_memfs *m, const char *path, int follow, mres *r)
{
    uint32_t cur = MEMFS_ROOT, ent;
    size_t pos = 0;
    int links = 0, rc;
    if ((rc = start(m, path)) < 0)
        return rc;
    r->parent = MEMFS_ROOT;
    r->ent = MEMFS_NONE;
    r->leaf[0] = 0;
    for (;;) {
        const char *c, *rest;
        size_t n;
        int last;
        while (m->work[pos] == '/')
            pos++;
        if (!m->work[pos])
            break;
        c = m->work + pos;
        for (n = 0; c[n] && c[n] != '/'; n++)
            ;
        rest = c + n;
        while (*rest == '/')
            rest++;
        last = !*rest;
        pos += n;
        if (n == 1 && c[0] == '.')
            continue;
        if (m->ino[cur].type != T_DIR)
            return -SSH_FX_NO_SUCH_FILE;   /* a file used as a directory */
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            uint32_t e = memfs_dir_entry(m, cur);
            cur = e == MEMFS_NONE ? MEMFS_ROOT : m->ent[e].parent;
            r->ent = memfs_dir_entry(m, cur);
            r->parent = r->ent == MEMFS_NONE ? MEMFS_ROOT : m->ent[r->ent].parent;
            if (r->ent != MEMFS_NONE)
                memcpy(r->leaf, m->ent[r->ent].name, sizeof(r->leaf));
            canon_up(m);
            continue;
        }
        if (n >= NSSH_MEMFS_NAME_MAX)
            return -SSH_FX_FAILURE;
        ent = memfs_lookup(m, cur, c, n);
        if (ent == MEMFS_NONE) {
            if (!last)
                return -SSH_FX_NO_SUCH_FILE;
            r->parent = cur;
            r->ino = MEMFS_NONE;
            r->ent = MEMFS_NONE;
            memcpy(r->leaf, c, n);
            r->leaf[n] = 0;
            return canon_add(m, c, n);
        }
        if (m->ino[m->ent[ent].ino].type == T_LINK && (!last || follow)) {
            uint32_t link = m->ent[ent].ino;
            if (++links > NSSH_MEMFS_MAX_LINKS)
                return -SSH_FX_FAILURE;   /* a loop, as ELOOP */
            if ((rc = splice(m, link, rest)) < 0)
                return rc;
            pos = 0;
            if (m->work[0] == '/') {
                cur = MEMFS_ROOT;
                m->canon[1] = 0;
            } else {
                /* Relative to the link's directory: go on from cur. The
                 * work buffer restarts, so "skip the leading '/'" is
                 * harmless. */
            }
            continue;
        }
        if ((rc = canon_add(m, c, n)) < 0)
            return rc;
        r->parent = cur;
        r->ent = ent;
        memcpy(r->leaf, c, n);
        r->leaf[n] = 0;
        cur = m->ent[ent].ino;
    }
    r->ino = cur;
    if (cur == MEMFS_ROOT) {
        r->ent = MEMFS_NONE;
        r->leaf[0] = 0;
    }
    return 0;
}
