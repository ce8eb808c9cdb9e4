/*
 * The exchange hash, checked independently: a client and a server run a
 * curve25519-sha256 exchange in memory while the test records both byte
 * streams and the KEM's random private keys. The test then parses the
 * plaintext packets itself, recomputes K with OpenSSL's X25519 and
 *   H = SHA-256(V_C || V_S || I_C || I_S || K_S || Q_C || Q_S || mpint K)
 * (RFC 4253 section 8, RFC 8731), and checks it against the session id
 * both engines report and against the server's Ed25519 signature. The
 * plaintext packets' framing (padding, alignment) is checked on the way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

typedef struct rec {
    uint8_t stream[16384];
    size_t len;
    uint8_t sk[4][32];   /* every 32-byte random draw: the KEM's secrets */
    int nsk;
} rec;

static int rec_rng(void *u, uint8_t *out, size_t n)
{
    rec *r = u;
    if (RAND_bytes(out, (int)n) != 1)
        return -1;
    if (n == 32 && r->nsk < 4)
        memcpy(r->sk[r->nsk++], out, 32);
    return 0;
}

static int accept_key(void *u, const char *a, const uint8_t *b, size_t n) { return NSSH_CB_ACCEPT; }
static const nssh_callbacks cli_cb = { .check_hostkey = accept_key };
static const nssh_callbacks srv_cb = { 0 };

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Split a recorded plaintext stream: version line, then packets. */
typedef struct view { const uint8_t *p; size_t n; } view;
static size_t split(const rec *r, view *vline, view *payloads, size_t max)
{
    const uint8_t *p = r->stream, *end = r->stream + r->len;
    const uint8_t *nl = memchr(p, '\n', r->len);
    size_t k = 0;
    assert_non_null(nl);
    vline->p = p;
    vline->n = (size_t)(nl - p) - 1;   /* without CR LF */
    p = nl + 1;
    while (p + 5 <= end && k < max) {
        uint32_t plen = get32(p);
        uint8_t pad = p[4];
        /* RFC 4253 section 6 framing of plaintext packets */
        assert_true(pad >= 4);
        assert_int_equal((4 + plen) % 8, 0);
        assert_true(plen >= 1u + pad + 1u);
        payloads[k].p = p + 5;
        payloads[k].n = plen - 1 - pad;
        k++;
        if (p[5] == 21)   /* NEWKEYS: encrypted from here on */
            break;
        p += 4 + plen;
    }
    return k;
}

static void sha_str(EVP_MD_CTX *h, const void *p, size_t n)
{
    uint8_t l[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    EVP_DigestUpdate(h, l, 4);
    EVP_DigestUpdate(h, p, n);
}

static void sha_mpint(EVP_MD_CTX *h, const uint8_t *v, size_t n)
{
    uint8_t z = 0;
    while (n && *v == 0) {
        v++;
        n--;
    }
    if (n && (v[0] & 0x80)) {
        uint8_t l[4] = { (uint8_t)((n + 1) >> 24), (uint8_t)((n + 1) >> 16),
                         (uint8_t)((n + 1) >> 8), (uint8_t)(n + 1) };
        EVP_DigestUpdate(h, l, 4);
        EVP_DigestUpdate(h, &z, 1);
        EVP_DigestUpdate(h, v, n);
    } else {
        sha_str(h, v, n);
    }
}

/* string at *p inside a payload; advances. */
static view take(const uint8_t **p)
{
    view v;
    v.n = get32(*p);
    v.p = *p + 4;
    *p += 4 + v.n;
    return v;
}

static void x25519(const uint8_t sk[32], const uint8_t *peer, uint8_t out[32])
{
    EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
    EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(a, NULL);
    size_t n = 32;
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, b), 1);
    assert_int_equal(EVP_PKEY_derive(ctx, out, &n), 1);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

static void test_exchange_hash(void **st)
{
    static const nssh_kem *kems[] = { &nssh_ossl_curve25519_sha256 };
    static const nssh_sig_alg *sigs[] = { &nssh_ossl_sig_ed25519 };
    static rec crec, srec;
    nssh_key *hk;
    uint8_t blob[128], k_c[32], k_s[32], h[32];
    size_t blob_len, i;
    nssh_hostkey host;
    nssh_config cc, sc;
    void *m1 = NULL, *m2 = NULL;
    nssh_conn *c, *s;
    nssh_conn_info ci, si;
    view vc, vs, pc[4], ps[4], ks, qc, qs, sig;
    const uint8_t *p;
    EVP_MD_CTX *md;
    unsigned hl = 32;
    (void)st;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &hk), 0);
    assert_int_equal(nssh_ossl_key_public_blob(hk, blob, sizeof(blob), &blob_len), 0);
    host = (nssh_hostkey){ &nssh_ossl_sig_ed25519, hk, blob, blob_len };
    memset(&cc, 0, sizeof(cc));
    cc.role = NSSH_ROLE_CLIENT;
    cc.kems = kems;
    cc.n_kems = 1;
    cc.ciphers = nssh_ossl_ciphers;
    cc.n_ciphers = 1;
    cc.macs = nssh_ossl_macs;
    cc.n_macs = 1;
    cc.sig_algs = sigs;
    cc.n_sig_algs = 1;
    cc.rng = rec_rng;
    cc.rng_user = &crec;
    cc.cb = &cli_cb;
    sc = cc;
    sc.role = NSSH_ROLE_SERVER;
    sc.hostkeys = &host;
    sc.n_hostkeys = 1;
    sc.rng_user = &srec;
    sc.cb = &srv_cb;
    assert_int_equal(posix_memalign(&m1, 16, nssh_conn_mem_size()), 0);
    assert_int_equal(posix_memalign(&m2, 16, nssh_conn_mem_size()), 0);
    c = nssh_conn_init(m1, nssh_conn_mem_size(), &cc, 0);
    s = nssh_conn_init(m2, nssh_conn_mem_size(), &sc, 0);
    assert_non_null(c);
    assert_non_null(s);
    for (i = 0; i < 20; i++) {
        size_t n;
        const uint8_t *q;
        while ((q = nssh_conn_sendbuf(c, &n)) != NULL) {
            memcpy(crec.stream + crec.len, q, n);
            crec.len += n;
            assert_int_equal(nssh_conn_feed(s, q, n), (long)n);
            nssh_conn_sent(c, n);
        }
        while ((q = nssh_conn_sendbuf(s, &n)) != NULL) {
            memcpy(srec.stream + srec.len, q, n);
            srec.len += n;
            assert_int_equal(nssh_conn_feed(c, q, n), (long)n);
            nssh_conn_sent(s, n);
        }
    }
    assert_int_equal(nssh_conn_error(c), 0);
    assert_int_equal(nssh_conn_error(s), 0);
    assert_true(nssh_client_ready(c));

    /* Parse what went over the wire. */
    assert_int_equal(split(&crec, &vc, pc, 4), 3);   /* KEXINIT, ECDH_INIT, NEWKEYS */
    assert_true(split(&srec, &vs, ps, 4) >= 3);      /* KEXINIT, ECDH_REPLY, NEWKEYS */
    assert_int_equal(pc[0].p[0], 20);
    assert_int_equal(pc[1].p[0], 30);
    assert_int_equal(ps[0].p[0], 20);
    assert_int_equal(ps[1].p[0], 31);
    p = pc[1].p + 1;
    qc = take(&p);
    p = ps[1].p + 1;
    ks = take(&p);
    qs = take(&p);
    sig = take(&p);
    assert_int_equal(qc.n, 32);
    assert_int_equal(qs.n, 32);
    assert_memory_equal(ks.p, blob, blob_len);

    /* K from each side's recorded secret: both must agree. */
    assert_int_equal(crec.nsk, 1);
    assert_int_equal(srec.nsk, 1);
    x25519(crec.sk[0], qs.p, k_c);
    x25519(srec.sk[0], qc.p, k_s);
    assert_memory_equal(k_c, k_s, 32);

    md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    sha_str(md, vc.p, vc.n);
    sha_str(md, vs.p, vs.n);
    sha_str(md, pc[0].p, pc[0].n);
    sha_str(md, ps[0].p, ps[0].n);
    sha_str(md, ks.p, ks.n);
    sha_str(md, qc.p, qc.n);
    sha_str(md, qs.p, qs.n);
    sha_mpint(md, k_c, 32);
    EVP_DigestFinal_ex(md, h, &hl);
    EVP_MD_CTX_free(md);

    nssh_conn_get_info(c, &ci);
    nssh_conn_get_info(s, &si);
    assert_int_equal(ci.session_id_len, 32);
    assert_memory_equal(ci.session_id, h, 32);
    assert_memory_equal(si.session_id, h, 32);

    /* The server signed exactly this H. */
    assert_int_equal(nssh_ossl_sig_ed25519.verify(blob, blob_len, h, 32, sig.p, sig.n), 0);
    h[0] ^= 1;
    assert_int_not_equal(nssh_ossl_sig_ed25519.verify(blob, blob_len, h, 32, sig.p, sig.n), 0);

    nssh_conn_release(c);
    nssh_conn_release(s);
    free(m1);
    free(m2);
    nssh_ossl_key_free(hk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_hash),
    };
    return cmocka_run_group_tests_name("kexhash", tests, NULL, NULL);
}
