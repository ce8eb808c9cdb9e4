/* moduli(5) parsing for diffie-hellman-group-exchange. */
#include <ctype.h>
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
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* One line: "20230101000000 2 6 100 2047 2 FFFF...". 1 parsed, 0 skip. */
static int parse_line(const char *line, nssh_modulus *m)
{
    unsigned long long stamp;
    unsigned type, tests, trials, size, gen;
    char hex[4200];
    size_t hl, i;
    uint8_t *p;
    if (sscanf(line, "%llu %u %u %u %u %u %4199s", &stamp, &type, &tests,
               &trials, &size, &gen, hex) != 7)
        return 0;
    /* type 2: safe prime; tests bit 0x04: Miller-Rabin (moduli(5)) */
    if (type != 2 || !(tests & 0x04) || trials == 0 || gen < 2 || gen > 255)
        return 0;
    hl = strlen(hex);
    if (hl % 2 || hl / 2 > NSSH_DH_MAX || (size + 1) / 4 != hl)
        return 0;
    p = malloc(hl / 2);
    if (!p)
        return 0;
    for (i = 0; i < hl / 2; i++) {
        int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
        if (a < 0 || b < 0) {
            free(p);
            return 0;
        }
        p[i] = (uint8_t)(a << 4 | b);
    }
    m->bits = size + 1;
    m->p = p;
    m->plen = hl / 2;
    m->g = (uint8_t)gen;
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
