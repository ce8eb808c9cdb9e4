/*
 * One connection ("run"): the engine in the client role set up with the
 * algorithms to offer, the recorded payloads, and lookups over them. The
 * protocol itself is entirely the engine's: run_hooks.c records what it
 * reports, run_io.c moves the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nanossh_ossl.h"
#include "probe.h"

/* Everything the backend can do, best first; the legacy names last, so a
 * server that has nothing better still completes and can be audited. */
static const char *const all_kex =
    "mlkem768x25519-sha256,mlkem768nistp256-sha256,mlkem1024nistp384-sha384,"
    "sntrup761x25519-sha512,"
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
    "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
    "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,"
    "diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1";
static const char *const all_hk =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
static const char *const all_ciphers =
    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
    "aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc";
static const char *const all_macs =
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
    "hmac-sha2-256,hmac-sha2-512,hmac-sha1-etm@openssh.com,hmac-sha1,"
    "umac-128-etm@openssh.com,umac-128@openssh.com,umac-64-etm@openssh.com,"
    "umac-64@openssh.com,hmac-sha1-96,hmac-md5,hmac-md5-96";

/* Fill tab from a comma-separated list via lookup; -1 on an unknown name. */
#define FILL(list, tab, max, lookup, count)                                   \
    do {                                                                      \
        char tmp_[1024];                                                      \
        char *save_, *tok_;                                                   \
        snprintf(tmp_, sizeof(tmp_), "%s", list);                             \
        count = 0;                                                            \
        for (tok_ = strtok_r(tmp_, ",", &save_); tok_;                        \
             tok_ = strtok_r(NULL, ",", &save_)) {                            \
            if (!lookup(tok_)) {                                              \
                fprintf(stderr, "nanossh-probe: unknown algorithm %s\n", tok_); \
                return -1;                                                    \
            }                                                                 \
            if (count < (max))                                                \
                tab[count++] = lookup(tok_);                                  \
        }                                                                     \
    } while (0)

/* ---- set-up --------------------------------------------------------------- */
static int rng(void *u, uint8_t *out, size_t n)
{
    return nssh_ossl_rng(u, out, n);
}

static int load_user_key(run *r)
{
    FILE *f;
    uint8_t buf[16384];
    size_t n;
    char comment[256];
    const nssh_sig_alg *alg[4];
    if (!r->o->keyfile)
        return 0;
    f = fopen(r->o->keyfile, "rb");
    if (!f) {
        fprintf(stderr, "nanossh-probe: cannot open %s\n", r->o->keyfile);
        return -1;
    }
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (nssh_ossl_key_load_private(buf, n, &r->ukey, comment, sizeof(comment)) < 0 ||
        nssh_ossl_key_public_blob(r->ukey, r->ublob, sizeof(r->ublob), &r->ublob_len) < 0 ||
        nssh_ossl_key_sig_algs(r->ukey, alg, 4) == 0) {
        fprintf(stderr, "nanossh-probe: %s is not a usable private key "
                "(unencrypted OpenSSH or PEM format)\n", r->o->keyfile);
        return -1;
    }
    r->ualg = alg[0];
    return 0;
}

int run_init(run *r, const opts *o)
{
    size_t n;
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->fd = -1;
    snprintf(r->my_kex, sizeof(r->my_kex), "%s", o->kex ? o->kex : all_kex);
    snprintf(r->my_hk, sizeof(r->my_hk), "%s", o->hostkeys ? o->hostkeys : all_hk);
    snprintf(r->my_ciphers, sizeof(r->my_ciphers), "%s", o->ciphers ? o->ciphers : all_ciphers);
    snprintf(r->my_macs, sizeof(r->my_macs), "%s", o->macs ? o->macs : all_macs);
    FILL(r->my_kex, r->kems, 32, nssh_ossl_kem_by_name, n);
    r->cfg.kems = r->kems;
    r->cfg.n_kems = n;
    FILL(r->my_hk, r->sigs, 16, nssh_ossl_sig_by_name, n);
    r->cfg.sig_algs = r->sigs;
    r->cfg.n_sig_algs = n;
    FILL(r->my_ciphers, r->ciphers, 16, nssh_ossl_cipher_by_name, n);
    r->cfg.ciphers = r->ciphers;
    r->cfg.n_ciphers = n;
    FILL(r->my_macs, r->macs, 16, nssh_ossl_mac_by_name, n);
    r->cfg.macs = r->macs;
    r->cfg.n_macs = n;
    if (!r->cfg.n_kems || !r->cfg.n_sig_algs || !r->cfg.n_ciphers || !r->cfg.n_macs) {
        fprintf(stderr, "nanossh-probe: an algorithm list is empty\n");
        return -1;
    }
    if (load_user_key(r) < 0)
        return -1;
    r->cfg.role = NSSH_ROLE_CLIENT;
    r->cfg.software = "nanossh-probe_" NSSH_VERSION_STRING;
    snprintf(r->vc, sizeof(r->vc), "SSH-2.0-%s", r->cfg.software);
    r->cfg.rng = rng;
    run_hooks_install(r);
    wire_init(&r->w, 1u << 20);
    r->mem = aligned_alloc(16, (nssh_conn_mem_size() + 15) & ~(size_t)15);
    return r->mem && r->w.buf ? 0 : -1;
}

void run_free(run *r)
{
    size_t i;
    if (r->c)
        nssh_conn_release(r->c);
    free(r->mem);
    for (i = 0; i < r->n_pkts; i++) {
        memset(r->pkts[i].data, 0, r->pkts[i].len);
        free(r->pkts[i].data);
    }
    free(r->hk.blob);
    for (i = 0; i < r->n_hks; i++)
        free(r->hks[i].blob);
    memset(r->kenc, 0, sizeof(r->kenc));
    if (r->ukey)
        nssh_ossl_key_free(r->ukey);
    wire_free(&r->w);
    if (r->fd >= 0)
        close(r->fd);
}

const pkt *run_find(const run *r, int sent, uint8_t msg, int nth)
{
    size_t i;
    for (i = 0; i < r->n_pkts; i++)
        if (r->pkts[i].sent == sent && r->pkts[i].data[0] == msg && nth-- == 0)
            return &r->pkts[i];
    return NULL;
}

int run_is_gex(const run *r)
{
    return strncmp(r->negotiated[0], "diffie-hellman-group-exchange", 29) == 0;
}

int run_is_classic_dh(const run *r)
{
    return !run_is_gex(r) && strncmp(r->negotiated[0], "diffie-hellman-", 15) == 0;
}

const char *run_msg_name(const run *r, uint8_t m)
{
    switch (m) {
    case 1: return "SSH_MSG_DISCONNECT";
    case 2: return "SSH_MSG_IGNORE";
    case 3: return "SSH_MSG_UNIMPLEMENTED";
    case 4: return "SSH_MSG_DEBUG";
    case 5: return "SSH_MSG_SERVICE_REQUEST";
    case 6: return "SSH_MSG_SERVICE_ACCEPT";
    case 7: return "SSH_MSG_EXT_INFO";
    case 20: return "SSH_MSG_KEXINIT";
    case 21: return "SSH_MSG_NEWKEYS";
    case 30: return run_is_gex(r) ? "SSH_MSG_KEX_DH_GEX_REQUEST_OLD"
                  : run_is_classic_dh(r) ? "SSH_MSG_KEXDH_INIT" : "SSH_MSG_KEX_ECDH_INIT";
    case 31: return run_is_gex(r) ? "SSH_MSG_KEX_DH_GEX_GROUP"
                  : run_is_classic_dh(r) ? "SSH_MSG_KEXDH_REPLY" : "SSH_MSG_KEX_ECDH_REPLY";
    case 32: return "SSH_MSG_KEX_DH_GEX_INIT";
    case 33: return "SSH_MSG_KEX_DH_GEX_REPLY";
    case 34: return "SSH_MSG_KEX_DH_GEX_REQUEST";
    case 50: return "SSH_MSG_USERAUTH_REQUEST";
    case 51: return "SSH_MSG_USERAUTH_FAILURE";
    case 52: return "SSH_MSG_USERAUTH_SUCCESS";
    case 53: return "SSH_MSG_USERAUTH_BANNER";
    case 60: return "SSH_MSG_USERAUTH_PK_OK";
    case 80: return "SSH_MSG_GLOBAL_REQUEST";
    case 81: return "SSH_MSG_REQUEST_SUCCESS";
    case 82: return "SSH_MSG_REQUEST_FAILURE";
    case 90: return "SSH_MSG_CHANNEL_OPEN";
    case 91: return "SSH_MSG_CHANNEL_OPEN_CONFIRMATION";
    case 92: return "SSH_MSG_CHANNEL_OPEN_FAILURE";
    case 93: return "SSH_MSG_CHANNEL_WINDOW_ADJUST";
    case 94: return "SSH_MSG_CHANNEL_DATA";
    case 95: return "SSH_MSG_CHANNEL_EXTENDED_DATA";
    case 96: return "SSH_MSG_CHANNEL_EOF";
    case 97: return "SSH_MSG_CHANNEL_CLOSE";
    case 98: return "SSH_MSG_CHANNEL_REQUEST";
    case 99: return "SSH_MSG_CHANNEL_SUCCESS";
    case 100: return "SSH_MSG_CHANNEL_FAILURE";
    default: return "an unknown message";
    }
}

/* ---- the loop -------------------------------------------------------------- */
