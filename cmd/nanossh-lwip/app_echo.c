/*
 * A minimal application: public-key login of the one authorized key, and
 * session channels whose exec runs a built-in "echo". It exercises the
 * adapter end to end (auth, channel requests, output held back until the
 * channel window has room, exit-status, EOF and CLOSE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwipd.h"

#define OUT_MAX 1024

typedef struct chan {
    int used;
    int started;                /* output is being written */
    int done;                   /* exit-status, EOF and CLOSE sent */
    uint32_t status;
    char out[OUT_MAX];
    size_t off, len;
} chan;

typedef struct conn {
    lwipd *d;
    nssh_lwip_conn *lc;
    nssh_config cfg;            /* the engine's, for this connection */
    int authenticated;
    chan ch[NSSH_MAX_CHANNELS];
} conn;

typedef struct app {
    lwipd *d;
    conn *conns;
    size_t n;
    nssh_callbacks cb;
} app;

static void on_log(void *user, const nssh_log *rec)
{
    conn *k = user;
    lwipd_log(k->d, rec->level, "%s: %s%s%s (%s)",
              rec->stage ? rec->stage : "?",
              rec->message ? rec->message : "", rec->message ? ": " : "",
              rec->text ? rec->text : "", k->lc->peer);
}

static int on_auth_pubkey(void *user, nssh_str username, const char *alg,
                          const uint8_t *blob, size_t len, int has_sig)
{
    conn *k = user;
    (void)alg;
    (void)has_sig;
    if (username.n != strlen(k->d->user) ||
        memcmp(username.p, k->d->user, username.n) ||
        len != k->d->auth_blob_len || memcmp(blob, k->d->auth_blob, len))
        return NSSH_AUTH_DENY;
    return NSSH_AUTH_ALLOW;
}

static void on_auth_result(void *user, nssh_str username, const char *method,
                           const char *alg, const uint8_t *blob, size_t len,
                           int ok, int partial)
{
    conn *k = user;
    char fp[64] = "";
    (void)partial;
    nssh_fingerprint(blob, len, fp, sizeof(fp));
    if (ok)
        k->authenticated = 1;
    lwipd_log(k->d, NSSH_LOG_INFO, "%s %s for %.*s from %s %s %s",
              ok ? "Accepted" : "Failed", method, (int)username.n,
              username.p, k->lc->peer, alg ? alg : "", fp);
}

static int on_channel_open(void *user, uint32_t ch, nssh_str type,
                           const uint8_t *extra, size_t extra_len)
{
    conn *k = user;
    (void)extra;
    (void)extra_len;
    if (type.n != 7 || memcmp(type.p, "session", 7))
        return NSSH_OPEN_UNKNOWN_CHANNEL_TYPE;
    if (ch >= NSSH_MAX_CHANNELS)
        return NSSH_OPEN_RESOURCE_SHORTAGE;
    memset(&k->ch[ch], 0, sizeof(k->ch[ch]));
    k->ch[ch].used = 1;
    return 0;
}

/* The built-in commands: "echo [ARGS]" and nothing else. */
static void run(chan *c, nssh_str cmd)
{
    if (cmd.n >= 4 && !memcmp(cmd.p, "echo", 4) &&
        (cmd.n == 4 || cmd.p[4] == ' ')) {
        size_t n = cmd.n > 5 ? cmd.n - 5 : 0;
        if (n > OUT_MAX - 1)
            n = OUT_MAX - 1;
        memcpy(c->out, cmd.p + 5 * (cmd.n > 5), n);
        c->out[n] = '\n';
        c->len = n + 1;
        c->status = 0;
    } else {
        c->len = (size_t)snprintf(c->out, OUT_MAX, "%.*s: command not found\n",
                                  (int)(cmd.n > 200 ? 200 : cmd.n), cmd.p);
        c->status = 127;
    }
    c->started = 1;
}

static int on_channel_request(void *user, uint32_t ch, const nssh_chan_req *r)
{
    conn *k = user;
    chan *c = ch < NSSH_MAX_CHANNELS ? &k->ch[ch] : NULL;
    if (!c || !c->used || c->started)
        return -1;
    if (r->kind == NSSH_REQ_EXEC) {
        run(c, r->text);
        return 0;
    }
    if (r->kind == NSSH_REQ_ENV)
        return 0;
    return -1;    /* no shell, pty or subsystem in this application */
}

static void on_channel_data(void *user, uint32_t ch, uint32_t ext,
                            const uint8_t *data, size_t len)
{
    conn *k = user;
    (void)ext;
    (void)data;
    nssh_channel_consume(k->lc->c, ch, len);    /* stdin is ignored */
}

static void on_channel_eof(void *user, uint32_t ch)
{
    (void)user;
    (void)ch;
}

static void on_channel_closed(void *user, uint32_t ch)
{
    conn *k = user;
    if (ch < NSSH_MAX_CHANNELS)
        memset(&k->ch[ch], 0, sizeof(k->ch[ch]));
}

/* Output the channel window had no room for goes now. */
static void pump(void *ap, nssh_lwip_conn *lc, uint64_t now_ms)
{
    conn *k = lc->app_user;
    uint32_t i;
    (void)ap;
    (void)now_ms;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++) {
        chan *c = &k->ch[i];
        if (!c->used || !c->started || c->done)
            continue;
        if (c->off < c->len) {
            long n = nssh_channel_write(lc->c, i, c->status ? 1 : 0,
                                        (const uint8_t *)c->out + c->off,
                                        c->len - c->off);
            if (n > 0)
                c->off += (size_t)n;
            if (c->off < c->len)
                continue;
        }
        if (nssh_channel_exit_status(lc->c, i, c->status) == 0 &&
            nssh_channel_eof(lc->c, i) == 0 && nssh_channel_close(lc->c, i) == 0)
            c->done = 1;
    }
}

static nssh_conn *open_conn(void *ap, nssh_lwip_conn *lc, uint64_t now_ms)
{
    app *a = ap;
    conn *k = &a->conns[lc - lc->srv->conns];
    memset(k, 0, sizeof(*k));
    k->d = a->d;
    k->lc = lc;
    k->cfg = a->d->tmpl;
    k->cfg.cb = &a->cb;
    k->cfg.user = k;
    lc->app_user = k;
    return nssh_conn_init(lc->mem, lc->mem_len, &k->cfg, now_ms);
}

static void close_conn(void *ap, nssh_lwip_conn *lc)
{
    conn *k = lc->app_user;
    (void)ap;
    nssh_conn_release(lc->c);
    memset(k, 0, sizeof(*k));
}

static void log_hook(void *ap, int level, const char *text)
{
    app *a = ap;
    lwipd_log(a->d, level, "%s", text);
}

const nssh_lwip_hooks lwipd_app_hooks = {
    .open = open_conn,
    .pump = pump,
    .close = close_conn,
    .log = log_hook,
};

int lwipd_app_init(lwipd *d, size_t n_conns, void **out)
{
    app *a = calloc(1, sizeof(*a));
    if (!a || !(a->conns = calloc(n_conns, sizeof(conn)))) {
        free(a);
        return -1;
    }
    a->d = d;
    a->n = n_conns;
    a->cb.log = on_log;
    a->cb.auth_pubkey = on_auth_pubkey;
    a->cb.auth_result = on_auth_result;
    a->cb.channel_open = on_channel_open;
    a->cb.channel_request = on_channel_request;
    a->cb.channel_data = on_channel_data;
    a->cb.channel_eof = on_channel_eof;
    a->cb.channel_closed = on_channel_closed;
    *out = a;
    return 0;
}

void lwipd_app_free(void *ap)
{
    app *a = ap;
    if (!a)
        return;
    free(a->conns);
    free(a);
}
