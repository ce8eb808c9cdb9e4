/*
 * Findings about the server's offer and what was negotiated, each with
 * its reason. Levels: "fail" (exploitable or broken), "warn" (weak or
 * outdated), "info".
 */
#include <stdio.h>
#include <string.h>

#include "probe.h"

typedef struct acc {
    finding *out;
    size_t n, max;
} acc;

static void add(acc *a, const char *level, const char *what, const char *why)
{
    if (a->n >= a->max)
        return;
    snprintf(a->out[a->n].level, sizeof(a->out[0].level), "%s", level);
    snprintf(a->out[a->n].what, sizeof(a->out[0].what), "%s", what);
    snprintf(a->out[a->n].why, sizeof(a->out[0].why), "%s", why);
    a->n++;
}

/* Call fn for each name of list. */
static void each(const char *list, acc *a, void (*fn)(acc *, const char *))
{
    char tmp[2048], *save, *t;
    snprintf(tmp, sizeof(tmp), "%s", list);
    for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
        fn(a, t);
}

static int is_pq(const char *k)
{
    return strncmp(k, "mlkem", 5) == 0 || strncmp(k, "sntrup", 6) == 0;
}

static void kex_name(acc *a, const char *k)
{
    char w[96];
    if (strstr(k, "sha1")) {
        snprintf(w, sizeof(w), "kex %s offered", k);
        add(a, "warn", w, "SHA-1 is broken for collisions (SHAttered 2017, "
            "chosen-prefix collisions 2020); the exchange hash should use SHA-2.");
    }
    if (strcmp(k, "diffie-hellman-group1-sha1") == 0) {
        snprintf(w, sizeof(w), "kex %s offered", k);
        add(a, "fail", w, "a 1024-bit group (RFC 2409 Oakley group 2) is within "
            "reach of precomputation (Logjam, 2015).");
    }
}

static void hk_name(acc *a, const char *k)
{
    if (strcmp(k, "ssh-rsa") == 0)
        add(a, "warn", "host key algorithm ssh-rsa offered", "ssh-rsa signs "
            "with SHA-1; RFC 8332 rsa-sha2-256/512 replace it and OpenSSH "
            "refuses it by default since 8.8.");
    if (strcmp(k, "ssh-dss") == 0)
        add(a, "fail", "host key algorithm ssh-dss offered", "DSA keys are 1024 "
            "bits with SHA-1 and were removed from OpenSSH.");
}

static void cipher_name(acc *a, const char *k)
{
    char w[96];
    size_t n = strlen(k);
    if (n > 4 && strcmp(k + n - 4, "-cbc") == 0) {
        snprintf(w, sizeof(w), "cipher %s offered", k);
        add(a, "warn", w, "CBC mode with SSH's encrypt-and-MAC layout leaks "
            "plaintext bits (CVE-2008-5161); use AES-GCM, ChaCha20-Poly1305 or "
            "AES-CTR.");
    }
    if (strncmp(k, "arcfour", 7) == 0 || strncmp(k, "3des", 4) == 0 ||
        strncmp(k, "blowfish", 8) == 0 || strncmp(k, "des", 3) == 0) {
        snprintf(w, sizeof(w), "cipher %s offered", k);
        add(a, "fail", w, "RC4, DES and 64-bit block ciphers are broken "
            "(RFC 8758; Sweet32).");
    }
}

static void mac_name(acc *a, const char *k)
{
    char w[96];
    if (strstr(k, "sha1") || strstr(k, "md5")) {
        snprintf(w, sizeof(w), "MAC %s offered", k);
        add(a, "warn", w, "MACs based on SHA-1 or MD5 are outdated; "
            "hmac-sha2-256/512 (preferably -etm) replace them.");
    }
    if (strstr(k, "-96") || strncmp(k, "umac-64", 7) == 0) {
        snprintf(w, sizeof(w), "MAC %s offered", k);
        add(a, "warn", w, "a tag of 64 or 96 bits is short.");
    }
}

size_t audit(const run *r, finding *out, size_t max)
{
    static char s[10][2048];
    const pkt *is = run_find(r, 0, 20, 0);
    acc a = { out, 0, max };
    int strict, has_pq = 0, i;
    if (!is || kexinit_lists(is->data, is->len, s) < 0)
        return 0;
    {
        char tmp[2048], *save, *t;
        snprintf(tmp, sizeof(tmp), "%s", s[0]);
        for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
            has_pq |= is_pq(t);
    }
    if (r->negotiated[0][0] && !is_pq(r->negotiated[0])) {
        char w[96];
        snprintf(w, sizeof(w), "non-PQ kex %.70s negotiated", r->negotiated[0]);
        add(&a, has_pq ? "info" : "warn", w, has_pq
            ? "the server offers a post-quantum hybrid, but the client's order chose "
              "this one."
            : "the server offers no post-quantum hybrid (mlkem768x25519-sha256, "
              "sntrup761x25519-sha512): recorded sessions could be decrypted "
              "later by a quantum computer (harvest now, decrypt later).");
    }
    each(s[0], &a, kex_name);
    each(s[1], &a, hk_name);
    each(s[2], &a, cipher_name);
    each(s[4], &a, mac_name);
    /* Group exchange: the size of the group the server chose. */
    if (run_is_gex(r)) {
        const pkt *g = run_find(r, 0, 31, 0);
        if (g && g->len > 5) {
            uint32_t plen = get_be32(g->data + 1);
            unsigned bits = plen && g->len > 5 && g->data[5] == 0 ? (plen - 1) * 8 : plen * 8;
            char w[96];
            snprintf(w, sizeof(w), "DH group exchange chose a %u-bit group", bits);
            if (bits < 2048)
                add(&a, "fail", w, "groups below 2048 bits are within reach of "
                    "precomputation (Logjam, 2015; RFC 8270 sets 2048 as the minimum).");
        }
    }
    strict = list_has(s[0], "kex-strict-s-v00@openssh.com");
    if (!strict) {
        int exposed = 0;
        for (i = 2; i < 6; i++)
            exposed |= strstr(s[i], "chacha20-poly1305") != NULL ||
                       (i >= 4 && strstr(s[i], "-etm@openssh.com") != NULL && strstr(s[2], "-cbc"));
        add(&a, exposed ? "fail" : "warn", "no strict KEX (kex-strict-s-v00@openssh.com)",
            exposed ? "without strict KEX, chacha20-poly1305 (and CBC with -etm "
                      "MACs) is open to the Terrapin prefix truncation attack "
                      "(CVE-2023-48795): a man in the middle can drop the "
                      "client's first messages after NEWKEYS unnoticed."
                    : "without strict KEX the handshake is not protected against "
                      "the Terrapin attack (CVE-2023-48795); the ciphers offered "
                      "happen not to be exploitable, but the fix is cheap.");
    }
    if (!list_has(s[0], "ext-info-s") && r->negotiated[1][0] &&
        strncmp(r->negotiated[1], "rsa-", 4) == 0)
        add(&a, "info", "no ext-info-s", "without RFC 8308 server-sig-algs, "
            "clients fall back to SHA-1 ssh-rsa signatures for user keys.");
    return a.n;
}
