/*
 * Protocol version exchange (RFC 4253 section 4.2): "SSH-2.0-software
 * comments" CR LF, at most 255 bytes. A server MAY send other lines first,
 * so the client role skips them; a server expects the version at once.
 */
#include <string.h>

#include "internal.h"

int version_send(nssh_conn *c)
{
    const char *sw = c->cfg->software ? c->cfg->software
                                      : "nanossh_" NSSH_VERSION_STRING;
    size_t n = nssh_fmt(c->my_version, sizeof(c->my_version), "SSH-2.0-%s", sw);
    if (n + 2 > 255)
        return conn_fail(c, NSSH_ERR_STATE, 0, "version", NULL, NULL,
                         "our version line is too long");
    memcpy(c->outbuf + c->out_len, c->my_version, n);
    memcpy(c->outbuf + c->out_len + n, "\r\n", 2);
    c->out_len += n + 2;
    return 0;
}

static int bad_version(nssh_conn *c, const char *why, const uint8_t *line,
                       size_t n)
{
    size_t i, k = n > 80 ? 80 : n;
    char shown[81];
    for (i = 0; i < k; i++)
        shown[i] = (line[i] >= 0x20 && line[i] < 0x7f) ? (char)line[i] : '?';
    shown[k] = 0;
    return conn_fail(c, NSSH_ERR_VERSION, NSSH_DISC_PROTOCOL_VERSION, "version",
                     NULL, "identification string", "%s: \"%s\"", why, shown);
}

/* Returns 1 when a line was consumed, 0 when more input is needed. */
int version_process(nssh_conn *c)
{
    const uint8_t *p = c->inbuf + c->in_off;
    size_t avail = c->in_len - c->in_off, n, len;
    const uint8_t *nl = memchr(p, '\n', avail);
    if (!nl) {
        if (avail > 255)
            return bad_version(c, "no end of line within 255 bytes", p, avail);
        return 0;
    }
    n = (size_t)(nl - p) + 1;
    len = n - 1;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    if (n > 255)
        return bad_version(c, "version line longer than 255 bytes", p, len);
    c->in_off += n;
    if (len < 4 || memcmp(p, "SSH-", 4) != 0) {
        if (c->role == NSSH_ROLE_CLIENT && ++c->vline_len < 64)
            return 1;   /* a banner line before the server's version */
        return bad_version(c, "not an SSH identification string", p, len);
    }
    if (!(len >= 8 && memcmp(p, "SSH-2.0-", 8) == 0) &&
        !(len >= 9 && memcmp(p, "SSH-1.99-", 9) == 0))
        return bad_version(c, "protocol major versions differ", p, len);
    if (memchr(p, 0, len))
        return bad_version(c, "NUL byte in version line", p, len);
    memcpy(c->peer_version, p, len);
    c->peer_version[len] = 0;
    c->version_done = 1;
    conn_log(c, NSSH_LOG_DEBUG, "version", NULL, NULL, "peer version: %s",
             c->peer_version);
    return 1;
}
