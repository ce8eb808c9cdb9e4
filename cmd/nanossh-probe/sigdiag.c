/*
 * A server signature that does not verify, explained. The exchange hash
 * (RFC 4253 section 8, RFC 5656 section 4, RFC 4419 section 3)
 *
 *     H = HASH(V_C || V_S || I_C || I_S || K_S || <kex values> || K)
 *
 * is recomputed from the bytes actually exchanged, once as the RFCs say
 * and once for each mistake server authors make; the variant under which
 * the server's signature verifies names the mistake. Everything is taken
 * from the trace: the KEXINIT payloads as sent and received, the kex
 * messages' raw fields, and K as the engine encoded it.
 */
#include <stdio.h>
#include <string.h>

#include "nanossh_ossl.h"
#include "probe.h"

typedef struct parts {
    const uint8_t *ic, *is, *ks, *sig, *k;
    size_t icn, isn, ksn, sign, kn;
    uint8_t mid[4 * 1100 + 64];    /* the kex values as hashed */
    size_t midn;
} parts;

/* A length-prefixed field at *pos of p (n bytes): its whole encoding. */
static int take(const uint8_t *p, size_t n, size_t *pos, const uint8_t **v,
                size_t *vn)
{
    uint32_t k;
    if (n - *pos < 4)
        return -1;
    k = get_be32(p + *pos);
    if (k > n - *pos - 4)
        return -1;
    *v = p + *pos;
    *vn = 4 + k;
    *pos += 4 + k;
    return 0;
}

static int add_mid(parts *x, const uint8_t *p, size_t n)
{
    if (n > sizeof(x->mid) - x->midn)
        return -1;
    memcpy(x->mid + x->midn, p, n);
    x->midn += n;
    return 0;
}

static int gather(const run *r, parts *x)
{
    const pkt *ic = run_find(r, 1, 20, 0), *is = run_find(r, 0, 20, 0);
    const pkt *rep, *init;
    const uint8_t *v;
    size_t vn, pos = 1;
    memset(x, 0, sizeof(*x));
    if (!ic || !is || r->kenc_len < 4)
        return -1;
    x->ic = ic->data;
    x->icn = ic->len;
    x->is = is->data;
    x->isn = is->len;
    x->k = r->kenc;
    x->kn = r->kenc_len;
    if (run_is_gex(r)) {
        const pkt *req = run_find(r, 1, 34, 0), *grp = run_find(r, 0, 31, 0);
        rep = run_find(r, 0, 33, 0);
        init = run_find(r, 1, 32, 0);
        if (!req || !grp || !rep || !init || req->len != 13)
            return -1;
        /* min || n || max || p || g || e */
        if (add_mid(x, req->data + 1, 12) < 0 || add_mid(x, grp->data + 1, grp->len - 1) < 0)
            return -1;
    } else {
        rep = run_find(r, 0, 31, 0);
        init = run_find(r, 1, 30, 0);
        if (!rep || !init)
            return -1;
    }
    if (add_mid(x, init->data + 1, init->len - 1) < 0)
        return -1;
    /* The reply: K_S, Q_S or f, signature. */
    if (take(rep->data, rep->len, &pos, &v, &vn) < 0)
        return -1;
    x->ks = v + 4;
    x->ksn = vn - 4;
    if (take(rep->data, rep->len, &pos, &v, &vn) < 0 || add_mid(x, v, vn) < 0)
        return -1;
    if (take(rep->data, rep->len, &pos, &v, &vn) < 0)
        return -1;
    x->sig = v + 4;
    x->sign = vn - 4;
    return 0;
}

enum { V_RIGHT, V_K_OTHER, V_K_RAW, V_CRLF, V_NO_MSGBYTE, V_COUNT };

static int h_str(const nssh_hash *h, void *ctx, const void *p, size_t n)
{
    uint8_t b[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    int e = h->update(ctx, b, 4);
    return e ? e : h->update(ctx, p, n);
}

/* K re-encoded: an mpint as a string of its magnitude, or a string as an
 * mpint (RFC 4251 section 5). */
static size_t k_other(const parts *x, int mpint, uint8_t *out, size_t cap)
{
    const uint8_t *v = x->k + 4;
    size_t n = x->kn - 4, o = 0;
    if (mpint) {               /* engine hashed an mpint: use a string */
        if (n && v[0] == 0) {
            v++;
            n--;
        }
        if (n + 4 > cap)
            return 0;
    } else {                   /* engine hashed a string: use an mpint */
        while (n && v[0] == 0) {
            v++;
            n--;
        }
        if (n + 5 > cap)
            return 0;
        if (n && (v[0] & 0x80))
            o = 1;
    }
    out[0] = (uint8_t)((n + o) >> 24);
    out[1] = (uint8_t)((n + o) >> 16);
    out[2] = (uint8_t)((n + o) >> 8);
    out[3] = (uint8_t)(n + o);
    if (o)
        out[4] = 0;
    memcpy(out + 4 + o, v, n);
    return 4 + o + n;
}

static int compute(const parts *x, const run *r, const nssh_hash *h, int variant,
                   int k_mpint, uint8_t *out)
{
    uint8_t ctx[256] __attribute__((aligned(16)));
    uint8_t kb[NSSH_KEM_SS_MAX + NSSH_DH_MAX + 8];
    const uint8_t *k = x->k;
    size_t kn = x->kn;
    char vc[300], vs[300];
    int e;
    if (variant == V_K_OTHER) {
        kn = k_other(x, k_mpint, kb, sizeof(kb));
        k = kb;
        if (!kn)
            return -1;
    } else if (variant == V_K_RAW) {
        k = x->k + 4;
        kn = x->kn - 4;
    }
    snprintf(vc, sizeof(vc), "%s%s", r->vc, variant == V_CRLF ? "\r\n" : "");
    snprintf(vs, sizeof(vs), "%s%s", r->w.version, variant == V_CRLF ? "\r\n" : "");
    memset(ctx, 0, sizeof(ctx));
    if ((e = h->init(ctx)) < 0)
        return e;
    if (variant == V_NO_MSGBYTE) {
        e = h_str(h, ctx, vc, strlen(vc));
        if (!e) e = h_str(h, ctx, vs, strlen(vs));
        if (!e) e = h_str(h, ctx, x->ic + 1, x->icn - 1);
        if (!e) e = h_str(h, ctx, x->is + 1, x->isn - 1);
    } else {
        e = h_str(h, ctx, vc, strlen(vc));
        if (!e) e = h_str(h, ctx, vs, strlen(vs));
        if (!e) e = h_str(h, ctx, x->ic, x->icn);
        if (!e) e = h_str(h, ctx, x->is, x->isn);
    }
    if (!e) e = h_str(h, ctx, x->ks, x->ksn);
    if (!e) e = h->update(ctx, x->mid, x->midn);
    if (!e) e = h->update(ctx, k, kn);
    if (e) {
        h->cleanup(ctx);
        return e;
    }
    return h->final(ctx, out);
}

static const struct {
    const char *cause, *text;
} explain[V_COUNT] = {
    { "sig-verifies", "" },
    { "hash-k-encoding", "" },
    { "hash-k-raw", "K was hashed as raw bytes, without a length prefix; RFC "
      "4253 section 8 hashes it as an mpint (RFC 8731 section 3.1: the X25519 "
      "output read as a big-endian number), the PQ hybrids as a string" },
    { "hash-version-crlf", "V_C and V_S were hashed with their CR LF; RFC 4253 "
      "section 8 hashes the identification strings without CR and LF" },
    { "hash-kexinit-no-msgbyte", "I_C and I_S were hashed without their "
      "SSH_MSG_KEXINIT message byte (20); RFC 4253 section 8 hashes the whole "
      "KEXINIT payloads, message byte included" },
};

static void found(const run *r, failure *f, const char *cause, const char *how)
{
    const pkt *rep = run_find(r, 0, run_is_gex(r) ? 33 : 31, 0);
    f->set = 1;
    snprintf(f->stage, sizeof(f->stage), "kex");
    snprintf(f->message, sizeof(f->message), "%s", run_msg_name(r, rep ? rep->data[0] : 31));
    snprintf(f->field, sizeof(f->field), "signature of H");
    snprintf(f->cause, sizeof(f->cause), "%s", cause);
    snprintf(f->expected, sizeof(f->expected), "a signature over H as RFC 4253 section 8 defines it");
    snprintf(f->got, sizeof(f->got), "a signature over H computed wrongly");
    snprintf(f->text, sizeof(f->text), "The server's signature over the exchange "
             "hash (%s, field \"signature of H\") does not verify as specified, "
             "but it does verify when %s. So the server computes H differently "
             "from the client; its signature and keys are otherwise fine.",
             f->message, how);
}

int sigdiag(const run *r, failure *f)
{
    static parts x;
    const nssh_kem *kem = nssh_ossl_kem_by_name(r->negotiated[0]);
    const nssh_sig_alg *alg = nssh_ossl_sig_by_name(r->negotiated[1]);
    static const nssh_hash *const hashes[] = { &nssh_ossl_sha1, &nssh_ossl_sha256,
        &nssh_ossl_sha384, &nssh_ossl_sha512 };
    uint8_t h[NSSH_HASH_MAX];
    int k_mpint, v;
    size_t i;
    if (!kem || !alg || gather(r, &x) < 0)
        return 0;
    k_mpint = (kem->flags & NSSH_KEM_SS_MPINT) != 0;
    for (v = 0; v < V_COUNT; v++) {
        if (compute(&x, r, kem->hash, v, k_mpint, h) < 0)
            continue;
        if (alg->verify(x.ks, x.ksn, h, kem->hash->out_len, x.sig, x.sign) != 0)
            continue;
        if (v == V_RIGHT)
            return 0;   /* verifies: the engine failed for another reason */
        if (v == V_K_OTHER) {
            char how[400];
            snprintf(how, sizeof(how), "K is hashed as %s instead of %s (%s "
                     "hashes K as %s: RFC 4253 section 8, RFC 8731 section 3.1, "
                     "and the hybrid drafts for strings)",
                     k_mpint ? "a string" : "an mpint", k_mpint ? "an mpint" : "a string",
                     kem->name, k_mpint ? "an mpint" : "a string");
            found(r, f, k_mpint ? "hash-k-as-string" : "hash-k-as-mpint", how);
        } else {
            found(r, f, explain[v].cause, explain[v].text);
        }
        return 1;
    }
    /* Another hash function. */
    for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        char how[300];
        if (hashes[i] == kem->hash || strcmp(hashes[i]->name, kem->hash->name) == 0)
            continue;
        if (compute(&x, r, hashes[i], V_RIGHT, k_mpint, h) < 0 ||
            alg->verify(x.ks, x.ksn, h, hashes[i]->out_len, x.sig, x.sign) != 0)
            continue;
        snprintf(how, sizeof(how), "H is computed with %s instead of %s, the "
                 "hash %s specifies", hashes[i]->name, kem->hash->name, kem->name);
        found(r, f, "hash-wrong-function", how);
        return 1;
    }
    /* A signature made with another algorithm than the one negotiated. */
    if (x.sign > 4) {
        uint32_t n = get_be32(x.sig);
        char name[64];
        const nssh_sig_alg *other;
        if (n < sizeof(name) && n <= x.sign - 4) {
            memcpy(name, x.sig + 4, n);
            name[n] = 0;
            other = nssh_ossl_sig_by_name(name);
            if (other && other != alg &&
                compute(&x, r, kem->hash, V_RIGHT, k_mpint, h) == 0 &&
                other->verify(x.ks, x.ksn, h, kem->hash->out_len, x.sig, x.sign) == 0) {
                char how[300];
                snprintf(how, sizeof(how), "it is read as %s: the server signed "
                         "with %s although %s was negotiated", name, name, alg->name);
                found(r, f, "sig-wrong-algorithm", how);
                return 1;
            }
        }
    }
    return 0;
}
