/* moduli(5) parsing for diffie-hellman-group-exchange. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moduli.h"
#include "files.h"

/* /etc/ssh/moduli is about 0.5 MB; refuse anything absurd. */
#define MODULI_FILE_MAX (16u << 20)

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* The next space-separated decimal field of *pp; 0 when there is none. */
static int field(const char **pp, unsigned long long *v)
{
    const char *p = *pp;
    char *end;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    errno = 0;
    *v = strtoull(p, &end, 10);
    if (errno || (*end != ' ' && *end != '\t'))
        return 0;
    *pp = end;
    return 1;
}

/* One line: "20230101000000 2 6 100 2047 2 FFFF...". 1 parsed, 0 skip.
 * Parsed by hand: sscanf copying the 1 KiB of hex of each of the file's
 * few hundred lines cost milliseconds per process. */
static int parse_line(const char *line, nssh_modulus *m)
{
    unsigned long long f[6];
    const char *hex = line, *end;
    size_t hl, i;
    uint8_t *p;
    for (i = 0; i < 6; i++)
        if (!field(&hex, &f[i]))
            return 0;
    while (*hex == ' ' || *hex == '\t')
        hex++;
    for (end = hex; hexval((unsigned char)*end) >= 0; end++)
        ;
    if (*end && !isspace((unsigned char)*end))
        return 0;
    /* f: time, type, tests, trials, size, generator. type 2: safe prime;
     * tests bit 0x04: Miller-Rabin (moduli(5)) */
    if (f[1] != 2 || !(f[2] & 0x04) || f[3] == 0 || f[5] < 2 || f[5] > 255 ||
        f[4] > 65536)
        return 0;
    hl = (size_t)(end - hex);
    if (hl % 2 || hl / 2 > NSSH_DH_MAX || (f[4] + 1) / 4 != hl)
        return 0;
    p = malloc(hl / 2);
    if (!p)
        return 0;
    for (i = 0; i < hl / 2; i++)
        p[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
    m->bits = (uint32_t)f[4] + 1;
    m->p = p;
    m->plen = hl / 2;
    m->g = (uint8_t)f[5];
    return 1;
}

long moduli_parse(const char *text, size_t len, nssh_modulus **out, size_t *bad)
{
    nssh_modulus *v = NULL;
    size_t n = 0, cap = 0, pos = 0, skipped = 0;
    char line[4400];
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        nssh_modulus m;
        if (ll < sizeof(line) && text[pos] != '#' && ll > 0) {
            memcpy(line, text + pos, ll);
            line[ll] = 0;
            if (parse_line(line, &m)) {
                if (n == cap) {
                    nssh_modulus *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
                    if (!nv) {
                        free((void *)m.p);
                        moduli_free(v, n);
                        return NSSH_ERR_NOSPACE;
                    }
                    v = nv;
                }
                v[n++] = m;
            } else {
                skipped++;
            }
        }
        pos += ll + 1;
    }
    if (bad)
        *bad = skipped;
    *out = v;
    return (long)n;
}

void moduli_free(nssh_modulus *m, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free((void *)m[i].p);
    free(m);
}

const nssh_modulus *moduli_get(const char *path, size_t *n)
{
    static int loaded;
    static nssh_modulus *groups;
    static size_t count;
    if (!loaded) {
        char *buf;
        size_t len;
        loaded = 1;
        if (file_read(path ? path : MODULI_DEFAULT_PATH, MODULI_FILE_MAX, &buf, &len, NULL,
                      0) == 0) {
            long r = moduli_parse(buf, len, &groups, NULL);
            count = r > 0 ? (size_t)r : 0;
            free(buf);
        }
    }
    *n = count;
    return groups;
}
