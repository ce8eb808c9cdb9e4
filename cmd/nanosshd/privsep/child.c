/*
 * The pre-auth child: the engine on the socket, sandboxed. It holds no
 * private host key (freed before the sandbox is entered); the host key
 * entries sign through the monitor, the user key algorithms verify
 * through it, and every auth callback is a question to it. Once the
 * engine holds the authenticated connection (NSSH_HELD) the child sends
 * the export and ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "auth.h"
#include "session.h"
#include "loop.h"
#include "selfpipe.h"
#include "srclimit.h"
#include "startups.h"
#include "ipc.h"
#include "privsep.h"

static dconn *S;
static int ipc_fd = -1;
static uint8_t msg_buf[IPC_MAX];
static char *banner;
/* Host key i signs through slot i; the key pointer is only an index. */
static const unsigned char slot[HOSTKEYS_MAX * 2];
static nssh_sig_alg hk_algs[HOSTKEYS_MAX * 2];
static nssh_sig_alg user_algs[OPTS_MAX_ALGS];

static ipc_bytes bytes(const void *p, size_t n)
{
    ipc_bytes b = { p, n };
    return b;
}

static ipc_bytes cstr(const char *s)
{
    return bytes(s, s ? strlen(s) : 0);
}

/* One question and its answer; a broken monitor ends the child. The
 * answer's views point into msg_buf until the next question. */
static void ask(const ipc_msg *q, ipc_msg *a)
{
    long n = ipc_encode(q, msg_buf, sizeof(msg_buf));
    size_t len;
    if (n < 0 || ipc_send(ipc_fd, msg_buf, (size_t)n) < 0 ||
        ipc_recv(ipc_fd, msg_buf, sizeof(msg_buf), &len) < 0 ||
        ipc_decode(msg_buf, len, a) < 0 || a->type != IPC_ANSWER)
        _exit(1);
    /* Who the closing log line names, as the monitor sees it. */
    memcpy(S->user, a->user.p, a->user.n);
    S->user[a->user.n] = 0;
    snprintf(S->io.pw.name, sizeof(S->io.pw.name), "%s", a->valid ? S->user : "");
    if (a->reason) {
        char text[256];
        size_t t = a->text.n < sizeof(text) ? a->text.n : sizeof(text) - 1;
        memcpy(text, a->text.p, t);
        text[t] = 0;
        nssh_conn_disconnect(S->io.c, a->reason, text);
    }
}

static int child_sign(const nssh_key *key, const uint8_t *data, size_t len,
                      uint8_t *sig, size_t sig_max, size_t *sig_len,
                      nssh_rng_fn rng, void *rng_user)
{
    ipc_msg q = { .type = IPC_SIGN }, a;
    (void)rng;
    (void)rng_user;
    q.index = (uint32_t)((const unsigned char *)key - slot);
    q.data = bytes(data, len);
    ask(&q, &a);
    if (!a.verdict || a.data.n > sig_max)
        return NSSH_ERR_CRYPTO;
    memcpy(sig, a.data.p, a.data.n);
    *sig_len = a.data.n;
    return 0;
}

static int child_verify(const uint8_t *keyblob, size_t keylen,
                        const uint8_t *data, size_t len, const uint8_t *sig,
                        size_t siglen)
{
    ipc_msg q = { .type = IPC_VERIFY }, a;
    q.blob = bytes(keyblob, keylen);
    q.data = bytes(data, len);
    q.sig = bytes(sig, siglen);
    ask(&q, &a);
    return a.verdict ? 0 : NSSH_ERR_SIGNATURE;
}

/* The user's signature algorithms from the monitor's list (names it
 * took from the backend's table, so anything else is skipped); the
 * monitor still checks every key and signature itself. */
static void set_user_algs(ipc_bytes list)
{
    char name[IPC_NAME_MAX + 1];
    const nssh_sig_alg *alg;
    size_t i = 0, j, n = 0;
    while (i < list.n && n < OPTS_MAX_ALGS) {
        for (j = i; j < list.n && list.p[j] != ','; j++)
            ;
        if (j - i && j - i <= IPC_NAME_MAX) {
            memcpy(name, list.p + i, j - i);
            name[j - i] = 0;
            if ((alg = nssh_ossl_sig_by_name(name)) != NULL) {
                user_algs[n] = *alg;
                user_algs[n].verify = child_verify;
                S->sigs[n] = &user_algs[n];
                n++;
            }
        }
        i = j + 1;
    }
    S->cfg.sig_algs = S->sigs;
    S->cfg.n_sig_algs = n;
}

/* The monitor applies Match for the user and answers with the settings
 * the engine reads afterwards. */
static void cb_auth_request(void *user, nssh_str username, nssh_str method)
{
    ipc_msg q = { .type = IPC_AUTHREQ }, a;
    nssh_config *cfg = &S->cfg;
    nssh_str name = srv_user_part(username);
    (void)user;
    /* Only for the log line at MaxAuthTries after nothing but "none"
     * (srv_log_auth_limit); Match itself is the monitor's. */
    if (!S->match_user[0] && name.n < sizeof(S->match_user)) {
        memcpy(S->match_user, name.p, name.n);
        S->match_user[name.n] = 0;
    }
    q.user = bytes(username.p, username.n);
    q.method = bytes(method.p, method.n);
    ask(&q, &a);
    cfg->auth_methods = a.methods;
    cfg->auth_max_tries = a.max_tries;
    cfg->rekey_bytes = a.rekey_bytes;
    cfg->rekey_seconds = a.rekey_seconds;
    if (!a.reason)   /* else the text is the disconnect's */
        set_user_algs(a.text);
    free(banner);
    banner = NULL;
    if (a.data.n && (banner = malloc(a.data.n + 1)) != NULL) {
        memcpy(banner, a.data.p, a.data.n);
        banner[a.data.n] = 0;
    }
    cfg->banner = banner;
}

static int cb_auth_pubkey(void *user, nssh_str username, const char *alg,
                          const uint8_t *blob, size_t blob_len, int has_sig)
{
    ipc_msg q = { .type = IPC_PUBKEY }, a;
    (void)user;
    q.user = bytes(username.p, username.n);
    q.alg = cstr(alg);
    q.blob = bytes(blob, blob_len);
    q.flag = has_sig;
    ask(&q, &a);
    return a.verdict ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int password(nssh_str username, nssh_str pw, int none)
{
    ipc_msg q = { .type = IPC_PASSWORD }, a;
    int ok;
    q.user = bytes(username.p, username.n);
    q.secret = bytes(pw.p, pw.n);
    q.flag = none;
    ask(&q, &a);
    ok = a.verdict;
    nssh_wipe(msg_buf, sizeof(msg_buf) < 4096 ? sizeof(msg_buf) : 4096);
    return ok ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int cb_auth_password(void *user, nssh_str username, nssh_str pw)
{
    (void)user;
    return password(username, pw, 0);
}

/* Method "none" (PermitEmptyPasswords): the monitor decides. */
static int cb_auth_none(void *user, nssh_str username)
{
    nssh_str empty = { "", 0 };
    (void)user;
    return password(username, empty, 1);
}

/* keyboard-interactive: PAM's conversation runs in the monitor; a round
 * of its questions comes back here to be sent. */
static int kbdint(nssh_str username, nssh_str sub, const nssh_str *resp,
                  size_t n, nssh_kbdint *q)
{
    static char store[IPC_TEXT_MAX];
    ipc_msg m = { .type = IPC_KBDINT }, a;
    size_t i;
    int r = NSSH_CB_REFUSE;
    m.user = bytes(username.p, username.n);
    m.method = bytes(sub.p, sub.n);
    m.flag = resp != NULL;
    m.n_resp = (uint32_t)n;
    for (i = 0; i < n && i < NSSH_KBDINT_PROMPTS_MAX; i++)
        m.resp[i] = bytes(resp[i].p, resp[i].n);
    ask(&m, &a);
    if (a.verdict)
        r = NSSH_CB_ACCEPT;
    else if (a.data.n &&
             ipc_round_decode(a.data.p, a.data.n, q, store, sizeof(store)) == 0)
        r = NSSH_CB_MORE;
    if (resp)
        nssh_wipe(msg_buf, sizeof(msg_buf) < 16384 ? sizeof(msg_buf) : 16384);
    return r;
}

static int cb_kbdint_start(void *user, nssh_str username, nssh_str sub,
                           nssh_kbdint *q)
{
    (void)user;
    return kbdint(username, sub, NULL, 0, q);
}

static int cb_kbdint_respond(void *user, nssh_str username,
                             const nssh_str *responses, size_t n,
                             nssh_kbdint *q)
{
    nssh_str none = { "", 0 };
    (void)user;
    if (n > NSSH_KBDINT_PROMPTS_MAX)
        return NSSH_CB_REFUSE;
    return kbdint(username, none, responses, n, q);
}

/* Complete or partial (AuthenticationMethods): the monitor's word, with
 * the methods that may follow. */
static int cb_auth_complete(void *user, nssh_str username, const char *method,
                            const uint8_t *blob, size_t blob_len)
{
    ipc_msg q = { .type = IPC_COMPLETE }, a;
    (void)user;
    (void)blob;
    (void)blob_len;
    q.user = bytes(username.p, username.n);
    q.method = cstr(method);
    ask(&q, &a);
    S->cfg.auth_methods = a.methods;
    if (a.verdict == 2)
        return NSSH_CB_REFUSE;   /* the keys' options conflict */
    return a.verdict ? NSSH_CB_ACCEPT : NSSH_CB_MORE;
}

static void cb_auth_result(void *user, nssh_str username, const char *method,
                           const char *alg, const uint8_t *blob,
                           size_t blob_len, int ok, int partial)
{
    ipc_msg q = { .type = IPC_RESULT }, a;
    (void)user;
    q.user = bytes(username.p, username.n);
    q.method = cstr(method);
    q.alg = cstr(alg);
    q.blob = bytes(blob, blob ? blob_len : 0);
    q.flag = ok;
    q.flag2 = partial;
    ask(&q, &a);
}

/* The monitor judged a security key's flags when it verified the
 * signature (monitor.c); nothing is left to decide here. */
static int cb_auth_sk(void *user, nssh_str username, const char *alg,
                      const uint8_t *blob, size_t blob_len, unsigned flags,
                      uint32_t counter)
{
    (void)user, (void)username, (void)alg, (void)blob, (void)blob_len;
    (void)flags, (void)counter;
    return NSSH_CB_ACCEPT;
}

static const nssh_callbacks child_cb = {
    .log = srv_engine_log,
    .auth_request = cb_auth_request,
    .auth_pubkey = cb_auth_pubkey,
    .auth_result = cb_auth_result,
    .auth_sk = cb_auth_sk,
    .auth_password = cb_auth_password,
    .kbdint_start = cb_kbdint_start,
    .kbdint_respond = cb_kbdint_respond,
    .auth_complete = cb_auth_complete,
    .auth_none = cb_auth_none,
};

/* Private host keys leave the child's memory before it reads a byte. */
static void wrap_keys(dconn *s)
{
    hostkey_set *hk = (hostkey_set *)s->hk;
    size_t i;
    for (i = 0; i < s->cfg.n_hostkeys && i < HOSTKEYS_MAX * 2; i++) {
        hk_algs[i] = *s->hostkeys[i].alg;
        hk_algs[i].sign = child_sign;
        s->hostkeys[i].alg = &hk_algs[i];
        s->hostkeys[i].key = (const nssh_key *)(const void *)&slot[i];
    }
    for (i = 0; i < hk->n_keys; i++) {
        nssh_ossl_key_free(hk->keys[i]);
        hk->keys[i] = NULL;
    }
    for (i = 0; i < s->cfg.n_sig_algs && i < OPTS_MAX_ALGS; i++) {
        user_algs[i] = *s->sigs[i];
        user_algs[i].verify = child_verify;
        s->sigs[i] = &user_algs[i];
    }
}

static void flush(dconn *s)
{
    const uint8_t *p;
    size_t len;
    ssize_t n;
    while ((p = nssh_conn_sendbuf(s->io.c, &len)) != NULL && len) {
        n = write(s->io.fd_out, p, len);
        if (n > 0) {
            nssh_conn_sent(s->io.c, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        nssh_conn_sent(s->io.c, len);   /* the peer is gone */
        nssh_conn_recvd(s->io.c, 0);
    }
}

static void export_and_exit(dconn *s)
{
    ipc_msg q = { .type = IPC_EXPORT };
    size_t len;
    long n;
    static uint8_t blob[NSSH_EXPORT_MAX];
    if (nssh_conn_export(s->io.c, blob, sizeof(blob), &len) < 0)
        _exit(1);
    q.data = bytes(blob, len);
    n = ipc_encode(&q, msg_buf, sizeof(msg_buf));
    nssh_wipe(blob, len);
    if (n < 0 || ipc_send(ipc_fd, msg_buf, (size_t)n) < 0)
        _exit(1);
    nssh_wipe(msg_buf, (size_t)n);
    _exit(0);
}

/* Finite-field exchanges go to the listener as they happen (its
 * PerSourcePenalties kexdh count); the child holds the listener's
 * descriptor for that alone, and says nothing else on it. */
static void kexdh_tell(dconn *s)
{
    nssh_conn_info info;
    nssh_conn_get_info(s->io.c, &info);
    startups_kexdh(info.dh_count);
}

static void run(dconn *s)
{
    struct pollfd p[2];
    nfds_t np;
    uint64_t wait;
    unsigned st;
    size_t room, out;
    uint8_t *in;
    ssize_t n;
    for (;;) {
        s->io.now = loop_now_ms();
        nssh_conn_tick(s->io.c, s->io.now);
        flush(s);
        st = nssh_conn_state(s->io.c);
        if (st & NSSH_CLOSED)
            return;
        nssh_conn_sendbuf(s->io.c, &out);
        if ((st & NSSH_HELD) && !out)
            export_and_exit(s);
        in = nssh_conn_recvbuf(s->io.c, &room);
        np = 0;
        p[np++] = (struct pollfd){ .fd = s->io.fd,
                                   .events = (st & NSSH_WANT_READ) && room ? POLLIN : 0 };
        if (s->io.fd_out != s->io.fd)
            p[np++] = (struct pollfd){ .fd = s->io.fd_out, .events = out ? POLLOUT : 0 };
        else if (out)
            p[0].events |= POLLOUT;
        wait = nssh_conn_next_timeout(s->io.c, s->io.now);
        if (poll(p, np, wait > 60000 ? 60000 : (int)wait) < 0 && errno != EINTR)
            return;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR) && room) {
            do
                n = read(s->io.fd, in, room);
            while (n < 0 && errno == EINTR);
            if (n >= 0 || errno != EAGAIN)
                nssh_conn_recvd(s->io.c, n > 0 ? (size_t)n : 0);
            if (n > 0 && !s->io.no_quickack)
                pconn_quickack(&s->io);
        }
        kexdh_tell(s);
    }
}

void privsep_child(dconn *s, int ipc)
{
    uint8_t warm[16];
    int e;
    S = s;
    ipc_fd = ipc;
    selfpipe_close();
    wrap_keys(s);
    s->cfg.cb = &child_cb;
    s->cfg.flags |= NSSH_CONFIG_HANDOFF;
    nssh_conn_release(s->io.c);
    /* The random source and the log socket are set up before the
     * sandbox closes the way to them. */
    log_connect_now();
    if (nssh_ossl_rng(NULL, warm, sizeof(warm)) < 0 ||
        privsep_sandbox(PRIVSEP_DIR) < 0)
        _exit(1);
    s->io.now = loop_now_ms();
    if (!(s->io.c = nssh_conn_init(s->io.mem, nssh_conn_mem_size(), &s->cfg, s->io.now)))
        _exit(1);
    run(s);
    kexdh_tell(s);
    srv_log_end(s);
    /* How the connection ended, for the monitor's exit status (the
     * listener's PerSourcePenalties): the login grace time is ours. */
    e = nssh_conn_error(s->io.c);
    if (e == NSSH_ERR_TIMEOUT)
        e = EXIT_LOGIN_GRACE;
    else if (e == 0 || e == NSSH_ERR_PEER_DISCONNECT || e == NSSH_ERR_EOF)
        e = 0;
    else
        e = PRIVSEP_EXIT_ERR_BASE + (e > -63 ? -e : 63);
    nssh_conn_release(s->io.c);
    _exit(e);
}
