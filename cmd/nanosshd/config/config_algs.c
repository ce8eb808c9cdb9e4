/*
 * Algorithm keywords (sshd_config(5) KexAlgorithms, HostKeyAlgorithms,
 * Ciphers, MACs, PubkeyAcceptedAlgorithms) with sshd's list syntax:
 *
 *   a,b,c    exactly these, in this order
 *   +a,b     the defaults, then these
 *   -a*,b    the defaults without these (wildcards allowed)
 *   ^a,b     these first, then the rest of the defaults
 *
 * Any entry may be a wildcard pattern. Every name is checked against what
 * the crypto backend has; an entry that names nothing it knows is an
 * error. Algorithms the backend keeps only for old peers (SHA-1 ones)
 * are off unless a list names them.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "algs.h"
#include "pattern.h"
#include "nanossh_cert.h"

#define ALL_MAX (2 * OPTS_MAX_ALGS)

typedef struct category {
    const char *kw;
    size_t (*defaults)(const char **out, size_t max);
    const char *const *legacy;       /* probed with canon() */
    const char *(*canon)(const char *name);
} category;

#define DEFAULTS(fn, list)                                      \
    static size_t fn(const char **out, size_t max)              \
    {                                                           \
        size_t n = 0;                                           \
        while ((list)[n] && n < max) {                          \
            out[n] = (list)[n]->name;                           \
            n++;                                                \
        }                                                       \
        return n;                                               \
    }
DEFAULTS(def_kex, nssh_ossl_kems)
DEFAULTS(def_cipher, nssh_ossl_ciphers)
DEFAULTS(def_mac, nssh_ossl_macs)
DEFAULTS(def_sig, nssh_ossl_sig_algs)

/* User keys: the host key algorithms and the security keys, which only
 * users hold (PROTOCOL.u2f), as in sshd's default list. */
static size_t def_pubkey(const char **out, size_t max)
{
    size_t n = def_sig(out, max), i;
    for (i = 0; nssh_ossl_sig_user_algs[i] && n < max; i++)
        out[n++] = nssh_ossl_sig_user_algs[i]->name;
    return n;
}

/* The backend's own (static) spelling of a name, or NULL. */
static const char *canon_kex(const char *n)
{
    const nssh_kem *a = nssh_ossl_kem_by_name(n);
    return a ? a->name : NULL;
}

static const char *canon_cipher(const char *n)
{
    const nssh_cipher *a = nssh_ossl_cipher_by_name(n);
    return a ? a->name : NULL;
}

static const char *canon_mac(const char *n)
{
    const nssh_mac *a = nssh_ossl_mac_by_name(n);
    return a ? a->name : NULL;
}

static const char *canon_sig(const char *n)
{
    const nssh_sig_alg *a = nssh_ossl_sig_by_name(n);
    return a ? a->name : NULL;
}

/* Names the backend finds beyond its default lists (kept for old peers,
 * or not offered by default): what a list may add. */
static const char *const legacy_kex[] = {
    "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group1-sha1", NULL
};
static const char *const legacy_cipher[] = {
    "aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc", NULL
};
static const char *const legacy_mac[] = {
    "hmac-sha1-etm@openssh.com", "hmac-sha1", "hmac-sha1-96-etm@openssh.com",
    "hmac-sha1-96", "hmac-md5-etm@openssh.com", "hmac-md5",
    "hmac-md5-96-etm@openssh.com", "hmac-md5-96", "umac-64-etm@openssh.com",
    "umac-64@openssh.com", "umac-128-etm@openssh.com", "umac-128@openssh.com",
    NULL
};
/* Named only: never in the defaults, as in sshd 10.5 (whose default
 * lists have neither SHA-1 RSA nor ML-DSA certificates). */
static const char *const legacy_sig[] = {
    "ssh-rsa", "ssh-rsa-cert-v01@openssh.com",
    "ssh-mldsa44-ed25519-cert-v01@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NULL
};

/* CASignatureAlgorithms: what a CA may sign certificates with, never a
 * certificate algorithm (sshd's default: the plain ones but "ssh-rsa"). */
static size_t def_ca(const char **out, size_t max)
{
    size_t i, n = 0;
    for (i = 0; nssh_ossl_sig_algs[i] && n < max; i++)
        if (!nssh_cert_is_cert_name(nssh_ossl_sig_algs[i]->name))
            out[n++] = nssh_ossl_sig_algs[i]->name;
    return n;
}

static const char *canon_ca(const char *n)
{
    const char *c = canon_sig(n);
    return c && !nssh_cert_is_cert_name(c) ? c : NULL;
}

static const category cat_kex = { "KexAlgorithms", def_kex, legacy_kex, canon_kex };
static const category cat_cipher = { "Ciphers", def_cipher, legacy_cipher, canon_cipher };
static const category cat_mac = { "MACs", def_mac, legacy_mac, canon_mac };
static const category cat_hostkey = { "HostKeyAlgorithms", def_sig, legacy_sig, canon_sig };
static const category cat_pubkey = { "PubkeyAcceptedAlgorithms", def_pubkey, legacy_sig, canon_sig };
static const category cat_ca = { "CASignatureAlgorithms", def_ca, legacy_sig, canon_ca };

/* Everything the backend has: the defaults, then the legacy names. The
 * strings are the backend's own (static). */
static size_t all_names(const category *c, const char **out)
{
    size_t n = c->defaults(out, ALL_MAX), i;
    const char *name;
    for (i = 0; c->legacy[i] && n < ALL_MAX; i++)
        if ((name = c->canon(c->legacy[i])) != NULL)
            out[n++] = name;
    return n;
}

static int has(const alglist *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (!strcmp(l->name[i], name))
            return 1;
    return 0;
}

static void add(alglist *l, const char *name)
{
    if (!has(l, name) && l->n < OPTS_MAX_ALGS)
        l->name[l->n++] = name;
}

/* Each entry of list, in order, against the candidates: matches added to
 * out when out is set; 0, or an error naming the first entry that
 * matches nothing. */
static int expand(const category *c, const char *list, const char **cand,
                  size_t n_cand, alglist *out, char *err, size_t cap)
{
    char entry[128];
    size_t i, n;
    int hit;
    while (*list) {
        n = strcspn(list, ",");
        if (n == 0 || n >= sizeof(entry) || list[0] == '!') {
            snprintf(err, cap, "%s: bad entry \"%.*s\".", c->kw,
                     (int)(n > 100 ? 100 : n), list);
            return NSSH_ERR_FORMAT;
        }
        memcpy(entry, list, n);
        entry[n] = 0;
        for (i = 0, hit = 0; i < n_cand; i++)
            if (match_pattern_list(cand[i], entry) == 1) {
                hit = 1;
                if (out)
                    add(out, cand[i]);
            }
        if (!hit) {
            snprintf(err, cap, "%s: unknown algorithm \"%s\".", c->kw, entry);
            return NSSH_ERR_FORMAT;
        }
        list += n;
        if (*list == ',' && !*++list) {
            snprintf(err, cap, "%s: empty entry at the end.", c->kw);
            return NSSH_ERR_FORMAT;
        }
    }
    return 0;
}

static int resolve(const category *c, const char *spec, alglist *out,
                   char *err, size_t cap)
{
    const char *all[ALL_MAX], *def[ALL_MAX];
    size_t n_all = all_names(c, all), n_def = c->defaults(def, ALL_MAX), i;
    char mode = (spec[0] == '+' || spec[0] == '-' || spec[0] == '^') ? spec[0] : 0;
    const char *list = mode ? spec + 1 : spec;
    alglist drop = { { 0 }, 0, 0 };
    int e;
    memset(out, 0, sizeof(*out));
    if (!*list) {
        snprintf(err, cap, "%s: empty list.", c->kw);
        return NSSH_ERR_FORMAT;
    }
    if ((e = expand(c, list, all, n_all, mode == '-' ? &drop : NULL, err, cap)) < 0)
        return e;
    if (mode == '+' || mode == '-')
        for (i = 0; i < n_def; i++)
            if (mode == '+' || !has(&drop, def[i]))
                add(out, def[i]);
    if (mode != '-')
        expand(c, list, all, n_all, out, err, cap);
    if (mode == '^')
        for (i = 0; i < n_def; i++)
            add(out, def[i]);
    if (out->n == 0) {
        snprintf(err, cap, "%s: no algorithm left.", c->kw);
        return NSSH_ERR_FORMAT;
    }
    out->set = 1;
    return 0;
}

static int parse(const category *c, alglist *field, const char *spec,
                 char *err, size_t cap)
{
    alglist l;
    int e = resolve(c, spec, &l, err, cap);
    if (e == 0 && !field->set)
        *field = l;
    return e;
}

int kw_kex_algs(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    return parse(&cat_kex, &o->kex_algs, av[0], err, cap);
}

int kw_ciphers(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    return parse(&cat_cipher, &o->ciphers, av[0], err, cap);
}

int kw_macs(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    return parse(&cat_mac, &o->macs, av[0], err, cap);
}

int kw_hostkey_algs(daemon_opts *o, char **av, size_t ac, char *err,
                    size_t cap)
{
    return parse(&cat_hostkey, &o->hostkey_algs, av[0], err, cap);
}

int kw_pubkey_algs(daemon_opts *o, char **av, size_t ac, char *err,
                   size_t cap)
{
    return parse(&cat_pubkey, &o->pubkey_algs, av[0], err, cap);
}

int kw_ca_sign_algs(daemon_opts *o, char **av, size_t ac, char *err,
                    size_t cap)
{
    return parse(&cat_ca, &o->ca_sign_algs, av[0], err, cap);
}

void kw_reset_pubkey_algs(daemon_opts *o)
{
    memset(&o->pubkey_algs, 0, sizeof(o->pubkey_algs));
}

void kw_reset_ca_sign_algs(daemon_opts *o)
{
    memset(&o->ca_sign_algs, 0, sizeof(o->ca_sign_algs));
}

static void defaults(const category *c, alglist *l)
{
    if (!l->set) {
        l->n = c->defaults(l->name, OPTS_MAX_ALGS);
        l->set = 1;
    }
}

void algs_defaults(daemon_opts *o)
{
    defaults(&cat_kex, &o->kex_algs);
    defaults(&cat_cipher, &o->ciphers);
    defaults(&cat_mac, &o->macs);
    defaults(&cat_hostkey, &o->hostkey_algs);
    defaults(&cat_pubkey, &o->pubkey_algs);
    defaults(&cat_ca, &o->ca_sign_algs);
}

static void show(const alglist *l, const char *name, FILE *f)
{
    size_t i;
    fprintf(f, "%s ", name);
    for (i = 0; i < l->n; i++)
        fprintf(f, "%s%s", i ? "," : "", l->name[i]);
    fputc('\n', f);
}

void show_kex_algs(const daemon_opts *o, const char *n, FILE *f) { show(&o->kex_algs, n, f); }
void show_ciphers(const daemon_opts *o, const char *n, FILE *f) { show(&o->ciphers, n, f); }
void show_macs(const daemon_opts *o, const char *n, FILE *f) { show(&o->macs, n, f); }
void show_hostkey_algs(const daemon_opts *o, const char *n, FILE *f) { show(&o->hostkey_algs, n, f); }
void show_pubkey_algs(const daemon_opts *o, const char *n, FILE *f) { show(&o->pubkey_algs, n, f); }
void show_ca_sign_algs(const daemon_opts *o, const char *n, FILE *f) { show(&o->ca_sign_algs, n, f); }

/* ---- Engine tables ---------------------------------------------------------- */

#define TABLE(fn, type, lookup)                                          \
    size_t fn(const alglist *l, const type **out, size_t max)           \
    {                                                                    \
        size_t i, n = 0;                                                 \
        for (i = 0; i < l->n && n < max; i++)                           \
            if ((out[n] = lookup(l->name[i])) != NULL)                  \
                n++;                                                     \
        return n;                                                        \
    }
TABLE(algs_kems, nssh_kem, nssh_ossl_kem_by_name)
TABLE(algs_ciphers, nssh_cipher, nssh_ossl_cipher_by_name)
TABLE(algs_macs, nssh_mac, nssh_ossl_mac_by_name)
TABLE(algs_sigs, nssh_sig_alg, nssh_ossl_sig_by_name)

size_t algs_hostkeys(const alglist *l, const hostkey_set *hs,
                     nssh_hostkey *out, size_t max)
{
    const nssh_sig_alg *alg;
    size_t i, k, n = 0;
    for (i = 0; i < l->n; i++) {
        if (!(alg = nssh_ossl_sig_by_name(l->name[i])))
            continue;
        /* A certificate algorithm: each HostCertificate of that type,
         * signing with the key it certifies. */
        for (k = 0; k < hs->n_certs && n < max; k++) {
            char type[64];
            if (nssh_ossl_blob_type(hs->certs[k], hs->cert_lens[k], type,
                                    sizeof(type)) < 0 ||
                strcmp(type, alg->key_type))
                continue;
            out[n].alg = alg;
            out[n].key = hs->keys[hs->cert_key[k]];
            out[n].blob = hs->certs[k];
            out[n].blob_len = hs->cert_lens[k];
            n++;
        }
        if (nssh_cert_is_cert_name(alg->name))
            continue;
        for (k = 0; k < hs->n_keys && n < max; k++) {
            if (strcmp(nssh_ossl_key_type_name(hs->keys[k]), alg->key_type))
                continue;
            out[n].alg = alg;
            out[n].key = hs->keys[k];
            out[n].blob = hs->blobs[k];
            out[n].blob_len = hs->blob_lens[k];
            n++;
        }
    }
    return n;
}

/* -Q: every name the backend has for one keyword, defaults first, one a
 * line (as ssh -Q); "key" and "sig" list the signature algorithms. */
int algs_query(const char *what, FILE *f)
{
    const char *names[ALL_MAX];
    const category *c;
    size_t n, i;
    if (!strcmp(what, "kex") || !strcasecmp(what, "KexAlgorithms"))
        c = &cat_kex;
    else if (!strcmp(what, "cipher") || !strcasecmp(what, "Ciphers"))
        c = &cat_cipher;
    else if (!strcmp(what, "mac") || !strcasecmp(what, "MACs"))
        c = &cat_mac;
    else if (!strcasecmp(what, "HostKeyAlgorithms"))
        c = &cat_hostkey;
    else if (!strcmp(what, "key") || !strcmp(what, "sig") ||
             !strcasecmp(what, "PubkeyAcceptedAlgorithms"))
        c = &cat_pubkey;
    else
        return NSSH_ERR_FORMAT;
    n = all_names(c, names);
    for (i = 0; i < n; i++)
        fprintf(f, "%s\n", names[i]);
    return 0;
}
