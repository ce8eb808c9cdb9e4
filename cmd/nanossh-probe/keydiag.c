/*
 * The server's first encrypted packet does not open: re-open it with the
 * keys a server would have derived had it made one of the usual mistakes
 * (RFC 4253 section 7.2; strict KEX from OpenSSH PROTOCOL section 1.10),
 * and name the mistake under which its MAC or AEAD tag verifies.
 *
 *   key letter = HASH(K || H || "A".."F" || session_id), extended by
 *                HASH(K || H || K1 || ...) when more bytes are needed;
 *   server to client: IV "B", key "D", MAC key "F";
 *   sequence number of that packet: 0 under strict KEX, otherwise the
 *   number of packets the server sent before it.
 */
#include <stdio.h>
#include <string.h>

#include "nanossh_ossl.h"
#include "probe.h"

typedef struct variant {
    const char *cause;
    const char *text;
    char iv, key, mac;      /* letters */
    int k_mode;             /* 0 as hashed, 1 other encoding */
    int seq_mode;           /* 0 right, 1 wrong reset behaviour */
} variant;

static const variant variants[] = {
    { "keys-right", "", 'B', 'D', 'F', 0, 0 },
    { NULL, NULL, 'B', 'D', 'F', 0, 1 },   /* sequence number; text below */
    { "keys-k-encoding", NULL, 'B', 'D', 'F', 1, 0 },
    { "keys-directions-swapped", "the server encrypts with the client-to-server "
      "keys: IV \"A\", key \"C\", MAC key \"E\" instead of \"B\", \"D\", \"F\" "
      "(RFC 4253 section 7.2)", 'A', 'C', 'E', 0, 0 },
    { "keys-iv-key-swapped", "the server swapped IV and encryption key: it uses "
      "letter \"D\" as IV and \"B\" as key (RFC 4253 section 7.2: IV is \"B\", "
      "the key \"D\")", 'D', 'B', 'F', 0, 0 },
    { "keys-mac-key-swapped", "the server swapped the encryption and MAC keys: "
      "letter \"F\" as cipher key and \"D\" as MAC key", 'B', 'F', 'D', 0, 0 },
};

typedef struct kdf {
    const nssh_hash *h;
    uint8_t k[NSSH_KEM_SS_MAX + NSSH_DH_MAX + 8];
    size_t kn;
    const uint8_t *hv;
    size_t hn;
} kdf;

static int derive(const kdf *d, char letter, uint8_t *out, size_t need)
{
    uint8_t ctx[256] __attribute__((aligned(16)));
    uint8_t buf[4 * NSSH_HASH_MAX + 128];
    size_t have = 0, hl = d->h->out_len;
    uint8_t l = (uint8_t)letter;
    int e = 0;
    if (need > sizeof(buf) - hl)
        return -1;
    while (have < need && e == 0) {
        memset(ctx, 0, sizeof(ctx));
        e = d->h->init(ctx);
        if (!e) e = d->h->update(ctx, d->k, d->kn);
        if (!e) e = d->h->update(ctx, d->hv, d->hn);
        if (!e && have == 0) {
            e = d->h->update(ctx, &l, 1);
            if (!e) e = d->h->update(ctx, d->hv, d->hn);
        } else if (!e) {
            e = d->h->update(ctx, buf, have);
        }
        if (!e) e = d->h->final(ctx, buf + have);
        else d->h->cleanup(ctx);
        have += hl;
    }
    memcpy(out, buf, need);
    memset(buf, 0, sizeof(buf));
    return e;
}

/* K the other way: mpint <-> string (see sigdiag.c). */
static void k_other(kdf *d, const uint8_t *k, size_t kn, int mpint)
{
    const uint8_t *v = k + 4;
    size_t n = kn - 4, o = 0;
    if (mpint) {
        if (n && v[0] == 0) {
            v++;
            n--;
        }
    } else {
        while (n && v[0] == 0) {
            v++;
            n--;
        }
        o = n && (v[0] & 0x80);
    }
    d->k[0] = (uint8_t)((n + o) >> 24);
    d->k[1] = (uint8_t)((n + o) >> 16);
    d->k[2] = (uint8_t)((n + o) >> 8);
    d->k[3] = (uint8_t)(n + o);
    if (o)
        d->k[4] = 0;
    memcpy(d->k + 4 + o, v, n);
    d->kn = 4 + o + n;
}

/* Does the packet at p (avail bytes) open with these keys? Sets *msg. */
static int try_open(const nssh_cipher *ci, const nssh_mac *mac, const uint8_t *iv,
                    const uint8_t *key, const uint8_t *mkey, uint32_t seq,
                    const uint8_t *p, size_t avail, uint8_t *msg)
{
    static uint8_t tmp[256 * 1024 + 128];
    uint8_t cctx[NSSH_CIPHER_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t mctx[NSSH_MAC_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t tag[NSSH_HASH_MAX];
    uint32_t plen = 0;
    size_t block = ci->block_len < 8 ? 8 : ci->block_len;
    int ok = 0, aead = (ci->flags & NSSH_CIPHER_AEAD) != 0;
    int etm = !aead && mac && mac->etm;
    memset(cctx, 0, sizeof(cctx));
    memset(mctx, 0, sizeof(mctx));
    if (avail < block || ci->init(cctx, key, iv, 0) < 0)
        goto out;
    if (!aead && (!mac || mac->init(mctx, mkey) < 0))
        goto out;
    if (aead) {
        if (ci->get_length(cctx, seq, p, &plen) < 0 || plen > 256 * 1024 ||
            4 + plen + ci->tag_len > avail)
            goto out;
        memcpy(tmp, p, 4 + plen + ci->tag_len);
        ok = ci->open(cctx, seq, tmp, 4 + plen) == 0;
    } else if (etm) {
        plen = get_be32(p);
        if (plen > 256 * 1024 || 4 + plen + mac->out_len > avail)
            goto out;
        memcpy(tmp, p, 4 + plen);
        ok = mac->compute(mctx, seq, tmp, 4 + plen, tag) == 0 &&
             memcmp(tag, p + 4 + plen, mac->out_len) == 0 &&
             ci->crypt(cctx, tmp + 4, plen) == 0;
    } else {
        memcpy(tmp, p, block);
        if (ci->crypt(cctx, tmp, block) < 0)
            goto out;
        plen = get_be32(tmp);
        if (plen < 5 || plen > 256 * 1024 || (4 + plen) % block ||
            4 + plen + mac->out_len > avail)
            goto out;
        memcpy(tmp + block, p + block, 4 + plen - block);
        ok = ci->crypt(cctx, tmp + block, 4 + plen - block) == 0 &&
             mac->compute(mctx, seq, tmp, 4 + plen, tag) == 0 &&
             memcmp(tag, p + 4 + plen, mac->out_len) == 0;
    }
    if (ok && plen > 1)
        *msg = tmp[5];
out:
    if (ci->cleanup)
        ci->cleanup(cctx);
    if (mac && mac->cleanup && !aead)
        mac->cleanup(mctx);
    memset(tmp, 0, 4 + (plen < 256 * 1024 ? plen : 0) + 64);
    return ok;
}

int keydiag(const run *r, failure *f)
{
    static kdf d;
    const nssh_kem *kem = nssh_ossl_kem_by_name(r->negotiated[0]);
    const nssh_cipher *ci = nssh_ossl_cipher_by_name(r->negotiated[3]);
    const nssh_mac *mac = nssh_ossl_mac_by_name(r->negotiated[5]);
    const pkt *is = run_find(r, 0, 20, 0);
    static char s[10][2048];
    uint8_t iv[64], key[128], mkey[128], msg = 0;
    int strict;
    uint32_t clear = r->w.clear_packets;
    size_t i;
    if (!kem || !ci || (!mac && !(ci->flags & NSSH_CIPHER_AEAD)) || !is ||
        r->kenc_len < 4 || !r->info.session_id_len || !r->w.enc_start ||
        kexinit_lists(is->data, is->len, s) < 0)
        return 0;
    if (ci->flags & NSSH_CIPHER_AEAD)
        mac = NULL;
    strict = list_has(s[0], "kex-strict-s-v00@openssh.com");
    d.h = kem->hash;
    d.hv = r->info.session_id;
    d.hn = r->info.session_id_len;
    for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        const variant *v = &variants[i];
        uint32_t seq = strict ? 0 : clear;
        int ok;
        if (v->seq_mode)
            seq = strict ? clear : 0;
        if (v->seq_mode && seq == (strict ? 0 : clear))
            continue;
        if (v->k_mode)
            k_other(&d, r->kenc, r->kenc_len, (kem->flags & NSSH_KEM_SS_MPINT) != 0);
        else {
            memcpy(d.k, r->kenc, r->kenc_len);
            d.kn = r->kenc_len;
        }
        if (derive(&d, v->iv, iv, ci->iv_len) < 0 || derive(&d, v->key, key, ci->key_len) < 0 ||
            (mac && derive(&d, v->mac, mkey, mac->key_len) < 0))
            continue;
        ok = try_open(ci, mac, iv, key, mkey, seq, r->w.buf + r->w.enc_start,
                      r->w.len - r->w.enc_start, &msg);
        memset(iv, 0, sizeof(iv));
        memset(key, 0, sizeof(key));
        memset(mkey, 0, sizeof(mkey));
        if (!ok)
            continue;
        if (i == 0)
            return 0;   /* opens as specified: not a key problem */
        f->set = 1;
        snprintf(f->stage, sizeof(f->stage), "packet");
        snprintf(f->message, sizeof(f->message), "%s", run_msg_name(r, msg));
        f->offset = (long)r->w.enc_start;
        snprintf(f->field, sizeof(f->field), "%s", mac ? "mac" : "authentication tag");
        if (v->seq_mode) {
            snprintf(f->cause, sizeof(f->cause), "%s",
                     strict ? "seq-not-reset-strict-kex" : "seq-reset-without-strict-kex");
            snprintf(f->expected, sizeof(f->expected), "sequence number %u", strict ? 0 : clear);
            snprintf(f->got, sizeof(f->got), "sequence number %u", seq);
            snprintf(f->text, sizeof(f->text),
                     "The server's first encrypted packet (%s, at stream offset %zu, "
                     "%s %s) fails its integrity check with sequence number %u but "
                     "verifies with %u: %s",
                     f->message, r->w.enc_start, ci->name, mac ? mac->name : "",
                     strict ? 0 : clear, seq,
                     strict ? "both sides agreed on strict KEX "
                              "(kex-strict-c/s-v00@openssh.com), which resets the "
                              "sequence number to 0 after NEWKEYS, but the server "
                              "kept counting from its clear-text packets."
                            : "strict KEX was not agreed, so the sequence number "
                              "continues across NEWKEYS (RFC 4253 section 6.4), "
                              "but the server reset it to 0.");
        } else {
            char how[400];
            if (v->k_mode)
                snprintf(how, sizeof(how), "the server derives its keys with K "
                         "encoded as %s instead of %s (%s; RFC 4253 section 7.2 "
                         "uses K exactly as in the exchange hash)",
                         (kem->flags & NSSH_KEM_SS_MPINT) ? "a string" : "an mpint",
                         (kem->flags & NSSH_KEM_SS_MPINT) ? "an mpint" : "a string",
                         kem->name);
            else
                snprintf(how, sizeof(how), "%s", v->text);
            snprintf(f->cause, sizeof(f->cause), "%s", v->cause);
            snprintf(f->expected, sizeof(f->expected), "keys IV \"B\", key \"D\", MAC \"F\" from K as hashed");
            snprintf(f->got, sizeof(f->got), "keys derived differently");
            snprintf(f->text, sizeof(f->text),
                     "The server's first encrypted packet (%s, at stream offset %zu, "
                     "%s%s%s) fails its integrity check with the keys of RFC 4253 "
                     "section 7.2, but opens when %s.",
                     f->message, r->w.enc_start, ci->name, mac ? " with " : "",
                     mac ? mac->name : "", how);
        }
        memset(&d, 0, sizeof(d));
        return 1;
    }
    memset(&d, 0, sizeof(d));
    return 0;
}
