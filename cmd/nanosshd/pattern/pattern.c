/*
 * Patterns as sshd understands them (ssh_config(5) PATTERNS): '*' matches
 * any run of characters, '?' exactly one, a comma list matches when an
 * entry does, and an entry starting with '!' turns a match into a refusal.
 * For authorized_keys from= (sshd(8)), entries may also be addresses or
 * networks in address/prefix-length notation.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

/* Does s match the n-byte pattern p? Greedy with one backtrack point,
 * so the time stays proportional to len(s) * len(p). */
static int match_one(const char *s, const char *p, size_t n, int fold)
{
    const char *star_s = NULL;
    size_t i = 0, star_p = 0;
    int have_star = 0;

    while (*s) {
        if (i < n && p[i] == '*') {
            have_star = 1;
            star_p = ++i;
            star_s = s;
        } else if (i < n && (p[i] == '?' ||
                             (fold ? tolower((unsigned char)p[i]) ==
                                         tolower((unsigned char)*s)
                                   : p[i] == *s))) {
            i++;
            s++;
        } else if (have_star) {
            i = star_p;
            s = ++star_s;
        } else {
            return 0;
        }
    }
    while (i < n && p[i] == '*')
        i++;
    return i == n;
}

/* Walk a comma list: calls fn for each entry with its negation removed.
 * Returns -1 when a negated entry hit, 1 when a plain one did, 0 when
 * none did, -2 when fn reported an invalid entry. */
typedef int (*entry_fn)(const char *e, size_t n, void *arg);

static int walk_list(const char *list, entry_fn fn, void *arg)
{
    int found = 0;

    while (*list) {
        size_t n = strcspn(list, ",");
        int neg = n > 0 && list[0] == '!';
        int hit = n > (size_t)neg ? fn(list + neg, n - (size_t)neg, arg) : 0;
        if (hit < 0)
            return -2;
        if (hit && neg)
            return -1;
        found |= hit;
        list += n;
        if (*list == ',')
            list++;
    }
    return found;
}

static int entry_pattern(const char *e, size_t n, void *arg)
{
    return match_one(arg, e, n, 0);
}

int match_pattern_list(const char *s, const char *list)
{
    if (!s || !list)
        return 0;
    return walk_list(list, entry_pattern, (void *)s);
}

/* ---- from= ------------------------------------------------------------------ */

typedef struct peer {
    int family;              /* AF_INET, AF_INET6, 0 when not an address */
    unsigned char a[16];
    char text[INET6_ADDRSTRLEN];   /* address as matched by patterns */
    const char *host;
    const char *bad;         /* the invalid entry, for the message */
    size_t bad_len;
} peer;

/* Parse an address; an IPv4-mapped IPv6 address becomes IPv4, so that
 * 10.0.0.0/8 covers ::ffff:10.1.2.3 on a dual-stack socket. */
static int parse_addr(const char *s, int *family, unsigned char a[16])
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    if (inet_pton(AF_INET, s, a) == 1) {
        *family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, a) != 1)
        return -1;
    *family = AF_INET6;
    if (memcmp(a, mapped, 12) == 0) {
        memmove(a, a + 12, 4);
        *family = AF_INET;
    }
    return 0;
}

/* addr/len: 1 inside, 0 outside, -1 invalid (bad address, length out of
 * range, or host bits set, which usually means a typo). */
static int in_network(const peer *pr, const char *e, size_t n)
{
    char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
    unsigned char net[16];
    int family, i, inside = 1;
    long bits;

    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, e, n);
    buf[n] = '\0';
    slash = strchr(buf, '/');
    *slash = '\0';
    bits = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || !isdigit((unsigned char)slash[1]) ||
        parse_addr(buf, &family, net) < 0 ||
        bits > (family == AF_INET ? 32 : 128))
        return -1;
    for (i = 0; i < (family == AF_INET ? 4 : 16); i++) {
        int keep = bits >= 8 * (i + 1) ? 8 : (bits > 8 * i ? (int)bits - 8 * i : 0);
        unsigned char mask = (unsigned char)(0xff00 >> keep);
        if (net[i] & ~mask)
            return -1;
        if ((pr->a[i] & mask) != net[i])
            inside = 0;             /* keep checking the entry's syntax */
    }
    return inside && pr->family == family;
}

static int entry_from(const char *e, size_t n, void *arg)
{
    peer *pr = arg;
    char buf[INET6_ADDRSTRLEN];
    unsigned char a[16];
    int family, r;

    if (memchr(e, '/', n))
        r = in_network(pr, e, n);
    else if (n < sizeof(buf) && !memchr(e, '*', n) && !memchr(e, '?', n) &&
             (memcpy(buf, e, n), buf[n] = '\0', parse_addr(buf, &family, a) == 0))
        r = pr->family == family && memcmp(pr->a, a, family == AF_INET ? 4 : 16) == 0;
    else
        r = match_one(pr->text, e, n, 0) || (pr->host && match_one(pr->host, e, n, 1));
    if (r < 0) {
        pr->bad = e;
        pr->bad_len = n;
    }
    return r;
}

int match_addr_list(const char *list, const char *addr, const char *host,
                        char *err, size_t err_cap)
{
    peer pr;
    int r;

    memset(&pr, 0, sizeof(pr));
    pr.host = host && *host ? host : NULL;
    if (addr && parse_addr(addr, &pr.family, pr.a) == 0)
        inet_ntop(pr.family, pr.a, pr.text, sizeof(pr.text));
    else
        snprintf(pr.text, sizeof(pr.text), "%s", addr ? addr : "");
    r = walk_list(list, entry_from, &pr);
    if (r == -2) {
        snprintf(err, err_cap, "invalid network \"%.*s\" in from=",
                 (int)(pr.bad_len > 64 ? 64 : pr.bad_len), pr.bad);
        return -1;
    }
    return r == 1;
}

int env_accepted(const char *name, char *const *patterns, size_t n_patterns)
{
    size_t i;
    if (!name[0] || strchr(name, '='))
        return 0;
    for (i = 0; i < n_patterns; i++)
        if (match_pattern_list(name, patterns[i]) == 1)
            return 1;
    return 0;
}
