/*
 * The device application: what a nanossh firmware serves once a client is
 * connected, independent of how the bytes travel (a UART in
 * port/baremetal, lwIP's raw TCP API in port/lwip).
 *
 *   - public-key login (ssh-ed25519) for one provisioned user name;
 *   - a shell (with or without a pty) and exec with the commands help,
 *     echo, uptime, mem, ls, cat, rm, sha256 and exit, whose exit codes go
 *     back as exit-status;
 *   - the "sftp" subsystem: the in-process SFTP server (src/sftp) on
 *     whatever filesystem the platform hands in (a RAM filesystem on the
 *     firmware).
 *
 * Interface: one dev_params for the device, one dev_session per
 * connection (caller-owned, may be static), and per connection
 * start / feed / pull / sent / tick / end, mirroring the engine's own
 * sans-I/O calls. Nothing allocates.
 */
#ifndef NSSH_DEVICE_H
#define NSSH_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_sftp.h"

/* Longest shell command line (bytes, pty or not). */
#ifndef DEV_LINE_MAX
#define DEV_LINE_MAX 160u
#endif
/* Per-channel output staging for shell output. */
#ifndef DEV_OUTQ
#define DEV_OUTQ 512u
#endif
/* SFTP channel input held until the SFTP server takes it: the whole
 * window the engine grants, so nothing the peer may send is dropped. */
#ifndef DEV_SFTP_INQ
#define DEV_SFTP_INQ NSSH_CHANNEL_WINDOW
#endif
#ifndef DEV_SFTP_INBUF
#define DEV_SFTP_INBUF NSSH_SFTP_MIN_INBUF
#endif
#ifndef DEV_SFTP_OUTBUF
#define DEV_SFTP_OUTBUF 4096u
#endif
/* Shell input typed ahead while a command runs. */
#ifndef DEV_SHELL_INQ
#define DEV_SHELL_INQ 256u
#endif
#ifndef DEV_AUTH_KEYS_MAX
#define DEV_AUTH_KEYS_MAX 4
#endif

/* Memory figures the `mem` command prints; the platform fills them. */
typedef struct dev_mem {
    size_t static_ram;     /* every RAM section but the file storage: data,
                            * bss and the reserved stack */
    size_t stack_reserved;
    size_t stack_peak;
    size_t ramfs_total, ramfs_free;
} dev_mem;

/* What the device serves: shared by every session, MUST outlive them. */
typedef struct dev_params {
    /* Algorithms, host keys and the random source; cb, user and
     * auth_methods are filled per session. */
    const nssh_config *base;
    const char *login;                        /* the one user name */
    const uint8_t (*auth_keys)[32];           /* ssh-ed25519 public keys */
    size_t n_auth_keys;
    const nssh_hash *sha256;                  /* for the sha256 command */
    const nssh_sftp_fs *fs;                   /* files for shell and sftp */
    void *fs_user;
    const char *hostname;                     /* shell prompt; NULL: "nanossh" */
    /* Platform hooks; any may be NULL. */
    uint64_t (*millis)(void *user);
    void (*mem)(void *user, dev_mem *m);
    void (*log)(void *user, const char *line);
    void *user;
} dev_params;

enum { DEV_CH_FREE = 0, DEV_CH_OPEN, DEV_CH_SHELL, DEV_CH_EXEC, DEV_CH_SFTP };

/* A command whose output is produced piecewise (cat, ls, sha256). */
typedef struct dev_job {
    int kind;              /* 0 none; see shell.c */
    void *h;               /* file or directory handle of the filesystem */
    uint64_t off;
    uint32_t cookie;
    int status;            /* exit code once done */
    uint8_t hctx[NSSH_HASH_CTX_SIZE] __attribute__((aligned(16)));
    char name[64];
} dev_job;

typedef struct dev_chan {
    uint8_t kind;          /* DEV_CH_* */
    uint8_t pty, eof_in, finishing, closed_sent;
    uint32_t exit_code;
    size_t line_len;
    char line[DEV_LINE_MAX];
    size_t inq_len;
    uint8_t inq[DEV_SHELL_INQ];
    size_t outq_len;
    uint8_t outq[DEV_OUTQ];
    dev_job job;
} dev_chan;

typedef struct dev_session {
    const dev_params *p;
    nssh_config cfg;
    nssh_callbacks cb;
    nssh_conn *conn;
    uint64_t started_ms;
    dev_chan ch[NSSH_MAX_CHANNELS];
    /* One SFTP subsystem per connection. */
    int sftp_ch;           /* channel number or -1 */
    size_t sftp_inq_off, sftp_inq_len;
    nssh_sftp sftp;
    uint8_t sftp_in[DEV_SFTP_INBUF];
    uint8_t sftp_out[DEV_SFTP_OUTBUF];
    uint8_t sftp_inq[DEV_SFTP_INQ];
} dev_session;

/* Start a session in the engine memory mem (nssh_conn_mem_size() bytes,
 * aligned to 16). The server's version line is queued at once. Returns 0
 * or a negative NSSH_ERR_*. */
int dev_session_start(dev_session *s, const dev_params *p, void *mem,
                      size_t mem_len, uint64_t now_ms);
/* Received bytes: returns how many were taken (fewer while the output is
 * full) or the engine's sticky error. */
long dev_session_feed(dev_session *s, const uint8_t *data, size_t len);
/* Bytes to send, and how many were sent. */
const uint8_t *dev_session_pull(dev_session *s, size_t *len);
void dev_session_sent(dev_session *s, size_t n);
/* Timers and deferred output; call after feeding and on every loop. */
int dev_session_tick(dev_session *s, uint64_t now_ms);
/* NSSH_WANT_* / NSSH_CLOSED of the engine. */
unsigned dev_session_state(const dev_session *s);
/* Release the engine (wipes keys) and close SFTP handles. */
void dev_session_end(dev_session *s);

/* Bytes of RAM one session takes: engine memory plus this state. */
size_t dev_session_bytes(void);

#endif
