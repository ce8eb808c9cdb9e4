/*
 * sshd_config lines (sshd_config(5)): "Keyword value...", "Keyword=value"
 * and comments, checked against the keyword table and applied. Scalar
 * keywords keep their first value, as in sshd, so -o given on the command
 * line (applied before the file) wins over the file. Nothing unknown is
 * skipped: an unknown keyword, one of sshd's that nanosshd lacks, and a
 * bad value are errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"


/* Split in place into words: whitespace separates, "double quotes" group
 * (\" inside them is a quote), an unquoted '#' starting a word ends the
 * line. */
int config_split(char *s, char **av, size_t max, size_t *ac)
{
    char *w;
    *ac = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            return 0;
        if (*ac >= max)
            return NSSH_ERR_NOSPACE;
        w = s;
        av[(*ac)++] = w;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                    s++;
                *w++ = *s;
            }
            if (*s != '"')
                return NSSH_ERR_FORMAT;
            s++;
            if (*s && *s != ' ' && *s != '\t')
                return NSSH_ERR_FORMAT;
        } else {
            while (*s && *s != ' ' && *s != '\t')
                *w++ = *s++;
        }
        if (*s)
            s++;
        *w = 0;
    }
}

/* Cut "Keyword", "Keyword value" or "Keyword=value" at the keyword; *rest
 * gets what follows the separator. NULL for a blank or comment line. */
static char *keyword_of(char *buf, char **rest)
{
    char *kw = buf + strspn(buf, " \t"), *r;
    int eq;
    if (!*kw || *kw == '#')
        return NULL;
    r = kw + strcspn(kw, " \t=");
    if (*r) {
        eq = *r == '=';
        *r++ = 0;
        r += strspn(r, " \t");
        if (!eq && *r == '=')
            r += 1 + strspn(r + 1, " \t");
    }
    *rest = r;
    return kw;
}

static int unknown(const char *kw, char *err, size_t cap)
{
    if (config_known_elsewhere(kw))
        snprintf(err, cap, "Unsupported option %.100s: an OpenSSH sshd keyword "
                 "that nanosshd does not implement.", kw);
    else
        snprintf(err, cap, "Bad configuration option: %.200s", kw);
    return NSSH_ERR_FORMAT;
}

/* The words of one keyword line, checked and applied. In a Match block
 * (in_match), the first value a block gives replaces the global one. */
static int apply_words(daemon_opts *o, const keyword *k, char *rest,
                       int in_match, char *err, size_t cap)
{
    char *av[CFG_ARGS_MAX];
    size_t ac, idx = (size_t)(k - config_keywords);
    int e;
    if (in_match && !(k->flags & KW_MATCH)) {
        snprintf(err, cap, "%s is not allowed within a Match block.", k->name);
        return NSSH_ERR_FORMAT;
    }
    if (k->flags & KW_RAW) {   /* the rest as written, quotes and all */
        size_t n = strlen(rest);
        while (n && (rest[n - 1] == ' ' || rest[n - 1] == '\t'))
            rest[--n] = 0;
        av[0] = rest;
        ac = *rest ? 1 : 0;
    } else if ((e = config_split(rest, av, CFG_ARGS_MAX, &ac)) < 0) {
        snprintf(err, cap, "%s: %s.", k->name,
                 e == NSSH_ERR_FORMAT ? "bad quoting" : "too many arguments");
        return e;
    }
    if (ac < k->min_args) {
        snprintf(err, cap, "%s: missing argument.", k->name);
        return NSSH_ERR_FORMAT;
    }
    if (ac > k->max_args) {
        snprintf(err, cap, "%s: garbage at end of line: \"%.200s\".", k->name,
                 av[k->max_args]);
        return NSSH_ERR_FORMAT;
    }
    if (in_match && !o->match_seen[idx]) {
        o->match_seen[idx] = 1;
        kw_reset_typed(k, o);
    }
    return kw_parse_typed(k, o, av, ac, err, cap);
}

int config_prepare(const char *line, char *buf, const char **kwname,
                   char **rest, char *err, size_t cap)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (n >= CFG_LINE_MAX) {
        snprintf(err, cap, "line too long (at most %d bytes).", CFG_LINE_MAX - 1);
        return NSSH_ERR_FORMAT;
    }
    memcpy(buf, line, n);
    buf[n] = 0;
    return (*kwname = keyword_of(buf, rest)) != NULL;
}

int config_line_error(char *err, size_t cap, const char *source,
                      unsigned lineno, const char *why, int e)
{
    snprintf(err, cap, "%s: line %u: %s", source, lineno,
             why[0] ? why : "out of memory");
    return e;
}

/* Keywords sshd still reads but no longer acts on (its servconf.h):
 * accepted and ignored, as there, so old configurations keep working. */
static const char *const deprecated[] = {
    "AFSTokenPassing", "AuthorizedKeysFile2", "CheckMail",
    "KerberosTgtPassing", "KeyRegenerationInterval", "ReverseMappingCheck",
    "RHostsAuthentication", "RhostsRSAAuthentication", "RSAAuthentication",
    "ServerKeyBits", "UseLogin", "VerifyReverseMapping",
};

static int ignored(const char *kw)
{
    size_t i;
    if (!strcasecmp(kw, "Protocol")) {   /* only SSH-2 exists: silent */
        log_debug2("Ignored option %s", kw);
        return 1;
    }
    for (i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++)
        if (!strcasecmp(kw, deprecated[i])) {
            log_info("Deprecated option %s", deprecated[i]);
            return 1;
        }
    return 0;
}

int config_apply(daemon_opts *o, const char *line, int in_match, char *err,
                 size_t cap)
{
    char buf[CFG_LINE_MAX], *rest;
    const char *kw;
    const keyword *k;
    int e = config_prepare(line, buf, &kw, &rest, err, cap);
    if (e <= 0)
        return e;
    if (!(k = config_keyword(kw)))
        return ignored(kw) ? 0 : unknown(kw, err, cap);
    return apply_words(o, k, rest, in_match, err, cap);
}

int config_line(daemon_opts *o, const char *line, const char *source,
                unsigned lineno, char *err, size_t err_cap)
{
    char why[512] = "", buf[CFG_LINE_MAX], *rest;
    const char *kw;
    int e = config_prepare(line, buf, &kw, &rest, why, sizeof(why));
    if (e > 0 && (!strcasecmp(kw, "Match") || !strcasecmp(kw, "Include"))) {
        snprintf(why, sizeof(why), "%s is only allowed in a configuration "
                 "file.", kw);
        e = NSSH_ERR_FORMAT;
    } else if (e > 0) {
        e = config_apply(o, line, 0, why, sizeof(why));
    }
    return e < 0 ? config_line_error(err, err_cap, source, lineno, why, e) : 0;
}
