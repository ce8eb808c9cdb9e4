/*
 * Compile-time options of the netduinoplus2 firmware (NSSH_USER_OPTS):
 * one connection with two channels, only the server role, the smallest
 * packet RFC 4253 section 6.1 allows, and buffers sized for Ed25519 keys.
 */
#ifndef NSSH_FW_OPTS_H
#define NSSH_FW_OPTS_H

#define NSSH_ENABLE_CLIENT 0
#define NSSH_MAX_PACKET 35000u
#define NSSH_MAX_CHANNELS 2
/* Window and largest data packet we accept: the SFTP channel's input queue
 * is one window. */
#define NSSH_CHANNEL_WINDOW 8192u
#define NSSH_CHANNEL_MAXPKT 8192u
#define NSSH_DEFER_SIZE 2048u
#define NSSH_CONTROL_RESERVE 4096u
/* The engine requires room for one largest packet on the way out too. */
#define NSSH_OUTBUF_SIZE 35000u
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
#define NSSH_SFTP_MAX_READ 4096u

#endif
