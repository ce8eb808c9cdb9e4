/*
 * nanossh compile-time options.
 *
 * Every value here may be overridden by defining it before this header is
 * included (for example with -D on the compiler command line, or from a
 * header named by NSSH_USER_OPTS). The engine's memory use follows from
 * these numbers: see NSSH_CONN_MEM_SIZE in nanossh.h.
 */
#ifndef NANOSSH_OPTS_H
#define NANOSSH_OPTS_H

#ifdef NSSH_USER_OPTS
#include NSSH_USER_OPTS
#endif

/* Roles compiled into the engine. */
#ifndef NSSH_ENABLE_SERVER
#define NSSH_ENABLE_SERVER 1
#endif
#ifndef NSSH_ENABLE_CLIENT
#define NSSH_ENABLE_CLIENT 1
#endif

/* Diagnostic trace hooks (nssh_config.trace): the calls into them are
 * compiled only when this is 1. Off by default, so firmware never carries
 * them; the hosted library (CMake) turns them on for nanossh-probe. */
#ifndef NSSH_ENABLE_TRACE
#define NSSH_ENABLE_TRACE 0
#endif

/*
 * Largest binary packet accepted or sent, counting packet_length's value
 * (padding_length || payload || padding). RFC 4253 section 6.1 requires at
 * least 35000; OpenSSH accepts 256 KiB.
 */
#ifndef NSSH_MAX_PACKET
#define NSSH_MAX_PACKET (256u * 1024u)
#endif

/* Channels open at once on one connection. Each costs the engine 24 bytes
 * of connection memory (NSSH_CONN_MEM_SIZE counts 32), so a hosted build
 * allows as many as a busy client opens: ControlMaster multiplexing, chains
 * of -L/-R forwards, editors' remote extensions (sshd has no fixed cap
 * either). Firmware sets a small number (port/netduinoplus2/fw_opts.h). */
#ifndef NSSH_MAX_CHANNELS
#define NSSH_MAX_CHANNELS 1024
#endif

/* Window we grant the peer on each channel, and the largest data packet we
 * accept on it (advertised in CHANNEL_OPEN / OPEN_CONFIRMATION). */
#ifndef NSSH_CHANNEL_WINDOW
#define NSSH_CHANNEL_WINDOW (2u * 1024u * 1024u)
#endif
#ifndef NSSH_CHANNEL_MAXPKT
#define NSSH_CHANNEL_MAXPKT (32u * 1024u)
#endif

/* Output staging: room for several data packets so a flight goes out in one
 * write, plus the largest control packet. May be smaller than
 * NSSH_MAX_PACKET (RFC 4253 section 6.1 binds what we accept, not what we
 * send): channel data is then clipped to fit; see nanossh_check.h. */
#ifndef NSSH_OUTBUF_SIZE
#define NSSH_OUTBUF_SIZE (NSSH_MAX_PACKET + 24u * 1024u)
#endif

/* Non-kex packets produced while a key exchange is in progress wait here
 * as plaintext payloads (RFC 4253 section 7.1). */
#ifndef NSSH_DEFER_SIZE
#define NSSH_DEFER_SIZE (8u * 1024u)
#endif

/* Largest KEM public key, ciphertext, secret key and shared secret of the
 * enabled key exchanges. The defaults cover every hybrid of the OpenSSL
 * backend, the largest being mlkem1024nistp384-sha384 (ML-KEM-1024 with
 * a 97-byte P-384 point and a 48-byte scalar); a build with only the
 * X25519 hybrids (ML-KEM-768, sntrup761) needs 1216, 1120 and 2432. */
#ifndef NSSH_KEM_PK_MAX
#define NSSH_KEM_PK_MAX (1568u + 97u)
#endif
#ifndef NSSH_KEM_CT_MAX
#define NSSH_KEM_CT_MAX (1568u + 97u)
#endif
#ifndef NSSH_KEM_SK_MAX
#define NSSH_KEM_SK_MAX (3168u + 48u)
#endif
#ifndef NSSH_KEM_SS_MAX
#define NSSH_KEM_SS_MAX 64u
#endif

/* Largest DH modulus (bytes) when finite-field groups are enabled: pk/ct of
 * such KEMs are this long. */
#ifndef NSSH_DH_MAX
#define NSSH_DH_MAX 1024u
#endif

/* Largest hash output (SHA-512). */
#ifndef NSSH_HASH_MAX
#define NSSH_HASH_MAX 64u
#endif

/* Opaque per-direction context storage handed to the crypto backend.
 * The OpenSSL backend keeps pointers here; the compact backend keeps its
 * whole state (bitsliced AES round keys, HMAC chaining values, a SHA-512
 * state), which sets these sizes. */
#ifndef NSSH_CIPHER_CTX_SIZE
#define NSSH_CIPHER_CTX_SIZE 576u
#endif
#ifndef NSSH_MAC_CTX_SIZE
#define NSSH_MAC_CTX_SIZE 160u
#endif
#ifndef NSSH_HASH_CTX_SIZE
#define NSSH_HASH_CTX_SIZE 256u
#endif

/* Largest public key blob and signature blob (RSA 8192 fits; so does
 * ssh-mldsa44-ed25519@openssh.com: a 1383-byte key, a 2523-byte
 * signature). A key blob may be an OpenSSH certificate (a key, a CA key
 * and the CA's signature): under an ssh-mldsa44-ed25519 CA one is about
 * 4.2 KB for an Ed25519 key and 5.5 KB for an ML-DSA key, so 8 KiB (RSA
 * 8192 under an ML-DSA or RSA 8192 CA fits too). The engine keeps no
 * blob in a connection's memory; the bound sizes stack buffers of the
 * publickey method only. A firmware profile that takes no certificates
 * sets it small (port/netduinoplus2/fw_opts.h). */
#ifndef NSSH_KEYBLOB_MAX
#define NSSH_KEYBLOB_MAX 8192u
#endif
#ifndef NSSH_SIG_MAX
#define NSSH_SIG_MAX 2560u
#endif

/* Longest log or DISCONNECT text the engine builds (on the stack). */
#ifndef NSSH_LOG_MAX
#define NSSH_LOG_MAX 2048u
#endif

/* Largest KEXINIT we build (kept for the exchange hash): our name lists
 * must fit, or the connection fails with NSSH_ERR_NOSPACE at its start.
 * A build with a few algorithms can take less. */
#ifndef NSSH_KEXINIT_MAX
#define NSSH_KEXINIT_MAX 2048u
#endif

/* Output room kept free for control replies: channel data never takes it,
 * and no input is processed while less than this is free. */
#ifndef NSSH_CONTROL_RESERVE
#define NSSH_CONTROL_RESERVE (NSSH_DEFER_SIZE + 8u * 1024u)
#endif

/* Longest user name accepted. */
#ifndef NSSH_USER_MAX
#define NSSH_USER_MAX 64u
#endif

/* Prompts in one keyboard-interactive round (RFC 4256). */
#ifndef NSSH_KBDINT_PROMPTS_MAX
#define NSSH_KBDINT_PROMPTS_MAX 8
#endif

/* Defaults for run-time limits (the config may change them). */
#ifndef NSSH_DEFAULT_AUTH_TRIES
#define NSSH_DEFAULT_AUTH_TRIES 6u
#endif
#ifndef NSSH_DEFAULT_GRACE_MS
#define NSSH_DEFAULT_GRACE_MS 120000u
#endif
#ifndef NSSH_DEFAULT_REKEY_BYTES
#define NSSH_DEFAULT_REKEY_BYTES (1ull << 30)
#endif

#include "nanossh_check.h"

#endif
