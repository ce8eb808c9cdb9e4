/*
 * nanossh: an SSH-2.0 protocol engine with no I/O of its own.
 *
 * The caller owns the socket, the clock, the random source and all memory.
 * It gives the engine received bytes, takes bytes to send, and learns what
 * happened through callbacks:
 *
 *     uint8_t *p = nssh_conn_recvbuf(c, &room);   read up to room bytes to p
 *     nssh_conn_recvd(c, n);                      engine processes them
 *     const uint8_t *q = nssh_conn_sendbuf(c, &len);  write them out
 *     nssh_conn_sent(c, written);
 *     nssh_conn_tick(c, now_ms);                  timers (grace, rekey)
 *
 * Errors are sticky: after the first fatal error the engine queues a
 * DISCONNECT, reports the error to the log callback with stage, message
 * and field, and from then on only drains its output.
 *
 * CONTRACTS. What the caller MUST do; the engine checks what it cheaply
 * can and refuses with a negative NSSH_ERR_* rather than guessing.
 *
 *  - Memory. The caller owns all of it; the engine allocates nothing.
 *    A connection lives in mem given to nssh_conn_init2 (aligned to 16,
 *    at least nssh_conn_mem_size() bytes; NSSH_CONN_MEM_SIZE is a
 *    constant bound for static allocation). mem MUST NOT be moved, freed
 *    or reused until nssh_conn_release has returned.
 *
 *  - Lifetimes. The nssh_config, its callbacks table and everything they
 *    point to (algorithm tables, host keys and their key objects, moduli,
 *    banner) MUST outlive the connection and MUST NOT change while it
 *    runs, except the fields the auth_request callback may change.
 *    Pointers the engine returns (nssh_conn_recvbuf, nssh_conn_sendbuf,
 *    the strings of nssh_conn_info) stay valid until the next call on the
 *    same connection other than a const query. Every nssh_str, nssh_log
 *    and byte pointer passed to a callback is valid only until that
 *    callback returns; copy what must be kept. Secrets passed to a
 *    callback (passwords, keyboard-interactive answers) are wiped when it
 *    returns.
 *
 *  - Threads. One connection is single-threaded: calls on the same
 *    nssh_conn MUST NOT overlap. Different connections share no state
 *    and may run on different threads at once; the rng and the crypto
 *    backend MUST then be thread-safe (the OpenSSL backend is).
 *
 *  - Re-entrancy. Callbacks run inside nssh_conn_recvd, nssh_conn_feed,
 *    nssh_conn_sent, nssh_conn_tick and the channel calls. Inside a
 *    callback the application MAY call, on the same connection: the
 *    nssh_channel_* calls, nssh_conn_disconnect, nssh_conn_global_request,
 *    nssh_conn_rekey, the nssh_client_* calls and the const queries. It
 *    MUST NOT call nssh_conn_recvd, nssh_conn_feed, nssh_conn_sent,
 *    nssh_conn_tick, nssh_conn_init2 / nssh_conn_init or
 *    nssh_conn_release on that connection from a callback.
 *
 *  - Callback answers. Every callback that decides (auth_pubkey,
 *    auth_password, kbdint_start, kbdint_respond, check_hostkey,
 *    channel_open, channel_request, global_request)
 *    returns NSSH_CB_ACCEPT to say yes and NSSH_CB_REFUSE (zero) to say
 *    no; keyboard-interactive may also answer NSSH_CB_MORE and
 *    channel_open NSSH_CB_LATER or NSSH_CB_REFUSE_REASON(code). Any
 *    other value is a refusal, so a zero-initialised or forgotten answer
 *    always refuses, denies or fails.
 *
 *  - Errors. Calls that can fail return 0 or more on success and a
 *    negative NSSH_ERR_* on failure; nssh_strerror names it. A fatal
 *    error is kept (nssh_conn_error) and every later call returns it.
 */
#ifndef NANOSSH_H
#define NANOSSH_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_opts.h"
#include "nanossh_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NSSH_VERSION_STRING "0.1.0"

/* ---- Errors ------------------------------------------------------------ */
enum {
    NSSH_OK = 0,
    NSSH_ERR_FORMAT = -1,        /* malformed field in a message */
    NSSH_ERR_PACKET = -2,        /* bad packet length or padding */
    NSSH_ERR_MAC = -3,           /* integrity check failed */
    NSSH_ERR_VERSION = -4,       /* bad or unsupported version line */
    NSSH_ERR_NEGOTIATE = -5,     /* no algorithm in common */
    NSSH_ERR_KEX_VALUE = -6,     /* invalid key exchange value */
    NSSH_ERR_SIGNATURE = -7,     /* signature did not verify */
    NSSH_ERR_KEY = -8,           /* malformed or unsupported key */
    NSSH_ERR_HOSTKEY = -9,       /* host key refused (client role) */
    NSSH_ERR_UNEXPECTED = -10,   /* message not allowed now */
    NSSH_ERR_NOSPACE = -11,      /* buffer too small */
    NSSH_ERR_CRYPTO = -12,       /* backend failure */
    NSSH_ERR_RNG = -13,          /* random source failed */
    NSSH_ERR_AUTH_TRIES = -14,   /* too many authentication failures */
    NSSH_ERR_TIMEOUT = -15,      /* grace time or peer timeout */
    NSSH_ERR_PEER_DISCONNECT = -16, /* peer sent DISCONNECT */
    NSSH_ERR_APP = -17,          /* the application ended the connection */
    NSSH_ERR_STATE = -18,        /* API call not valid in this state */
    NSSH_ERR_CHANNEL = -19,      /* bad channel number or channel protocol */
    NSSH_ERR_CLOSED = -20,       /* connection already closed */
    NSSH_ERR_UNSUPPORTED = -21,  /* feature not compiled in */
    NSSH_ERR_INTERNAL = -22,
    NSSH_ERR_EOF = -23,          /* peer closed the transport */
    NSSH_ERR_CONFIG = -24,       /* nssh_conn_init2: config or memory unusable */
    NSSH_ERR_IO = -25            /* adapter: the system refused (errno says why) */
};

/* Text for an error code; never NULL. */
NSSH_API const char *nssh_strerror(int err);

/* SSH DISCONNECT reason codes (RFC 4253 section 11.1). */
enum {
    NSSH_DISC_HOST_NOT_ALLOWED = 1,
    NSSH_DISC_PROTOCOL_ERROR = 2,
    NSSH_DISC_KEY_EXCHANGE_FAILED = 3,
    NSSH_DISC_RESERVED = 4,
    NSSH_DISC_MAC_ERROR = 5,
    NSSH_DISC_COMPRESSION_ERROR = 6,
    NSSH_DISC_SERVICE_NOT_AVAILABLE = 7,
    NSSH_DISC_PROTOCOL_VERSION = 8,
    NSSH_DISC_HOST_KEY_NOT_VERIFIABLE = 9,
    NSSH_DISC_CONNECTION_LOST = 10,
    NSSH_DISC_BY_APPLICATION = 11,
    NSSH_DISC_TOO_MANY_CONNECTIONS = 12,
    NSSH_DISC_AUTH_CANCELLED = 13,
    NSSH_DISC_NO_MORE_AUTH_METHODS = 14,
    NSSH_DISC_ILLEGAL_USER_NAME = 15
};

/* ---- Views --------------------------------------------------------------- */
/* A byte string inside a received packet. Valid only during the callback
 * that receives it. Not NUL-terminated. */
typedef struct nssh_str {
    const char *p;
    size_t n;
} nssh_str;

/* ---- Logging ----------------------------------------------------------- */
enum { NSSH_LOG_ERROR = 0, NSSH_LOG_INFO = 1, NSSH_LOG_VERBOSE = 2, NSSH_LOG_DEBUG = 3 };

/*
 * A log record. err is set on the record of the fatal error (one per
 * connection). The peer's DISCONNECT arrives as err NSSH_ERR_PEER_DISCONNECT,
 * message "SSH_MSG_DISCONNECT", text "<reason code>: <description>"; a
 * closed transport as err NSSH_ERR_EOF.
 */
typedef struct nssh_log {
    int level;            /* NSSH_LOG_* */
    int err;              /* NSSH_ERR_* or 0 */
    const char *stage;    /* "version", "kex", "auth", "connection", ... */
    const char *message;  /* "SSH_MSG_KEXINIT" or NULL */
    const char *field;    /* "encryption_algorithms_client_to_server" or NULL */
    const char *text;     /* a complete human sentence */
} nssh_log;

/* ---- Channel requests (RFC 4254 section 6) ----------------------------- */
enum {
    NSSH_REQ_OTHER = 0,
    NSSH_REQ_PTY,            /* pty-req */
    NSSH_REQ_SHELL,          /* shell */
    NSSH_REQ_EXEC,           /* exec: text = command */
    NSSH_REQ_SUBSYSTEM,      /* subsystem: text = name */
    NSSH_REQ_ENV,            /* env: name, text = value */
    NSSH_REQ_WINDOW_CHANGE,  /* window-change */
    NSSH_REQ_SIGNAL,         /* signal: name = signal name without SIG */
    NSSH_REQ_EXIT_STATUS,    /* exit-status (client role) */
    NSSH_REQ_EXIT_SIGNAL,    /* exit-signal (client role): name, core, text */
    NSSH_REQ_KEEPALIVE       /* keepalive@openssh.com and friends */
};

typedef struct nssh_chan_req {
    int kind;             /* NSSH_REQ_* */
    nssh_str type;        /* request name as sent */
    int want_reply;
    nssh_str name;        /* env name, signal name, pty TERM */
    nssh_str text;        /* exec command, subsystem, env value, exit-signal message */
    uint32_t cols, rows, width_px, height_px;   /* pty-req, window-change */
    nssh_str modes;       /* pty-req encoded terminal modes (RFC 4254 section 8) */
    uint32_t exit_status; /* exit-status */
    int core_dumped;      /* exit-signal */
    const uint8_t *raw;   /* request-specific data after want_reply */
    size_t raw_len;
} nssh_chan_req;

/* ---- Callbacks ----------------------------------------------------------- */
/* Answers of every deciding callback (see "Callback answers" above).
 * Zero is the refusal, so that an answer nobody set is the safe one. */
enum {
    NSSH_CB_REFUSE = 0,  /* deny, refuse, fail */
    NSSH_CB_ACCEPT = 1,  /* allow, accept, succeed */
    NSSH_CB_MORE = 2,    /* kbdint_*: another round of prompts is in *q */
    NSSH_CB_LATER = 3    /* channel_open: answered later, see
                          * nssh_channel_open_confirm() */
};
/* channel_open: refuse with an RFC 4254 section 5.1 reason code (1..4,
 * NSSH_OPEN_* below); NSSH_CB_REFUSE refuses with
 * NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED. */
#define NSSH_CB_REFUSE_REASON(code) (-(int)(code))

/* Authentication methods (bit set). */
#define NSSH_METHOD_PUBLICKEY 0x1u
#define NSSH_METHOD_PASSWORD 0x2u
#define NSSH_METHOD_KBDINT 0x4u

typedef struct nssh_conn nssh_conn;

/* One round of keyboard-interactive prompts (RFC 4256 section 3.2), filled
 * by the application. The strings MUST stay valid until the callback that
 * filled it returns; the engine copies them into SSH_MSG_USERAUTH_INFO_REQUEST
 * at once. NULL name or instruction means empty. */
typedef struct nssh_kbdint {
    const char *name;
    const char *instruction;
    unsigned n_prompts;            /* 0 .. NSSH_KBDINT_PROMPTS_MAX */
    struct {
        const char *text;          /* "Password: " */
        int echo;                  /* show what the user types */
    } prompt[NSSH_KBDINT_PROMPTS_MAX];
} nssh_kbdint;

typedef struct nssh_callbacks {
    /* Every log record. May be NULL. */
    void (*log)(void *user, const nssh_log *rec);

    /* --- server role --- */
    /* Is this public key acceptable for this user? Called for the query
     * (has_sig 0) and again before the signature is checked (has_sig 1).
     * Return NSSH_CB_ACCEPT or NSSH_CB_REFUSE. */
    int (*auth_pubkey)(void *user, nssh_str username, const char *alg_name,
                       const uint8_t *blob, size_t blob_len, int has_sig);
    /* Result of a userauth attempt with a method other than none (or of
     * an accepted "none"): ok is 1 for success, partial 1 when more
     * methods must follow (auth_complete). For logging ("Accepted
     * publickey for ...", "Partial publickey for ..."). */
    void (*auth_result)(void *user, nssh_str username, const char *method,
                        const char *alg_name, const uint8_t *blob,
                        size_t blob_len, int ok, int partial);

    /* A channel was opened by the peer. type is "session" and so on.
     * Return NSSH_CB_ACCEPT, NSSH_CB_REFUSE, NSSH_CB_REFUSE_REASON(code)
     * to refuse with an RFC 4254 reason code (1..4), or NSSH_CB_LATER to
     * answer later (see nssh_channel_open_confirm). */
    int (*channel_open)(void *user, uint32_t ch, nssh_str type,
                        const uint8_t *extra, size_t extra_len);
    /* A channel request. Return NSSH_CB_ACCEPT for success, NSSH_CB_REFUSE
     * for failure; the engine
     * sends CHANNEL_SUCCESS/FAILURE when want_reply is set. */
    int (*channel_request)(void *user, uint32_t ch, const nssh_chan_req *req);
    /* Data arrived (ext 0) or extended data (ext 1 = stderr). The window is
     * not reopened until the application calls nssh_channel_consume(). */
    void (*channel_data)(void *user, uint32_t ch, uint32_t ext,
                         const uint8_t *data, size_t len);
    void (*channel_eof)(void *user, uint32_t ch);
    /* The channel is gone (CLOSE sent and received); ch may be reused. */
    void (*channel_closed)(void *user, uint32_t ch);
    /* A global request other than the ones the engine answers itself.
     * Return NSSH_CB_ACCEPT for success, NSSH_CB_REFUSE for failure. May
     * be NULL (failure). On success the application may write
     * response-specific data for SSH_MSG_REQUEST_SUCCESS (RFC 4254
     * section 4) to reply, at most reply_cap bytes, and set *reply_len
     * (0 on entry): a "tcpip-forward" for port 0 answers the port it
     * bound (section 7.1). */
    int (*global_request)(void *user, nssh_str name, const uint8_t *data,
                          size_t len, int want_reply, uint8_t *reply,
                          size_t reply_cap, size_t *reply_len);

    /* --- client role --- */
    /* Accept the server's host key? Return NSSH_CB_ACCEPT or NSSH_CB_REFUSE. */
    int (*check_hostkey)(void *user, const char *alg_name,
                         const uint8_t *blob, size_t blob_len);
    /* Authentication finished (ok 1) or the server refused (ok 0) with the
     * methods it still allows in methods. */
    void (*client_auth)(void *user, int ok, nssh_str methods);
    /* A reply to a channel request we sent with want_reply. */
    void (*client_channel_reply)(void *user, uint32_t ch, int ok);

    /* --- server role: password and keyboard-interactive --- */
    /* Method "password" (RFC 4252 section 8). password is a view into the
     * received packet, wiped by the engine when this returns: copy it
     * only as long as it is needed, wipe the copy, never log it. Return
     * NSSH_CB_ACCEPT or NSSH_CB_REFUSE. NULL: the method is refused. A
     * password change request is refused without calling this. */
    int (*auth_password)(void *user, nssh_str username, nssh_str password);
    /* Method "keyboard-interactive" (RFC 4256): the first round. submethods
     * is the client's hint. Fill *q (zeroed by the engine) and return
     * NSSH_CB_MORE to send the prompts, or NSSH_CB_ACCEPT / NSSH_CB_REFUSE at
     * once. Both kbdint callbacks must be set for the method. */
    int (*kbdint_start)(void *user, nssh_str username, nssh_str submethods,
                        nssh_kbdint *q);
    /* The answers to the last round, one per prompt, in order (views into
     * the packet, wiped when this returns; never log them). Return
     * NSSH_CB_ACCEPT, NSSH_CB_REFUSE, or NSSH_CB_MORE with *q (zeroed)
     * filled with the next round. A new USERAUTH_REQUEST from the client
     * abandons the exchange without a call (RFC 4252 section 5). */
    int (*kbdint_respond)(void *user, nssh_str username,
                          const nssh_str *responses, size_t n_responses,
                          nssh_kbdint *q);

    /* --- both roles: channels we open --- */
    /* The peer answered a CHANNEL_OPEN sent with nssh_channel_open() or
     * nssh_client_open_session(): confirmed (ok 1) or refused (ok 0 with
     * its RFC 4254 section 5.1 reason code and description; the channel
     * number is free again). May be NULL. */
    void (*channel_open_reply)(void *user, uint32_t ch, int ok,
                               uint32_t reason, nssh_str desc);

    /* --- server role: per-user settings --- */
    /* A USERAUTH_REQUEST arrived (RFC 4252 section 5), before its method
     * is handled and before the banner is sent: the place to apply
     * per-user settings. From here the application may change
     * auth_methods, auth_max_tries, sig_algs, rekey_bytes, rekey_seconds
     * and banner in its nssh_config; the engine reads them afterwards.
     * It may end the connection with nssh_conn_disconnect(). Not called
     * for a user name the engine refuses itself (empty, too long, NUL).
     * May be NULL. */
    void (*auth_request)(void *user, nssh_str username, nssh_str method);

    /* --- both roles --- */
    /* The answer to a global request sent with nssh_conn_global_request()
     * and want_reply: REQUEST_SUCCESS (ok 1, with its response-specific
     * data) or REQUEST_FAILURE (ok 0). Answers come in the order the
     * requests were sent (RFC 4254 section 4). May be NULL. */
    void (*global_answer)(void *user, int ok, const uint8_t *data,
                          size_t len);

    /* --- server role: several methods, method "none" --- */
    /* A method succeeded for username: a signature verified, a password
     * or the answers accepted (blob is the user key for "publickey",
     * NULL otherwise). Return NSSH_CB_ACCEPT when that completes
     * authentication (USERAUTH_SUCCESS), or NSSH_CB_MORE when more
     * methods must follow (sshd's AuthenticationMethods): the engine then
     * answers USERAUTH_FAILURE with partial success TRUE (RFC 4252
     * section 5.1) listing the methods in auth_methods, which the
     * callback sets to those that may continue, and reports auth_result
     * with ok 1 and partial 1; a partial success is not a failed attempt.
     * NSSH_CB_REFUSE turns the success into a counted failure. NULL:
     * every success completes. */
    int (*auth_complete)(void *user, nssh_str username, const char *method,
                         const uint8_t *blob, size_t blob_len);
    /* Method "none" (RFC 4252 section 5.2): NSSH_CB_ACCEPT lets the user
     * in without a credential (then auth_complete as for any method),
     * e.g. an account whose password is empty under sshd's
     * PermitEmptyPasswords. NULL or NSSH_CB_REFUSE: FAILURE with the
     * methods, counted as an attempt (auth_max_tries) unless this was
     * the connection's first request, as in sshd. */
    int (*auth_none)(void *user, nssh_str username);

    /* --- server role: security keys --- */
    /* A security-key signature (an algorithm with NSSH_SIG_SK) verified;
     * sk_flags is the authenticator's flags byte (NSSH_SK_*) and counter
     * its signature counter (OpenSSH PROTOCOL.u2f), both signed. Return
     * NSSH_CB_ACCEPT or NSSH_CB_REFUSE. NULL: accepted only with
     * NSSH_SK_USER_PRESENT set, sshd's default. */
    int (*auth_sk)(void *user, nssh_str username, const char *alg_name,
                   const uint8_t *blob, size_t blob_len, unsigned sk_flags,
                   uint32_t counter);
} nssh_callbacks;

/* Flags of a security-key signature (PROTOCOL.u2f, FIDO's authenticator
 * data flags). */
#define NSSH_SK_USER_PRESENT 0x01u    /* the user touched the key */
#define NSSH_SK_USER_VERIFIED 0x04u   /* PIN or biometric checked */

/* ---- Diagnostic trace ------------------------------------------------- */
/*
 * Raw views of a connection for diagnostic tools (nanossh-probe): every
 * payload as framed or as received, and the shared secret K. The calls
 * are compiled only with NSSH_ENABLE_TRACE (nanossh_opts.h); without it a
 * trace set in nssh_config is ignored. K is secret: a trace MUST NOT be
 * set by anything but a diagnostic tool, and the tool MUST wipe what it
 * keeps. Either pointer may be NULL. The views are valid only during the
 * call; the callbacks MUST NOT call into the engine.
 */
typedef struct nssh_trace {
    /* A payload (message byte first): sent 1 when framed for sending,
     * before padding and encryption; sent 0 when received, after
     * decryption and the MAC and padding checks, before it is handled.
     * seq is the packet's sequence number in that direction. */
    void (*packet)(void *user, int sent, uint32_t seq,
                   const uint8_t *payload, size_t len);
    /* K of a key exchange as it enters the exchange hash and the key
     * derivation (RFC 4253 section 7.2): an mpint or, for the PQ hybrids,
     * a string, length prefix included. */
    void (*shared_secret)(void *user, const uint8_t *k, size_t len);
    void *user;
} nssh_trace;

/* ---- Configuration ----------------------------------------------------- */
enum { NSSH_ROLE_SERVER = 0, NSSH_ROLE_CLIENT = 1 };

typedef struct nssh_config {
    int role;                      /* NSSH_ROLE_* */
    const char *software;          /* "nanossh_0.1.0" in the version line */

    /* Algorithms in order of preference. */
    const nssh_kem *const *kems;           size_t n_kems;
    const nssh_cipher *const *ciphers;     size_t n_ciphers;
    const nssh_mac *const *macs;           size_t n_macs;
    /* Server: host keys offered. Client: unused. */
    const nssh_hostkey *hostkeys;          size_t n_hostkeys;
    /* Server: user key algorithms accepted (also server-sig-algs).
     * Client: host key algorithms accepted. */
    const nssh_sig_alg *const *sig_algs;   size_t n_sig_algs;

    /* Server: methods allowed (NSSH_METHOD_*). */
    unsigned auth_methods;
    uint32_t auth_max_tries;      /* 0: NSSH_DEFAULT_AUTH_TRIES */
    uint32_t login_grace_ms;      /* 0: no limit */
    uint64_t rekey_bytes;         /* 0: NSSH_DEFAULT_REKEY_BYTES */
    uint32_t rekey_seconds;       /* 0: no time limit */

    /* Server: groups for diffie-hellman-group-exchange (none: the
     * backend's built-in groups). */
    const nssh_modulus *moduli;            size_t n_moduli;
    /* Server: the largest group-exchange group handed out, in bits
     * (0: 8192, RFC 4419's largest). Requests above are served from
     * below this size, or refused when the client's minimum is above. */
    uint32_t gex_max_bits;

    nssh_rng_fn rng;               /* REQUIRED */
    void *rng_user;
    const nssh_callbacks *cb;      /* REQUIRED */
    void *user;                    /* passed to every callback */

    /* Server: text sent as SSH_MSG_USERAUTH_BANNER (RFC 4252 section 5.4),
     * once, in answer to the first USERAUTH_REQUEST; NULL or "" for none.
     * UTF-8; too long for one packet, it is left out (and logged). */
    const char *banner;

    /* Diagnostic trace (see nssh_trace); NULL for none. Used only when
     * the engine was built with NSSH_ENABLE_TRACE. */
    const nssh_trace *trace;

    unsigned flags;                /* NSSH_CONFIG_* */
} nssh_config;

/* Server: keep each direction's keys as derived, and after sending
 * USERAUTH_SUCCESS read nothing more (nssh_conn_state says NSSH_HELD)
 * until the state is taken with nssh_conn_export. For a pre-auth process
 * that hands the authenticated connection to another one. */
#define NSSH_CONFIG_HANDOFF 0x1u

/* ---- Connection ----------------------------------------------------------- */
/* Bytes of caller memory one connection needs (state and buffers). */
NSSH_API size_t nssh_conn_mem_size(void);

/* The same as a constant expression, for static allocation: at least
 * nssh_conn_mem_size() for the options this header was compiled with (a
 * build check in the engine and a unit test hold it to that). The
 * buffers sized by nanossh_opts.h plus a fixed allowance for the state. */
#define NSSH_MAX_(a, b) ((a) > (b) ? (a) : (b))
/* Client role: the KEM secret key and Q_C kept for the exchange hash; a
 * server-only build holds only a group-exchange exponent. */
#if NSSH_ENABLE_CLIENT
#define NSSH_KX_KEYS_ \
    (NSSH_MAX_(NSSH_KEM_SK_MAX, NSSH_DH_MAX) + NSSH_MAX_(NSSH_KEM_PK_MAX, NSSH_DH_MAX))
#else
#define NSSH_KX_KEYS_ NSSH_DH_MAX
#endif
#define NSSH_CONN_MEM_SIZE                                                \
    ((4u + NSSH_MAX_PACKET + 64u)              /* input buffer */         \
     + (NSSH_OUTBUF_SIZE + 5u + 319u)          /* output buffer */        \
     + NSSH_DEFER_SIZE                         /* replies held in kex */  \
     + NSSH_KEXINIT_MAX + NSSH_KX_KEYS_        /* key exchange */         \
     + NSSH_MAX_(NSSH_KEM_SS_MAX, NSSH_DH_MAX) + 5u + NSSH_DH_MAX         \
     + 2u * (NSSH_CIPHER_CTX_SIZE + NSSH_MAC_CTX_SIZE)                    \
     + NSSH_HASH_CTX_SIZE + 2u * NSSH_HASH_MAX                            \
     + 2u * NSSH_USER_MAX + 32u * NSSH_MAX_CHANNELS                       \
     + 2048u)                                  /* the rest, aligned */

/*
 * Set up a connection in mem and say why when it cannot. Preconditions:
 * mem is aligned to 16 and at least nssh_conn_mem_size() bytes; cfg has
 * rng, cb, at least one KEM and one cipher, host keys (server) or
 * signature algorithms (client); every table's sizes fit this build's
 * buffers (nanossh_opts.h). The config and everything it points to MUST
 * outlive the connection and MUST NOT change while it runs, except where
 * the auth_request callback says so. now_ms is the caller's monotonic
 * clock. The version line goes to the send buffer at once.
 *
 * Returns 0 with *out set, or a negative error with *out NULL and *why
 * (when why is not NULL) set to a constant sentence:
 *   NSSH_ERR_NOSPACE      mem NULL or smaller than nssh_conn_mem_size()
 *   NSSH_ERR_UNSUPPORTED  the role is not compiled in
 *   NSSH_ERR_CONFIG       anything else (alignment, a missing field, a
 *                         table whose sizes do not fit)
 */
NSSH_API int nssh_conn_init2(void *mem, size_t mem_len, const nssh_config *cfg,
                             uint64_t now_ms, nssh_conn **out,
                             const char **why);
/* nssh_conn_init2 without the reason: the connection or NULL. */
NSSH_API nssh_conn *nssh_conn_init(void *mem, size_t mem_len, const nssh_config *cfg,
                                   uint64_t now_ms);

/* Release what the crypto backend holds for this connection and wipe its
 * keys. MUST be called once before the memory is freed or reused. */
NSSH_API void nssh_conn_release(nssh_conn *c);

/* Where to put received bytes: returns a pointer and sets *room (0 when the
 * engine cannot take input now, for example while its output is full). */
NSSH_API uint8_t *nssh_conn_recvbuf(nssh_conn *c, size_t *room);
/* n bytes were written at the recvbuf pointer. n == 0 means the peer closed
 * the transport. Processes every complete packet. Returns 0 or the sticky
 * error. */
NSSH_API int nssh_conn_recvd(nssh_conn *c, size_t n);
/* Copying form of the two calls above: returns bytes consumed (may be less
 * than len when the engine is full) or a negative error. */
NSSH_API long nssh_conn_feed(nssh_conn *c, const uint8_t *data, size_t len);

/* Bytes waiting to be sent (NULL and 0 when none). The pointer is valid
 * until the next call on c other than nssh_conn_sendbuf. */
NSSH_API const uint8_t *nssh_conn_sendbuf(nssh_conn *c, size_t *len);
/* n of those bytes were written. n MUST NOT exceed the length sendbuf
 * reported: a larger n is refused (NSSH_ERR_STATE, nothing consumed)
 * rather than clamped, since it means the caller lost track. Returns 0. */
NSSH_API int nssh_conn_sent(nssh_conn *c, size_t n);

/* Advance timers. Returns 0 or the sticky error. */
NSSH_API int nssh_conn_tick(nssh_conn *c, uint64_t now_ms);
/* Milliseconds until the engine needs a tick (UINT64_MAX: none). */
NSSH_API uint64_t nssh_conn_next_timeout(const nssh_conn *c, uint64_t now_ms);

#define NSSH_WANT_READ 0x1u
#define NSSH_WANT_WRITE 0x2u
#define NSSH_CLOSED 0x4u  /* nothing more to send or receive; free it */
#define NSSH_HELD 0x8u    /* NSSH_CONFIG_HANDOFF: authenticated, to export */
NSSH_API unsigned nssh_conn_state(const nssh_conn *c);

/* The sticky error, 0 while healthy. */
NSSH_API int nssh_conn_error(const nssh_conn *c);

/* End the connection with DISCONNECT (reason NSSH_DISC_*). */
NSSH_API void nssh_conn_disconnect(nssh_conn *c, uint32_t reason, const char *text);

/*
 * Hand-off of an authenticated server connection (privilege separation):
 * a sandboxed process runs the engine with NSSH_CONFIG_HANDOFF until
 * NSSH_HELD, writes out what it sent, then exports; its monitor imports
 * into a connection it set up with nssh_conn_init2 from a config with the
 * same algorithm tables and host keys (its version line and KEXINIT, not
 * yet sent, are dropped).
 *
 * nssh_conn_export writes the transport state (versions, session id,
 * strict-KEX and ext-info flags, both directions' algorithms, keys,
 * cipher positions and sequence numbers, the user and method) and the
 * received bytes not yet read into out[0..cap), sets *len, and returns 0;
 * NSSH_ERR_STATE unless held with nothing left to send, NSSH_ERR_NOSPACE
 * when cap is short (NSSH_EXPORT_MAX is enough). The blob holds keys:
 * wipe it after use.
 *
 * nssh_conn_import treats the blob as hostile: every length and name is
 * checked against the config (unknown algorithm, a field too long, a
 * state not authenticated: NSSH_ERR_FORMAT, nothing taken). On success
 * the connection is authenticated as the exported user and the buffered
 * bytes are processed (callbacks may run). user/user_cap (may be NULL)
 * receive the user name for the caller to compare with its own record.
 */
#define NSSH_EXPORT_MAX (NSSH_MAX_PACKET + 4096u)
NSSH_API int nssh_conn_export(nssh_conn *c, uint8_t *out, size_t cap,
                              size_t *len);
NSSH_API int nssh_conn_import(nssh_conn *c, const uint8_t *blob, size_t len,
                              char *user, size_t user_cap);

/* Start a key exchange now (no-op while one is running). */
NSSH_API int nssh_conn_rekey(nssh_conn *c);

/* Send SSH_MSG_GLOBAL_REQUEST (RFC 4254 section 4): name, then data as
 * the request-specific part (may be NULL). With want_reply the answer
 * comes through the global_answer callback. Allowed once the first key
 * exchange is done and, in the server role, the client authenticated
 * (NSSH_ERR_STATE before). keepalive@openssh.com with want_reply is how a
 * server checks that the client is alive: any answer means it is. */
NSSH_API int nssh_conn_global_request(nssh_conn *c, const char *name,
                                      const uint8_t *data, size_t len, int want_reply);

/* Negotiated state, for logs. Strings stay valid for the connection. */
typedef struct nssh_conn_info {
    const char *peer_version;      /* whole version line, without CR LF */
    const char *kex, *hostkey, *cipher_in, *cipher_out, *mac_in, *mac_out;
    const char *username;          /* once authentication succeeded */
    const char *auth_method;
    int authenticated;
    unsigned kex_count;            /* completed key exchanges */
    uint64_t bytes_in, bytes_out;
    const uint8_t *session_id;
    size_t session_id_len;
    /* Server: finite-field Diffie-Hellman computations done (classic
     * groups and group exchange), the costly kind a client can ask for
     * at will; a server may charge them to the client's address. */
    unsigned dh_count;
} nssh_conn_info;
NSSH_API void nssh_conn_get_info(const nssh_conn *c, nssh_conn_info *info);

/* ---- Channels ------------------------------------------------------------ */
/* Channel numbers are the local ids (0 .. NSSH_MAX_CHANNELS-1). */

/* Queue channel data (ext 0) or stderr (ext 1). Returns bytes accepted:
 * limited by the peer's window and packet size and by output room; 0
 * during a key exchange. Negative on error. */
NSSH_API long nssh_channel_write(nssh_conn *c, uint32_t ch, uint32_t ext,
                                 const uint8_t *data, size_t len);
/* How many bytes nssh_channel_write would accept now. */
NSSH_API size_t nssh_channel_writable(const nssh_conn *c, uint32_t ch);

/* A piece of memory to fill (nssh_channel_reserve). */
typedef struct nssh_iovec {
    uint8_t *p;
    size_t len;
} nssh_iovec;
/*
 * Zero-copy nssh_channel_write: the data fields of up to max_iov channel
 * data packets (ext as for nssh_channel_write), in place in the send
 * buffer, as much as the peer's window, its packet size and the buffer
 * allow. Fill them in order (one readv() from a pipe can fill them all),
 * then nssh_channel_commit. Returns how many iov were set (0: nothing
 * can be sent now). The memory is valid only until the next call into
 * the engine: reserve and commit with nothing in between.
 */
NSSH_API size_t nssh_channel_reserve(nssh_conn *c, uint32_t ch, uint32_t ext,
                                     nssh_iovec *iov, size_t max_iov);
/* Send the first n bytes written into the last reservation (ch and ext
 * as given to it; n at most the sum of its lengths), which ends it.
 * Returns n, or a negative error (NSSH_ERR_STATE: no such reservation). */
NSSH_API long nssh_channel_commit(nssh_conn *c, uint32_t ch, uint32_t ext,
                                  size_t n);
/* The application consumed n bytes of received data: reopen the window. */
NSSH_API int nssh_channel_consume(nssh_conn *c, uint32_t ch, size_t n);
/* Send exit-status / exit-signal (server role). */
NSSH_API int nssh_channel_exit_status(nssh_conn *c, uint32_t ch, uint32_t status);
NSSH_API int nssh_channel_exit_signal(nssh_conn *c, uint32_t ch, const char *signame,
                                      int core_dumped, const char *msg);
/* Send EOF; then CLOSE. channel_closed fires when both CLOSEs are done. */
NSSH_API int nssh_channel_eof(nssh_conn *c, uint32_t ch);
NSSH_API int nssh_channel_close(nssh_conn *c, uint32_t ch);

/* Reason codes of a refused channel open (RFC 4254 section 5.1). */
enum {
    NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED = 1,
    NSSH_OPEN_CONNECT_FAILED = 2,
    NSSH_OPEN_UNKNOWN_CHANNEL_TYPE = 3,
    NSSH_OPEN_RESOURCE_SHORTAGE = 4
};
/* channel_open may also return NSSH_CB_LATER: the channel is held until
 * the application answers with nssh_channel_open_confirm() or
 * nssh_channel_open_refuse() (for example once a forwarded TCP connection
 * is made). No data, request or close arrives on it before the answer. */
NSSH_API int nssh_channel_open_confirm(nssh_conn *c, uint32_t ch);
/* reason is a code above; desc (may be NULL: the reason's name) is the
 * text the peer shows. */
NSSH_API int nssh_channel_open_refuse(nssh_conn *c, uint32_t ch, uint32_t reason,
                                      const char *desc);

/* Open a channel of this type (RFC 4254 section 5.1) after authentication,
 * either role; extra is the type-specific data (for "forwarded-tcpip" see
 * nssh_tcpip_build). Returns the local channel number; channel_open_reply
 * says when the peer answered. Data may be written only after that. */
NSSH_API long nssh_channel_open(nssh_conn *c, const char *type, const uint8_t *extra,
                                size_t extra_len);

/* The fields of TCP/IP forwarding (RFC 4254 section 7). Requests
 * "tcpip-forward" / "cancel-tcpip-forward" carry host (address to bind)
 * and port; channel opens "direct-tcpip" (host and port to connect to)
 * and "forwarded-tcpip" (address and port that were connected) carry the
 * originator too (with_originator 1). */
typedef struct nssh_tcpip {
    nssh_str host;
    uint32_t port;
    nssh_str orig_host;
    uint32_t orig_port;
} nssh_tcpip;
/* Parse request or channel-open data; the strings point into data.
 * Fails with NSSH_ERR_FORMAT on malformed data or a port above 65535. */
NSSH_API int nssh_tcpip_parse(const uint8_t *data, size_t len, int with_originator,
                              nssh_tcpip *t);
/* Encode into out; returns the length or NSSH_ERR_NOSPACE. */
NSSH_API long nssh_tcpip_build(uint8_t *out, size_t cap, const nssh_tcpip *t,
                               int with_originator);

/* ---- Client role ---------------------------------------------------------- */
/* Authenticate with a public key after the key exchange; the engine sends
 * the service request when needed. The key and strings MUST stay valid
 * until client_auth is called. */
NSSH_API int nssh_client_auth_pubkey(nssh_conn *c, const char *username,
                                     const nssh_sig_alg *alg, const nssh_key *key,
                                     const uint8_t *blob, size_t blob_len);
/* Try "none" (learns the allowed methods). */
NSSH_API int nssh_client_auth_none(nssh_conn *c, const char *username);
/* Authenticate with a password (RFC 4252 section 8). The password MUST
 * stay valid until client_auth is called; the engine copies it only into
 * the encrypted packet. */
NSSH_API int nssh_client_auth_password(nssh_conn *c, const char *username,
                                       const char *password);
/* Open a session channel; returns the local channel number. */
NSSH_API int nssh_client_open_session(nssh_conn *c);
/* Send a channel request (exec, shell, pty-req, env, subsystem, signal,
 * window-change) described by req (kind and fields used; type ignored). */
NSSH_API int nssh_client_channel_request(nssh_conn *c, uint32_t ch,
                                         const nssh_chan_req *req);
/* Is the key exchange done and authentication possible (client role)? */
NSSH_API int nssh_client_ready(const nssh_conn *c);

#ifdef __cplusplus
}
#endif
#endif
