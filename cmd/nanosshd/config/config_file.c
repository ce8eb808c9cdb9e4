/*
 * sshd_config files: line after line through config.c, with Include
 * (files read in place) and Match blocks (checked now, kept for each
 * connection). Every bad line is reported with its file and line number,
 * and all of them are, not just the first.
 */
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#define INCLUDE_DEPTH_MAX 16

typedef struct loader {
    daemon_opts *o;
    match_block *cur;          /* the Match block being read, or NULL */
    int bad_match;             /* after a bad Match line: check, keep nothing */
    unsigned bad;
    /* Inside a file included from a Match block: that block's criteria,
     * which gate everything the file holds, its own Match blocks too. */
    const char *outer;
} loader;

/* "Match all" alone (a comment may follow). */
static int is_all(const char *c)
{
    while (*c == ' ' || *c == '\t')
        c++;
    if (strncasecmp(c, "all", 3))
        return 0;
    c += 3;
    while (*c == ' ' || *c == '\t')
        c++;
    return !*c || *c == '#';
}

/* The criteria of a Match line read under outer (NULL: none): both must
 * hold, so the words are joined (criteria are ANDed); "all" adds nothing. */
static char *combine(const char *outer, const char *inner)
{
    char *s;
    size_t n;
    if (!outer || is_all(outer))
        return strdup(inner);
    if (is_all(inner))
        return strdup(outer);
    n = strlen(outer) + strlen(inner) + 2;
    if ((s = malloc(n)))
        snprintf(s, n, "%s %s", outer, inner);
    return s;
}

static int load_file(loader *ld, const char *path, int must_exist, int depth);

static int begin_match(loader *ld, char *rest, const char *path,
                       unsigned lineno, char *why, size_t cap)
{
    daemon_opts *o = ld->o;
    char copy[CFG_LINE_MAX], *av[CFG_ARGS_MAX];
    match_block *mb;
    size_t ac;
    int e;
    strcpy(copy, rest);
    if ((e = config_split(copy, av, CFG_ARGS_MAX, &ac)) < 0) {
        snprintf(why, cap, "Match: bad quoting or too many criteria.");
        return e;
    }
    ld->cur = NULL;
    ld->bad_match = 1;
    if ((e = match_check(av, ac, why, cap)) < 0)
        return e;
    ld->bad_match = 0;
    mb = realloc(o->matches, (o->n_matches + 1) * sizeof(*mb));
    if (!mb)
        return NSSH_ERR_NOSPACE;
    o->matches = mb;
    mb = &o->matches[o->n_matches];
    memset(mb, 0, sizeof(*mb));
    if (!(mb->criteria = combine(ld->outer, rest)) ||
        !(mb->source = strdup(path))) {
        free(mb->criteria);
        return NSSH_ERR_NOSPACE;
    }
    mb->lineno = lineno;
    o->n_matches++;
    ld->cur = mb;
    return 0;
}

/* A line inside a Match block: checked now on scratch options, applied
 * per connection later. */
static int keep_match_line(loader *ld, const char *line, const char *path,
                           unsigned lineno, char *why, size_t cap)
{
    match_block *mb = ld->cur;
    daemon_opts scratch;
    cfg_line *l;
    int e;
    opts_init(&scratch);
    e = config_apply(&scratch, line, 1, why, cap);
    opts_free(&scratch);
    if (e < 0 || !mb)
        return e;
    if (!(l = realloc(mb->lines, (mb->n_lines + 1) * sizeof(*l))))
        return NSSH_ERR_NOSPACE;
    mb->lines = l;
    l = &mb->lines[mb->n_lines];
    l->lineno = lineno;
    l->text = strdup(line);
    l->source = strdup(path);
    if (!l->text || !l->source) {
        free(l->text);
        free(l->source);
        return NSSH_ERR_NOSPACE;
    }
    mb->n_lines++;
    return 0;
}

/* A new block with the criteria of block i, for the lines after an Include
 * inside it that brought Match blocks of its own (order decides, first
 * value wins). */
static int continue_block(loader *ld, size_t i)
{
    daemon_opts *o = ld->o;
    match_block *mb = realloc(o->matches, (o->n_matches + 1) * sizeof(*mb));
    if (!mb)
        return NSSH_ERR_NOSPACE;
    o->matches = mb;
    mb = &o->matches[o->n_matches];
    memset(mb, 0, sizeof(*mb));
    mb->lineno = o->matches[i].lineno;
    if (!(mb->criteria = strdup(o->matches[i].criteria)) ||
        !(mb->source = strdup(o->matches[i].source))) {
        free(mb->criteria);
        return NSSH_ERR_NOSPACE;
    }
    o->n_matches++;
    ld->cur = mb;
    return 0;
}

/* Include: each word a file or glob(7) pattern, read in place (a relative
 * one from the including file's directory); patterns matching nothing
 * are not an error, as in sshd. Each file starts in the including line's
 * context: inside a Match block, that block's criteria gate the whole
 * file (its Match blocks too); a Match block the file opens ends with it,
 * as sshd's parser restores its state after an Include. */
static int include_files(loader *ld, char **av, size_t ac, const char *path,
                         char *dirbuf, size_t dircap, long cur, int bad,
                         int depth, char *why, size_t cap);

static int include(loader *ld, char *rest, const char *path, int depth,
                   char *why, size_t cap)
{
    daemon_opts *o = ld->o;
    char *av[CFG_ARGS_MAX], dirbuf[4096], *outer = NULL;
    const char *saved_outer = ld->outer;
    long cur = ld->cur ? (long)(ld->cur - o->matches) : -1;
    int saved_bad = ld->bad_match, e;
    size_t ac, before = o->n_matches;
    if (depth >= INCLUDE_DEPTH_MAX) {
        snprintf(why, cap, "Include nested too deeply (at most %d levels).",
                 INCLUDE_DEPTH_MAX);
        return NSSH_ERR_FORMAT;
    }
    if ((e = config_split(rest, av, CFG_ARGS_MAX, &ac)) < 0 || ac == 0) {
        snprintf(why, cap, "Include: %s.", ac ? "bad quoting" : "missing argument");
        return NSSH_ERR_FORMAT;
    }
    snprintf(dirbuf, sizeof(dirbuf), "%s", path);
    if (cur >= 0 && !(outer = strdup(o->matches[cur].criteria)))
        return NSSH_ERR_NOSPACE;
    if (outer)
        ld->outer = outer;
    e = include_files(ld, av, ac, path, dirbuf, sizeof(dirbuf), cur, saved_bad,
                      depth, why, cap);
    ld->outer = saved_outer;
    ld->bad_match = saved_bad;
    ld->cur = cur >= 0 ? &o->matches[cur] : NULL;
    if (e == 0 && cur >= 0 && o->n_matches != before)
        e = continue_block(ld, (size_t)cur);
    free(outer);
    return e;
}

static int include_files(loader *ld, char **av, size_t ac, const char *path,
                         char *dirbuf, size_t dircap, long cur, int bad,
                         int depth, char *why, size_t cap)
{
    char pat[8192];
    size_t i, j;
    glob_t g;
    int e;
    for (i = 0; i < ac; i++) {
        snprintf(pat, sizeof(pat), "%s%s%s", av[i][0] == '/' ? "" : dirname(dirbuf),
                 av[i][0] == '/' ? "" : "/", av[i]);
        snprintf(dirbuf, dircap, "%s", path);
        e = glob(pat, 0, NULL, &g);
        if (e == GLOB_NOMATCH)
            continue;
        if (e != 0) {
            snprintf(why, cap, "Include: cannot expand \"%.200s\".", av[i]);
            return NSSH_ERR_FORMAT;
        }
        for (j = 0; j < g.gl_pathc; j++) {
            ld->cur = cur >= 0 ? &ld->o->matches[cur] : NULL;
            ld->bad_match = bad;
            load_file(ld, g.gl_pathv[j], 1, depth + 1);
        }
        globfree(&g);
    }
    return 0;
}

static int load_line(loader *ld, const char *line, const char *path,
                     unsigned lineno, int depth, char *why, size_t cap)
{
    char buf[CFG_LINE_MAX], *rest;
    const char *kw;
    int e = config_prepare(line, buf, &kw, &rest, why, cap);
    if (e <= 0)
        return e;
    if (!strcasecmp(kw, "Match"))
        return begin_match(ld, rest, path, lineno, why, cap);
    if (!strcasecmp(kw, "Include"))
        return include(ld, rest, path, depth, why, cap);
    if (ld->cur || ld->bad_match)
        return keep_match_line(ld, line, path, lineno, why, cap);
    return config_apply(ld->o, line, 0, why, cap);
}

static int load_file(loader *ld, const char *path, int must_exist, int depth)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, why[1024], err[1400];
    size_t cap = 0;
    unsigned lineno = 0;
    if (!f) {
        if (!must_exist && errno == ENOENT)
            return 0;
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        ld->bad++;
        return NSSH_ERR_FORMAT;
    }
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        why[0] = 0;
        if (load_line(ld, line, path, lineno, depth, why, sizeof(why)) < 0) {
            config_line_error(err, sizeof(err), path, lineno, why, 0);
            fprintf(stderr, "%s\n", err);
            ld->bad++;
        }
    }
    free(line);
    fclose(f);
    return 0;
}

int config_load(daemon_opts *o, const char *path, int must_exist)
{
    loader ld = { o, NULL, 0, 0, NULL };
    load_file(&ld, path, must_exist, 0);
    if (ld.bad) {
        fprintf(stderr, "%s: terminating, %u bad configuration options\n",
                path, ld.bad);
        return NSSH_ERR_FORMAT;
    }
    return 0;
}
