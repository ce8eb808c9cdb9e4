/*
 * Host key rotation (OpenSSH PROTOCOL section 2.5): after authentication
 * the server announces every host key with hostkeys-00@openssh.com; the
 * client may ask it to prove possession with hostkeys-prove-00@openssh.com,
 * answered by a signature per key over
 *   string "hostkeys-prove-00@openssh.com" || string session_id || string key.
 */
#include <string.h>

#include "internal.h"
#include "nanossh_cert.h"

#define ANNOUNCE "hostkeys-00@openssh.com"
#define PROVE "hostkeys-prove-00@openssh.com"

/* Has an earlier entry the same key blob (RSA appears once per algorithm)? */
static int seen_before(const nssh_config *k, size_t i)
{
    size_t j;
    for (j = 0; j < i; j++)
        if (k->hostkeys[j].blob_len == k->hostkeys[i].blob_len &&
            memcmp(k->hostkeys[j].blob, k->hostkeys[i].blob,
                   k->hostkeys[i].blob_len) == 0)
            return 1;
    return 0;
}

int hostkeys_announce(nssh_conn *c)
{
    const nssh_config *k = c->cfg;
    size_t i;
    wr w;
    int e;
    if (c->role != NSSH_ROLE_SERVER || k->n_hostkeys == 0)
        return 0;
    if ((e = pkt_begin(c, &w, MSG_GLOBAL_REQUEST)) < 0)
        return e;
    wr_cstring(&w, ANNOUNCE);
    wr_bool(&w, 0);
    /* Plain keys only, as sshd announces them: a certificate is not a
     * key a client can pin (PROTOCOL section 2.5). */
    for (i = 0; i < k->n_hostkeys; i++)
        if (!seen_before(k, i) &&
            !nssh_cert_is_cert_name(k->hostkeys[i].alg->key_type))
            wr_string(&w, k->hostkeys[i].blob, k->hostkeys[i].blob_len);
    return pkt_end(c, &w);
}

int hostkeys_is_prove(nssh_str name)
{
    return name.n == strlen(PROVE) && memcmp(name.p, PROVE, name.n) == 0;
}

/* The first configured entry for this blob: its algorithm signs. */
static const nssh_hostkey *find_key(const nssh_conn *c, const uint8_t *b, size_t n)
{
    size_t i;
    for (i = 0; i < c->cfg->n_hostkeys; i++)
        if (c->cfg->hostkeys[i].blob_len == n &&
            memcmp(c->cfg->hostkeys[i].blob, b, n) == 0)
            return &c->cfg->hostkeys[i];
    return NULL;
}

int hostkeys_prove(nssh_conn *c, rd *r, int want_reply)
{
    uint8_t data[NSSH_KEYBLOB_MAX + NSSH_HASH_MAX + 64], sig[NSSH_SIG_MAX];
    const uint8_t *blob;
    size_t n, slen;
    wr w, d;
    int e;
    if (!want_reply)
        return 0;
    if ((e = pkt_begin(c, &w, MSG_REQUEST_SUCCESS)) < 0)
        return e;
    while (rd_left(r) > 0) {
        const nssh_hostkey *hk;
        if (rd_string(r, &blob, &n) < 0)
            return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR,
                             "connection", "SSH_MSG_GLOBAL_REQUEST", "hostkey",
                             "malformed " PROVE " request");
        hk = find_key(c, blob, n);
        if (!hk) {
            /* Not ours: answer FAILURE instead (PROTOCOL 2.5). */
            pkt_begin(c, &w, MSG_REQUEST_FAILURE);
            return pkt_end(c, &w);
        }
        wr_init(&d, data, sizeof(data));
        wr_cstring(&d, PROVE);
        wr_string(&d, c->session_id, c->session_id_len);
        wr_string(&d, blob, n);
        e = d.err ? d.err
                  : hk->alg->sign(hk->key, data, d.len, sig, sizeof(sig), &slen,
                                  c->cfg->rng, c->cfg->rng_user);
        if (e < 0)
            return conn_fail(c, e, NSSH_DISC_BY_APPLICATION, "connection",
                             "SSH_MSG_GLOBAL_REQUEST", "hostkey",
                             "cannot sign the host key proof: %s", nssh_strerror(e));
        wr_string(&w, sig, slen);
    }
    return pkt_end(c, &w);
}
