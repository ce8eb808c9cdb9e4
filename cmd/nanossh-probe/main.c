/*
 * nanossh-probe: connect to an SSH server as a client (the nanossh engine
 * in its client role) and tell its author what it does right and, above
 * all, exactly what it gets wrong. See nanossh-probe(1).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanossh_ossl.h"
#include "probe.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: nanossh-probe [-p PORT] [--json] [--timeout SECONDS]\n"
        "                     [-o KexAlgorithms=...|Ciphers=...|MACs=...|HostKeyAlgorithms=...]\n"
        "                     [--save-profile FILE] [--profile FILE] [--enumerate]\n"
        "                     [-l USER -i KEY] HOST\n"
        "\n"
        "Connects to the SSH server HOST, walks the handshake up to the list of\n"
        "authentication methods (with -l and -i: a public-key login and an\n"
        "\"exit 0\" exec) and reports a timeline, the algorithms, host keys and an\n"
        "audit; when the server gets something wrong, it names the message,\n"
        "field, offset and the likely mistake.\n"
        "\n"
        "  -p PORT              port (default 22)\n"
        "  --json               one JSON object on standard output\n"
        "  --timeout SECONDS    wait this long for each step (default 10)\n"
        "  -o NAME=LIST         offer only these algorithms (comma-separated)\n"
        "  --save-profile FILE  record banner, algorithm lists and host keys\n"
        "  --profile FILE       compare with a saved profile; differences are\n"
        "                       reported as a possible interposing proxy\n"
        "  --enumerate          one connection per algorithm the server offers:\n"
        "                       which ones really complete a handshake\n"
        "  -l USER -i KEY       log in with this unencrypted private key\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 healthy, 1 the server misbehaved or the check failed,\n"
        "2 usage error, 3 network failure (refused, or timeout before any byte).\n");
}

static int set_list(opts *o, const char *arg)
{
    static const struct { const char *name; size_t off; } m[] = {
        { "KexAlgorithms", offsetof(opts, kex) },
        { "Ciphers", offsetof(opts, ciphers) },
        { "MACs", offsetof(opts, macs) },
        { "HostKeyAlgorithms", offsetof(opts, hostkeys) } };
    const char *eq = strchr(arg, '=');
    size_t i;
    if (!eq || !eq[1])
        return -1;
    for (i = 0; i < 4; i++)
        if (strlen(m[i].name) == (size_t)(eq - arg) &&
            strncasecmp(arg, m[i].name, (size_t)(eq - arg)) == 0) {
            *(const char **)((char *)o + m[i].off) = eq + 1;
            return 0;
        }
    return -1;
}

/* One connection per host key algorithm the server offers whose key type
 * we have not seen yet (when hostkeys-00 did not list them all). */
int hostkey_sweep(run *m, const opts *o)
{
    static char s[10][2048];
    const pkt *is = run_find(m, 0, 20, 0);
    char tmp[2048], *save, *t;
    int made = 0;
    if (!is || kexinit_lists(is->data, is->len, s) < 0)
        return 0;
    snprintf(tmp, sizeof(tmp), "%s", s[1]);
    for (t = strtok_r(tmp, ",", &save); t && made < 8; t = strtok_r(NULL, ",", &save)) {
        const nssh_sig_alg *a = nssh_ossl_sig_by_name(t);
        opts o2 = *o;
        run *r;
        size_t i;
        int seen = m->hk.blob && a && strcmp(m->hk.type, a->key_type) == 0;
        for (i = 0; i < m->n_hks && a; i++)
            seen |= strcmp(m->hks[i].type, a->key_type) == 0;
        if (!a || seen || m->n_hks >= RUN_MAX_HOSTKEYS)
            continue;
        r = calloc(1, sizeof(*r));
        o2.hostkeys = t;
        o2.keyfile = NULL;
        if (r && run_init(r, &o2) == 0) {
            r->quick = 1;
            made++;
            if (run_connect(r) == END_OK && r->hk.blob)
                keep_hostkey(&m->hks[m->n_hks++], "per-type", r->hk.alg, r->hk.blob,
                             r->hk.len);
        }
        if (r)
            run_free(r);
        free(r);
    }
    return made;
}

/* --enumerate: one bounded connection per offered algorithm. */
int enumerate_all(const run *m, const opts *o, report_extra *x)
{
    static char s[10][2048];
    static const char *const cat[4] = { "kex", "hostkey", "cipher", "mac" };
    static const int idx[4] = { 0, 1, 3, 5 };
    const pkt *is = run_find(m, 0, 20, 0);
    int c, total = 0;
    if (!is || kexinit_lists(is->data, is->len, s) < 0)
        return -1;
    sb_add(&x->enumerate, "{");
    for (c = 0; c < 4; c++) {
        char tmp[2048], *save, *t;
        int first = 1;
        sb_add(&x->enumerate, "%s\"%s\":[", c ? "," : "", cat[c]);
        sb_add(&x->enumerate_text, "  %s:\n", cat[c]);
        snprintf(tmp, sizeof(tmp), "%s", s[idx[c]]);
        for (t = strtok_r(tmp, ",", &save); t && total < 48; t = strtok_r(NULL, ",", &save)) {
            opts o2 = *o;
            run *r;
            int known = c == 0 ? nssh_ossl_kem_by_name(t) != NULL
                      : c == 1 ? nssh_ossl_sig_by_name(t) != NULL
                      : c == 2 ? nssh_ossl_cipher_by_name(t) != NULL
                               : nssh_ossl_mac_by_name(t) != NULL;
            const char *result;
            o2.keyfile = NULL;
            o2.enumerate = 0;
            if (!known) {
                if (strcmp(t, "ext-info-s") && strncmp(t, "kex-strict-", 11))
                    sb_add(&x->enumerate_text, "    %-40s not tried (unknown to nanossh)\n", t);
                continue;
            }
            if (c == 0) o2.kex = t;
            if (c == 1) o2.hostkeys = t;
            if (c == 2) o2.ciphers = t;
            if (c == 3) {
                o2.macs = t;
                o2.ciphers = "aes128-ctr,aes192-ctr,aes256-ctr";  /* a MAC is used */
            }
            r = calloc(1, sizeof(*r));
            if (!r || run_init(r, &o2) < 0) {
                free(r);
                continue;
            }
            total++;
            run_connect(r);
            diagnose(r);
            result = r->f.set ? r->f.cause : "ok";
            sb_add(&x->enumerate, "%s{\"name\":", first ? "" : ",");
            sb_json(&x->enumerate, t, strlen(t));
            sb_add(&x->enumerate, ",\"ok\":%s,\"cause\":", r->f.set ? "false" : "true");
            sb_json(&x->enumerate, result, strlen(result));
            sb_add(&x->enumerate, "}");
            sb_add(&x->enumerate_text, "    %-40s %s\n", t,
                   r->f.set ? r->f.cause : "completes");
            first = 0;
            run_free(r);
            free(r);
        }
        sb_add(&x->enumerate, "]");
    }
    sb_add(&x->enumerate, "}");
    x->enumerated = 1;
    return total;
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "json", no_argument, 0, 'J' }, { "timeout", required_argument, 0, 'T' },
        { "save-profile", required_argument, 0, 'S' },
        { "profile", required_argument, 0, 'P' },
        { "enumerate", no_argument, 0, 'E' }, { "help", no_argument, 0, 'h' },
        { "version", no_argument, 0, 'V' }, { 0, 0, 0, 0 } };
    opts o;
    static run r;
    report_extra x;
    int ch, code;
    memset(&o, 0, sizeof(o));
    memset(&x, 0, sizeof(x));
    o.port = "22";
    o.timeout_s = 10;
    while ((ch = getopt_long(argc, argv, "p:o:l:i:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'p': o.port = optarg; break;
        case 'J': o.json = 1; break;
        case 'T': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 3600) {
                fprintf(stderr, "nanossh-probe: --timeout wants 1..3600 seconds\n");
                return EXIT_USAGE;
            }
            o.timeout_s = (int)v;
            break;
        }
        case 'o':
            if (set_list(&o, optarg) < 0) {
                fprintf(stderr, "nanossh-probe: -o wants KexAlgorithms=, Ciphers=, "
                        "MACs= or HostKeyAlgorithms= with a list\n");
                return EXIT_USAGE;
            }
            break;
        case 'S': o.save_profile = optarg; break;
        case 'P': o.profile = optarg; break;
        case 'E': o.enumerate = 1; break;
        case 'l': o.user = optarg; break;
        case 'i': o.keyfile = optarg; break;
        case 'h': usage(stdout); return EXIT_HEALTHY;
        case 'V': printf("nanossh-probe %s\n", NSSH_VERSION_STRING); return EXIT_HEALTHY;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || (!!o.user != !!o.keyfile)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    o.host = argv[optind];
    if (run_init(&r, &o) < 0)
        return EXIT_USAGE;
    run_connect(&r);
    diagnose(&r);
    if (r.end == END_OK && !r.got_hostkeys00)
        hostkey_sweep(&r, &o);
    if (o.profile && r.end != END_NET) {
        int d = profile_compare(&r, o.profile, &x.profile_diffs);
        if (d < 0) {
            fprintf(stderr, "nanossh-probe: cannot read profile %s\n", o.profile);
            return EXIT_USAGE;
        }
        x.n_profile_diffs = d;
        x.profile_checked = 1;
        if (d && !r.f.set) {
            r.f.set = 1;
            snprintf(r.f.stage, sizeof(r.f.stage), "profile");
            snprintf(r.f.cause, sizeof(r.f.cause), "profile-differs");
            snprintf(r.f.text, sizeof(r.f.text), "The server differs from the "
                     "profile %s in %d ways; a banner, offer or host key that "
                     "changed is what an interposing proxy or middlebox shows:\n%s",
                     o.profile, d, x.profile_diffs.p);
        }
    }
    if (o.save_profile && r.end != END_NET && profile_save(&r, o.save_profile) < 0)
        code = EXIT_BROKEN;
    if (o.enumerate && r.end != END_NET && run_find(&r, 0, 20, 0))
        enumerate_all(&r, &o, &x);
    if (o.json)
        report_json(&r, &x);
    else
        report_text(&r, &x);
    if (r.end == END_NET || (r.end == END_STALL && r.w.len == 0))
        code = EXIT_NETWORK;
    else if (r.f.set || x.n_profile_diffs)
        code = EXIT_BROKEN;
    else
        code = EXIT_HEALTHY;
    run_free(&r);
    sb_free(&x.profile_diffs);
    sb_free(&x.enumerate);
    sb_free(&x.enumerate_text);
    return code;
}
