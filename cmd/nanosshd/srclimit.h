/*
 * Per-source limits in the listener (srclimit.c): source addresses
 * grouped by PerSourceNetBlockSize, and the PerSourcePenalties table that
 * refuses a penalised source before anything is forked for it.
 */
#ifndef NSSHD_SRCLIMIT_H
#define NSSHD_SRCLIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "opts.h"

/* An IPv4 or IPv6 address (IPv4-mapped IPv6 taken as IPv4). */
typedef struct src_addr {
    int af;                     /* AF_INET, AF_INET6; 0: none */
    uint8_t a[16];
} src_addr;

/* What a connection's process did to earn a penalty (sshd's kinds, and
 * kex-dh: one finite-field Diffie-Hellman exchange before auth). */
enum {
    PENALTY_NONE = 0,
    PENALTY_CRASH,
    PENALTY_AUTHFAIL,
    PENALTY_INVALIDUSER,
    PENALTY_NOAUTH,
    PENALTY_GRACE,
    PENALTY_REFUSE,
    PENALTY_KEXDH
};

/* Exit statuses of a connection's process that end before
 * authentication (sshd's values); any other non-zero status is "noauth". */
#define EXIT_LOGIN_GRACE 3
#define EXIT_CHILD_CRASH 4
#define EXIT_AUTH_ATTEMPTED 5
#define EXIT_CONFIG_REFUSED 6
#define EXIT_INVALID_USER 7

typedef struct penalty {
    src_addr net;               /* masked to the net block */
    double expiry;              /* monotonic seconds */
    int active;                 /* reached min: refusing */
    const char *reason;         /* sshd's words, a static string */
} penalty;

typedef struct srclimit {
    const daemon_opts *o;
    penalty *p;
    size_t n, cap;
    size_t n4, n6;              /* entries per family */
} srclimit;

/* 0, or -1 for a socket address that is neither IPv4 nor IPv6. */
int src_addr_of(const struct sockaddr *sa, src_addr *out);
/* a with all but its first bits (per family: netblock4 / netblock6)
 * cleared. */
src_addr src_net(const daemon_opts *o, const src_addr *a);
int src_addr_eq(const src_addr *a, const src_addr *b);
/* "192.0.2.0/24", or the bare address with bits < 0. */
void src_addr_text(const src_addr *a, int bits, char *out, size_t cap);

void srclimit_init(srclimit *sl, const daemon_opts *o);
void srclimit_free(srclimit *sl);
/* 1 when connections from peer are refused now, *reason in sshd's words
 * ("penalty: failed authentication", "too many penalised addresses");
 * 0 when allowed. now: monotonic seconds. */
int srclimit_refused(srclimit *sl, const src_addr *peer, double now,
                     const char **reason);
/* Add the penalty of kind (PENALTY_*) to peer's net block, as sshd does:
 * a new entry becomes active only above min; a further one extends the
 * expiry, up to max from now. Exempt addresses earn none. */
void srclimit_penalise(srclimit *sl, const src_addr *peer, int kind,
                       double now);
/* Penalty kind for a connection process's wait status; authed: it told
 * the listener its user had logged in (then only a crash counts). */
int srclimit_kind_of_status(int status, int authed);

#endif
