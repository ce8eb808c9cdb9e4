/*
 * SecurityKeyProvider: a FIDO middleware library (sk_api.h) loaded with
 * dlopen in the process that holds the host keys and signs with them
 * (the daemon before it forks; its monitors and single-process loop
 * inherit it; the sandboxed pre-auth child never calls it: it asks its
 * monitor for the one signature it needs). As in OpenSSH's ssh-sk.c the
 * library's major API version must be ours; its sk_sign gets the message
 * itself and hashes it as the authenticator does (PROTOCOL.u2f).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "skprov.h"
#include "sk_api.h"

struct sk_provider {
    void *dl;
    sk_sign_fn sign;
    char path[4096];
};

sk_provider *sk_provider_open(const char *path)
{
    sk_provider *p;
    sk_api_version_fn version;
    uint32_t v;

    if (!path || !*path)
        return NULL;
    if (!strcmp(path, "internal")) {
        log_error("SecurityKeyProvider internal: nanosshd has no built-in "
                  "FIDO support; name a middleware library");
        return NULL;
    }
    if (!(p = calloc(1, sizeof(*p))))
        return NULL;
    snprintf(p->path, sizeof(p->path), "%s", path);
    if (!(p->dl = dlopen(path, RTLD_NOW))) {
        log_error("Provider \"%s\" dlopen failed: %s", path, dlerror());
        goto fail;
    }
    *(void **)&version = dlsym(p->dl, "sk_api_version");
    if (!version) {
        log_error("Provider \"%s\" dlsym(sk_api_version) failed: %s", path,
                  dlerror());
        goto fail;
    }
    v = version();
    if ((v & SK_API_MAJOR_MASK) != SK_API_VERSION) {
        log_error("Provider \"%s\" implements unsupported version 0x%08lx "
                  "(supported: 0x%08lx)", path, (unsigned long)v,
                  (unsigned long)SK_API_VERSION);
        goto fail;
    }
    *(void **)&p->sign = dlsym(p->dl, "sk_sign");
    if (!p->sign) {
        log_error("Provider \"%s\" dlsym(sk_sign) failed: %s", path, dlerror());
        goto fail;
    }
    log_debug("security key provider \"%s\" loaded, API version 0x%08lx", path,
              (unsigned long)v);
    return p;
fail:
    sk_provider_close(p);
    return NULL;
}

void sk_provider_close(sk_provider *p)
{
    if (!p)
        return;
    if (p->dl)
        dlclose(p->dl);
    free(p);
}

static void free_response(struct sk_sign_response *r)
{
    if (!r)
        return;
    if (r->sig_r) {
        explicit_bzero(r->sig_r, r->sig_r_len);
        free(r->sig_r);
    }
    if (r->sig_s) {
        explicit_bzero(r->sig_s, r->sig_s_len);
        free(r->sig_s);
    }
    free(r);
}

/* Copy one signature part; the library's lengths are not trusted. */
static int take(const uint8_t *src, size_t len, uint8_t *dst, size_t *dst_len)
{
    if (len > NSSH_OSSL_SK_SIG_MAX || (len && !src))
        return -1;
    if (len)
        memcpy(dst, src, len);
    *dst_len = len;
    return 0;
}

int sk_provider_sign(void *user, const nssh_ossl_sk_request *q,
                     nssh_ossl_sk_result *out)
{
    sk_provider *p = user;
    struct sk_sign_response *r = NULL;
    int rc, e = NSSH_ERR_CRYPTO;

    if (!p || !p->sign)
        return NSSH_ERR_KEY;
    rc = p->sign(q->ecdsa ? SK_ALG_ECDSA : SK_ALG_ED25519, q->data,
                 q->data_len, q->application, q->key_handle, q->key_handle_len,
                 q->flags, NULL, NULL, &r);
    if (rc != 0 || !r) {
        log_error("security key host key: provider \"%s\" sk_sign failed "
                  "with code %d", p->path, rc);
        free_response(r);
        return NSSH_ERR_CRYPTO;
    }
    if (take(r->sig_r, r->sig_r_len, out->r, &out->r_len) < 0 ||
        take(r->sig_s, r->sig_s_len, out->s, &out->s_len) < 0 ||
        !r->sig_r || (q->ecdsa && !r->sig_s)) {
        log_error("security key host key: provider \"%s\" sk_sign answered "
                  "an invalid signature", p->path);
    } else {
        out->flags = r->flags;
        out->counter = r->counter;
        e = 0;
    }
    free_response(r);
    return e;
}
