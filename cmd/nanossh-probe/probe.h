/*
 * nanossh-probe: the engine's client role with a diagnosis layer.
 *
 * One connection is a "run" (run.c): the engine does the protocol, the
 * trace hooks (nssh_trace) hand the run every payload both ways and K, and
 * the run keeps the server's raw bytes (wire.c). When the engine stops with
 * an error, diagnose.c turns the engine's record plus those raw views into
 * a diagnosis: the broken field (fields.c), the exchange-hash mistake
 * (sigdiag.c), the key-derivation mistake (keydiag.c), a stall, a close.
 * report.c prints text or JSON; audit.c judges the algorithms; profile.c
 * compares a run with a saved one.
 *
 * Map:
 *   main.c      options, the runs to make, exit codes
 *   run.c       one connection: the engine's set-up, recorded payloads
 *   run_hooks.c the engine's callbacks and trace hooks, the timeline
 *   run_io.c    the socket loop, auth steps, stall clock (run_feed: none)
 *   wire.c      the server's bytes: version line, clear-text framing
 *   fields.c    walks a server message field by field (RFC field names)
 *   diagnose.c  failure classes and their texts
 *   sigdiag.c   exchange hash recomputed with server authors' mistakes
 *   keydiag.c   first encrypted packet re-opened with derivation mistakes
 *   audit.c     weak algorithm findings
 *   report.c    text and JSON output
 *   profile.c   --save-profile / --profile
 *   util.c      small helpers (string buffer, name-lists, clock)
 */
#ifndef NSSH_PROBE_H
#define NSSH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"

/* Exit codes (nanossh-probe(1)). */
enum { EXIT_HEALTHY = 0, EXIT_BROKEN = 1, EXIT_USAGE = 2, EXIT_NETWORK = 3 };

/* ---- util.c ---------------------------------------------------------- */
/* A growing string. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;
void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_addn(sbuf *b, const char *s, size_t n);
void sb_json(sbuf *b, const char *s, size_t n);   /* a JSON string literal */
void sb_free(sbuf *b);
uint64_t now_ms(void);
/* Is name in the comma-separated list? */
int list_has(const char *list, const char *name);
/* Big-endian reads. */
uint32_t get_be32(const uint8_t *p);

/* ---- Options ---------------------------------------------------------- */
typedef struct opts {
    const char *host;
    const char *port;
    int json;
    int timeout_s;
    const char *kex, *ciphers, *macs, *hostkeys;   /* -o lists or NULL */
    const char *save_profile, *profile;
    int enumerate;
    const char *user, *keyfile;
} opts;

/* ---- A failure, as reported (JSON "failure") --------------------------- */
typedef struct failure {
    int set;
    char stage[24];
    char message[48];
    char field[80];
    long offset;            /* -1: not applicable */
    char expected[256];
    char got[256];
    char cause[40];         /* short code: "field-overrun", "stall", ... */
    char text[2048];        /* the diagnosis as sentences */
    char engine[1200];      /* what the engine said, for reference */
} failure;

/* ---- wire.c: the server's bytes ----------------------------------------- */
typedef struct wire {
    uint8_t *buf;           /* everything the server sent, up to cap */
    size_t len, cap;
    size_t pos;             /* clear-text parse position */
    int version_done;
    char version[256];      /* V_S without CR LF */
    uint64_t version_ms;
    size_t enc_start;       /* offset of the first encrypted byte, 0: none yet */
    uint32_t clear_packets; /* server packets before its NEWKEYS (incl.) */
    int frame_err;          /* clear-text framing problem seen */
    char frame_text[512];
    long frame_offset;
} wire;
void wire_init(wire *w, size_t cap);
void wire_free(wire *w);
/* Append received bytes and parse the clear-text part. */
void wire_add(wire *w, const uint8_t *p, size_t n, uint64_t t);

/* ---- run.c: one connection ---------------------------------------------- */
#define RUN_MAX_PKTS 128
#define RUN_MAX_EVENTS 64

typedef struct pkt {
    int sent;
    uint32_t seq;
    uint8_t *data;          /* payload, message byte first */
    size_t len;
    uint64_t ms;            /* since the start */
} pkt;

typedef struct event {
    char what[96];
    uint64_t ms;
} event;

typedef struct hostkey_seen {
    char src[16];           /* "kex", "hostkeys-00", "per-type" */
    char alg[64];
    char type[64];
    char fp[64];
    unsigned bits;
    uint8_t *blob;
    size_t len;
} hostkey_seen;

#define RUN_MAX_HOSTKEYS 16

enum { END_NONE = 0, END_OK, END_ERROR, END_EOF, END_STALL, END_NET };

typedef struct run {
    const opts *o;
    int quick;              /* stop once the key exchange is done */
    /* algorithm lists offered (comma-separated, ours) */
    char my_kex[1024], my_hk[512], my_ciphers[512], my_macs[512];
    /* engine */
    nssh_config cfg;
    nssh_callbacks cb;
    nssh_trace trace;
    const nssh_kem *kems[32];
    const nssh_cipher *ciphers[16];
    const nssh_mac *macs[16];
    const nssh_sig_alg *sigs[16];
    void *mem;
    nssh_conn *c;
    int fd;
    uint64_t t0;
    char vc[64];            /* our version line */
    /* what happened */
    int end;
    wire w;
    pkt pkts[RUN_MAX_PKTS];
    size_t n_pkts;
    size_t pkts_dropped;    /* payloads not kept once pkts was full */
    event ev[RUN_MAX_EVENTS];
    size_t n_ev;
    uint8_t kenc[NSSH_KEM_SS_MAX + NSSH_DH_MAX + 8];
    size_t kenc_len;
    /* engine's error record */
    int err;
    char err_stage[24], err_msg[48], err_field[80], err_text[1024];
    /* server's host key from the kex, and all of them via hostkeys-00 */
    hostkey_seen hk;
    hostkey_seen hks[RUN_MAX_HOSTKEYS];
    size_t n_hks;
    int got_hostkeys00;
    /* auth */
    int auth_asked, auth_done, auth_ok, pubkey_tried;
    char methods[256];
    int session, exec_sent, exit_seen;
    uint32_t exit_status;
    nssh_key *ukey;
    uint8_t ublob[NSSH_KEYBLOB_MAX];
    size_t ublob_len;
    const nssh_sig_alg *ualg;
    /* stall */
    uint64_t last_rx_ms, waited_ms;
    /* ext-info */
    char server_sig_algs[512];
    int ext_info;
    /* after the run */
    nssh_conn_info info;
    char negotiated[8][96];   /* kex, hostkey, enc c2s, enc s2c, mac c2s, mac s2c */
    failure f;
} run;

/* Set up the engine for a run with our lists (options or everything). */
int run_init(run *r, const opts *o);
/* Connect and drive the engine until done; returns END_*. */
int run_connect(run *r);
/* Feed server bytes directly (fuzzing, tests): no socket. */
int run_feed(run *r, const uint8_t *p, size_t n);
/* The fed stream ends (the server closed): returns END_*. */
int run_feed_end(run *r);
void run_free(run *r);
/* run_hooks.c: wire the engine's callbacks and trace to the run; add a
 * timeline event. */
void run_hooks_install(run *r);
void run_event(run *r, const char *what);
/* Record a host key blob with its fingerprint. */
void keep_hostkey(hostkey_seen *h, const char *src, const char *alg,
                  const uint8_t *b, size_t n);
/* The n-th payload received (sent 0) or sent (sent 1) of message type msg,
 * or NULL. */
const pkt *run_find(const run *r, int sent, uint8_t msg, int nth);
/* Message name in the context of this run's kex ("SSH_MSG_KEX_ECDH_REPLY"). */
const char *run_msg_name(const run *r, uint8_t msg);
int run_is_gex(const run *r);
int run_is_classic_dh(const run *r);

/* ---- fields.c ------------------------------------------------------------ */
/* Walk a received payload; on a problem fill f (cause field-overrun,
 * trailing-bytes, bad-value) and return -1, else 0. */
int fields_check(const run *r, const pkt *p, failure *f);
/* The name-lists of a KEXINIT payload (index 0..9) copied into out
 * (comma-separated); returns 0 or -1 when malformed. */
int kexinit_lists(const uint8_t *p, size_t n, char out[10][2048]);
extern const char *const kexinit_field[10];

/* ---- diagnose.c ------------------------------------------------------------ */
void diagnose(run *r);
void negotiated_from_kexinits(run *r);

/* ---- sigdiag.c / keydiag.c --------------------------------------------------- */
/* 1 and f filled when a variant explains it, 0 when none does. */
int sigdiag(const run *r, failure *f);
int keydiag(const run *r, failure *f);

/* ---- audit.c ------------------------------------------------------------------ */
typedef struct finding {
    char level[8];          /* "warn", "fail", "info" */
    char what[96];
    char why[320];
} finding;
size_t audit(const run *r, finding *out, size_t max);

/* ---- profile.c --------------------------------------------------------------- */
int profile_save(const run *r, const char *path);
/* Compare; appends differences to diffs (one sentence each). Returns the
 * number of differences or -1 when the file cannot be read. */
int profile_compare(const run *r, const char *path, sbuf *diffs);

/* ---- report.c ---------------------------------------------------------------- */
typedef struct report_extra {
    sbuf profile_diffs;
    int n_profile_diffs;
    int profile_checked;
    sbuf enumerate;          /* JSON fragment of --enumerate */
    sbuf enumerate_text;
    int enumerated;
} report_extra;
void report_text(const run *r, const report_extra *x);
void report_json(const run *r, const report_extra *x);

/* ---- enumerate (main.c) --------------------------------------------------------- */
int hostkey_sweep(run *main_run, const opts *o);
int enumerate_all(const run *main_run, const opts *o, report_extra *x);

#endif
