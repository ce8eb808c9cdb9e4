/*
 * The in-memory client/server pair (pair_harness.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pair_harness.h"

static void on_log(void *u, const nssh_log *rec)
{
    pair_side *s = u;
    if (rec->level == NSSH_LOG_ERROR || rec->err) {
        snprintf(s->last_log, sizeof(s->last_log), "%s", rec->text);
        s->last_field = rec->field;
        s->last_err_level = rec->level;
    }
    if (getenv("PAIR_VERBOSE"))
        fprintf(stderr, "[%s] %s %s %s: %s\n", s->cfg.role ? "client" : "server",
                rec->stage, rec->message ? rec->message : "-",
                rec->field ? rec->field : "-", rec->text);
}

static int srv_auth_pubkey(void *u, nssh_str user, const char *alg,
                           const uint8_t *blob, size_t len, int has_sig)
{
    pair_side *s = u;
    (void)alg;
    (void)has_sig;
    if (user.n != 5 || memcmp(user.p, "alice", 5) != 0)
        return NSSH_CB_REFUSE;
    return s->allowed_len == len && memcmp(s->allowed_blob, blob, len) == 0
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int srv_open(void *u, uint32_t ch, nssh_str type, const uint8_t *x,
                    size_t xl)
{
    pair_side *s = u;
    (void)x;
    (void)xl;
    if (type.n != 7 || memcmp(type.p, "session", 7) != 0)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    s->opened_ch = (int)ch;
    return NSSH_CB_ACCEPT;
}

static int srv_req(void *u, uint32_t ch, const nssh_chan_req *r)
{
    pair_side *s = u;
    (void)ch;
    snprintf(s->last_req, sizeof(s->last_req), "%.*s", (int)r->type.n,
             r->type.p);
    if (r->kind == NSSH_REQ_EXEC) {
        snprintf(s->exec_cmd, sizeof(s->exec_cmd), "%.*s", (int)r->text.n,
                 r->text.p);
        return NSSH_CB_ACCEPT;
    }
    return r->kind == NSSH_REQ_SHELL || r->kind == NSSH_REQ_PTY
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d,
                    size_t n)
{
    pair_side *s = u;
    (void)ext;
    if (s->rx_len + n > s->rx_cap) {
        s->rx_cap = (s->rx_len + n) * 2;
        s->rx = realloc(s->rx, s->rx_cap);
        assert_non_null(s->rx);
    }
    memcpy(s->rx + s->rx_len, d, n);
    s->rx_len += n;
    nssh_channel_consume(s->c, ch, n);
}

static void on_eof(void *u, uint32_t ch) { (void)ch; ((pair_side *)u)->eof++; }
static void on_closed(void *u, uint32_t ch)
{
    (void)ch;
    ((pair_side *)u)->closed++;
}

static int cli_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    pair_side *s = u;
    if (!s->want_hostkey)
        s->hostkey_ok = n > 0;
    else
        s->hostkey_ok = (!s->want_hostkey_alg ||
                         strcmp(alg, s->want_hostkey_alg) == 0) &&
                        n == s->want_hostkey_len &&
                        memcmp(b, s->want_hostkey, n) == 0;
    return s->hostkey_ok ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void cli_auth(void *u, int ok, nssh_str methods)
{
    pair_side *s = u;
    nssh_conn_info info;
    (void)methods;
    s->auth_done = 1;
    s->auth_ok = ok;
    nssh_conn_get_info(s->c, &info);
    s->kex_at_auth = info.kex_count;
}

static void cli_open(void *u, uint32_t ch, int ok, uint32_t reason,
                     nssh_str desc)
{
    pair_side *s = u;
    (void)reason;
    (void)desc;
    s->opened_ch = (int)ch;
    s->open_ok = ok;
}

static void cli_reply(void *u, uint32_t ch, int ok)
{
    pair_side *s = u;
    (void)ch;
    s->replies++;
    s->reply_ok = ok;
}

static int cli_chreq(void *u, uint32_t ch, const nssh_chan_req *r)
{
    pair_side *s = u;
    (void)ch;
    if (r->kind == NSSH_REQ_EXIT_STATUS) {
        s->exit_seen = 1;
        s->exit_status = r->exit_status;
    }
    return NSSH_CB_ACCEPT;
}

size_t pair_count(const void *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

void pair_side_init(pair_side *s, int role)
{
    memset(s, 0, sizeof(*s));
    s->cfg.role = role;
    s->cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    s->cfg.cb = &s->cb;
    s->cfg.user = s;
    s->cb.log = on_log;
    s->cb.channel_data = on_data;
    s->cb.channel_eof = on_eof;
    s->cb.channel_closed = on_closed;
    if (role == NSSH_ROLE_SERVER) {
        s->cb.auth_pubkey = srv_auth_pubkey;
        s->cb.channel_open = srv_open;
        s->cb.channel_request = srv_req;
    } else {
        s->cb.check_hostkey = cli_hostkey;
        s->cb.client_auth = cli_auth;
        s->cb.channel_open_reply = cli_open;
        s->cb.client_channel_reply = cli_reply;
        s->cb.channel_request = cli_chreq;
    }
    s->opened_ch = -1;
}

void pair_side_start(pair_side *s)
{
    assert_int_equal(posix_memalign(&s->mem, 16, nssh_conn_mem_size()), 0);
    s->c = nssh_conn_init(s->mem, nssh_conn_mem_size(), &s->cfg, 0);
    assert_non_null(s->c);
}

void pair_side_free(pair_side *s)
{
    nssh_conn_release(s->c);
    free(s->mem);
    free(s->rx);
}

size_t pair_move(pair_side *a, pair_side *b, long *corrupt)
{
    size_t len, room, n;
    const uint8_t *p = nssh_conn_sendbuf(a->c, &len);
    uint8_t *q;
    if (!len)
        return 0;
    q = nssh_conn_recvbuf(b->c, &room);
    n = len < room ? len : room;
    if (n == 0) {
        if (nssh_conn_state(b->c) & NSSH_CLOSED || nssh_conn_error(b->c)) {
            nssh_conn_sent(a->c, len);   /* peer gone: drop */
            return len;
        }
        return 0;
    }
    if (n > 7000)
        n = 7000;
    memcpy(q, p, n);
    if (corrupt && *corrupt > 0) {
        if ((size_t)*corrupt <= n)
            q[*corrupt - 1] ^= 0x40;
        *corrupt -= (long)n;
        if (*corrupt <= 0)
            *corrupt = -1;
    }
    nssh_conn_sent(a->c, n);
    nssh_conn_recvd(b->c, n);
    return n;
}

void pair_pump(pair_side *cl, pair_side *sv)
{
    int i;
    for (i = 0; i < 100000; i++)
        if (pair_move(cl, sv, NULL) + pair_move(sv, cl, NULL) == 0)
            return;
    fail_msg("pump did not settle");
}

void pair_login(pair_side *cl, pair_side *sv, const nssh_sig_alg *alg,
                const nssh_key *key, const uint8_t *blob, size_t len)
{
    pair_pump(cl, sv);
    assert_int_equal(nssh_conn_error(sv->c), 0);
    assert_int_equal(nssh_conn_error(cl->c), 0);
    assert_true(cl->hostkey_ok);
    assert_true(nssh_client_ready(cl->c));
    assert_int_equal(nssh_client_auth_pubkey(cl->c, "alice", alg, key, blob,
                                             len), 0);
    pair_pump(cl, sv);
    assert_true(cl->auth_done);
    assert_true(cl->auth_ok);
}

int pair_open_exec(pair_side *cl, pair_side *sv, const char *cmd)
{
    nssh_chan_req rq;
    int ch = nssh_client_open_session(cl->c);
    assert_true(ch >= 0);
    pair_pump(cl, sv);
    assert_true(cl->open_ok);
    assert_true(sv->opened_ch >= 0);
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_EXEC;
    rq.want_reply = 1;
    rq.text.p = cmd;
    rq.text.n = strlen(cmd);
    assert_int_equal(nssh_client_channel_request(cl->c, (uint32_t)ch, &rq), 0);
    pair_pump(cl, sv);
    assert_int_equal(cl->replies, 1);
    assert_true(cl->reply_ok);
    assert_string_equal(sv->exec_cmd, cmd);
    return ch;
}

void pair_send_bulk(pair_side *a, pair_side *b, pair_side *cl, pair_side *sv,
                    uint32_t ch, size_t n, size_t rekey_at)
{
    uint8_t buf[16384];
    size_t sent = 0, i;
    int spins = 0, rekeyed = 0;
    b->rx_len = 0;
    while (sent < n) {
        size_t k = n - sent < sizeof(buf) ? n - sent : sizeof(buf);
        long w;
        for (i = 0; i < k; i++)
            buf[i] = (uint8_t)((sent + i) * 7 + ((sent + i) >> 8));
        w = nssh_channel_write(a->c, ch, 0, buf, k);
        assert_true(w >= 0);
        sent += (size_t)w;
        if (!rekeyed && rekey_at && sent >= rekey_at) {
            assert_int_equal(nssh_conn_rekey(a->c), 0);
            rekeyed = 1;
        }
        pair_move(cl, sv, NULL);
        pair_move(sv, cl, NULL);
        assert_true(++spins < 1000000);
    }
    pair_pump(cl, sv);
    assert_int_equal(b->rx_len, n);
    for (i = 0; i < n; i++)
        if (b->rx[i] != (uint8_t)(i * 7 + (i >> 8)))
            fail_msg("data differs at byte %zu", i);
}
