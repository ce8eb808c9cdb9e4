/*
 * The command line of AuthorizedKeysCommand and friends: split into
 * words with sshd's quoting (argv_split) and %-tokens expanded per word
 * (sshd_config(5) TOKENS), so no shell ever sees it.
 */
#include <stdio.h>
#include <string.h>

#include "authcmd.h"

int authcmd_split(const char *s, char *store, size_t store_cap, char **argv,
                  size_t max)
{
    size_t n = 0, j = 0;
    if (!s || !store || !store_cap)
        return -1;
    while (*s) {
        int quote = 0;
        if (*s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        if (n >= max)
            return -1;
        argv[n++] = store + j;
        for (; *s; s++) {
            char c = *s;
            if (c == '\\' && (s[1] == '\'' || s[1] == '"' || s[1] == '\\' ||
                              (!quote && s[1] == ' ')))
                c = *++s;
            else if (c == '\\')
                ;   /* an unknown escape keeps its backslash */
            else if (!quote && (c == ' ' || c == '\t'))
                break;
            else if (!quote && (c == '"' || c == '\'')) {
                quote = c;
                continue;
            } else if (quote && c == quote) {
                quote = 0;
                continue;
            }
            if (j + 1 >= store_cap)
                return -1;
            store[j++] = c;
        }
        if (quote)
            return -1;
        if (j >= store_cap)
            return -1;
        store[j++] = 0;
    }
    return (int)n;
}

long authcmd_expand(const char *t, const authcmd_token *toks, size_t n,
                    char *out, size_t cap, char *why, size_t why_cap)
{
    size_t o = 0, i, vl;
    const char *v;
    if (!cap)
        return -1;
    for (; *t; t++) {
        if (*t != '%') {
            v = t;
            vl = 1;
        } else if (t[1] == '%') {
            v = "%";
            vl = 1;
            t++;
        } else {
            for (i = 0; i < n && toks[i].key != t[1]; i++)
                ;
            if (!t[1] || i == n || !toks[i].value) {
                if (why)
                    snprintf(why, why_cap, "unknown token %%%c", t[1] ? t[1] : ' ');
                return -1;
            }
            v = toks[i].value;
            vl = strlen(v);
            t++;
        }
        if (vl >= cap - o) {
            if (why)
                snprintf(why, why_cap, "expanded argument too long");
            return -1;
        }
        memcpy(out + o, v, vl);
        o += vl;
    }
    out[o] = 0;
    return (long)o;
}
