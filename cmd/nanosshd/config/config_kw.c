/*
 * The keyword types of the table: parsing (first value wins, lists add
 * up), "not set" again for Match, and the -T lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "optval.h"

#define FIELD(o, k, type) ((type *)((char *)(o) + (k)->off))
#define CFIELD(o, k, type) ((const type *)((const char *)(o) + (k)->off))

int kw_bad_value(const char *kw, const char *v, char *err, size_t cap)
{
    snprintf(err, cap, "%s: invalid value \"%.200s\".", kw, v);
    return NSSH_ERR_FORMAT;
}

int strlist_add(strlist *l, const char *v)
{
    char **nv;
    if (!(nv = realloc(l->v, (l->n + 1) * sizeof(*nv))))
        return NSSH_ERR_NOSPACE;
    l->v = nv;
    if (!(l->v[l->n] = strdup(v)))
        return NSSH_ERR_NOSPACE;
    l->n++;
    return 0;
}

void strlist_free(strlist *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int parse_yesno(const keyword *k, int *f, const char *v, char *err,
                       size_t cap)
{
    int val;
    if (!strcasecmp(v, "yes"))
        val = 1;
    else if (!strcasecmp(v, "no"))
        val = 0;
    else {
        snprintf(err, cap, "%s: invalid value \"%.200s\" (yes or no).",
                 k->name, v);
        return NSSH_ERR_FORMAT;
    }
    if (*f < 0)
        *f = val;
    return 0;
}

static int parse_num(const keyword *k, long *f, const char *v, char *err,
                     size_t cap)
{
    unsigned long n;
    uint64_t t;
    int e = k->type == KT_TIME ? optval_time(v, &t)
                               : optval_uint(v, (unsigned long)k->lim, &n);
    if (k->type == KT_TIME && e == 0) {
        if (t > (uint64_t)k->lim)
            e = NSSH_ERR_FORMAT;
        n = (unsigned long)t;
    }
    if (e < 0) {
        snprintf(err, cap, "%s: invalid value \"%.200s\" (%s up to %ld).",
                 k->name, v, k->type == KT_TIME ? "a time such as 90, 30s, "
                 "2m or 1h30m," : "a number", k->lim);
        return NSSH_ERR_FORMAT;
    }
    if (*f < 0)
        *f = (long)n;
    return 0;
}

static int parse_enum(const keyword *k, int *f, const char *v, char *err,
                      size_t cap)
{
    const kw_name *n;
    size_t len = 0;
    for (n = k->names; n->name; n++)
        if (!strcasecmp(v, n->name)) {
            if (*f < 0)
                *f = n->value;
            return 0;
        }
    len = (size_t)snprintf(err, cap, "%s: invalid value \"%.100s\" (one of",
                           k->name, v);
    for (n = k->names; n->name && len < cap; n++)
        len += (size_t)snprintf(err + len, cap - len, " %s", n->name);
    if (len < cap)
        snprintf(err + len, cap - len, ").");
    return NSSH_ERR_FORMAT;
}

static int parse_str(const keyword *k, char **f, char **av, size_t ac)
{
    size_t i, n = 0;
    const char *v = av[0];
    if (*f)
        return 0;
    if ((k->flags & KW_NONE) && ac == 1 && !strcasecmp(v, "none"))
        v = "";
    if (!(k->flags & KW_WORDS) || ac == 1)
        return (*f = strdup(v)) ? 0 : NSSH_ERR_NOSPACE;
    for (i = 0; i < ac; i++)
        n += strlen(av[i]) + 1;
    if (!(*f = malloc(n)))
        return NSSH_ERR_NOSPACE;
    for (i = 0, n = 0; i < ac; i++) {
        if (i)
            (*f)[n++] = ' ';
        memcpy(*f + n, av[i], strlen(av[i]));
        n += strlen(av[i]);
    }
    (*f)[n] = 0;
    return 0;
}

/* Does l already hold an entry with the name of "NAME=value" entry? */
static int nameval_has(const strlist *l, const char *entry)
{
    size_t n = (size_t)(strchr(entry, '=') - entry), i;
    for (i = 0; i < l->n; i++)
        if (!strncmp(l->v[i], entry, n) && l->v[i][n] == '=')
            return 1;
    return 0;
}

static int parse_list(const keyword *k, strlist *l, char **av, size_t ac,
                      char *err, size_t cap)
{
    size_t i;
    int e;
    for (i = 0; i < ac; i++) {
        const char *eq = strchr(av[i], '=');
        if ((k->flags & KW_NAMEVAL) && (!eq || eq == av[i])) {
            snprintf(err, cap, "%s: \"%.200s\" is not NAME=value.", k->name,
                     av[i]);
            return NSSH_ERR_FORMAT;
        }
    }
    if ((k->flags & KW_FIRST) && l->set)
        return 0;
    l->set = 1;
    for (i = 0; i < ac; i++) {
        /* sshd keeps the first NAME=value of a name (SetEnv A=1 A=2 sets
         * A=1); later duplicates are dropped here, so the child's
         * environment builder, where a later entry replaces an earlier one,
         * sees only the first. */
        if ((k->flags & KW_NAMEVAL) && nameval_has(l, av[i]))
            continue;
        if ((e = strlist_add(l, av[i])) < 0)
            return e;
    }
    return 0;
}

static int parse_fixed(const keyword *k, const char *v, char *err, size_t cap)
{
    if (!strcasecmp(v, k->fixed))
        return 0;
    snprintf(err, cap, "%s %.100s: not supported by nanosshd (only \"%s\" "
             "is accepted).", k->name, v, k->fixed);
    return NSSH_ERR_UNSUPPORTED;
}

int kw_parse_typed(const keyword *k, daemon_opts *o, char **av, size_t ac,
                   char *err, size_t cap)
{
    switch (k->type) {
    case KT_YESNO: return parse_yesno(k, FIELD(o, k, int), av[0], err, cap);
    case KT_NUM:
    case KT_TIME: return parse_num(k, FIELD(o, k, long), av[0], err, cap);
    case KT_ENUM: return parse_enum(k, FIELD(o, k, int), av[0], err, cap);
    case KT_STR: return parse_str(k, FIELD(o, k, char *), av, ac);
    case KT_LIST: return parse_list(k, FIELD(o, k, strlist), av, ac, err, cap);
    case KT_FIXED: return parse_fixed(k, av[0], err, cap);
    default: return k->parse(o, av, ac, err, cap);
    }
}

void kw_reset_typed(const keyword *k, daemon_opts *o)
{
    switch (k->type) {
    case KT_YESNO:
    case KT_ENUM: *FIELD(o, k, int) = -1; break;
    case KT_NUM:
    case KT_TIME: *FIELD(o, k, long) = -1; break;
    case KT_STR:
        free(*FIELD(o, k, char *));
        *FIELD(o, k, char *) = NULL;
        break;
    case KT_LIST: strlist_free(FIELD(o, k, strlist)); break;
    case KT_FIXED: break;
    default:
        if (k->reset)
            k->reset(o);
    }
}

static const char *enum_name(const keyword *k, int v)
{
    const kw_name *n;
    for (n = k->names; n->name; n++)
        if (n->value == v)
            return n->name;
    return "?";
}

void kw_show_typed(const keyword *k, const daemon_opts *o, const char *name,
                   FILE *f)
{
    const strlist *l;
    const char *s;
    size_t i;
    switch (k->type) {
    case KT_YESNO:
        fprintf(f, "%s %s\n", name, *CFIELD(o, k, int) > 0 ? "yes" : "no");
        break;
    case KT_NUM:
    case KT_TIME: fprintf(f, "%s %ld\n", name, *CFIELD(o, k, long)); break;
    case KT_ENUM:
        fprintf(f, "%s %s\n", name, enum_name(k, *CFIELD(o, k, int)));
        break;
    case KT_STR:
        s = *CFIELD(o, k, char *);
        fprintf(f, "%s %s\n", name, s && *s ? s : "none");
        break;
    case KT_LIST:   /* one line per word, as sshd -T prints them */
        l = CFIELD(o, k, strlist);
        for (i = 0; i < l->n; i++)
            fprintf(f, "%s %s\n", name, l->v[i]);
        break;
    case KT_FIXED: fprintf(f, "%s %s\n", name, k->fixed); break;
    default:
        if (k->show)
            k->show(o, name, f);
    }
}
