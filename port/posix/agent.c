/*
 * ssh-agent client for host-key signatures (draft-miller-ssh-agent):
 *   request   uint32 length || byte SSH_AGENTC_SIGN_REQUEST (13) ||
 *             string key blob || string data || uint32 flags
 *   answer    uint32 length || byte SSH_AGENT_SIGN_RESPONSE (14) ||
 *             string signature, or byte SSH_AGENT_FAILURE (5)
 * Flags 2 and 4 ask an RSA key for rsa-sha2-256 and rsa-sha2-512
 * (section 3.6.1); without them an agent signs with SHA-1 "ssh-rsa".
 * A new connection per signature: a forked connection process never
 * shares a socket with another, and a restarted agent is found again.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "nanossh.h"

#define AGENTC_SIGN_REQUEST 13
#define AGENT_SIGN_RESPONSE 14
#define AGENT_FAILURE 5
#define AGENT_RSA_SHA2_256 2u
#define AGENT_RSA_SHA2_512 4u
/* The agent's own bound on a message (OpenSSH's AGENT_MAX_LEN). */
#define AGENT_MSG_MAX (256u * 1024u)

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Move all n bytes (send when out is set, else receive) before the
 * deadline: 0, or -1 with errno (ETIMEDOUT, EPIPE for a closed agent). */
static int io_all(int fd, uint8_t *p, size_t n, int out, long deadline)
{
    struct pollfd pf;
    ssize_t r;
    long left;
    while (n) {
        pf.fd = fd;
        pf.events = out ? POLLOUT : POLLIN;
        if ((left = deadline - now_ms()) <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (poll(&pf, 1, (int)left) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (!pf.revents)
            continue;
        r = out ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EPIPE;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int agent_connect(const char *sock, char *why, size_t why_cap)
{
    struct sockaddr_un sa;
    int fd;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (!sock || !*sock || strlen(sock) >= sizeof(sa.sun_path)) {
        snprintf(why, why_cap, "bad agent socket name");
        return -1;
    }
    memcpy(sa.sun_path, sock, strlen(sock));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        snprintf(why, why_cap, "cannot connect to agent %s: %s", sock,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int agent_check(const char *sock, char *why, size_t why_cap)
{
    int fd = agent_connect(sock, why, why_cap);
    if (fd < 0)
        return NSSH_ERR_IO;
    close(fd);
    return 0;
}

static uint32_t flags_of(const char *alg)
{
    if (!strcmp(alg, "rsa-sha2-256"))
        return AGENT_RSA_SHA2_256;
    if (!strcmp(alg, "rsa-sha2-512"))
        return AGENT_RSA_SHA2_512;
    return 0;
}

/* The request, malloc'ed: *n its length. */
static uint8_t *request(const uint8_t *blob, size_t blob_len, const char *alg,
                        const uint8_t *data, size_t len, size_t *n)
{
    size_t body = 1 + 4 + blob_len + 4 + len + 4;
    uint8_t *q, *p;
    if (blob_len > AGENT_MSG_MAX || len > AGENT_MSG_MAX || body > AGENT_MSG_MAX ||
        !(q = malloc(4 + body)))
        return NULL;
    p = q;
    put32(p, (uint32_t)body);
    p[4] = AGENTC_SIGN_REQUEST;
    p += 5;
    put32(p, (uint32_t)blob_len);
    memcpy(p + 4, blob, blob_len);
    p += 4 + blob_len;
    put32(p, (uint32_t)len);
    memcpy(p + 4, data, len);
    p += 4 + len;
    put32(p, flags_of(alg));
    *n = 4 + body;
    return q;
}

/* The answer's signature string into sig: 0, or -1 with why. */
static int answer(const uint8_t *a, size_t n, uint8_t *sig, size_t sig_max,
                  size_t *sig_len, char *why, size_t why_cap)
{
    uint32_t s;
    if (n >= 1 && a[0] == AGENT_FAILURE) {
        snprintf(why, why_cap, "agent refused to sign (key not in agent?)");
        return -1;
    }
    if (n < 5 || a[0] != AGENT_SIGN_RESPONSE || (s = get32(a + 1)) != n - 5) {
        snprintf(why, why_cap, "unexpected agent answer (type %u, %zu bytes)",
                 n ? a[0] : 0u, n);
        return -1;
    }
    if (s > sig_max) {
        snprintf(why, why_cap, "agent signature of %u bytes too long", s);
        return -1;
    }
    memcpy(sig, a + 5, s);
    *sig_len = s;
    return 0;
}

int agent_sign(const char *sock, const uint8_t *blob, size_t blob_len,
               const char *alg, const uint8_t *data, size_t len,
               uint8_t *sig, size_t sig_max, size_t *sig_len,
               char *why, size_t why_cap)
{
    long deadline = now_ms() + AGENT_TIMEOUT_MS;
    uint8_t hdr[4], *q = NULL, *a = NULL;
    size_t qn = 0, an;
    int fd, e = NSSH_ERR_IO;
    *sig_len = 0;
    if ((fd = agent_connect(sock, why, why_cap)) < 0)
        return NSSH_ERR_IO;
    if (!(q = request(blob, blob_len, alg, data, len, &qn))) {
        snprintf(why, why_cap, "sign request too large");
        goto out;
    }
    if (io_all(fd, q, qn, 1, deadline) < 0 || io_all(fd, hdr, 4, 0, deadline) < 0) {
        snprintf(why, why_cap, "agent %s: %s", sock, strerror(errno));
        goto out;
    }
    if ((an = get32(hdr)) == 0 || an > AGENT_MSG_MAX) {
        snprintf(why, why_cap, "agent answer length %zu out of range", an);
        goto out;
    }
    if (!(a = malloc(an)) || io_all(fd, a, an, 0, deadline) < 0) {
        snprintf(why, why_cap, "agent %s: %s", sock, a ? strerror(errno) : "out of memory");
        goto out;
    }
    e = answer(a, an, sig, sig_max, sig_len, why, why_cap) < 0 ? NSSH_ERR_SIGNATURE : 0;
out:
    free(q);
    free(a);
    close(fd);
    return e;
}
