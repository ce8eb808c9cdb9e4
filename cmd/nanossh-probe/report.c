/* The report: a text for people (default) or one JSON object (--json). */
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const char *const cat_key[8] = {
    "kex", "hostkey", "cipher_c2s", "cipher_s2c", "mac_c2s", "mac_s2c",
    "compression_c2s", "compression_s2c" };

/* Host keys seen, without repeats (same fingerprint and algorithm). */
static size_t all_hostkeys(const run *r, const hostkey_seen **out, size_t max)
{
    size_t n = 0, i, j;
    const hostkey_seen *cand[RUN_MAX_HOSTKEYS + 1];
    size_t nc = 0;
    if (r->hk.blob)
        cand[nc++] = &r->hk;
    for (i = 0; i < r->n_hks; i++)
        cand[nc++] = &r->hks[i];
    for (i = 0; i < nc && n < max; i++) {
        int dup = 0;
        for (j = 0; j < n; j++)
            dup |= strcmp(out[j]->fp, cand[i]->fp) == 0 &&
                   strcmp(out[j]->type, cand[i]->type) == 0;
        if (!dup)
            out[n++] = cand[i];
    }
    return n;
}

/* Printable copy of server text (a banner may hold anything). */
static const char *clean(const char *s, char *buf, size_t cap)
{
    size_t i;
    for (i = 0; s[i] && i + 1 < cap; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    buf[i] = 0;
    return buf;
}

void report_text(const run *r, const report_extra *x)
{
    static char c[10][2048], s[10][2048];
    const pkt *ic = run_find(r, 1, 20, 0), *is = run_find(r, 0, 20, 0);
    const hostkey_seen *hk[RUN_MAX_HOSTKEYS + 1];
    finding fnd[48];
    size_t i, n;
    char buf[2048];
    printf("nanossh-probe %s port %s: %s\n", r->o->host, r->o->port,
           r->f.set ? "FAILED" : "healthy");
    if (r->w.version_done)
        printf("banner: %s\n", clean(r->w.version, buf, sizeof(buf)));
    printf("timeline:\n");
    for (i = 0; i < r->n_ev; i++)
        printf("  %6llu ms  %s\n", (unsigned long long)r->ev[i].ms, r->ev[i].what);
    if (ic && is && kexinit_lists(ic->data, ic->len, c) == 0 &&
        kexinit_lists(is->data, is->len, s) == 0) {
        printf("algorithms (server offer / ours):\n");
        for (i = 0; i < 6; i++)
            printf("  %-11s server: %s\n  %-11s ours:   %s\n", cat_key[i],
                   clean(s[i], buf, sizeof(buf)), "", c[i]);
        printf("negotiated: kex %s, host key %s, cipher %s / %s, MAC %s / %s "
               "(client to server / server to client)\n",
               r->negotiated[0][0] ? r->negotiated[0] : "-",
               r->negotiated[1][0] ? r->negotiated[1] : "-",
               r->negotiated[2][0] ? r->negotiated[2] : "-",
               r->negotiated[3][0] ? r->negotiated[3] : "-",
               r->negotiated[4][0] ? r->negotiated[4] : "-",
               r->negotiated[5][0] ? r->negotiated[5] : "-");
        printf("strict KEX: %s; ext-info: %s%s\n",
               list_has(s[0], "kex-strict-s-v00@openssh.com") ? "yes" : "no",
               r->ext_info ? "SSH_MSG_EXT_INFO received, server-sig-algs "
                           : "no SSH_MSG_EXT_INFO received",
               r->ext_info ? clean(r->server_sig_algs, buf, sizeof(buf)) : "");
    }
    n = all_hostkeys(r, hk, RUN_MAX_HOSTKEYS + 1);
    if (n) {
        printf("host keys:\n");
        for (i = 0; i < n; i++)
            printf("  %-20s %5u %s (%s)\n", hk[i]->type, hk[i]->bits, hk[i]->fp,
                   hk[i]->src);
    }
    if (r->methods[0])
        printf("auth methods: %s\n", clean(r->methods, buf, sizeof(buf)));
    if (r->o->keyfile)
        printf("login: %s%s\n", r->auth_ok ? "accepted" : "refused",
               r->exit_seen == 1 ? (r->exit_status == 0 ? ", exec \"exit 0\" returned 0"
                                                         : ", exec returned non-zero") : "");
    n = audit(r, fnd, sizeof(fnd) / sizeof(fnd[0]));
    if (n) {
        printf("audit:\n");
        for (i = 0; i < n; i++)
            printf("  [%s] %s: %s\n", fnd[i].level, fnd[i].what, fnd[i].why);
    }
    if (x->enumerated)
        printf("enumerate (one connection each):\n%s", x->enumerate_text.p ? x->enumerate_text.p : "");
    if (x->profile_checked)
        printf("profile: %s%s", x->n_profile_diffs ? "DIFFERS\n" : "matches\n",
               x->profile_diffs.p ? x->profile_diffs.p : "");
    if (r->f.set) {
        printf("diagnosis [%s]: %s\n", r->f.cause,
               strcmp(r->f.cause, "profile-differs") == 0
                   ? "differences from the profile listed above"
                   : clean(r->f.text, buf, sizeof(buf)));
        if (r->f.message[0] || r->f.field[0])
            printf("  message %s, field %s", r->f.message[0] ? r->f.message : "-",
                   r->f.field[0] ? r->f.field : "-");
        if (r->f.offset >= 0)
            printf(", offset %ld", r->f.offset);
        if (r->f.expected[0])
            printf(", expected %s, got %s", r->f.expected, r->f.got);
        printf("\n");
        if (r->f.engine[0])
            printf("  engine: %s\n", clean(r->f.engine, buf, sizeof(buf)));
    }
}

static void json_str(sbuf *b, const char *key, const char *v)
{
    sb_add(b, "\"%s\":", key);
    sb_json(b, v, strlen(v));
}

static void json_list(sbuf *b, const char *list)
{
    char tmp[2048], *save, *t;
    int first = 1;
    snprintf(tmp, sizeof(tmp), "%s", list);
    sb_add(b, "[");
    for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        sb_add(b, first ? "" : ",");
        sb_json(b, t, strlen(t));
        first = 0;
    }
    sb_add(b, "]");
}

static void json_lists(sbuf *b, char l[10][2048])
{
    int i;
    sb_add(b, "{");
    for (i = 0; i < 8; i++) {
        sb_add(b, "%s\"%s\":", i ? "," : "", cat_key[i]);
        json_list(b, l[i]);
    }
    sb_add(b, "}");
}

static void json_algorithms(sbuf *b, const run *r, int have, char c[10][2048],
                            char s[10][2048])
{
    size_t i;
    sb_add(b, ",\"algorithms\":{\"offered\":{\"client\":");
    if (have)
        json_lists(b, c);
    else
        sb_add(b, "null");
    sb_add(b, ",\"server\":");
    if (have)
        json_lists(b, s);
    else
        sb_add(b, "null");
    sb_add(b, "},\"negotiated\":{");
    for (i = 0; i < 6; i++) {
        sb_add(b, "%s\"%s\":", i ? "," : "", cat_key[i]);
        if (r->negotiated[i][0])
            sb_json(b, r->negotiated[i], strlen(r->negotiated[i]));
        else
            sb_add(b, "null");
    }
    sb_add(b, "}}");
}

static void json_hostkeys_audit(sbuf *b, const run *r)
{
    const hostkey_seen *hk[RUN_MAX_HOSTKEYS + 1];
    finding fnd[48];
    size_t i, n = all_hostkeys(r, hk, RUN_MAX_HOSTKEYS + 1);
    sb_add(b, ",\"hostkeys\":[");
    for (i = 0; i < n; i++) {
        sb_add(b, "%s{", i ? "," : "");
        json_str(b, "type", hk[i]->type);
        sb_add(b, ",");
        json_str(b, "algorithm", hk[i]->alg);
        sb_add(b, ",\"bits\":%u,", hk[i]->bits);
        json_str(b, "fingerprint", hk[i]->fp);
        sb_add(b, ",");
        json_str(b, "source", hk[i]->src);
        sb_add(b, "}");
    }
    sb_add(b, "],\"audit\":[");
    n = audit(r, fnd, sizeof(fnd) / sizeof(fnd[0]));
    for (i = 0; i < n; i++) {
        sb_add(b, "%s{", i ? "," : "");
        json_str(b, "level", fnd[i].level);
        sb_add(b, ",");
        json_str(b, "finding", fnd[i].what);
        sb_add(b, ",");
        json_str(b, "reason", fnd[i].why);
        sb_add(b, "}");
    }
    sb_add(b, "]");
}

/* One sentence per line of the profile differences. */
static void json_profile(sbuf *b, const report_extra *x)
{
    const char *p = x->profile_diffs.p ? x->profile_diffs.p : "";
    int first = 1;
    sb_add(b, ",\"profile\":{\"differences\":[");
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        while (k && *p == ' ') {
            p++;
            k--;
        }
        sb_add(b, first ? "" : ",");
        sb_json(b, p, k);
        first = 0;
        p += k + (e ? 1 : 0);
    }
    sb_add(b, "],\"possible_interposer\":%s}", x->n_profile_diffs ? "true" : "false");
}

static void json_failure(sbuf *b, const failure *f)
{
    sb_add(b, ",\"failure\":{");
    json_str(b, "stage", f->stage);
    sb_add(b, ",");
    json_str(b, "message", f->message);
    sb_add(b, ",");
    json_str(b, "field", f->field);
    if (f->offset >= 0)
        sb_add(b, ",\"offset\":%ld,", f->offset);
    else
        sb_add(b, ",\"offset\":null,");
    json_str(b, "expected", f->expected);
    sb_add(b, ",");
    json_str(b, "got", f->got);
    sb_add(b, ",");
    json_str(b, "cause", f->cause);
    sb_add(b, ",");
    json_str(b, "text", f->text);
    sb_add(b, ",");
    json_str(b, "engine", f->engine);
    sb_add(b, "}");
}

void report_json(const run *r, const report_extra *x)
{
    static char c[10][2048], s[10][2048];
    const pkt *ic = run_find(r, 1, 20, 0), *is = run_find(r, 0, 20, 0);
    sbuf b = { 0 };
    size_t i;
    int have = ic && is && kexinit_lists(ic->data, ic->len, c) == 0 &&
               kexinit_lists(is->data, is->len, s) == 0;
    sb_add(&b, "{\"ok\":%s,", r->f.set ? "false" : "true");
    json_str(&b, "host", r->o->host);
    sb_add(&b, ",");
    json_str(&b, "port", r->o->port);
    sb_add(&b, ",");
    json_str(&b, "banner", r->w.version);
    sb_add(&b, ",\"timeline\":[");
    for (i = 0; i < r->n_ev; i++) {
        sb_add(&b, "%s{", i ? "," : "");
        json_str(&b, "event", r->ev[i].what);
        sb_add(&b, ",\"ms\":%llu}", (unsigned long long)r->ev[i].ms);
    }
    sb_add(&b, "]");
    json_algorithms(&b, r, have, c, s);
    sb_add(&b, ",\"strict_kex\":%s,\"ext_info\":%s,\"server_sig_algs\":",
           have && list_has(s[0], "kex-strict-s-v00@openssh.com") ? "true" : "false",
           r->ext_info ? "true" : "false");
    json_list(&b, r->server_sig_algs);
    sb_add(&b, ",\"auth_methods\":");
    json_list(&b, r->methods);
    json_hostkeys_audit(&b, r);
    if (r->o->keyfile)
        sb_add(&b, ",\"login\":{\"ok\":%s,\"exit_status\":%d}",
               r->auth_ok ? "true" : "false",
               r->exit_seen == 1 ? (int)r->exit_status : -1);
    if (x->profile_checked)
        json_profile(&b, x);
    if (x->enumerated)
        sb_add(&b, ",\"enumerate\":%s", x->enumerate.p ? x->enumerate.p : "{}");
    if (r->f.set)
        json_failure(&b, &r->f);
    sb_add(&b, "}\n");
    fputs(b.p, stdout);
    sb_free(&b);
}
