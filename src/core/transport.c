/*
 * Transport-layer generic messages (RFC 4253 section 11) and ext-info
 * (RFC 8308).
 */
#include <string.h>

#include "internal.h"
#include "nanossh_cert.h"

static int bad(nssh_conn *c, uint8_t msg, const char *field)
{
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "transport",
                     msg_name(msg), field, "malformed %s", field);
}

static int on_disconnect(nssh_conn *c, rd *r)
{
    uint32_t reason = 0;
    nssh_str desc = { "", 0 };
    if (rd_u32(r, &reason) < 0 || rd_str(r, &desc) < 0) {
        desc.p = "";
        desc.n = 0;
    }
    if (desc.n > 256)
        desc.n = 256;
    c->peer_eof = 1;
    return conn_fail(c, NSSH_ERR_PEER_DISCONNECT, 0, "transport",
                     "SSH_MSG_DISCONNECT", NULL, "%u: %.*s", (unsigned)reason,
                     (int)desc.n, desc.p);
}

static int on_ext_info(nssh_conn *c, rd *r)
{
    uint32_t n, i;
    nssh_str name, value;
    if (rd_u32(r, &n) < 0)
        return bad(c, MSG_EXT_INFO, "nr-extensions");
    for (i = 0; i < n; i++) {
        if (rd_str(r, &name) < 0 || rd_str(r, &value) < 0)
            return bad(c, MSG_EXT_INFO, "extension");
        conn_log(c, NSSH_LOG_DEBUG, "transport", "SSH_MSG_EXT_INFO", NULL,
                 "peer extension %.*s", (int)name.n, name.p);
        /* OpenSSH PROTOCOL section 1.10: the client takes a second
         * server-sig-algs during user authentication, once the server
         * knows the user (its Match blocks may change the list). */
        if (c->role == NSSH_ROLE_SERVER &&
            str_is(name, "ext-info-in-auth@openssh.com") && str_is(value, "0"))
            c->kx.peer_ext_in_auth = 1;
    }
    return 0;
}

int transport_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    uint32_t seq;
    nssh_str text;
    int disp;
    switch (msg) {
    case MSG_DISCONNECT:
        return on_disconnect(c, r);
    case MSG_IGNORE:
        return 0;
    case MSG_UNIMPLEMENTED:
        if (rd_u32(r, &seq) < 0)
            return bad(c, msg, "packet sequence number");
        conn_log(c, NSSH_LOG_VERBOSE, "transport", "SSH_MSG_UNIMPLEMENTED",
                 NULL, "peer did not implement our packet %u", (unsigned)seq);
        return 0;
    case MSG_DEBUG:
        if (rd_bool(r, &disp) < 0 || rd_str(r, &text) < 0)
            return bad(c, msg, "message");
        conn_log(c, NSSH_LOG_DEBUG, "transport", "SSH_MSG_DEBUG", NULL,
                 "peer debug message: %.*s", (int)(text.n > 256 ? 256 : text.n),
                 text.p);
        return 0;
    case MSG_EXT_INFO:
        return on_ext_info(c, r);
    default:
        return send_unimplemented(c, c->in.seq - 1);
    }
}

int send_unimplemented(nssh_conn *c, uint32_t seq)
{
    wr w;
    conn_log(c, NSSH_LOG_DEBUG, "transport", NULL, NULL,
             "answering unknown message (packet %u) with UNIMPLEMENTED", (unsigned)seq);
    pkt_begin(c, &w, MSG_UNIMPLEMENTED);
    wr_u32(&w, seq);
    return pkt_end(c, &w);
}

/* The plain signature algorithm a certificate algorithm signs with
 * (PROTOCOL.certkeys): the name without "-cert-v01@openssh.com", with
 * "@openssh.com" back for the vendor key types (ssh-mldsa44-ed25519,
 * sk-*, webauthn-sk-*). 0, or -1 when out is too small. */
static int cert_plain_name(const char *cert, char *out, size_t cap)
{
    static const char suffix[] = "-cert-v01@openssh.com";
    size_t n = strlen(cert) - (sizeof(suffix) - 1);
    int vendor = !strncmp(cert, "ssh-mldsa", 9) || !strncmp(cert, "sk-", 3) ||
                 !strncmp(cert, "webauthn-", 9);
    if (n + (vendor ? 12 : 0) + 1 > cap)
        return -1;
    memcpy(out, cert, n);
    memcpy(out + n, "@openssh.com", vendor ? 13 : 1);
    out[n + (vendor ? 12 : 0)] = 0;
    return 0;
}

/* Is name one of the configured algorithms? */
static int sig_listed(const nssh_conn *c, const char *name)
{
    size_t i;
    for (i = 0; i < c->cfg->n_sig_algs; i++)
        if (str_is((nssh_str){ c->cfg->sig_algs[i]->name, strlen(c->cfg->sig_algs[i]->name) }, name))
            return 1;
    return 0;
}

/* RFC 8308 section 3.1: server-sig-algs lists the user key algorithms:
 * the plain ones, as sshd sends, each certificate algorithm standing for
 * the plain algorithm its signatures use (so ssh-rsa-cert-v01@openssh.com,
 * when configured, brings "ssh-rsa", which an OpenSSH client looks for
 * before it signs with that certificate). */
int send_ext_info(nssh_conn *c)
{
    wr w;
    size_t mark, i, j;
    int first = 1, dup;
    char plain[96];
    pkt_begin(c, &w, MSG_EXT_INFO);
    wr_u32(&w, 2);
    /* PROTOCOL 2.5: publickey-hostbound-v00@openssh.com is taken. */
    wr_cstring(&w, "publickey-hostbound@openssh.com");
    wr_cstring(&w, "0");
    wr_cstring(&w, "server-sig-algs");
    mark = wr_string_begin(&w);
    for (i = 0; i < c->cfg->n_sig_algs; i++) {
        const char *n = c->cfg->sig_algs[i]->name;
        if (nssh_cert_is_cert_name(n)) {
            if (cert_plain_name(n, plain, sizeof(plain)) < 0 ||
                sig_listed(c, plain))
                continue;   /* listed as a plain algorithm anyway */
            /* once, at its first certificate algorithm */
            for (j = 0, dup = 0; j < i && !dup; j++) {
                char other[96];
                dup = nssh_cert_is_cert_name(c->cfg->sig_algs[j]->name) &&
                      cert_plain_name(c->cfg->sig_algs[j]->name, other,
                                      sizeof(other)) == 0 &&
                      str_is((nssh_str){ other, strlen(other) }, plain);
            }
            if (dup)
                continue;
            n = plain;
        }
        if (first)
            first = 0;
        else
            wr_u8(&w, ',');
        wr_bytes(&w, n, strlen(n));
    }
    wr_string_end(&w, mark);
    return pkt_end(c, &w);
}
