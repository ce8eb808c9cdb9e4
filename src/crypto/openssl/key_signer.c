/*
 * Keys whose private half is held elsewhere (sshd_config's HostKeyAgent:
 * an ssh-agent holds the host keys, the daemon has only their public
 * halves). The algorithms' sign functions hand such a key to its signer
 * and accept only a well-formed blob of their own algorithm back.
 */
#include <string.h>

#include "sig.h"

int nssh_ossl_key_set_signer(nssh_key *k, nssh_ossl_signer_fn signer, void *user)
{
    if (!k)
        return NSSH_ERR_STATE;
    k->signer = signer;
    k->signer_user = user;
    return 0;
}

int sig_has_signer(const nssh_key *k, int ktype)
{
    return k && k->type == ktype && !k->has_private && k->signer;
}

int sig_signer_sign(const nssh_key *k, const char *alg, const uint8_t *data,
                    size_t len, uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    uint8_t blob[NSSH_KEYBLOB_MAX];
    const uint8_t *raw;
    size_t blob_len, raw_len, n;
    int e;
    if ((e = nssh_ossl_key_public_blob(k, blob, sizeof(blob), &blob_len)) < 0)
        return e;
    *sig_len = 0;
    if ((e = k->signer(k->signer_user, blob, blob_len, alg, data, len, sig,
                       sig_max, sig_len)) < 0)
        return e;
    /* RFC 4253 section 6.6: string name || string signature, nothing
     * after (a security key's flags and counter excepted, PROTOCOL.u2f);
     * an agent that answers with another algorithm (an RSA SHA-1
     * signature for a SHA-2 request) is refused here. */
    n = *sig_len;
    if (!strncmp(alg, "sk-", 3))
        n = n >= 5 ? n - 5 : 0;
    if (*sig_len > sig_max || sigblob_get(alg, sig, n, &raw, &raw_len) < 0) {
        *sig_len = 0;
        return NSSH_ERR_SIGNATURE;
    }
    return 0;
}
