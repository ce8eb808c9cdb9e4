/*
 * A small formatter for log and DISCONNECT texts, so the engine needs no
 * stdio: %s %.*s %d %u %ld %lu %lld %llu %zu %x %c %%. Always terminates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void put(out *o, char ch)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = ch;
    o->len++;
}

static void put_s(out *o, const char *s, size_t max)
{
    size_t i;
    if (!s)
        s = "(null)";
    for (i = 0; i < max && s[i]; i++)
        put(o, s[i]);
}

static void put_u(out *o, unsigned long long v, unsigned base)
{
    char tmp[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n)
        put(o, tmp[--n]);
}

static void put_d(out *o, long long v)
{
    if (v < 0) {
        put(o, '-');
        put_u(o, 0ull - (unsigned long long)v, 10);
    } else {
        put_u(o, (unsigned long long)v, 10);
    }
}

size_t nssh_vfmt(char *buf, size_t cap, const char *f, va_list ap)
{
    out o = { buf, cap, 0 };
    while (*f) {
        int lng = 0, prec = -1;
        if (*f != '%') {
            put(&o, *f++);
            continue;
        }
        f++;
        if (f[0] == '.' && f[1] == '*') {
            prec = va_arg(ap, int);
            f += 2;
        }
        while (*f == 'l') {
            lng++;
            f++;
        }
        if (*f == 'z') {
            lng = 3;
            f++;
        }
        switch (*f) {
        case 's':
            put_s(&o, va_arg(ap, const char *), prec < 0 ? (size_t)-1 : (size_t)prec);
            break;
        case 'd':
            put_d(&o, lng == 2 ? va_arg(ap, long long)
                      : lng == 1 ? va_arg(ap, long) : va_arg(ap, int));
            break;
        case 'u':
        case 'x':
            put_u(&o, lng == 3 ? va_arg(ap, size_t)
                      : lng == 2 ? va_arg(ap, unsigned long long)
                      : lng == 1 ? va_arg(ap, unsigned long)
                                 : va_arg(ap, unsigned),
                  *f == 'x' ? 16 : 10);
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '?');
            if (!*f)
                f--;
            break;
        }
        f++;
    }
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}

size_t nssh_fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, f);
    n = nssh_vfmt(buf, cap, f, ap);
    va_end(ap);
    return n;
}
