/*
 * Engine internals: the connection state and the calls the layers make on
 * each other. Nothing here is part of the public API.
 *
 * Map of src/core:
 *   buf.c        reader / writer / name-lists
 *   fmt.c        tiny formatter for log texts, error strings
 *   conn.c       public connection API, buffers, error and log plumbing
 *   packet.c     outgoing packets: framing, padding, sealing, deferral
 *                during kex; each direction's layout (dir_*)
 *   packet_in.c  incoming packets: length, MAC/tag, padding, dispatch
 *   version.c    version exchange (RFC 4253 section 4.2)
 *   kexinit.c    KEXINIT build/parse and negotiation (section 7.1)
 *   kex.c        KEM-driven exchange for every KEM and group exchange:
 *                INIT/REPLY, exchange hash, key derivation, NEWKEYS
 *   kex_gex.c    group exchange's request and group (RFC 4419)
 *   gate.c       which message is allowed in which state; dispatch
 *   transport.c  IGNORE, DEBUG, UNIMPLEMENTED, DISCONNECT, EXT_INFO, rekey
 *   auth_server.c / auth_client.c   RFC 4252
 *   auth_publickey.c / auth_password.c / auth_kbdint.c   the methods (server)
 *   channel.c    RFC 4254 channels, both roles: data, EOF, close, window
 *   channel_api.c   the nssh_channel_* calls
 *   channel_open.c  opening channels both ways, deferred answers
 *   channel_req.c   channel requests both ways
 *   tcpip.c      port forwarding fields (RFC 4254 section 7)
 *   global.c     global requests
 *   hostkeys_ext.c  hostkeys-00@openssh.com
 *   export.c     the connection state after authentication, moved from
 *                a sandboxed process to its monitor (nssh_conn_export)
 */
#ifndef NSSH_CORE_INTERNAL_H
#define NSSH_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "buf.h"

/* ---- Message numbers (RFC 4250 section 4.1) -------------------------- */
enum {
    MSG_DISCONNECT = 1,
    MSG_IGNORE = 2,
    MSG_UNIMPLEMENTED = 3,
    MSG_DEBUG = 4,
    MSG_SERVICE_REQUEST = 5,
    MSG_SERVICE_ACCEPT = 6,
    MSG_EXT_INFO = 7,
    MSG_NEWCOMPRESS = 8,
    MSG_KEXINIT = 20,
    MSG_NEWKEYS = 21,
    MSG_KEX_ECDH_INIT = 30,
    MSG_KEX_ECDH_REPLY = 31,
    MSG_KEX_DH_GEX_GROUP = 31,
    MSG_KEX_DH_GEX_INIT = 32,
    MSG_KEX_DH_GEX_REPLY = 33,
    MSG_KEX_DH_GEX_REQUEST = 34,
    MSG_USERAUTH_REQUEST = 50,
    MSG_USERAUTH_FAILURE = 51,
    MSG_USERAUTH_SUCCESS = 52,
    MSG_USERAUTH_BANNER = 53,
    MSG_USERAUTH_PK_OK = 60,
    MSG_USERAUTH_INFO_REQUEST = 60,
    MSG_USERAUTH_INFO_RESPONSE = 61,
    MSG_GLOBAL_REQUEST = 80,
    MSG_REQUEST_SUCCESS = 81,
    MSG_REQUEST_FAILURE = 82,
    MSG_CHANNEL_OPEN = 90,
    MSG_CHANNEL_OPEN_CONFIRMATION = 91,
    MSG_CHANNEL_OPEN_FAILURE = 92,
    MSG_CHANNEL_WINDOW_ADJUST = 93,
    MSG_CHANNEL_DATA = 94,
    MSG_CHANNEL_EXTENDED_DATA = 95,
    MSG_CHANNEL_EOF = 96,
    MSG_CHANNEL_CLOSE = 97,
    MSG_CHANNEL_REQUEST = 98,
    MSG_CHANNEL_SUCCESS = 99,
    MSG_CHANNEL_FAILURE = 100
};

/* Name of a message number for logs ("SSH_MSG_KEXINIT"). */
const char *msg_name(uint8_t msg);

/* Largest KEXINIT we build ourselves (kept for the exchange hash). */
#define KEXINIT_MAX NSSH_KEXINIT_MAX
/* Room after a payload for padding (<= 255) plus MAC/tag (<= 64). */
#define PKT_TRAILER_MAX (255u + 64u)
/* Bytes of received packet storage: length field, packet, MAC. */
#define INBUF_SIZE (4u + NSSH_MAX_PACKET + 64u)
/* Encoded shared secret (mpint or string): 5 bytes of header. */
#define KENC_MAX ((NSSH_KEM_SS_MAX > NSSH_DH_MAX ? NSSH_KEM_SS_MAX : NSSH_DH_MAX) + 5u)
#define KEM_PK_MAX (NSSH_KEM_PK_MAX > NSSH_DH_MAX ? NSSH_KEM_PK_MAX : NSSH_DH_MAX)
#define KEM_CT_MAX (NSSH_KEM_CT_MAX > NSSH_DH_MAX ? NSSH_KEM_CT_MAX : NSSH_DH_MAX)
/* Our secret for one exchange: a server encapsulates and keeps no KEM
 * secret key, only a group-exchange exponent (RFC 4419). */
#if NSSH_ENABLE_CLIENT
#define KX_SK_MAX (NSSH_KEM_SK_MAX > NSSH_DH_MAX ? NSSH_KEM_SK_MAX : NSSH_DH_MAX)
#else
#define KX_SK_MAX NSSH_DH_MAX
#endif
/* Raw shared secret: classic DH's K is as long as the modulus. */
#define KEM_SS_MAX (NSSH_KEM_SS_MAX > NSSH_DH_MAX ? NSSH_KEM_SS_MAX : NSSH_DH_MAX)

#define ALIGN16 __attribute__((aligned(16)))

/* Bytes kex.c derives keys into: IV, cipher key, MAC key. nssh_conn_init2
 * refuses tables that want more. */
#define KEX_IV_MAX 64u
#define KEX_KEY_MAX 128u

/* ---- One direction of the transport ----------------------------------- */
typedef struct dir {
    const nssh_cipher *cipher;   /* NULL: no encryption yet */
    const nssh_mac *mac;         /* NULL with AEAD ciphers or none */
    uint8_t cctx[NSSH_CIPHER_CTX_SIZE] ALIGN16;
    uint8_t mctx[NSSH_MAC_CTX_SIZE] ALIGN16;
    uint32_t seq;                /* packet sequence number */
    uint64_t bytes;              /* since the last NEWKEYS, for rekeying */
    uint64_t total;              /* since the start */
    /* Hand-off (export.c): with NSSH_CONFIG_HANDOFF the keys as derived
     * and how far the cipher has run since (classic: bytes through
     * crypt, AEAD: packets), so the state can move to another process. */
    int keep;
    uint64_t ops;
    uint8_t k_iv[KEX_IV_MAX], k_key[KEX_KEY_MAX], k_mac[KEX_KEY_MAX];
    /* CBC (kept only): the last ciphertext block, the chaining value a
     * fresh context continues from (RFC 4253 section 6.3). */
    int chained;
    uint8_t chain[16];
} dir;

/* ---- Key exchange ------------------------------------------------------ */
enum {
    KX_IDLE = 0,        /* no exchange running */
    KX_SENT_INIT,       /* our KEXINIT sent, peer's not yet received */
    KX_WAIT_PEER_INIT = KX_SENT_INIT,
    KX_WAIT_KEX,        /* negotiated; server: waiting ECDH_INIT; client: REPLY */
    KX_WAIT_NEWKEYS     /* our NEWKEYS sent, peer's not yet received */
};

typedef struct kex {
    int state;                 /* KX_* */
    unsigned count;            /* completed exchanges */
    unsigned dh_count;         /* finite-field DH computations (server) */
    int strict;                /* kex-strict-*-v00 agreed on the first KEXINIT */
    int peer_ext_info;         /* peer asked for ext-info (server: ext-info-c) */
    int peer_ext_in_auth;      /* server: the client's EXT_INFO had
                                * ext-info-in-auth@openssh.com (PROTOCOL 1.10) */
    int skip_guess;            /* drop the peer's wrong first-kex guess */
    int sent_newkeys, recv_newkeys;
    const nssh_kem *kem;
    const nssh_hostkey *hostkey;        /* server: the chosen key */
    const nssh_hostkey *first_hostkey;  /* server: that of the first exchange */
    const nssh_sig_alg *hostkey_alg;    /* client: the chosen algorithm */
    const nssh_cipher *cipher[2];      /* [0] client to server, [1] server to client */
    const nssh_mac *mac[2];
    uint8_t hctx[NSSH_HASH_CTX_SIZE] ALIGN16;  /* exchange hash in progress */
    int hash_live;
    uint8_t my_init[KEXINIT_MAX];       /* our KEXINIT payload, for H */
    size_t my_init_len;
    /* KEM secret key (client) or group-exchange exponent (both roles);
     * a server-only build keeps only the exponent's room. */
    uint8_t sk[KX_SK_MAX];
#if NSSH_ENABLE_CLIENT
    uint8_t pk[KEM_PK_MAX];             /* client: Q_C as sent */
#endif
    uint8_t kenc[KENC_MAX];             /* K encoded for hashing */
    size_t kenc_len;
    uint8_t h[NSSH_HASH_MAX];           /* this exchange's H */
    size_t h_len;
    uint64_t started_ms;
    /* group exchange (RFC 4419): request and group, kept for H */
    uint32_t gex_min, gex_n, gex_max;
    uint8_t gex_p[NSSH_DH_MAX];
    size_t gex_plen;
    uint8_t gex_g[8];
    size_t gex_glen;
} kex;

/* ---- Authentication --------------------------------------------------- */
typedef struct auth {
    int service_ok;            /* ssh-userauth accepted */
    int done;                  /* authenticated */
    uint32_t failures;
    uint32_t requests;         /* USERAUTH_REQUESTs received */
    char user[NSSH_USER_MAX + 1];
    const char *method;        /* method that succeeded */
    int banner_sent;           /* USERAUTH_BANNER done (or none to send) */
    /* keyboard-interactive (RFC 4256): INFO_REQUEST sent, answer awaited */
    int kbd_active;
    uint32_t kbd_prompts;      /* prompts in that INFO_REQUEST */
    size_t kbd_user_len;
    char kbd_user[NSSH_USER_MAX + 1];
    /* client role */
    int client_state;          /* see auth_client.c */
    const char *c_user;
    const nssh_sig_alg *c_alg;
    const nssh_key *c_key;
    const uint8_t *c_blob;
    size_t c_blob_len;
    const char *c_password;    /* method "password" when set */
} auth;

/* ---- Channels ---------------------------------------------------------- */
/* CH_OPENING: our CHANNEL_OPEN awaits the peer's answer; CH_PENDING: the
 * peer's awaits the application's (NSSH_CB_LATER). */
enum { CH_FREE = 0, CH_OPENING, CH_OPEN, CH_PENDING };
/* Not a reason code of RFC 4254: the open verdict "answer later". */
#define OPEN_LATER 0x100

typedef struct chan {
    uint8_t state;             /* CH_* */
    uint8_t sent_eof, recv_eof, sent_close, recv_close;
    uint8_t client_pending;    /* client role: requests awaiting replies */
    uint32_t remote_id;
    uint32_t remote_window;    /* bytes we may still send */
    uint32_t remote_maxpkt;
    uint32_t local_window;     /* bytes the peer may still send us */
    uint32_t consumed;         /* consumed by the app, not yet re-granted */
} chan;

/* ---- The connection ----------------------------------------------------- */
struct nssh_conn {
    const nssh_config *cfg;
    const nssh_callbacks *cb;
    int role;
    int err;                   /* sticky error */
    int closing;               /* DISCONNECT queued or peer gone: drain only */
    int peer_eof;
    int held;                  /* NSSH_CONFIG_HANDOFF: authenticated, input held */
    uint64_t now;
    uint64_t grace_deadline;   /* 0: none */

    /* version exchange */
    int version_done;
    char peer_version[256];
    char my_version[256];
    size_t vline_len;          /* bytes of a partial version line seen */

    dir in, out;
    kex kx;
    /* H of the first exchange (RFC 4253 section 7.2); never changes. */
    uint8_t session_id[NSSH_HASH_MAX];
    size_t session_id_len;
    auth au;
    uint32_t ch_top;           /* ch[0 .. ch_top) initialised (chan_alloc) */
    chan ch[NSSH_MAX_CHANNELS];

    /* our global requests awaiting an answer (RFC 4254 section 4) */
    uint32_t global_pending;

    /* negotiated names for info */
    const char *peer_first_guess;

    /* received bytes: [in_off, in_len) not yet processed */
    size_t in_off, in_len;
    size_t in_pkt_total;       /* size of the packet being read (0: unknown) */
    size_t in_pkt_done;        /* classic ciphers: bytes already decrypted */
    /* bytes to send: [out_off, out_len) */
    size_t out_off, out_len;
    /* payloads deferred during key exchange: uint32 length || payload ... */
    size_t defer_len;

    /* channel_reserve.c: the packets handed out by the last
     * nssh_channel_reserve (rsv_n of them, all with rsv_full bytes of data
     * but the last with rsv_last), valid while out_len is rsv_base */
    size_t rsv_n, rsv_full, rsv_last, rsv_base;
    uint32_t rsv_ch, rsv_ext;
    int batch;                 /* pkt_end leaves the re-key check to the batch */

    /* random bytes for padding */
    uint8_t pad_pool[256];
    size_t pad_pos;

    uint8_t defer[NSSH_DEFER_SIZE];
    uint8_t inbuf[INBUF_SIZE] ALIGN16;
    uint8_t outbuf[NSSH_OUTBUF_SIZE + 5u + PKT_TRAILER_MAX] ALIGN16;
};

/* ---- conn.c: errors and logs --------------------------------------------- */
/*
 * Record the first fatal error: log it (ERROR level) with stage, message,
 * field and text, queue DISCONNECT with reason, and return err. Later calls
 * only return the sticky error.
 */
int conn_fail(nssh_conn *c, int err, uint32_t reason, const char *stage,
              const char *message, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Log a record at level. */
void conn_log(nssh_conn *c, int level, const char *stage, const char *message,
              const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Random bytes via the configured callback; failure is fatal. */
int conn_random(nssh_conn *c, uint8_t *out, size_t n);

/* Diagnostic trace hook (nssh_trace); nothing without NSSH_ENABLE_TRACE. */
#if NSSH_ENABLE_TRACE
#define TRACE(c, fn, ...) \
    do { if ((c)->cfg->trace && (c)->cfg->trace->fn) \
             (c)->cfg->trace->fn((c)->cfg->trace->user, __VA_ARGS__); } while (0)
#else
#define TRACE(c, fn, ...) do { } while (0)
#endif

/* fmt.c: vsnprintf subset: %s %d %u %lu %llu %zu %x %c %.*s %%. */
#include <stdarg.h>
size_t nssh_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);
size_t nssh_fmt(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- packet.c ----------------------------------------------------------- */
/*
 * Build one outgoing packet: pkt_begin() sets *w over free output space
 * (or over the defer queue when a key exchange is running and msg is not a
 * transport/kex message) and writes msg. Append the payload to *w, then
 * pkt_end() pads, encrypts and queues it. Returns 0 or a negative error;
 * pkt_end fails with NSSH_ERR_NOSPACE when the payload did not fit.
 */
int pkt_begin(nssh_conn *c, wr *w, uint8_t msg);
int pkt_end(nssh_conn *c, wr *w);
/* Payload bytes that fit in one packet right now (0 during kex when
 * deferring is not allowed for data). */
size_t pkt_room(const nssh_conn *c);
/* Is a key exchange running (non-kex output deferred)? */
int kex_running(const nssh_conn *c);
/* Parse and handle received packets in the input buffer. */
int pkt_process(nssh_conn *c);
/* Flush payloads deferred during a key exchange. */
int pkt_flush_deferred(nssh_conn *c);
/* Switch one direction to newly derived keys. */
int dir_set_keys(dir *d, const nssh_cipher *ci, const nssh_mac *mac,
                 const uint8_t *iv, const uint8_t *key, const uint8_t *mkey,
                 int encrypt);
void dir_cleanup(dir *d);
/* A direction's packet layout (packet.c), for both directions: AEAD
 * cipher, encrypt-then-MAC, alignment, bytes after the packet. */
int dir_aead(const dir *d);
int dir_etm(const dir *d);
size_t dir_block(const dir *d);
/* A classic (non-AEAD) cipher over buf[0..len), counted for the hand-off;
 * incoming: buf holds ciphertext to decrypt. */
int dir_crypt(dir *d, uint8_t *buf, size_t len, int incoming);
size_t dir_trailer(const dir *d);
/* Padding bytes, and bytes on the wire, of a packet with this payload
 * length in direction d. */
size_t pkt_pad(const dir *d, size_t payload);
size_t pkt_wire_size(const dir *d, size_t payload);
/* Move unsent output to the start of the output buffer. */
void pkt_compact(nssh_conn *c);

/* ---- version.c ---------------------------------------------------------- */
int version_send(nssh_conn *c);
/* Consume version line bytes; sets c->version_done. */
int version_process(nssh_conn *c);

/* ---- kexinit.c / kex.c --------------------------------------------------- */
int kex_start(nssh_conn *c);                 /* send our KEXINIT */
int kex_handle(nssh_conn *c, uint8_t msg, rd *r, const uint8_t *payload,
               size_t payload_len);
int kex_check_rekey(nssh_conn *c);           /* start one if limits passed */
/* kexinit.c: the peer's KEXINIT (seq: its sequence number). */
int kexinit_handle(nssh_conn *c, rd *r, const uint8_t *payload, size_t len,
                   uint32_t seq);
/* kex.c: algorithms chosen; the client sends its KEM public key. */
int kex_after_init(nssh_conn *c);
/* Feed string(p) into the running exchange hash. */
int kex_hash_string(nssh_conn *c, const void *p, size_t n);
/* NEWKEYS received. */
int kex_newkeys(nssh_conn *c);
/* kex.c: fail the exchange (shared with kex_gex.c). */
int kex_fail(nssh_conn *c, int err, const char *msg, const char *field,
             const char *text);
/* kex_gex.c: group exchange (RFC 4419): its request and group; INIT,
 * REPLY and NEWKEYS are kex.c's. */
int gex_start(nssh_conn *c);
int gex_handle(nssh_conn *c, uint8_t msg, rd *r);

/* ---- gate.c ------------------------------------------------------------- */
/* Handle one decrypted payload (msg byte first). */
int dispatch(nssh_conn *c, const uint8_t *payload, size_t len);

/* ---- transport.c -------------------------------------------------------- */
int transport_handle(nssh_conn *c, uint8_t msg, rd *r);
int send_unimplemented(nssh_conn *c, uint32_t seq);
int send_ext_info(nssh_conn *c);

/* ---- auth_server.c / auth_client.c ------------------------------------- */
/* SERVICE_REQUEST (server) / SERVICE_ACCEPT (client). */
int auth_service_request(nssh_conn *c, rd *r);
int auth_service_accept(nssh_conn *c, rd *r);
/* Messages 50..79; r is after the message byte. */
int auth_server_handle(nssh_conn *c, uint8_t msg, rd *r);
int auth_client_handle(nssh_conn *c, uint8_t msg, rd *r);
/* Called when the first key exchange finishes (client: start pending auth). */
void auth_client_kex_done(nssh_conn *c);
/* Longest signature algorithm name accepted in a publickey request. */
#define AUTH_ALG_NAME_MAX 64u
/* OpenSSH's publickey method bound to the server's host key. */
#define AUTH_HOSTBOUND "publickey-hostbound-v00@openssh.com"
/* Bytes of the data a publickey signature covers, at most (the
 * host-bound form names a longer method and adds the host key). */
#define AUTH_SIGNED_MAX (4u + NSSH_HASH_MAX + 1u + 4u + NSSH_USER_MAX + \
                         4u + 14u + 4u + 35u + 1u + 4u + AUTH_ALG_NAME_MAX + \
                         4u + NSSH_KEYBLOB_MAX + 4u + NSSH_KEYBLOB_MAX)
/* auth_server.c (both roles): the data a publickey signature covers
 * (RFC 4252 section 7), written to w. */
void auth_signed_data(const nssh_conn *c, wr *w, const uint8_t *user,
                      size_t user_len, const char *alg, const uint8_t *blob,
                      size_t blob_len);
void auth_signed_data_bound(const nssh_conn *c, wr *w, const uint8_t *user,
                            size_t user_len, const char *alg,
                            const uint8_t *blob, size_t blob_len,
                            const uint8_t *hk, size_t hk_len);
/* auth_server.c, for the method files: a malformed USERAUTH message
 * (fatal); a refused attempt, counted (FAILURE or, at the limit, the end);
 * the attempt's result to the auth_result callback; success (user kept,
 * result reported, SUCCESS sent). */
int auth_bad(nssh_conn *c, const char *message, const char *field,
             const char *what);
int auth_failed(nssh_conn *c, nssh_str user);
void auth_report(nssh_conn *c, nssh_str user, const char *method,
                 const char *alg, const uint8_t *blob, size_t blob_len, int ok);
int auth_succeed(nssh_conn *c, nssh_str user, const char *method,
                 const char *alg, const uint8_t *blob, size_t blob_len);
/* auth_publickey.c: the rest of a "publickey" request (RFC 4252
 * section 7). */
int auth_publickey(nssh_conn *c, rd *r, nssh_str user, int user_ok,
                   int hostbound);
/* auth_password.c: the rest of a "password" request (RFC 4252 section 8). */
int auth_password(nssh_conn *c, rd *r, nssh_str user, int user_ok);
/* auth_kbdint.c: a "keyboard-interactive" request and INFO_RESPONSE
 * (RFC 4256). */
int auth_kbdint(nssh_conn *c, rd *r, nssh_str user, int user_ok);
int auth_kbdint_response(nssh_conn *c, rd *r);

/* ---- channel.c / global.c ------------------------------------------------- */
/* Messages 90..100. */
int channel_handle(nssh_conn *c, uint8_t msg, rd *r);
/* Messages 80..82. */
int global_handle(nssh_conn *c, uint8_t msg, rd *r);
/* hostkeys_ext.c: OpenSSH host key rotation (PROTOCOL 2.5). */
int hostkeys_announce(nssh_conn *c);
int hostkeys_is_prove(nssh_str name);
int hostkeys_prove(nssh_conn *c, rd *r, int want_reply);
/* channel.c: the slot for channel id if it is in state (CH_*), or NULL. */
chan *chan_find(nssh_conn *c, uint32_t id, int state);
/* channel.c: read the recipient channel of a received message and check
 * that it is open and not closed by the peer (fails the connection if
 * not). */
int chan_recipient(nssh_conn *c, uint8_t msg, rd *r, uint32_t *id);
/* channel.c: send a message whose only field is the recipient channel
 * (EOF, CLOSE, SUCCESS, FAILURE). */
int chan_send(nssh_conn *c, const chan *h, uint8_t msg);
/* channel.c: a free slot's number, or NSSH_ERR_NOSPACE. */
int chan_alloc(nssh_conn *c);
/* channel.c: may the application send on channel id? 0, the sticky error,
 * NSSH_ERR_CHANNEL (not open) or NSSH_ERR_STATE (our CLOSE was sent). */
int chan_api_check(const nssh_conn *c, uint32_t id);
/* channel.c: free the slot and tell the application once CLOSE has gone
 * both ways (RFC 4254 section 5.3). */
void chan_maybe_free(nssh_conn *c, uint32_t id);
/* channel_req.c: CHANNEL_REQUEST and the replies to ours (98..100). */
int chan_request_handle(nssh_conn *c, uint8_t msg, rd *r);
/* channel_open.c: CHANNEL_OPEN and the answers to ours (90..92). */
int chan_open_handle(nssh_conn *c, uint8_t msg, rd *r);
/* channel_open.c: send CHANNEL_OPEN of type with its type-specific data;
 * returns the local channel number or a negative error. */
long chan_open_send(nssh_conn *c, const char *type, const uint8_t *extra,
                    size_t extra_len);

#endif
