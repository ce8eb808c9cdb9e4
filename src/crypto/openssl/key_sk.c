/*
 * Security keys (OpenSSH PROTOCOL.u2f, "SSH U2F Key formats"): the public
 * key is an Ed25519 or P-256 key plus the application it was made for;
 * the "private key" file holds no private key, only what the
 * authenticator needs to find its credential:
 *
 *   public   sk-ssh-ed25519         string pk(32), string application
 *            sk-ecdsa-sha2-nistp256 string "nistp256", string Q,
 *                                   string application
 *   private  the public fields, byte flags, string key_handle,
 *            string reserved
 *
 * Signing asks the key's signer (the application's authenticator, e.g. a
 * FIDO middleware library) and wraps its answer as PROTOCOL.u2f "SSH U2F
 * signatures" says: string name, string raw signature, byte flags,
 * uint32 counter; the raw signature of sk-ecdsa is mpint r || mpint s.
 */
#include <stdlib.h>
#include <string.h>

#include "keyint.h"

/* Application strings are short ("ssh:", "ssh:host"); key handles of
 * real authenticators are a few hundred bytes at most. */
#define SK_APP_MAX 256u
#define SK_HANDLE_MAX 1024u

struct key_sk {
    char application[SK_APP_MAX + 1];
    uint8_t flags;
    uint8_t *handle;              /* with a private key file only */
    size_t handle_len;
    nssh_ossl_sk_sign_fn sign;
    void *user;
};

int key_is_sk_type(int type)
{
    return type == NSSH_KEY_SK_ED25519 || type == NSSH_KEY_SK_ECDSA_P256;
}

int nssh_ossl_key_is_sk(const nssh_key *k)
{
    return k && key_is_sk_type(k->type);
}

void nssh_ossl_key_set_sk_signer(nssh_key *k, nssh_ossl_sk_sign_fn fn,
                                 void *user)
{
    if (k && k->sk) {
        k->sk->sign = fn;
        k->sk->user = user;
    }
}

void key_free_sk(nssh_key *k)
{
    if (!k->sk)
        return;
    if (k->sk->handle) {
        nssh_wipe(k->sk->handle, k->sk->handle_len);
        free(k->sk->handle);
    }
    nssh_wipe(k->sk, sizeof(*k->sk));
    free(k->sk);
    k->sk = NULL;
}

/* The public fields after the type name: the key, then the application
 * (no NUL inside: it is later handed on as a C string). */
static int get_public(int type, rd *r, EVP_PKEY **pkey, const uint8_t **app,
                      size_t *app_len)
{
    const key_info *ec = key_info_by_type(NSSH_KEY_ECDSA_P256);
    const uint8_t *a, *b;
    size_t an, bn;
    int e;

    if (type == NSSH_KEY_SK_ED25519) {
        if (rd_string(r, &a, &an) < 0 || an != 32)
            return NSSH_ERR_KEY;
        e = key_build_ed25519(a, NULL, pkey);
    } else {
        if (rd_string(r, &a, &an) < 0 || an != strlen(ec->curve) ||
            memcmp(a, ec->curve, an) != 0 || rd_string(r, &b, &bn) < 0)
            return NSSH_ERR_KEY;
        e = key_build_ecdsa(ec, b, bn, NULL, 0, pkey);
    }
    if (e < 0)
        return e;
    if (rd_string(r, app, app_len) < 0 || *app_len > SK_APP_MAX ||
        memchr(*app, 0, *app_len)) {
        EVP_PKEY_free(*pkey);
        *pkey = NULL;
        return NSSH_ERR_KEY;
    }
    return 0;
}

/* A key object with its sk part; takes pkey. */
static int wrap(int type, EVP_PKEY *pkey, const uint8_t *app, size_t app_len,
                int has_private, nssh_key **out)
{
    struct key_sk *sk = calloc(1, sizeof(*sk));
    int e;

    if (!sk) {
        EVP_PKEY_free(pkey);
        return NSSH_ERR_INTERNAL;
    }
    memcpy(sk->application, app, app_len);
    sk->application[app_len] = 0;
    if ((e = key_wrap(type, pkey, has_private, out)) < 0) {
        free(sk);
        return e;
    }
    (*out)->sk = sk;
    return 0;
}

int key_sk_from_blob(int type, rd *r, nssh_key **out)
{
    EVP_PKEY *pkey = NULL;
    const uint8_t *app;
    size_t app_len;
    int e;

    if ((e = get_public(type, r, &pkey, &app, &app_len)) < 0)
        return e;
    if (rd_end(r) < 0) {
        EVP_PKEY_free(pkey);
        return NSSH_ERR_KEY;
    }
    return wrap(type, pkey, app, app_len, 0, out);
}

int key_sk_get_private(int type, rd *r, nssh_key **out)
{
    EVP_PKEY *pkey = NULL;
    const uint8_t *app, *handle, *reserved;
    size_t app_len, handle_len, reserved_len;
    uint8_t flags;
    int e;

    if ((e = get_public(type, r, &pkey, &app, &app_len)) < 0)
        return e;
    if (rd_u8(r, &flags) < 0 || rd_string(r, &handle, &handle_len) < 0 ||
        handle_len == 0 || handle_len > SK_HANDLE_MAX ||
        rd_string(r, &reserved, &reserved_len) < 0) {
        EVP_PKEY_free(pkey);
        return NSSH_ERR_KEY;
    }
    if ((e = wrap(type, pkey, app, app_len, 1, out)) < 0)
        return e;
    (*out)->sk->flags = flags;
    if (!((*out)->sk->handle = malloc(handle_len))) {
        nssh_ossl_key_free(*out);
        *out = NULL;
        return NSSH_ERR_INTERNAL;
    }
    memcpy((*out)->sk->handle, handle, handle_len);
    (*out)->sk->handle_len = handle_len;
    return 0;
}

int key_sk_put_public(const nssh_key *k, wr *w)
{
    uint8_t raw[32];
    int e;

    if (!k->sk || !k->pkey)
        return NSSH_ERR_KEY;
    if (k->type == NSSH_KEY_SK_ED25519) {
        if ((e = key_ed25519_raw(k->pkey, 0, raw)) < 0)
            return e;
        wr_string(w, raw, sizeof(raw));
    } else {
        wr_cstring(w, key_info_by_type(NSSH_KEY_ECDSA_P256)->curve);
        if ((e = key_put_ec_point(w, k->pkey)) < 0)
            return e;
    }
    wr_cstring(w, k->sk->application);
    return 0;
}

int key_sk_put_private(const nssh_key *k, wr *w)
{
    int e;

    if (!k->sk || !k->sk->handle)
        return NSSH_ERR_KEY;
    if ((e = key_sk_put_public(k, w)) < 0)
        return e;
    wr_u8(w, k->sk->flags);
    wr_string(w, k->sk->handle, k->sk->handle_len);
    wr_u32(w, 0);            /* reserved: an empty string */
    return 0;
}

int key_sk_sig_blob(const char *name, int ecdsa, const nssh_ossl_sk_result *res,
                    uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    size_t mark;
    wr w;

    if (res->r_len > NSSH_OSSL_SK_SIG_MAX || res->s_len > NSSH_OSSL_SK_SIG_MAX)
        return NSSH_ERR_SIGNATURE;
    if (ecdsa ? (res->r_len == 0 || res->s_len == 0)
              : (res->r_len != 64 || res->s_len != 0))
        return NSSH_ERR_SIGNATURE;
    wr_init(&w, sig, sig_max);
    wr_cstring(&w, name);
    if (ecdsa) {
        mark = wr_string_begin(&w);
        wr_mpint(&w, res->r, res->r_len);
        wr_mpint(&w, res->s, res->s_len);
        wr_string_end(&w, mark);
    } else {
        wr_string(&w, res->r, res->r_len);
    }
    wr_u8(&w, res->flags);
    wr_u32(&w, res->counter);
    if (w.err)
        return NSSH_ERR_NOSPACE;
    *sig_len = w.len;
    return 0;
}

int key_sk_sign(const nssh_key *k, const char *name, const uint8_t *data,
                size_t len, uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    nssh_ossl_sk_request q;
    nssh_ossl_sk_result res;
    int e;

    if (!k || !k->sk || !k->sk->handle || !k->sk->sign)
        return NSSH_ERR_KEY;
    memset(&q, 0, sizeof(q));
    memset(&res, 0, sizeof(res));
    q.ecdsa = k->type == NSSH_KEY_SK_ECDSA_P256;
    q.data = data;
    q.data_len = len;
    q.application = k->sk->application;
    q.key_handle = k->sk->handle;
    q.key_handle_len = k->sk->handle_len;
    q.flags = k->sk->flags;
    if ((e = k->sk->sign(k->sk->user, &q, &res)) < 0)
        return e;
    e = key_sk_sig_blob(name, q.ecdsa, &res, sig, sig_max, sig_len);
    nssh_wipe(&res, sizeof(res));
    return e;
}
