/*
 * Channel requests (RFC 4254 sections 5.4 and 6): parsing the peer's into
 * nssh_chan_req, answering want_reply, building our own (exit-status,
 * exit-signal, and the client's pty-req, shell, exec, ...).
 */
#include <string.h>

#include "internal.h"

#define STAGE "connection"
#define MSG "SSH_MSG_CHANNEL_REQUEST"

static const struct {
    const char *name;
    int kind;
} kinds[] = {
    { "pty-req", NSSH_REQ_PTY },
    { "shell", NSSH_REQ_SHELL },
    { "exec", NSSH_REQ_EXEC },
    { "subsystem", NSSH_REQ_SUBSYSTEM },
    { "env", NSSH_REQ_ENV },
    { "window-change", NSSH_REQ_WINDOW_CHANGE },
    { "signal", NSSH_REQ_SIGNAL },
    { "exit-status", NSSH_REQ_EXIT_STATUS },
    { "exit-signal", NSSH_REQ_EXIT_SIGNAL },
    { "keepalive@openssh.com", NSSH_REQ_KEEPALIVE },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static int kind_of(nssh_str type)
{
    size_t i;
    for (i = 0; i < N_KINDS; i++)
        if (strlen(kinds[i].name) == type.n &&
            memcmp(kinds[i].name, type.p, type.n) == 0)
            return kinds[i].kind;
    return NSSH_REQ_OTHER;
}

static const char *name_of(int kind)
{
    size_t i;
    for (i = 0; i < N_KINDS; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return NULL;
}

/* Four uint32: columns, rows, width and height in pixels (section 6.2). */
static int rd_size(rd *r, nssh_chan_req *q)
{
    if (rd_u32(r, &q->cols) < 0 || rd_u32(r, &q->rows) < 0 ||
        rd_u32(r, &q->width_px) < 0 || rd_u32(r, &q->height_px) < 0)
        return NSSH_ERR_FORMAT;
    return 0;
}

/* The request-specific fields; returns the name of a bad field or NULL. */
static const char *parse_fields(rd *r, nssh_chan_req *q)
{
    nssh_str lang;
    switch (q->kind) {
    case NSSH_REQ_PTY:      /* section 6.2 */
        if (rd_str(r, &q->name) < 0)
            return "TERM environment variable value";
        if (rd_size(r, q) < 0)
            return "terminal size";
        if (rd_str(r, &q->modes) < 0)
            return "encoded terminal modes";
        break;
    case NSSH_REQ_EXEC:     /* section 6.5 */
        if (rd_str(r, &q->text) < 0)
            return "command";
        break;
    case NSSH_REQ_SUBSYSTEM:
        if (rd_str(r, &q->text) < 0)
            return "subsystem name";
        break;
    case NSSH_REQ_ENV:      /* section 6.4 */
        if (rd_str(r, &q->name) < 0 || rd_str(r, &q->text) < 0)
            return "variable name / value";
        break;
    case NSSH_REQ_WINDOW_CHANGE:   /* section 6.7 */
        if (rd_size(r, q) < 0)
            return "terminal size";
        break;
    case NSSH_REQ_SIGNAL:   /* section 6.9 */
        if (rd_str(r, &q->name) < 0)
            return "signal name";
        break;
    case NSSH_REQ_EXIT_STATUS:     /* section 6.10 */
        if (rd_u32(r, &q->exit_status) < 0)
            return "exit status";
        break;
    case NSSH_REQ_EXIT_SIGNAL:
        if (rd_str(r, &q->name) < 0 || rd_bool(r, &q->core_dumped) < 0 ||
            rd_str(r, &q->text) < 0 || rd_str(r, &lang) < 0)
            return "signal name / core dumped / error message / language tag";
        break;
    case NSSH_REQ_OTHER:
        return NULL;   /* left to the application in raw */
    default:
        break;
    }
    return rd_end(r) < 0 ? "end of request" : NULL;
}

static int on_request(nssh_conn *c, rd *r)
{
    nssh_chan_req q;
    uint32_t id;
    const char *badf;
    int e, ok = 0;
    if ((e = chan_recipient(c, MSG_CHANNEL_REQUEST, r, &id)) < 0)
        return e;
    memset(&q, 0, sizeof(q));
    if (rd_str(r, &q.type) < 0 || rd_bool(r, &q.want_reply) < 0)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, STAGE, MSG,
                         "request type", "malformed request type or want reply");
    q.kind = kind_of(q.type);
    q.raw = r->p + r->pos;
    q.raw_len = rd_left(r);
    if ((badf = parse_fields(r, &q)) != NULL)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, STAGE, MSG,
                         badf, "channel %u: malformed \"%.*s\" request: %s",
                         (unsigned)id, (int)(q.type.n > 64 ? 64 : q.type.n),
                         q.type.p, badf);
    if (c->ch[id].sent_close)
        return 0;   /* answering would follow our CLOSE */
    /* OpenSSH takes any answer to a keepalive as a sign of life. */
    if (q.kind != NSSH_REQ_KEEPALIVE && c->cb->channel_request)
        ok = c->cb->channel_request(c->cfg->user, id, &q) == NSSH_CB_ACCEPT;
    conn_log(c, NSSH_LOG_DEBUG, STAGE, MSG, NULL, "channel %u: request \"%.*s\"%s: %s",
             (unsigned)id, (int)(q.type.n > 64 ? 64 : q.type.n), q.type.p,
             q.want_reply ? " (reply wanted)" : "", ok ? "accepted" : "refused");
    /* The callback may have closed the channel. */
    if (!q.want_reply || c->ch[id].state != CH_OPEN || c->ch[id].sent_close)
        return 0;
    return chan_send(c, &c->ch[id], ok ? MSG_CHANNEL_SUCCESS : MSG_CHANNEL_FAILURE);
}

/* A reply to one of our requests with want_reply (section 5.4). */
static int on_reply(nssh_conn *c, uint8_t msg, rd *r)
{
    uint32_t id;
    chan *h;
    int e;
    if ((e = chan_recipient(c, msg, r, &id)) < 0)
        return e;
    if (rd_end(r) < 0)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         msg_name(msg), NULL, "trailing bytes");
    h = &c->ch[id];
    if (h->client_pending == 0)
        return conn_fail(c, NSSH_ERR_CHANNEL, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         msg_name(msg), "recipient channel",
                         "channel %u: %s but no request is waiting for a reply",
                         (unsigned)id, msg_name(msg));
    h->client_pending--;
    if (h->sent_close)
        return 0;
    if (c->cb->client_channel_reply)
        c->cb->client_channel_reply(c->cfg->user, id, msg == MSG_CHANNEL_SUCCESS);
    return 0;
}

int chan_request_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    if (msg == MSG_CHANNEL_REQUEST)
        return on_request(c, r);
    return on_reply(c, msg, r);
}

/* CHANNEL_REQUEST header: recipient, type, want reply. */
static int req_begin(nssh_conn *c, uint32_t ch, wr *w, const char *type,
                     int want_reply)
{
    int e = chan_api_check(c, ch);
    if (e < 0)
        return e;
    if ((e = pkt_begin(c, w, MSG_CHANNEL_REQUEST)) < 0)
        return e;
    wr_u32(w, c->ch[ch].remote_id);
    wr_cstring(w, type);
    wr_bool(w, want_reply);
    return 0;
}

int nssh_channel_exit_status(nssh_conn *c, uint32_t ch, uint32_t status)
{
    wr w;
    int e;
    if ((e = req_begin(c, ch, &w, "exit-status", 0)) < 0)
        return e;
    wr_u32(&w, status);
    return pkt_end(c, &w);
}

/* Section 6.10: the signal name without the "SIG" prefix. */
int nssh_channel_exit_signal(nssh_conn *c, uint32_t ch, const char *signame,
                             int core_dumped, const char *msg)
{
    wr w;
    int e;
    if (!signame)
        return NSSH_ERR_FORMAT;
    /* Compared byte by byte: a freestanding build has no strncmp. */
    if (signame[0] == 'S' && signame[1] == 'I' && signame[2] == 'G')
        signame += 3;
    if ((e = req_begin(c, ch, &w, "exit-signal", 0)) < 0)
        return e;
    wr_cstring(&w, signame);
    wr_bool(&w, core_dumped);
    wr_cstring(&w, msg ? msg : "");
    wr_cstring(&w, "");   /* language tag */
    return pkt_end(c, &w);
}

static void wr_str(wr *w, nssh_str s) { wr_string(w, s.p, s.n); }

int nssh_client_channel_request(nssh_conn *c, uint32_t ch,
                                const nssh_chan_req *q)
{
    static const uint8_t tty_op_end = 0;   /* section 8 */
    const char *type = name_of(q->kind);
    nssh_str sig = q->name;
    wr w;
    int e;
    if (!type || q->kind == NSSH_REQ_EXIT_STATUS || q->kind == NSSH_REQ_EXIT_SIGNAL)
        return NSSH_ERR_UNSUPPORTED;
    if (q->want_reply && ch < c->ch_top && c->ch[ch].client_pending == 255)
        return NSSH_ERR_STATE;
    if ((e = req_begin(c, ch, &w, type, q->want_reply)) < 0)
        return e;
    switch (q->kind) {
    case NSSH_REQ_PTY:
        wr_str(&w, q->name);
        /* fall through */
    case NSSH_REQ_WINDOW_CHANGE:
        wr_u32(&w, q->cols);
        wr_u32(&w, q->rows);
        wr_u32(&w, q->width_px);
        wr_u32(&w, q->height_px);
        if (q->kind == NSSH_REQ_PTY && q->modes.n)
            wr_str(&w, q->modes);
        else if (q->kind == NSSH_REQ_PTY)
            wr_string(&w, &tty_op_end, 1);
        break;
    case NSSH_REQ_EXEC:
    case NSSH_REQ_SUBSYSTEM:
        wr_str(&w, q->text);
        break;
    case NSSH_REQ_ENV:
        wr_str(&w, q->name);
        wr_str(&w, q->text);
        break;
    case NSSH_REQ_SIGNAL:
        if (sig.n > 3 && memcmp(sig.p, "SIG", 3) == 0) {
            sig.p += 3;
            sig.n -= 3;
        }
        wr_str(&w, sig);
        break;
    default:
        break;   /* shell, keepalive: no fields */
    }
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    if (q->want_reply)
        c->ch[ch].client_pending++;
    return 0;
}
