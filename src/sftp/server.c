/*
 * SFTP server: message framing over the channel's byte stream.
 *
 * Every message is uint32 length || byte type || payload
 * (draft-ietf-secsh-filexfer-02 section 3); all but INIT carry a uint32
 * request id right after the type. A whole request is gathered in the
 * input buffer and handled once the output buffer has room for its reply,
 * so replies leave in request order with their ids. WRITE is the
 * exception: its head is gathered, then its data goes to the backend as
 * it arrives (memory stays bounded whatever length the client claims).
 */
#include <string.h>

#include "sftp_int.h"

#define HEAD_LEN 9u   /* length, type, id (or INIT's version) */

int nssh_sftp_init(nssh_sftp *s, const nssh_sftp_config *cfg)
{
    memset(s, 0, sizeof(*s));
    if (!cfg || !cfg->fs || !cfg->inbuf || !cfg->outbuf ||
        cfg->inbuf_len < NSSH_SFTP_MIN_INBUF ||
        cfg->outbuf_len < NSSH_SFTP_MIN_OUTBUF) {
        s->err = NSSH_SFTP_ERR_CONFIG;
        return s->err;
    }
    s->cfg = *cfg;
    s->phase = PH_HEAD;
    s->need = HEAD_LEN;
    return 0;
}

int nssh_sftp_error(const nssh_sftp *s) { return s->err; }

size_t nssh_sftp_output(nssh_sftp *s, const uint8_t **p)
{
    *p = s->cfg.outbuf + s->out_off;
    return s->out_len;
}

void nssh_sftp_consume(nssh_sftp *s, size_t n)
{
    if (n > s->out_len)
        n = s->out_len;
    s->out_off += n;
    s->out_len -= n;
    if (!s->out_len)
        s->out_off = 0;
}

void nssh_sftp_end(nssh_sftp *s)
{
    int i;
    for (i = 0; i < NSSH_SFTP_MAX_HANDLES; i++)
        if (s->handles[i].kind)
            sftp_handle_close(s, i, 0);
}

/* Room the reply to the request in inbuf may need: a READ's data (up to
 * the whole buffer), else one NAME entry or status. */
static size_t room_wanted(const nssh_sftp *s)
{
    const uint8_t *b = s->cfg.inbuf;
    size_t want = NSSH_SFTP_MIN_OUTBUF;
    if (b[4] == SSH_FXP_READ && s->in_len >= 4 + 5 + 4 + SFTP_HANDLE_LEN + 12) {
        uint32_t len = be32(b + s->in_len - 4);
        if (len > NSSH_SFTP_MAX_READ)
            len = NSSH_SFTP_MAX_READ;
        if ((size_t)len + 64 > want)
            want = (size_t)len + 64;
    }
    if (want > s->cfg.outbuf_len)
        want = s->cfg.outbuf_len;
    return want;
}

/* Handle the gathered request when its reply fits; 1 when done. */
static int run_ready(nssh_sftp *s)
{
    req q;
    if (sftp_out_room(s) < room_wanted(s)) {
        sftp_out_compact(s);
        if (sftp_out_room(s) < room_wanted(s))
            return 0;
    }
    q.type = s->cfg.inbuf[4];
    q.id = be32(s->cfg.inbuf + 5);
    rd_init(&q.r, s->cfg.inbuf + HEAD_LEN, s->in_len - HEAD_LEN);
    if (q.type == SSH_FXP_INIT) {
        /* uint32 version; any extension pairs the client sends are
         * ignored (section 4). */
        if (s->version_sent)
            s->err = NSSH_SFTP_ERR_PROTOCOL;
        else
            sftp_reply_version(s);
    } else if (!s->version_sent) {
        s->err = NSSH_SFTP_ERR_PROTOCOL;   /* sftp-server closes too */
    } else {
        sftp_dispatch(s, &q);
    }
    s->requests++;
    s->phase = PH_HEAD;
    s->need = HEAD_LEN;
    s->in_len = 0;
    return 1;
}

/* The head is in: decide how the rest of the message is read. */
static void after_head(nssh_sftp *s)
{
    const uint8_t *b = s->cfg.inbuf;
    uint32_t len = be32(b);
    if (len < 5) {
        s->err = NSSH_SFTP_ERR_PROTOCOL;   /* no room for type and id */
        return;
    }
    if (len > NSSH_SFTP_MAX_MSG) {
        s->err = NSSH_SFTP_ERR_TOO_LONG;
        return;
    }
    s->msg_len = len;
    s->msg_left = len - 5;
    if (b[4] == SSH_FXP_WRITE && s->version_sent) {
        s->w_id = be32(b + 5);
        s->phase = PH_WHEAD;
        s->need = 4;   /* the handle's length first */
        return;
    }
    if ((size_t)len + 4 > s->cfg.inbuf_len) {
        /* Cannot be held: skip it and say so (the id is known). */
        s->w_id = be32(b + 5);
        s->w_status = SSH_FX_FAILURE;
        s->phase = PH_SKIP;
        return;
    }
    s->phase = s->msg_left ? PH_BODY : PH_READY;
    s->need = s->msg_left;
}

/* WRITE head parts: handle length, then handle, offset and data length. */
static void after_whead(nssh_sftp *s)
{
    const uint8_t *b = s->cfg.inbuf + HEAD_LEN;
    size_t have = s->in_len - HEAD_LEN;
    if (have == 4) {
        uint32_t hl = be32(b);
        if (hl != SFTP_HANDLE_LEN || (uint64_t)hl + 12 > s->msg_left) {
            /* Not one of ours (or a short message): refuse it whole. */
            s->w_status = hl + 12 > s->msg_left ? SSH_FX_BAD_MESSAGE
                                                 : SSH_FX_FAILURE;
            s->phase = PH_SKIP;
            return;
        }
        s->need = SFTP_HANDLE_LEN + 12;
        return;
    }
    {
        int slot = sftp_handle_find(s, b + 4, SFTP_HANDLE_LEN, 1);
        uint32_t dlen = be32(b + 4 + SFTP_HANDLE_LEN + 8);
        s->w_off = ((uint64_t)be32(b + 4 + SFTP_HANDLE_LEN) << 32) |
                   be32(b + 4 + SFTP_HANDLE_LEN + 4);
        /* Bytes after the data are ignored, as sftp-server does: some
         * clients (Go's pkg/sftp) send the last block of a file in a
         * message sized for a full one. */
        if (dlen > s->msg_left) {
            s->w_status = SSH_FX_BAD_MESSAGE;
            s->phase = PH_SKIP;
            return;
        }
        s->w_slot = slot;
        s->w_data_left = dlen;
        s->w_status = sftp_write_begin(s, slot);
        s->phase = PH_WDATA;
    }
}

/* Reply to a skipped or streamed message once there is room. */
static int finish_status(nssh_sftp *s)
{
    if (sftp_out_room(s) < 64) {
        sftp_out_compact(s);
        if (sftp_out_room(s) < 64)
            return 0;
    }
    sftp_reply_status(s, s->w_id, s->w_status);
    s->requests++;
    s->phase = PH_HEAD;
    s->need = HEAD_LEN;
    s->in_len = 0;
    return 1;
}

/* Gather up to s->need bytes into inbuf; returns bytes taken. */
static size_t gather(nssh_sftp *s, const uint8_t *p, size_t len)
{
    size_t n = len < s->need ? len : s->need;
    memcpy(s->cfg.inbuf + s->in_len, p, n);
    s->in_len += n;
    s->need -= (uint32_t)n;
    if (s->phase != PH_HEAD)
        s->msg_left -= (uint32_t)n;
    return n;
}

long nssh_sftp_input(nssh_sftp *s, const uint8_t *p, size_t len)
{
    size_t used = 0, n;
    /* Run until the input is used up and no phase can move without more
     * (a message complete in the buffer is handled, a finished WRITE
     * answered, before returning). */
    while (!s->err) {
        size_t left = len - used;
        switch (s->phase) {
        case PH_READY:
            if (!run_ready(s))
                return (long)used;   /* waits for output room */
            break;
        case PH_WDONE:
            if (!finish_status(s))
                return (long)used;
            break;
        case PH_SKIP:
            if (!s->msg_left) {
                s->phase = PH_WDONE;
                break;
            }
            if (!left)
                return (long)used;
            n = left < s->msg_left ? left : s->msg_left;
            s->msg_left -= (uint32_t)n;
            used += n;
            break;
        case PH_WDATA:
            if (!s->w_data_left) {
                s->phase = PH_SKIP;   /* any trailing bytes, then the reply */
                break;
            }
            if (!left)
                return (long)used;
            n = left < s->w_data_left ? left : s->w_data_left;
            sftp_write_chunk(s, p + used, n);
            s->w_data_left -= (uint32_t)n;
            s->msg_left -= (uint32_t)n;
            used += n;
            break;
        default:
            if (!left)
                return (long)used;
            used += gather(s, p + used, left);
            if (s->need)
                break;
            if (s->phase == PH_HEAD)
                after_head(s);
            else if (s->phase == PH_WHEAD)
                after_whead(s);
            else
                s->phase = PH_READY;
            break;
        }
    }
    return s->err;
}
