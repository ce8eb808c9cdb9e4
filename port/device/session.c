/*
 * One connection of the device application: the engine's callbacks
 * (public-key auth for the provisioned user, session channels) and the
 * pump that moves shell and SFTP output into channels as the peer's
 * windows allow (RFC 4254 section 5.2).
 */
#include <string.h>

#include "device_int.h"

void dev_log(dev_session *s, const char *a, const char *b, const char *c,
             const char *d)
{
    char line[160];
    size_t n = 0;
    const char *parts[4] = { a, b, c, d };
    int i;
    if (!s->p->log)
        return;
    for (i = 0; i < 4; i++) {
        size_t k = parts[i] ? strlen(parts[i]) : 0;
        if (k > sizeof(line) - 1 - n)
            k = sizeof(line) - 1 - n;
        memcpy(line + n, parts[i] ? parts[i] : "", k);
        n += k;
    }
    line[n] = 0;
    s->p->log(s->p->user, line);
}

static void cb_log(void *user, const nssh_log *rec)
{
    dev_session *s = user;
    if (rec->level <= NSSH_LOG_INFO)
        dev_log(s, rec->stage ? rec->stage : "", ": ", rec->text, NULL);
}

/* The key blob of ssh-ed25519 (RFC 8709 section 4): string "ssh-ed25519"
 * || string key (32 bytes). */
static int ed25519_blob_key(const uint8_t *blob, size_t len, const uint8_t **key)
{
    static const uint8_t head[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd',
                                    '2', '5', '5', '1', '9', 0, 0, 0, 32 };
    if (len != sizeof(head) + 32 || memcmp(blob, head, sizeof(head)) != 0)
        return -1;
    *key = blob + sizeof(head);
    return 0;
}

static int cb_auth_pubkey(void *user, nssh_str username, const char *alg,
                          const uint8_t *blob, size_t blob_len, int has_sig)
{
    dev_session *s = user;
    const uint8_t *k;
    size_t i, ulen = strlen(s->p->login);
    (void)has_sig;
    if (username.n != ulen || memcmp(username.p, s->p->login, ulen) != 0)
        return NSSH_CB_REFUSE;
    if (strcmp(alg, "ssh-ed25519") != 0 || ed25519_blob_key(blob, blob_len, &k) < 0)
        return NSSH_CB_REFUSE;
    for (i = 0; i < s->p->n_auth_keys; i++)
        if (memcmp(s->p->auth_keys[i], k, 32) == 0)
            return NSSH_CB_ACCEPT;
    return NSSH_CB_REFUSE;
}

static void cb_auth_result(void *user, nssh_str username, const char *method,
                           const char *alg, const uint8_t *blob, size_t blob_len,
                           int ok, int partial)
{
    dev_session *s = user;
    char name[NSSH_USER_MAX + 1];
    size_t n = username.n < NSSH_USER_MAX ? username.n : NSSH_USER_MAX;
    (void)blob, (void)blob_len, (void)partial, (void)alg;
    memcpy(name, username.p, n);
    name[n] = 0;
    /* sshd's wording, as nanosshd logs it */
    dev_log(s, ok ? "Accepted " : "Failed ", method, " for ", name);
}

static int cb_channel_open(void *user, uint32_t ch, nssh_str type,
                           const uint8_t *extra, size_t extra_len)
{
    dev_session *s = user;
    (void)extra, (void)extra_len;
    if (type.n != 7 || memcmp(type.p, "session", 7) != 0)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    if (ch >= NSSH_MAX_CHANNELS)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_RESOURCE_SHORTAGE);
    memset(&s->ch[ch], 0, sizeof(s->ch[ch]));
    s->ch[ch].kind = DEV_CH_OPEN;
    return NSSH_CB_ACCEPT;
}

static int cb_channel_request(void *user, uint32_t ch, const nssh_chan_req *r)
{
    dev_session *s = user;
    dev_chan *c = &s->ch[ch];
    switch (r->kind) {
    case NSSH_REQ_PTY:
        if (c->kind != DEV_CH_OPEN)
            return NSSH_CB_REFUSE;
        c->pty = 1;
        return NSSH_CB_ACCEPT;
    case NSSH_REQ_WINDOW_CHANGE:
    case NSSH_REQ_ENV:
        return NSSH_CB_ACCEPT;   /* accepted and ignored: the shell has no layout */
    case NSSH_REQ_SHELL:
        if (c->kind != DEV_CH_OPEN)
            return NSSH_CB_REFUSE;
        c->kind = DEV_CH_SHELL;
        dev_shell_start(s, c);
        return NSSH_CB_ACCEPT;
    case NSSH_REQ_EXEC:
        if (c->kind != DEV_CH_OPEN)
            return NSSH_CB_REFUSE;
        c->kind = DEV_CH_EXEC;
        dev_shell_exec(s, c, r->text.p, r->text.n);
        return NSSH_CB_ACCEPT;
    case NSSH_REQ_SUBSYSTEM:
        if (c->kind != DEV_CH_OPEN || r->text.n != 4 ||
            memcmp(r->text.p, "sftp", 4) != 0)
            return NSSH_CB_REFUSE;
        return dev_sftp_start(s, ch) == 0 ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
    default:
        return NSSH_CB_REFUSE;
    }
}

static void cb_channel_data(void *user, uint32_t ch, uint32_t ext,
                            const uint8_t *data, size_t len)
{
    dev_session *s = user;
    dev_chan *c = &s->ch[ch];
    if (ext == 0 && c->kind == DEV_CH_SFTP) {
        dev_sftp_data(s, ch, data, len);
        return;
    }
    if (ext == 0 && c->kind == DEV_CH_SHELL) {
        size_t room = sizeof(c->inq) - c->inq_len;
        size_t n = len < room ? len : room;
        memcpy(c->inq + c->inq_len, data, n);
        c->inq_len += n;
    }
    /* Anything else (exec input, stderr, overflow) is discarded; the
     * window reopens as if it had been read. */
    nssh_channel_consume(s->conn, ch, len);
}

static void cb_channel_eof(void *user, uint32_t ch)
{
    dev_session *s = user;
    dev_chan *c = &s->ch[ch];
    c->eof_in = 1;
    if (c->kind == DEV_CH_SFTP)
        dev_sftp_eof(s);
}

static void cb_channel_closed(void *user, uint32_t ch)
{
    dev_session *s = user;
    dev_chan *c = &s->ch[ch];
    if (c->kind == DEV_CH_SFTP)
        dev_sftp_closed(s);
    dev_shell_job_cancel(s, c);
    memset(c, 0, sizeof(*c));
}

void dev_chan_finish(dev_session *s, dev_chan *c, uint32_t code)
{
    (void)s;
    if (c->finishing)
        return;
    c->finishing = 1;
    c->exit_code = code;
}

int dev_session_start(dev_session *s, const dev_params *p, void *mem,
                      size_t mem_len, uint64_t now_ms)
{
    memset(s, 0, offsetof(dev_session, sftp));
    s->p = p;
    s->sftp_ch = -1;
    s->started_ms = now_ms;
    s->cb.log = cb_log;
    s->cb.auth_pubkey = cb_auth_pubkey;
    s->cb.auth_result = cb_auth_result;
    s->cb.channel_open = cb_channel_open;
    s->cb.channel_request = cb_channel_request;
    s->cb.channel_data = cb_channel_data;
    s->cb.channel_eof = cb_channel_eof;
    s->cb.channel_closed = cb_channel_closed;
    s->cfg = *p->base;
    s->cfg.role = NSSH_ROLE_SERVER;
    s->cfg.cb = &s->cb;
    s->cfg.user = s;
    s->cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    s->conn = nssh_conn_init(mem, mem_len, &s->cfg, now_ms);
    if (!s->conn)
        return NSSH_ERR_STATE;
    return nssh_conn_error(s->conn);
}

/* Move one shell channel forward: typed-ahead input, the running command,
 * queued output, and the channel's end. */
static void pump_shell(dev_session *s, uint32_t ch)
{
    dev_chan *c = &s->ch[ch];
    long w;
    for (;;) {
        int progress = 0;
        if (c->job.kind && dev_out_room(c) >= 128)
            dev_shell_job_step(s, c), progress = 1;
        if (!c->job.kind && !c->finishing && c->inq_len) {
            size_t n = dev_shell_input(s, c, c->inq, c->inq_len);
            memmove(c->inq, c->inq + n, c->inq_len - n);
            c->inq_len -= n;
            progress |= n > 0;
        }
        if (c->kind == DEV_CH_SHELL && c->eof_in && !c->job.kind && !c->inq_len)
            dev_chan_finish(s, c, 0);
        if (c->outq_len) {
            w = nssh_channel_write(s->conn, ch, 0, c->outq, c->outq_len);
            if (w > 0) {
                memmove(c->outq, c->outq + w, c->outq_len - (size_t)w);
                c->outq_len -= (size_t)w;
                progress = 1;
            }
        }
        if (!progress)
            break;
    }
    if (c->finishing && !c->job.kind && !c->outq_len && !c->closed_sent) {
        c->closed_sent = 1;
        /* RFC 4254 section 6.10: exit-status, then EOF and CLOSE. */
        nssh_channel_exit_status(s->conn, ch, c->exit_code);
        nssh_channel_eof(s->conn, ch);
        nssh_channel_close(s->conn, ch);
    }
}

static void pump(dev_session *s)
{
    uint32_t ch;
    if (nssh_conn_error(s->conn))
        return;
    for (ch = 0; ch < NSSH_MAX_CHANNELS; ch++)
        if (s->ch[ch].kind == DEV_CH_SHELL || s->ch[ch].kind == DEV_CH_EXEC)
            pump_shell(s, ch);
    dev_sftp_pump(s);
}

long dev_session_feed(dev_session *s, const uint8_t *data, size_t len)
{
    long n = nssh_conn_feed(s->conn, data, len);
    pump(s);
    return n;
}

const uint8_t *dev_session_pull(dev_session *s, size_t *len)
{
    pump(s);
    return nssh_conn_sendbuf(s->conn, len);
}

void dev_session_sent(dev_session *s, size_t n)
{
    nssh_conn_sent(s->conn, n);
}

int dev_session_tick(dev_session *s, uint64_t now_ms)
{
    int e = nssh_conn_tick(s->conn, now_ms);
    pump(s);
    return e;
}

unsigned dev_session_state(const dev_session *s)
{
    return s->conn ? nssh_conn_state(s->conn) : NSSH_CLOSED;
}

void dev_session_end(dev_session *s)
{
    uint32_t ch;
    if (!s->conn)
        return;
    for (ch = 0; ch < NSSH_MAX_CHANNELS; ch++)
        dev_shell_job_cancel(s, &s->ch[ch]);
    if (s->sftp_ch >= 0)
        dev_sftp_closed(s);
    nssh_conn_release(s->conn);
    s->conn = NULL;
}

size_t dev_session_bytes(void)
{
    return nssh_conn_mem_size() + sizeof(dev_session);
}
