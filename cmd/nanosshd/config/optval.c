/*
 * Parsers for keyword values. Every function returns 0 or NSSH_ERR_FORMAT
 * and leaves its outputs alone on error.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nanossh.h"
#include "optval.h"

/* Leading decimal digits; *end after them. No sign, no overflow. */
static int digits(const char *s, uint64_t *v, const char **end)
{
    uint64_t n = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return NSSH_ERR_FORMAT;
    for (; isdigit((unsigned char)*p); p++) {
        if (n > (UINT64_MAX - 9) / 10)
            return NSSH_ERR_FORMAT;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    *v = n;
    *end = p;
    return 0;
}

int optval_uint(const char *s, unsigned long max, unsigned long *out)
{
    uint64_t v;
    const char *end;
    if (!s || digits(s, &v, &end) < 0 || *end || v > max)
        return NSSH_ERR_FORMAT;
    *out = (unsigned long)v;
    return 0;
}

int optval_port(const char *s, int *port)
{
    unsigned long v;
    if (optval_uint(s, 65535, &v) < 0 || v == 0)
        return NSSH_ERR_FORMAT;
    *port = (int)v;
    return 0;
}

int optval_size(const char *s, uint64_t *out)
{
    uint64_t v, mul = 1;
    const char *end;
    if (!s || digits(s, &v, &end) < 0)
        return NSSH_ERR_FORMAT;
    switch (toupper((unsigned char)*end)) {
    case 0: break;
    case 'K': mul = 1ull << 10; end++; break;
    case 'M': mul = 1ull << 20; end++; break;
    case 'G': mul = 1ull << 30; end++; break;
    case 'T': mul = 1ull << 40; end++; break;
    default: return NSSH_ERR_FORMAT;
    }
    if (*end || (v && mul > UINT64_MAX / v))
        return NSSH_ERR_FORMAT;
    *out = v * mul;
    return 0;
}

int optval_time(const char *s, uint64_t *seconds)
{
    uint64_t total = 0, v, mul;
    const char *p = s;
    if (!s || !*s)
        return NSSH_ERR_FORMAT;
    while (*p) {
        if (digits(p, &v, &p) < 0)
            return NSSH_ERR_FORMAT;
        switch (tolower((unsigned char)*p)) {
        case 0: mul = 1; break;
        case 's': mul = 1; p++; break;
        case 'm': mul = 60; p++; break;
        case 'h': mul = 3600; p++; break;
        case 'd': mul = 86400; p++; break;
        case 'w': mul = 604800; p++; break;
        default: return NSSH_ERR_FORMAT;
        }
        if (v > (UINT64_MAX - total) / mul)
            return NSSH_ERR_FORMAT;
        total += v * mul;
    }
    *seconds = total;
    return 0;
}

int optval_rekey(const char *size, const char *time, uint64_t *bytes,
                 uint32_t *seconds)
{
    uint64_t b, t = 0;
    if (!size)
        return NSSH_ERR_FORMAT;
    if (!strcasecmp(size, "default"))
        b = 0;
    else if (!strcasecmp(size, "none"))
        b = UINT64_MAX;
    else if (optval_size(size, &b) < 0 || (b > 0 && b < 16))
        return NSSH_ERR_FORMAT;   /* sshd's minimum is 16 bytes */
    if (time && strcasecmp(time, "none") && strcasecmp(time, "default") &&
        (optval_time(time, &t) < 0 || t > UINT32_MAX))
        return NSSH_ERR_FORMAT;
    *bytes = b;
    *seconds = (uint32_t)t;
    return 0;
}

static int copy_host(const char *p, size_t n, char *host, size_t cap)
{
    if (n == 0 || n >= cap || memchr(p, '[', n) || memchr(p, ']', n))
        return NSSH_ERR_FORMAT;
    memcpy(host, p, n);
    host[n] = 0;
    return 0;
}

int optval_listen(const char *s, char *host, size_t cap, int *port)
{
    const char *colon, *close;
    int pt = 0;
    if (!s || !*s)
        return NSSH_ERR_FORMAT;
    if (s[0] == '[') {   /* [v6] or [v6]:port */
        close = strchr(s, ']');
        if (!close || (close[1] && (close[1] != ':' ||
                                   optval_port(close + 2, &pt) < 0)))
            return NSSH_ERR_FORMAT;
        if (copy_host(s + 1, (size_t)(close - s - 1), host, cap) < 0)
            return NSSH_ERR_FORMAT;
        *port = pt;
        return 0;
    }
    colon = strchr(s, ':');
    if (colon && !strchr(colon + 1, ':')) {   /* one colon: host:port */
        if (optval_port(colon + 1, &pt) < 0 ||
            copy_host(s, (size_t)(colon - s), host, cap) < 0)
            return NSSH_ERR_FORMAT;
        *port = pt;
        return 0;
    }
    if (copy_host(s, strlen(s), host, cap) < 0)   /* host or bare v6 */
        return NSSH_ERR_FORMAT;
    *port = 0;
    return 0;
}
