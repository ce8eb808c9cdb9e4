/*
 * The engine's callbacks and trace hooks for a run: what the server did
 * and when (the timeline), every payload both ways and K (for the
 * diagnosis), host keys, the authentication answers, and the login's
 * "exit 0". None of them calls back into the protocol beyond the client
 * role's public API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanossh_ossl.h"
#include "probe.h"

void run_event(run *r, const char *what)
{
    if (r->n_ev >= RUN_MAX_EVENTS)
        return;
    snprintf(r->ev[r->n_ev].what, sizeof(r->ev[0].what), "%s", what);
    r->ev[r->n_ev].ms = now_ms() - r->t0;
    r->n_ev++;
}

static void on_log(void *u, const nssh_log *rec)
{
    run *r = u;
    if (!rec->err || r->err)
        return;
    r->err = rec->err;
    snprintf(r->err_stage, sizeof(r->err_stage), "%s", rec->stage ? rec->stage : "");
    snprintf(r->err_msg, sizeof(r->err_msg), "%s", rec->message ? rec->message : "");
    snprintf(r->err_field, sizeof(r->err_field), "%s", rec->field ? rec->field : "");
    snprintf(r->err_text, sizeof(r->err_text), "%s", rec->text ? rec->text : "");
}

void keep_hostkey(hostkey_seen *h, const char *src, const char *alg,
                  const uint8_t *b, size_t n)
{
    nssh_key *k = NULL;
    free(h->blob);
    h->blob = malloc(n ? n : 1);
    if (h->blob)
        memcpy(h->blob, b, n);
    h->len = h->blob ? n : 0;
    snprintf(h->src, sizeof(h->src), "%s", src);
    snprintf(h->alg, sizeof(h->alg), "%s", alg);
    if (nssh_ossl_blob_type(b, n, h->type, sizeof(h->type)) < 0)
        snprintf(h->type, sizeof(h->type), "?");
    if (nssh_ossl_fingerprint(b, n, h->fp, sizeof(h->fp)) < 0)
        snprintf(h->fp, sizeof(h->fp), "?");
    h->bits = 0;
    if (nssh_ossl_key_from_blob(b, n, &k) == 0) {
        h->bits = nssh_ossl_key_bits(k);
        nssh_ossl_key_free(k);
    }
}

static int on_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    run *r = u;
    keep_hostkey(&r->hk, "kex", alg, b, n);
    run_event(r, "host key received");
    return NSSH_CB_ACCEPT;
}

/* hostkeys-00@openssh.com (OpenSSH PROTOCOL section 2.5): one string per
 * host key blob. It needs no reply. */
static int on_global(void *u, nssh_str name, const uint8_t *d, size_t n,
                     int want_reply, uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    (void)reply;
    (void)reply_cap;
    (void)reply_len;
    run *r = u;
    size_t pos = 0;
    (void)want_reply;
    if (name.n != 23 || memcmp(name.p, "hostkeys-00@openssh.com", 23) != 0)
        return NSSH_CB_REFUSE;
    r->got_hostkeys00 = 1;
    while (pos + 4 <= n && r->n_hks < RUN_MAX_HOSTKEYS) {
        uint32_t k = get_be32(d + pos);
        char type[64];
        if (k > n - pos - 4)
            break;
        if (nssh_ossl_blob_type(d + pos + 4, k, type, sizeof(type)) < 0)
            snprintf(type, sizeof(type), "?");
        keep_hostkey(&r->hks[r->n_hks++], "hostkeys-00", type, d + pos + 4, k);
        pos += 4 + k;
    }
    run_event(r, "hostkeys-00@openssh.com received");
    return NSSH_CB_REFUSE;
}

static void on_auth(void *u, int ok, nssh_str methods)
{
    run *r = u;
    char ev[64];
    if (methods.n && !r->methods[0])
        snprintf(r->methods, sizeof(r->methods), "%.*s", (int)methods.n, methods.p);
    if (!ok && r->ukey && !r->pubkey_tried && list_has(r->methods, "publickey")) {
        r->pubkey_tried = 1;
        run_event(r, "auth methods received");
        nssh_client_auth_pubkey(r->c, r->o->user, r->ualg, r->ukey, r->ublob,
                                r->ublob_len);
        return;
    }
    r->auth_done = 1;
    r->auth_ok = ok;
    snprintf(ev, sizeof(ev), "%s", ok ? "authenticated" : "auth methods received");
    run_event(r, ev);
    if (ok)
        nssh_client_open_session(r->c);
}

static void on_open(void *u, uint32_t ch, int ok, uint32_t reason,
                    nssh_str desc)
{
    (void)reason;
    (void)desc;
    run *r = u;
    nssh_chan_req q;
    if (!ok) {
        r->exit_seen = -1;
        return;
    }
    run_event(r, "session open");
    memset(&q, 0, sizeof(q));
    q.kind = NSSH_REQ_EXEC;
    q.text.p = "exit 0";
    q.text.n = 6;
    nssh_client_channel_request(r->c, ch, &q);
    r->exec_sent = 1;
}

static int on_chreq(void *u, uint32_t ch, const nssh_chan_req *q)
{
    run *r = u;
    (void)ch;
    if (q->kind == NSSH_REQ_EXIT_STATUS) {
        r->exit_seen = 1;
        r->exit_status = q->exit_status;
        run_event(r, "exit-status received");
    }
    return NSSH_CB_ACCEPT;
}

static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d,
                    size_t n)
{
    run *r = u;
    (void)ext;
    (void)d;
    nssh_channel_consume(r->c, ch, n);
}

static void on_closed(void *u, uint32_t ch)
{
    run *r = u;
    (void)ch;
    if (!r->exit_seen)
        r->exit_seen = -1;
}

/* ---- trace -------------------------------------------------------------- */
static void parse_ext_info(run *r, const uint8_t *p, size_t n)
{
    size_t pos = 5;
    uint32_t count;
    if (n < 5)
        return;
    count = get_be32(p + 1);
    r->ext_info = 1;
    while (count-- && pos + 4 <= n) {
        uint32_t kn = get_be32(p + pos), vn;
        const uint8_t *k = p + pos + 4;
        if (kn > n - pos - 4 || pos + 8 + kn > n)
            return;
        vn = get_be32(p + pos + 4 + kn);
        if (vn > n - pos - 8 - kn)
            return;
        if (kn == 15 && memcmp(k, "server-sig-algs", 15) == 0)
            snprintf(r->server_sig_algs, sizeof(r->server_sig_algs), "%.*s",
                     (int)vn, (const char *)(k + kn + 4));
        pos += 8 + kn + vn;
    }
}

static void on_packet(void *u, int sent, uint32_t seq, const uint8_t *p,
                      size_t n)
{
    run *r = u;
    char ev[96];
    if (n == 0)
        return;
    if (r->n_pkts < RUN_MAX_PKTS) {
        pkt *k = &r->pkts[r->n_pkts];
        k->data = malloc(n);
        if (k->data) {
            memcpy(k->data, p, n);
            k->len = n;
            k->sent = sent;
            k->seq = seq;
            k->ms = now_ms() - r->t0;
            r->n_pkts++;
        }
    } else {
        r->pkts_dropped++;
    }
    if (p[0] == 20 && run_find(r, 0, 20, 0) && run_find(r, 1, 20, 0))
        negotiated_from_kexinits(r);
    if (!sent && p[0] == 7)
        parse_ext_info(r, p, n);
    /* The timeline shows the handshake, not the channel traffic. */
    if (p[0] >= 90 && p[0] != 90 && p[0] != 91 && p[0] != 98)
        return;
    snprintf(ev, sizeof(ev), "%s %s", run_msg_name(r, p[0]), sent ? "sent" : "received");
    run_event(r, ev);
}

static void on_secret(void *u, const uint8_t *k, size_t n)
{
    run *r = u;
    if (n > sizeof(r->kenc))
        n = sizeof(r->kenc);
    memcpy(r->kenc, k, n);
    r->kenc_len = n;
}

void run_hooks_install(run *r)
{
    r->cb.log = on_log;
    r->cb.check_hostkey = on_hostkey;
    r->cb.client_auth = on_auth;
    r->cb.channel_open_reply = on_open;
    r->cb.channel_request = on_chreq;
    r->cb.channel_data = on_data;
    r->cb.channel_closed = on_closed;
    r->cb.global_request = on_global;
    r->cfg.cb = &r->cb;
    r->cfg.user = r;
    r->trace.packet = on_packet;
    r->trace.shared_secret = on_secret;
    r->trace.user = r;
    r->cfg.trace = &r->trace;
}
