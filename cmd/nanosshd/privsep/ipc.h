/*
 * The privilege-separation IPC: the messages between a connection's
 * sandboxed pre-auth child and its privileged monitor, over a socketpair.
 * A message is uint32 length || byte type || fields (RFC 4251 encodings:
 * uint32, uint64, byte, string). The decoder is the one place that reads
 * what the child sends: every length is checked against the message and
 * against a per-field bound, booleans are 0 or 1, user names hold no NUL,
 * and no byte may be left over. Pure code, no I/O but ipc_send/ipc_recv.
 */
#ifndef NSSHD_PRIVSEP_IPC_H
#define NSSHD_PRIVSEP_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"

/* Largest message: an export blob and its framing, or an answer with a
 * disconnect text and a banner of a whole packet. */
#define IPC_MAX (NSSH_EXPORT_MAX + IPC_TEXT_MAX + 64u)
/* Per-field bounds. */
#define IPC_NAME_MAX 64u        /* method, algorithm names */
/* exchange hash, or signed userauth data: a user key or certificate and,
 * in the host-bound form, the host key or certificate too */
#define IPC_DATA_MAX (2u * NSSH_KEYBLOB_MAX + 1024u)
#define IPC_SIG_MAX 8192u       /* a signature blob (RSA up to 16384 bits) */
#define IPC_PASSWORD_MAX 1024u
#define IPC_TEXT_MAX (32u * 1024u)   /* disconnect text, prompts */
/* The Banner text: the engine sends what fits in one packet, as without
 * privilege separation, so the monitor passes up to a packet's worth. */
#define IPC_BANNER_MAX NSSH_MAX_PACKET

enum {
    /* child to monitor */
    IPC_SIGN = 1,       /* uint32 host key index, string exchange hash */
    IPC_AUTHREQ,        /* string user, string method */
    IPC_PUBKEY,         /* string user, string alg, string blob, bool has_sig */
    IPC_VERIFY,         /* string blob, string data, string signature */
    IPC_PASSWORD,       /* string user, string password, bool "none"
                         * (PermitEmptyPasswords: the password is empty) */
    IPC_RESULT,         /* string user, string method, string alg, string blob,
                         * bool ok, bool partial */
    IPC_EXPORT,         /* string connection state (nssh_conn_export) */
    IPC_KBDINT,         /* string user, string submethods, bool answers,
                         * uint32 n, n x string answer: a keyboard-
                         * interactive start or the answers to a round;
                         * the answer's verdict is success, its data the
                         * next round (ipc_round_encode) or empty */
    IPC_COMPLETE,       /* string user, string method: the monitor's
                         * success of method; verdict 1 complete, 0 more
                         * methods (the answer's auth methods), 2 refused
                         * (the keys' options conflict) */
    /* monitor to child: verdict (0/1; 2 for IPC_COMPLETE), uint32 disconnect reason (0: none),
     * string disconnect text (without a disconnect, IPC_AUTHREQ's answer
     * has the user's signature algorithms there, comma-separated),
     * string data (signature or banner), uint32
     * auth methods, uint32 max tries, uint64 rekey bytes, uint32 rekey
     * seconds, string the user the monitor's logs name, bool that user
     * exists and may log in (for the child's closing log line) */
    IPC_ANSWER = 64
};

typedef struct ipc_bytes {
    const uint8_t *p;   /* view into the message */
    size_t n;
} ipc_bytes;

typedef struct ipc_msg {
    uint8_t type;
    uint32_t index;
    ipc_bytes user, method, alg, blob, data, sig, secret, text;
    int flag, flag2;    /* has_sig / none / answers / ok; partial */
    uint32_t n_resp;    /* IPC_KBDINT answers */
    ipc_bytes resp[NSSH_KBDINT_PROMPTS_MAX];
    /* IPC_ANSWER */
    int verdict;
    uint32_t reason, methods, max_tries, rekey_seconds;
    uint64_t rekey_bytes;
    int valid;
} ipc_msg;

/* Decode one message body (type byte first, without the length):
 * 0, or NSSH_ERR_FORMAT for anything malformed. */
int ipc_decode(const uint8_t *buf, size_t len, ipc_msg *m);

/* Encode m into buf (with the length prefix); returns the size or
 * NSSH_ERR_NOSPACE. */
long ipc_encode(const ipc_msg *m, uint8_t *buf, size_t cap);

/* A round of keyboard-interactive prompts (IPC_KBDINT's answer): string
 * name, string instruction, uint32 n, n x (string prompt, bool echo).
 * Decoding copies the texts into store (cap bytes) for q's pointers. */
long ipc_round_encode(const nssh_kbdint *q, uint8_t *buf, size_t cap);
int ipc_round_decode(const uint8_t *buf, size_t len, nssh_kbdint *q,
                     char *store, size_t cap);

/* Send one encoded message / receive one body into buf[0..cap) (blocking;
 * the descriptor's timeouts apply). ipc_recv refuses a length of 0 or
 * above cap. Both return 0 or NSSH_ERR_IO / NSSH_ERR_FORMAT / NSSH_ERR_EOF. */
int ipc_send(int fd, const uint8_t *buf, size_t len);
int ipc_recv(int fd, uint8_t *buf, size_t cap, size_t *len);

#endif
