/*
 * Profiles: what a server looked like once (banner, algorithm lists, host
 * keys), saved as "key value" lines, and compared with a later run. A
 * difference is what an interposing proxy or middlebox shows: its own
 * banner, its own offer, its own host key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static const char *const keys[6] = { "kex", "hostkey", "cipher_c2s", "cipher_s2c",
                                     "mac_c2s", "mac_s2c" };

int profile_save(const run *r, const char *path)
{
    static char s[10][2048];
    const pkt *is = run_find(r, 0, 20, 0);
    FILE *f;
    size_t i;
    if (!is || kexinit_lists(is->data, is->len, s) < 0) {
        fprintf(stderr, "nanossh-probe: no server KEXINIT, nothing to save\n");
        return -1;
    }
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "nanossh-probe: cannot write %s\n", path);
        return -1;
    }
    fprintf(f, "# nanossh-probe profile of %s port %s\n", r->o->host, r->o->port);
    fprintf(f, "banner %s\n", r->w.version);
    for (i = 0; i < 6; i++)
        fprintf(f, "%s %s\n", keys[i], s[i]);
    if (r->hk.blob)
        fprintf(f, "hostkey-fp %s %s\n", r->hk.type, r->hk.fp);
    for (i = 0; i < r->n_hks; i++)
        fprintf(f, "hostkey-fp %s %s\n", r->hks[i].type, r->hks[i].fp);
    return fclose(f) == 0 ? 0 : -1;
}

/* What is in a but not in b, comma-separated. */
static void minus(const char *a, const char *b, char *out, size_t cap)
{
    char tmp[2048], *save, *t;
    size_t n = 0;
    snprintf(tmp, sizeof(tmp), "%s", a);
    out[0] = 0;
    for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (!list_has(b, t) && n + strlen(t) + 2 < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", t);
}

int profile_compare(const run *r, const char *path, sbuf *d)
{
    static char s[10][2048], line[4096];
    const pkt *is = run_find(r, 0, 20, 0);
    FILE *f = fopen(path, "r");
    int diffs = 0, have = is && kexinit_lists(is->data, is->len, s) == 0;
    size_t i;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char *v = strchr(line, ' ');
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || !v)
            continue;
        *v++ = 0;
        if (strcmp(line, "banner") == 0 && strcmp(v, r->w.version) != 0) {
            sb_add(d, "  banner differs: profile \"%s\", now \"%s\" (possible "
                   "interposing proxy or middlebox)\n", v, r->w.version);
            diffs++;
        }
        for (i = 0; i < 6 && have; i++) {
            char gone[1024], added[1024];
            if (strcmp(line, keys[i]) != 0 || strcmp(v, s[i]) == 0)
                continue;
            minus(v, s[i], gone, sizeof(gone));
            minus(s[i], v, added, sizeof(added));
            sb_add(d, "  %s offer differs: profile [%s], now [%s]; missing [%s], "
                   "new [%s] (possible interposing proxy or middlebox)\n",
                   keys[i], v, s[i], gone, added);
            diffs++;
        }
        if (strcmp(line, "hostkey-fp") == 0) {
            char *fp = strchr(v, ' ');
            const hostkey_seen *now = NULL;
            if (!fp)
                continue;
            *fp++ = 0;
            if (r->hk.blob && strcmp(r->hk.type, v) == 0)
                now = &r->hk;
            for (i = 0; i < r->n_hks && !now; i++)
                if (strcmp(r->hks[i].type, v) == 0)
                    now = &r->hks[i];
            if (now && strcmp(now->fp, fp) != 0) {
                sb_add(d, "  host key %s differs: profile %s, now %s (possible "
                       "interposing proxy, or the key was replaced)\n", v, fp, now->fp);
                diffs++;
            }
        }
    }
    fclose(f);
    return diffs;
}
