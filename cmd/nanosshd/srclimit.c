/*
 * PerSourcePenalties (sshd_config(5), sshd 9.8): the listener remembers,
 * per source net block, how long new connections are refused. Each kind
 * of bad ending adds its seconds; an entry refuses only once it holds
 * more than "min" seconds (so one failed login costs nothing), and
 * repeated penalties add up to at most "max". Refusing happens before
 * fork, so a penalised source costs the server one accept and a close.
 *
 * The table is a flat array scanned linearly: bounded by max-sources4 +
 * max-sources6, and scanned once per accepted connection.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "srclimit.h"
#include "pattern.h"

int src_addr_of(const struct sockaddr *sa, src_addr *out)
{
    const struct sockaddr_in *s4 = (const void *)sa;
    const struct sockaddr_in6 *s6 = (const void *)sa;
    memset(out, 0, sizeof(*out));
    if (sa->sa_family == AF_INET) {
        out->af = AF_INET;
        memcpy(out->a, &s4->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
        out->af = AF_INET;
        memcpy(out->a, s6->sin6_addr.s6_addr + 12, 4);
    } else if (sa->sa_family == AF_INET6) {
        out->af = AF_INET6;
        memcpy(out->a, &s6->sin6_addr, 16);
    } else {
        return -1;
    }
    return 0;
}

static int bits_of(const daemon_opts *o, int af)
{
    return af == AF_INET ? o->netblock4 : o->netblock6;
}

src_addr src_net(const daemon_opts *o, const src_addr *a)
{
    src_addr m = *a;
    int bits = bits_of(o, a->af), len = a->af == AF_INET ? 4 : 16, i;
    for (i = 0; i < len; i++) {
        int keep = bits - 8 * i;
        if (keep <= 0)
            m.a[i] = 0;
        else if (keep < 8)
            m.a[i] &= (uint8_t)(0xff00u >> keep);
    }
    return m;
}

int src_addr_eq(const src_addr *a, const src_addr *b)
{
    return a->af == b->af && !memcmp(a->a, b->a, a->af == AF_INET ? 4 : 16);
}

void src_addr_text(const src_addr *a, int bits, char *out, size_t cap)
{
    char buf[INET6_ADDRSTRLEN];
    if (!a->af || !inet_ntop(a->af, a->a, buf, sizeof(buf)))
        snprintf(buf, sizeof(buf), "UNKNOWN");
    if (bits >= 0)
        snprintf(out, cap, "%s/%d", buf, bits);
    else
        snprintf(out, cap, "%s", buf);
}

void srclimit_init(srclimit *sl, const daemon_opts *o)
{
    memset(sl, 0, sizeof(*sl));
    sl->o = o;
}

void srclimit_free(srclimit *sl)
{
    free(sl->p);
    srclimit_init(sl, sl->o);
}

static int exempt(const srclimit *sl, const src_addr *peer)
{
    char text[64], why[64];
    const char *list = sl->o->penalty_exempt;
    if (!list || !list[0])
        return 0;
    src_addr_text(peer, -1, text, sizeof(text));
    return match_addr_list(list, text, NULL, why, sizeof(why)) == 1;
}

static void drop(srclimit *sl, size_t i)
{
    if (sl->p[i].net.af == AF_INET)
        sl->n4--;
    else
        sl->n6--;
    sl->p[i] = sl->p[--sl->n];
}

static void expire(srclimit *sl, double now)
{
    size_t i = 0;
    while (i < sl->n)
        if (sl->p[i].expiry < now)
            drop(sl, i);
        else
            i++;
}

static penalty *find(srclimit *sl, const src_addr *net)
{
    size_t i;
    for (i = 0; i < sl->n; i++)
        if (src_addr_eq(&sl->p[i].net, net))
            return &sl->p[i];
    return NULL;
}

static size_t *count_of(srclimit *sl, int af)
{
    return af == AF_INET ? &sl->n4 : &sl->n6;
}

static long max_of(const srclimit *sl, int af)
{
    return af == AF_INET ? sl->o->penalty.max_sources4 : sl->o->penalty.max_sources6;
}

static int deny_all(const srclimit *sl, int af)
{
    return (af == AF_INET ? sl->o->penalty.overflow
                          : sl->o->penalty.overflow6) == PENALTY_DENY_ALL;
}

int srclimit_refused(srclimit *sl, const src_addr *peer, double now,
                     const char **reason)
{
    src_addr net;
    penalty *p;
    if (sl->o->penalty.enabled != 1 || !peer->af || exempt(sl, peer))
        return 0;
    expire(sl, now);
    if (*count_of(sl, peer->af) >= (size_t)max_of(sl, peer->af) &&
        deny_all(sl, peer->af)) {
        *reason = "too many penalised addresses";
        return 1;
    }
    net = src_net(sl->o, peer);
    if (!(p = find(sl, &net)) || !p->active)
        return 0;
    *reason = p->reason;
    return 1;
}

static const char *reason_of(int kind, const penalty_opts *po, double *secs)
{
    switch (kind) {
    case PENALTY_CRASH: *secs = po->crash; return "penalty: caused crash";
    case PENALTY_AUTHFAIL: *secs = po->authfail; return "penalty: failed authentication";
    case PENALTY_INVALIDUSER:
        *secs = po->invaliduser;
        return "penalty: attempted authentication by invalid user";
    case PENALTY_NOAUTH:
        *secs = po->noauth;
        return "penalty: connections without attempting authentication";
    case PENALTY_GRACE: *secs = po->grace; return "penalty: exceeded LoginGraceTime";
    case PENALTY_REFUSE:
        *secs = po->refuse;
        return "penalty: connection prohibited by RefuseConnection";
    case PENALTY_KEXDH:
        *secs = po->kexdh;
        return "penalty: Diffie-Hellman key exchanges";
    default: *secs = 0; return NULL;
    }
}

/* Permissive overflow: forget the entries closest to expiry. */
static void shrink(srclimit *sl, int af)
{
    size_t i, best;
    while (*count_of(sl, af) > (size_t)max_of(sl, af)) {
        best = sl->n;
        for (i = 0; i < sl->n; i++)
            if (sl->p[i].net.af == af &&
                (best == sl->n || sl->p[i].expiry < sl->p[best].expiry))
                best = i;
        if (best == sl->n)
            return;
        drop(sl, best);
    }
}

void srclimit_penalise(srclimit *sl, const src_addr *peer, int kind, double now)
{
    const penalty_opts *po = &sl->o->penalty;
    char text[80];
    double secs;
    const char *why = reason_of(kind, po, &secs);
    int bits = bits_of(sl->o, peer->af);
    src_addr net;
    penalty *p, *np;
    if (po->enabled != 1 || !why || secs <= 0 || !peer->af)
        return;
    if (exempt(sl, peer)) {
        src_addr_text(peer, -1, text, sizeof(text));
        log_debug3("srclimit_penalise: address %s is exempt", text);
        return;
    }
    net = src_net(sl->o, peer);
    src_addr_text(&net, bits, text, sizeof(text));
    expire(sl, now);
    if ((p = find(sl, &net))) {
        p->expiry += secs;
        if (p->expiry - now > po->max)
            p->expiry = now + po->max;
        if (!p->active && p->expiry - now > po->min) {
            p->active = 1;
            log_info("srclimit_penalise: %s: activating %s penalty of %.3f "
                     "seconds for %s", text, peer->af == AF_INET ? "ipv4" : "ipv6",
                     p->expiry - now, why);
        }
        p->reason = why;
        return;
    }
    if (*count_of(sl, peer->af) >= (size_t)max_of(sl, peer->af) &&
        deny_all(sl, peer->af)) {
        log_verbose("srclimit_penalise: %s penalty table full, cannot "
                    "penalise %s for %s", peer->af == AF_INET ? "ipv4" : "ipv6",
                    text, why);
        return;
    }
    if (sl->n == sl->cap) {
        size_t cap = sl->cap ? sl->cap * 2 : 64;
        if (!(np = realloc(sl->p, cap * sizeof(*np))))
            return;
        sl->p = np;
        sl->cap = cap;
    }
    p = &sl->p[sl->n++];
    (*count_of(sl, peer->af))++;
    p->net = net;
    p->expiry = now + (secs < po->max ? secs : po->max);
    p->active = secs > po->min;
    p->reason = why;
    logit(p->active ? LL_INFO : LL_VERBOSE, "srclimit_penalise: %s: new %s %s "
          "penalty of %.3f seconds for %s", peer->af == AF_INET ? "ipv4" : "ipv6",
          text, p->active ? "active" : "deferred", secs, why);
    shrink(sl, peer->af);
}

/* The signals of a fault rather than of someone's kill. */
static int crash_signal(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
           sig == SIGABRT || sig == SIGSYS || sig == SIGTRAP;
}

int srclimit_kind_of_status(int status, int authed)
{
    if (WIFSIGNALED(status))
        return crash_signal(WTERMSIG(status)) ? PENALTY_CRASH : PENALTY_NONE;
    if (!WIFEXITED(status))
        return PENALTY_CRASH;
    if (authed)
        return PENALTY_NONE;
    switch (WEXITSTATUS(status)) {
    case 0: return PENALTY_NONE;
    case EXIT_LOGIN_GRACE: return PENALTY_GRACE;
    case EXIT_CHILD_CRASH: return PENALTY_CRASH;
    case EXIT_AUTH_ATTEMPTED: return PENALTY_AUTHFAIL;
    case EXIT_CONFIG_REFUSED: return PENALTY_REFUSE;
    case EXIT_INVALID_USER: return PENALTY_INVALIDUSER;
    default: return PENALTY_NOAUTH;
    }
}
