/*
 * HostKeyAgent (sshd_config(5)): host keys whose private halves an
 * ssh-agent holds. HostKey then names a public key file (or a private
 * file that is gone, with path.pub beside it); the key is the backend's
 * public key with a signer that asks the agent (agent.c). Signatures
 * are made wherever the host keys live: the connection's process or
 * its monitor, never the sandboxed pre-auth child, which asks the
 * monitor (privsep/child.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "files.h"
#include "hostkeys.h"
#include "log.h"

#define PUBFILE_MAX (64u * 1024u)

static int agent_signer(void *user, const uint8_t *blob, size_t blob_len,
                        const char *alg, const uint8_t *data, size_t len,
                        uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    char why[300] = "", fp[128] = "";
    int e = agent_sign((const char *)user, blob, blob_len, alg, data, len, sig,
                       sig_max, sig_len, why, sizeof(why));
    if (e < 0) {
        nssh_ossl_fingerprint(blob, blob_len, fp, sizeof(fp));
        log_error("agent sign failed for host key %s %s: %s", alg, fp, why);
    }
    return e;
}

static int load_pub(const char *path, nssh_key **out)
{
    static uint8_t blob[NSSH_KEYBLOB_MAX];
    char *data = NULL;
    size_t len = 0, blob_len;
    int e = NSSH_ERR_KEY;
    if (file_read(path, PUBFILE_MAX, &data, &len, NULL, 0) == 0 &&
        hostkeys_public_line(data, len, blob, sizeof(blob), &blob_len) == 0)
        e = nssh_ossl_key_from_blob(blob, blob_len, out);
    if (data)   /* it may have been a private key file after all */
        explicit_bzero(data, len);
    free(data);
    return e;
}

int hostkeys_load_agent_key(hostkey_set *hs, const char *path, nssh_key **out,
                            int try_pub)
{
    char pub[4200];
    nssh_key *k = NULL;
    int e;
    *out = NULL;
    if (!hs->agent)
        return NSSH_ERR_STATE;
    if (try_pub) {
        if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub))
            return NSSH_ERR_NOSPACE;
        e = load_pub(pub, &k);
    } else
        e = load_pub(path, &k);
    if (e < 0 || !k) {
        if (try_pub)
            log_error("Unable to load host key: %s", path);
        return e < 0 ? e : NSSH_ERR_KEY;
    }
    nssh_ossl_key_set_signer(k, agent_signer, hs->agent);
    log_debug("will rely on agent for hostkey %s", path);
    *out = k;
    return 0;
}
