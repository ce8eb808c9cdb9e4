/*
 * Compile-time options of the netduinoplus2 firmware (NSSH_USER_OPTS):
 * one connection with two channels, only the server role, the smallest
 * packet RFC 4253 section 6.1 allows, and buffers sized for Ed25519 keys.
 * Every buffer here is counted against the 64 KiB RAM target (EMBEDDED.md).
 */
#ifndef NSSH_FW_OPTS_H
#define NSSH_FW_OPTS_H

#define NSSH_ENABLE_CLIENT 0
/* Inbound packets up to the 35,000 bytes RFC 4253 section 6.1 requires;
 * this is the one buffer that size. */
#define NSSH_MAX_PACKET 35000u
#define NSSH_MAX_CHANNELS 2
/* Window and largest data packet we accept (advertised in
 * CHANNEL_OPEN_CONFIRMATION): the SFTP channel's input queue is one
 * window. */
#define NSSH_CHANNEL_WINDOW 2048u
#define NSSH_CHANNEL_MAXPKT 2048u
/* Our KEXINIT is about 600 bytes; replies held during a key exchange are
 * short (window adjustments, channel requests); the reserve holds both. */
#define NSSH_KEXINIT_MAX 1024u
#define NSSH_DEFER_SIZE 1024u
#define NSSH_CONTROL_RESERVE 2048u
/* The send buffer: the server sizes what it sends (channel data is
 * clipped to the room outside NSSH_CONTROL_RESERVE), so it needs no room
 * for a 35,000-byte packet. */
#define NSSH_OUTBUF_SIZE 4096u
/* Key exchange buffers for the compact backend's hybrids only
 * (mlkem768x25519, sntrup761x25519): ML-KEM-768 key || X25519 key. */
#define NSSH_KEM_PK_MAX (1184u + 32u)
#define NSSH_KEM_CT_MAX (1088u + 32u)
#define NSSH_KEM_SK_MAX (2400u + 32u)
/* No finite-field Diffie-Hellman: DH buffers shrink to the hybrids' size. */
#define NSSH_DH_MAX 64u
/* Ed25519 only: 51-byte key blobs, 83-byte signature blobs. */
#define NSSH_KEYBLOB_MAX 128u
#define NSSH_SIG_MAX 128u
#define NSSH_LOG_MAX 256u
#define NSSH_USER_MAX 32u

/* SFTP server: a few handles, short paths (the RAM filesystem is flat). */
#define NSSH_SFTP_MAX_HANDLES 4
#define NSSH_SFTP_PATH_MAX 128
#define NSSH_SFTP_NAME_MAX 64
#define NSSH_SFTP_MAX_READ 2048u
/* SFTP replies are staged here; reads are clipped to its room. */
#define DEV_SFTP_OUTBUF 2048u

/* Serial path: the receive interrupt's ring (a power of two) and the
 * bytes the link holds for the engine. The UART delivers far less than
 * this while a key exchange computes (115,200 baud is 11.5 bytes/ms). */
#define RX_RING 512u
#define LINK_PENDING 256u

#endif
