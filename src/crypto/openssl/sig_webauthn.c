/*
 * webauthn-sk-ecdsa-sha2-nistp256@openssh.com (OpenSSH PROTOCOL.u2f,
 * "webauthn signatures"): an sk-ecdsa key that signed through a web
 * browser's WebAuthn API instead of a FIDO middleware. The blob is
 *
 *   string name, string ecdsa_signature (mpint r, mpint s), byte flags,
 *   uint32 counter, string origin, string clientData, string extensions
 *
 * and the authenticator signed (ECDSA P-256, SHA-256)
 * SHA256(application) || flags || counter || extensions || SHA256(clientData),
 * where clientData is the browser's JSON, which must begin with
 * {"type":"webauthn.get","challenge":"<base64url(message)>","origin":"<origin>"
 * so that it binds the SSH message (the W3C WebAuthn level 2 client data).
 * The flags say whether extensions are present (ED, 0x80) and must not
 * announce attested credential data (AT, 0x40), as OpenSSH checks. This
 * server never signs in that form.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "keyint.h"
#include "sig.h"

#define SK_ECDSA "sk-ecdsa-sha2-nistp256@openssh.com"
#define WA_FLAG_AT 0x40u
#define WA_FLAG_ED 0x80u
#define WA_PRE "{\"type\":\"webauthn.get\",\"challenge\":\""
#define WA_MID "\",\"origin\":\""

/* base64url without padding (RFC 4648 section 5) of data, malloc'ed. */
static char *b64url(const uint8_t *data, size_t len, size_t *out_len)
{
    size_t cap = (len + 2) / 3 * 4 + 1, i;
    char *s = malloc(cap);
    long n;
    if (!s || (n = nssh_ossl_base64_encode(data, len, s, cap)) < 0) {
        free(s);
        return NULL;
    }
    while (n > 0 && s[n - 1] == '=')
        n--;
    for (i = 0; i < (size_t)n; i++)
        s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    *out_len = (size_t)n;
    return s;
}

/* Does clientData begin with the preamble for this message and origin? */
static int client_data_ok(const uint8_t *cd, size_t cd_len, const uint8_t *data,
                          size_t len, const uint8_t *origin, size_t o_len)
{
    size_t bn, pre = sizeof(WA_PRE) - 1, mid = sizeof(WA_MID) - 1, need;
    char *b = b64url(data, len, &bn);
    int ok = 0;
    if (!b)
        return 0;
    need = pre + bn + mid + o_len + 1;
    if (cd_len >= need && !memcmp(cd, WA_PRE, pre) && !memcmp(cd + pre, b, bn) &&
        !memcmp(cd + pre + bn, WA_MID, mid) &&
        !memcmp(cd + pre + bn + mid, origin, o_len) && cd[need - 1] == '"')
        ok = 1;
    free(b);
    return ok;
}

int sig_webauthn_verify(const uint8_t *keyblob, size_t keylen,
                        const uint8_t *data, size_t len, const uint8_t *sig,
                        size_t siglen)
{
    const uint8_t *t, *raw, *origin, *cd, *ext, *app = NULL;
    size_t tn, rn, on, cn, en, app_len = 0, mlen;
    uint8_t flags, *msg = NULL, *der = NULL;
    uint32_t counter;
    unsigned hn = 0;
    EVP_PKEY *pkey = NULL;
    int der_len = 0, e;
    rd r;

    rd_init(&r, sig, siglen);
    if (rd_string(&r, &t, &tn) < 0 || rd_string(&r, &raw, &rn) < 0 ||
        rd_u8(&r, &flags) < 0 || rd_u32(&r, &counter) < 0 ||
        rd_string(&r, &origin, &on) < 0 || rd_string(&r, &cd, &cn) < 0 ||
        rd_string(&r, &ext, &en) < 0 || rd_end(&r) < 0)
        return NSSH_ERR_FORMAT;
    if (tn != strlen(SIG_WEBAUTHN_NAME) || memcmp(t, SIG_WEBAUTHN_NAME, tn))
        return NSSH_ERR_SIGNATURE;
    if (memchr(origin, '"', on) || memchr(origin, 0, on) || (flags & WA_FLAG_AT) ||
        ((flags & WA_FLAG_ED) == 0) != (en == 0) ||
        !client_data_ok(cd, cn, data, len, origin, on))
        return NSSH_ERR_SIGNATURE;
    if ((e = sig_ecdsa_ssh_to_der(raw, rn, &der, &der_len)) < 0)
        return e;
    if ((e = sig_sk_pubkey(SK_ECDSA, keyblob, keylen, &pkey, &app, &app_len)) < 0)
        goto out;
    /* SHA256(application) || flags || counter || extensions || SHA256(cd) */
    mlen = 32 + 1 + 4 + en + 32;
    e = NSSH_ERR_CRYPTO;
    if (!(msg = malloc(mlen)) ||
        !EVP_Digest(app, app_len, msg, &hn, EVP_sha256(), NULL) || hn != 32)
        goto out;
    msg[32] = flags;
    put_be32(msg + 33, counter);
    if (en)
        memcpy(msg + 37, ext, en);
    if (!EVP_Digest(cd, cn, msg + 37 + en, &hn, EVP_sha256(), NULL) || hn != 32)
        goto out;
    e = sig_evp_verify(pkey, "SHA256", msg, mlen, der, (size_t)der_len);
out:
    if (e == NSSH_ERR_CRYPTO)
        ERR_clear_error();
    free(msg);
    EVP_PKEY_free(pkey);
    OPENSSL_free(der);
    return e;
}

/* Only a browser produces this form. */
static int wa_sign(const nssh_key *key, const uint8_t *data, size_t len,
                   uint8_t *sig, size_t sig_max, size_t *sig_len,
                   nssh_rng_fn rng, void *rng_user)
{
    (void)key, (void)data, (void)len, (void)sig, (void)sig_max;
    (void)sig_len, (void)rng, (void)rng_user;
    return NSSH_ERR_UNSUPPORTED;
}

const nssh_sig_alg nssh_ossl_sig_webauthn_sk_ecdsa_p256 = {
    .name = SIG_WEBAUTHN_NAME,
    .key_type = SK_ECDSA,
    .sign = wa_sign,
    .verify = sig_webauthn_verify,
    .flags = NSSH_SIG_SK,
};
