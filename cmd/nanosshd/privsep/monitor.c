/*
 * The monitor: the connection's privileged process while its pre-auth
 * child runs. It answers the child's questions with the daemon's own
 * auth code on its own state, and believes nothing the child says that
 * it has not checked itself:
 *  - it signs one exchange hash (the first key exchange; the engine never
 *    re-keys before auth), of a hash's length, with a host key that
 *    exists; that hash is the session id it later checks signatures with;
 *  - it answers for the user of the first USERAUTH_REQUEST only (the
 *    engine may not change it, RFC 4252 section 5; sshd disconnects);
 *  - a user key signature counts only if the monitor approved that key
 *    for that user and verified it over data it parsed itself (RFC 4252
 *    section 7: its session id, user, service, algorithm and key);
 *  - success is what it decided (a verified key, a password it checked),
 *    never the child's word; the export is imported only then, for that
 *    user, through nssh_conn_import's checks;
 *  - a malformed or out-of-state request, or a child that outlives the
 *    login grace time, ends the connection and kills the child.
 * Afterwards the monitor is the connection's process, as without
 * privilege separation: it runs the sessions and signs later re-keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "auth.h"
#include "authmeth.h"
#include "session.h"
#include "loop.h"
#include "ipc.h"
#include "privsep.h"
#include "srclimit.h"
#include "nanossh_cert.h"

#define MON_REQUESTS_MAX 4096   /* more than any honest login asks */

typedef struct mon {
    dconn *s;
    int fd;
    pid_t pid;
    uint64_t deadline;          /* login grace plus slack (0: none) */
    long requests;
    int signed_kex;
    size_t kex_hostkey;                /* the host key that signed it */
    uint8_t sid[NSSH_HASH_MAX];
    size_t sid_len;
    char user[NSSH_USER_MAX + 1];   /* from the first AUTHREQ */
    /* the key approved for a signed attempt */
    int pk_ok;
    char pk_alg[IPC_NAME_MAX + 1];
    uint8_t pk_blob[NSSH_KEYBLOB_MAX];
    size_t pk_blob_len;
    /* what the monitor decided */
    const char *auth_method;
    int decided, partial;       /* IPC_COMPLETE answered for it: more? */
    char disc_text[256];
} mon;

static mon *cur;   /* for the log hook: one connection per process */
static nssh_callbacks mon_cb;
static int quiet;  /* before the import: the child logs the connection */

/* The daemon's auth code ends a connection with nssh_conn_disconnect on
 * the monitor's (not yet connected) engine; its text goes to the child. */
static void mon_log(void *user, const nssh_log *rec)
{
    if (rec->err && cur) {
        snprintf(cur->disc_text, sizeof(cur->disc_text), "%s",
                 rec->text ? rec->text : "disconnected");
        return;
    }
    if (!quiet)
        srv_engine_log(user, rec);
}

void privsep_callbacks(dconn *s)
{
    mon_cb = *s->cfg.cb;
    mon_cb.log = mon_log;
    s->cfg.cb = &mon_cb;
    quiet = 1;
}

static int same(ipc_bytes b, const char *s)
{
    return b.n == strlen(s) && !memcmp(b.p, s, b.n);
}

/* The signature blob names the algorithm, or for a certificate
 * algorithm the plain one it signs with (PROTOCOL.certkeys:
 * "rsa-sha2-512-cert-v01@openssh.com" signs as "rsa-sha2-512"; the
 * vendor ones keep their domain: "ssh-mldsa44-ed25519-cert-v01@openssh.com"
 * signs as "ssh-mldsa44-ed25519@openssh.com", and
 * "sk-ssh-ed25519-cert-v01@openssh.com" as "sk-ssh-ed25519@openssh.com",
 * PROTOCOL.u2f). */
static int sig_name_ok(ipc_bytes b, const char *alg)
{
    static const char sfx[] = "-cert-v01@openssh.com", dom[] = "@openssh.com";
    size_t n = strlen(alg), s = sizeof(sfx) - 1, d = sizeof(dom) - 1;
    int vendor = !strncmp(alg, "ssh-mldsa", 9) || !strncmp(alg, "sk-", 3);
    if (same(b, alg))
        return 1;
    /* An sk-ecdsa key may sign in the webauthn form (PROTOCOL.u2f). */
    if (!strncmp(alg, "sk-ecdsa-sha2-nistp256", 22) &&
        same(b, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com"))
        return 1;
    if (!nssh_cert_is_cert_name(alg) || b.n < n - s || memcmp(b.p, alg, n - s))
        return 0;
    return vendor ? b.n == n - s + d && !memcmp(b.p + n - s, dom, d) : b.n == n - s;
}

static void to_cstr(ipc_bytes b, char *out, size_t cap)
{
    size_t n = b.n < cap ? b.n : cap - 1;
    memcpy(out, b.p, n);
    out[n] = 0;
}

static nssh_str str_of(ipc_bytes b)
{
    nssh_str s = { (const char *)b.p, b.n };
    return s;
}

/* A success the monitor itself saw; the child must then ask whether it
 * completes authentication (IPC_COMPLETE) before reporting it. */
static void decide(mon *m, const char *method)
{
    m->auth_method = method;
    m->decided = m->partial = 0;
}

static int hostile(mon *m, const char *why)
{
    srv_log(m->s, LL_ERROR, "privsep: pre-auth child %d: %s; ending the "
            "connection", (int)m->pid, why);
    return NSSH_ERR_FORMAT;
}

/* The answer, with the disconnect the daemon's code asked for, if any. */
static int answer(mon *m, ipc_msg *a)
{
    static uint8_t buf[IPC_TEXT_MAX + IPC_BANNER_MAX + 256];
    long n;
    a->type = IPC_ANSWER;
    a->user.p = (const uint8_t *)m->s->user;
    a->user.n = strlen(m->s->user);
    a->valid = m->s->user[0] && !strcmp(m->s->user, m->s->io.pw.name) &&
               !m->s->access_denied;
    if (nssh_conn_error(m->s->io.c) && !a->reason) {
        a->reason = strstr(m->disc_text, "Too many") ?
                        NSSH_DISC_NO_MORE_AUTH_METHODS : NSSH_DISC_BY_APPLICATION;
        a->text.p = (const uint8_t *)m->disc_text;
        a->text.n = strlen(m->disc_text);
    }
    n = ipc_encode(a, buf, sizeof(buf));
    if (n < 0 || ipc_send(m->fd, buf, (size_t)n) < 0)
        return NSSH_ERR_IO;
    nssh_wipe(buf, (size_t)n);
    return 0;
}

static int on_sign(mon *m, const ipc_msg *q)
{
    static uint8_t sig[IPC_SIG_MAX];
    const nssh_config *cfg = &m->s->cfg;
    const nssh_hostkey *hk;
    ipc_msg a = { 0 };
    size_t len = 0, n = q->data.n;
    if (m->signed_kex)
        return hostile(m, "a second host key signature before auth");
    if (q->index >= cfg->n_hostkeys)
        return hostile(m, "no such host key");
    if (n != 20 && n != 32 && n != 48 && n != 64)
        return hostile(m, "signing data that is not an exchange hash");
    hk = &cfg->hostkeys[q->index];
    m->signed_kex = 1;
    m->kex_hostkey = q->index;
    memcpy(m->sid, q->data.p, n);   /* H of the first exchange */
    m->sid_len = n;
    if (hk->alg->sign(hk->key, q->data.p, n, sig, sizeof(sig), &len,
                      cfg->rng, cfg->rng_user) == 0) {
        a.verdict = 1;
        a.data.p = sig;
        a.data.n = len;
    }
    return answer(m, &a);
}

/* The user's PubkeyAcceptedAlgorithms after Match, comma-separated: the
 * child's engine offers them in server-sig-algs and takes only those. */
static size_t sig_alg_names(const nssh_config *cfg, char *out, size_t cap)
{
    size_t i, n = 0, l;
    for (i = 0; i < cfg->n_sig_algs; i++) {
        l = strlen(cfg->sig_algs[i]->name);
        if (n + l + 2 > cap)
            break;
        if (n)
            out[n++] = ',';
        memcpy(out + n, cfg->sig_algs[i]->name, l);
        n += l;
    }
    return n;
}

static int on_authreq(mon *m, const ipc_msg *q)
{
    static char algs[IPC_TEXT_MAX];
    dconn *s = m->s;
    ipc_msg a = { 0 };
    if (!m->signed_kex || !q->user.n)
        return hostile(m, "user authentication before key exchange");
    if (!m->user[0])
        to_cstr(q->user, m->user, sizeof(m->user));
    srv_auth_request(s, str_of(q->user), str_of(q->method));
    a.methods = s->cfg.auth_methods;
    a.max_tries = s->cfg.auth_max_tries;
    a.rekey_bytes = s->cfg.rekey_bytes;
    a.rekey_seconds = s->cfg.rekey_seconds;
    if (s->cfg.banner) {
        a.data.p = (const uint8_t *)s->cfg.banner;
        a.data.n = strlen(s->cfg.banner);
        if (a.data.n > IPC_BANNER_MAX)   /* more than a packet: the engine */
            a.data.n = IPC_BANNER_MAX;   /* cuts it shorter still */
    }
    a.text.p = (const uint8_t *)algs;
    a.text.n = sig_alg_names(&s->cfg, algs, sizeof(algs));
    return answer(m, &a);
}

/* A method the options leave off (PasswordAuthentication no, ...):
 * the child's engine never asks for one, and the daemon's checks below
 * (PAM, authorized_keys) do not look at those keywords themselves, since
 * without privilege separation the engine filters first. So the monitor
 * filters here, before any work, and refuses. */
static int method_off(mon *m, unsigned method, const char *name)
{
    if (m->s->cfg.auth_methods & method)
        return 0;
    srv_log(m->s, LL_ERROR, "privsep: pre-auth child %d asked for method %s, "
            "which is not enabled; refused", (int)m->pid, name);
    return 1;
}

/* Requests about a user other than the one the child named first. */
static int other_user(const mon *m, ipc_bytes user)
{
    return !m->user[0] || !same(user, m->user);
}

static int on_pubkey(mon *m, const ipc_msg *q)
{
    ipc_msg a = { 0 };
    char alg[IPC_NAME_MAX + 1];
    if (other_user(m, q->user))
        return hostile(m, "public key for another user");
    m->pk_ok = 0;
    if (method_off(m, NSSH_METHOD_PUBLICKEY, "publickey"))
        return answer(m, &a);
    to_cstr(q->alg, alg, sizeof(alg));
    a.verdict = srv_auth_pubkey(m->s, str_of(q->user), alg, q->blob.p,
                                q->blob.n, q->flag) == NSSH_CB_ACCEPT;
    m->pk_ok = 0;
    if (a.verdict && q->flag) {
        to_cstr(q->alg, m->pk_alg, sizeof(m->pk_alg));
        memcpy(m->pk_blob, q->blob.p, q->blob.n);
        m->pk_blob_len = q->blob.n;
        m->pk_ok = 1;
    }
    return answer(m, &a);
}

/* RFC 4252 section 7: the signed data, field by field, must be this
 * session's and this attempt's. */
static int rd_str(const uint8_t **p, size_t *left, ipc_bytes *b)
{
    uint32_t n;
    if (*left < 4)
        return -1;
    n = ((uint32_t)(*p)[0] << 24) | ((uint32_t)(*p)[1] << 16) |
        ((uint32_t)(*p)[2] << 8) | (*p)[3];
    if (n > *left - 4)
        return -1;
    b->p = *p + 4;
    b->n = n;
    *p += 4 + n;
    *left -= 4 + n;
    return 0;
}

static int signed_data_ok(const mon *m, ipc_bytes data)
{
    const uint8_t *p = data.p;
    size_t left = data.n;
    ipc_bytes sid, user, service, method, alg, blob, hk;
    const nssh_hostkey *mine = &m->s->cfg.hostkeys[m->kex_hostkey];
    int bound;
    if (rd_str(&p, &left, &sid) < 0 || sid.n != m->sid_len ||
        memcmp(sid.p, m->sid, sid.n) || left < 1 || p[0] != 50)
        return 0;
    p++;
    left--;
    if (rd_str(&p, &left, &user) < 0 || !same(user, m->user) ||
        rd_str(&p, &left, &service) < 0 || !same(service, "ssh-connection") ||
        rd_str(&p, &left, &method) < 0 || left < 1 || p[0] != 1)
        return 0;
    /* OpenSSH's host-bound form ends with the host key of this
     * connection's key exchange (PROTOCOL 2.5). */
    bound = same(method, "publickey-hostbound-v00@openssh.com");
    if (!bound && !same(method, "publickey"))
        return 0;
    p++;
    left--;
    if (rd_str(&p, &left, &alg) < 0 || !same(alg, m->pk_alg) ||
        rd_str(&p, &left, &blob) < 0 || blob.n != m->pk_blob_len ||
        memcmp(blob.p, m->pk_blob, blob.n))
        return 0;
    if (bound && (rd_str(&p, &left, &hk) < 0 || hk.n != mine->blob_len ||
                  memcmp(hk.p, mine->blob, hk.n)))
        return 0;
    return left == 0;
}

/* A verified security-key signature (PROTOCOL.u2f): the flags and
 * counter after the raw signature, judged by the monitor itself. */
static int sk_ok(mon *m, const nssh_sig_alg *alg, const ipc_msg *q)
{
    const uint8_t *p = q->sig.p;
    size_t left = q->sig.n;
    ipc_bytes name, raw;
    uint32_t counter;
    nssh_str user = { m->user, strlen(m->user) };
    if (rd_str(&p, &left, &name) < 0 || rd_str(&p, &left, &raw) < 0 ||
        left < 5 || (left != 5 && !same(name, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com")))
        return 0;   /* webauthn: origin, clientData, extensions follow */
    counter = ((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) |
              ((uint32_t)p[3] << 8) | p[4];
    return srv_auth_sk(m->s, user, alg->name, q->blob.p, q->blob.n, p[0],
                       counter) == NSSH_CB_ACCEPT;
}

static int on_verify(mon *m, const ipc_msg *q)
{
    const nssh_config *cfg = &m->s->cfg;
    const nssh_sig_alg *alg = NULL;
    const uint8_t *p = q->sig.p;
    size_t left = q->sig.n, i;
    ipc_bytes name;
    ipc_msg a = { 0 };
    if (!m->pk_ok || q->blob.n != m->pk_blob_len ||
        memcmp(q->blob.p, m->pk_blob, q->blob.n) || !signed_data_ok(m, q->data))
        return hostile(m, "a signature for a key or data not approved");
    if (rd_str(&p, &left, &name) < 0 || !sig_name_ok(name, m->pk_alg))
        return hostile(m, "a signature of another algorithm");
    for (i = 0; i < cfg->n_sig_algs && !alg; i++)
        if (!strcmp(cfg->sig_algs[i]->name, m->pk_alg))
            alg = cfg->sig_algs[i];
    m->pk_ok = 0;   /* one verification per approved attempt */
    if (alg && alg->verify(q->blob.p, q->blob.n, q->data.p, q->data.n,
                           q->sig.p, q->sig.n) == 0 &&
        (!(alg->flags & NSSH_SIG_SK) || sk_ok(m, alg, q))) {
        a.verdict = 1;
        decide(m, "publickey");
    }
    return answer(m, &a);
}

static int on_password(mon *m, const ipc_msg *q)
{
    ipc_msg a = { 0 };
    nssh_str pw = str_of(q->secret);
    int r;
    if (other_user(m, q->user))
        return hostile(m, "password for another user");
    if (q->flag && pw.n)
        return hostile(m, "a password for method none");
    if (!q->flag && method_off(m, NSSH_METHOD_PASSWORD, "password"))
        return answer(m, &a);
    if (q->flag)
        r = srv_auth_none(m->s, str_of(q->user));
    else
        r = srv_auth_password(m->s, str_of(q->user), pw);
    a.verdict = r == NSSH_CB_ACCEPT;
    if (a.verdict)
        decide(m, q->flag ? "none" : "password");
    return answer(m, &a);
}

/* keyboard-interactive: PAM talks in the monitor (pamconv.c); the child
 * relays its rounds and the client's answers. */
static int on_kbdint(mon *m, const ipc_msg *q)
{
    static uint8_t round[IPC_TEXT_MAX];
    nssh_str resp[NSSH_KBDINT_PROMPTS_MAX];
    ipc_msg a = { 0 };
    nssh_kbdint k;
    long n = 0;
    uint32_t i;
    int r;
    if (other_user(m, q->user))
        return hostile(m, "keyboard-interactive for another user");
    if (method_off(m, NSSH_METHOD_KBDINT, "keyboard-interactive"))
        return answer(m, &a);
    memset(&k, 0, sizeof(k));
    for (i = 0; i < q->n_resp; i++)
        resp[i] = str_of(q->resp[i]);
    if (!q->flag)
        r = srv_kbdint_start(m->s, str_of(q->user), str_of(q->method), &k);
    else if (!pamconv_active(m->s))
        r = NSSH_CB_REFUSE;   /* answers to no question */
    else
        r = srv_kbdint_respond(m->s, str_of(q->user), resp, q->n_resp, &k);
    if (r == NSSH_CB_ACCEPT) {
        a.verdict = 1;
        decide(m, "keyboard-interactive");
    } else if (r == NSSH_CB_MORE &&
               (n = ipc_round_encode(&k, round, sizeof(round))) > 0) {
        a.data.p = round;
        a.data.n = (size_t)n;
    } else if (r == NSSH_CB_MORE) {
        pamconv_abort(m->s);   /* a round too large to relay */
    }
    return answer(m, &a);
}

/* Complete or partial: decided here, from the monitor's own lists and
 * the key it verified itself. */
static int on_complete(mon *m, const ipc_msg *q)
{
    ipc_msg a = { 0 };
    int pk, r;
    if (other_user(m, q->user))
        return hostile(m, "a success for another user");
    if (!m->auth_method || m->decided || !same(q->method, m->auth_method))
        return hostile(m, "a success the monitor did not decide");
    pk = !strcmp(m->auth_method, "publickey");
    r = authmeth_success(m->s, m->auth_method, pk ? m->pk_blob : NULL,
                         pk ? m->pk_blob_len : 0);
    a.verdict = r < 0 ? 2 : r;   /* 2: refused (conflicting key options) */
    m->decided = 1;
    m->partial = r == 0;
    a.methods = m->s->cfg.auth_methods;
    return answer(m, &a);
}

static int on_result(mon *m, const ipc_msg *q)
{
    char method[IPC_NAME_MAX + 1], alg[IPC_NAME_MAX + 1];
    ipc_msg a = { 0 };
    if (other_user(m, q->user))
        return hostile(m, "a result for another user");
    to_cstr(q->method, method, sizeof(method));
    to_cstr(q->alg, alg, sizeof(alg));
    if (q->flag && (!m->auth_method || strcmp(method, m->auth_method) ||
                    !m->decided || q->flag2 != m->partial))
        return hostile(m, "a success the monitor did not decide");
    srv_auth_result(m->s, str_of(q->user), method, alg[0] ? alg : NULL,
                    q->blob.n ? q->blob.p : NULL, q->blob.n, q->flag,
                    q->flag && m->partial);
    if (q->flag && m->partial)
        decide(m, NULL);   /* that step is spent; the next needs its own */
    return answer(m, &a);
}

static int on_export(mon *m, const ipc_msg *q)
{
    char user[NSSH_USER_MAX + 1];
    dconn *s = m->s;
    nssh_str acct;
    int e;
    if (!m->auth_method || !s->io.authenticated)
        return hostile(m, "an export before the monitor saw a login");
    quiet = 0;
    e = nssh_conn_import(s->io.c, q->data.p, q->data.n, user, sizeof(user));
    if (e == NSSH_ERR_FORMAT || e == NSSH_ERR_STATE)
        return hostile(m, "an export that does not import");
    /* The engine's user is the name as sent ("user:style" too); its
     * account part is the user the monitor logged in. */
    acct = srv_user_part((nssh_str){ user, strlen(user) });
    if (strcmp(user, m->user) || acct.n != strlen(s->io.pw.name) ||
        memcmp(acct.p, s->io.pw.name, acct.n) != 0)
        return hostile(m, "an export for another user");
    return e < 0 ? e : 1;
}

static int handle(mon *m, const uint8_t *buf, size_t len)
{
    ipc_msg q;
    if (++m->requests > MON_REQUESTS_MAX)
        return hostile(m, "too many requests");
    if (ipc_decode(buf, len, &q) < 0)
        return hostile(m, "a malformed request");
    switch (q.type) {
    case IPC_SIGN:
        return on_sign(m, &q);
    case IPC_AUTHREQ:
        return on_authreq(m, &q);
    case IPC_PUBKEY:
        return on_pubkey(m, &q);
    case IPC_VERIFY:
        return on_verify(m, &q);
    case IPC_PASSWORD:
        return on_password(m, &q);
    case IPC_RESULT:
        return on_result(m, &q);
    case IPC_EXPORT:
        return on_export(m, &q);
    case IPC_KBDINT:
        return on_kbdint(m, &q);
    case IPC_COMPLETE:
        return on_complete(m, &q);
    default:
        return hostile(m, "a request the monitor does not take");
    }
}

/* Wait for the child's next message within the deadline. */
static int next(mon *m, uint8_t *buf, size_t cap, size_t *len)
{
    struct pollfd p = { .fd = m->fd, .events = POLLIN };
    uint64_t now = loop_now_ms();
    int wait = -1, r;
    *len = 0;   /* nothing received: a signal must not replay the last message */
    if (m->deadline) {
        if (now >= m->deadline)
            return NSSH_ERR_TIMEOUT;
        wait = (int)(m->deadline - now);
    }
    r = poll(&p, 1, wait);
    if (r == 0)
        return NSSH_ERR_TIMEOUT;
    if (r < 0)
        return errno == EINTR ? 0 : NSSH_ERR_IO;
    return ipc_recv(m->fd, buf, cap, len);
}

/* Collect the child; one that hung up is given a moment to exit on its
 * own (its exit status says how the connection ended), then killed.
 * Returns its exit status, or -1 when it did not exit by itself. */
static int reap(mon *m, int grace_ms)
{
    int st = 0, waited = 0;
    pid_t r = 0;
    if (m->pid <= 0)
        return -1;
    while (waited < grace_ms &&
           ((r = waitpid(m->pid, &st, WNOHANG)) == 0 || (r < 0 && errno == EINTR))) {
        poll(NULL, 0, 10);
        waited += 10;
    }
    if (r != m->pid) {
        kill(m->pid, SIGKILL);
        while (waitpid(m->pid, &st, 0) < 0 && errno == EINTR)
            ;
        st = -1;
    }
    m->pid = -1;
    return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int privsep_run(dconn *s)
{
    static mon m;
    uint8_t *buf;
    int sv[2], e = 0, torn = 0;
    size_t len = 0, used = 0;
    /* The messages' buffer has room for the largest export blob (the
     * engine's state, sized for the largest packet), but the one a
     * connection sends is a few kB: from its own mapping the rest is
     * never touched, and the whole is given back when auth is done
     * instead of staying with the connection. */
    buf = mmap(NULL, IPC_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    if (buf == MAP_FAILED) {
        log_error("privsep: out of memory");
        return NSSH_ERR_NOSPACE;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        log_error("privsep: socketpair: %s", strerror(errno));
        munmap(buf, IPC_MAX);
        return NSSH_ERR_INTERNAL;
    }
    memset(&m, 0, sizeof(m));
    m.s = s;
    s->preauth_status = -1;
    m.fd = sv[0];
    if ((m.pid = fork()) < 0) {
        log_error("privsep: fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        munmap(buf, IPC_MAX);
        return NSSH_ERR_INTERNAL;
    }
    if (m.pid == 0) {
        close(sv[0]);
        privsep_child(s, sv[1]);
    }
    close(sv[1]);
    cur = &m;
    if (s->o->grace_seconds > 0)
        m.deadline = loop_now_ms() + (uint64_t)s->o->grace_seconds * 1000u + 10000u;
    log_debug("privsep: pre-auth child %d", (int)m.pid);
    while (e == 0) {
        len = 0;
        e = next(&m, buf, IPC_MAX, &len);
        torn = e < 0;   /* a message cut short may have filled any of it */
        if (len > used)
            used = len;
        if (e == 0 && len)
            e = handle(&m, buf, len);
    }
    nssh_wipe(buf, torn ? IPC_MAX : used);   /* the export blob holds keys */
    munmap(buf, IPC_MAX);
    close(m.fd);
    cur = NULL;
    if (e != 1) {
        /* The child ended the connection and logged it, or was stopped. */
        if (e == NSSH_ERR_TIMEOUT)
            srv_log(s, LL_INFO, "privsep: pre-auth child %d past the login "
                    "grace time", (int)m.pid);
        s->preauth_status = reap(&m, e == NSSH_ERR_EOF ? 2000 : 0);
        if (e == NSSH_ERR_TIMEOUT)
            s->preauth_status = EXIT_LOGIN_GRACE;
        s->end_logged = 1;
        if (e == NSSH_ERR_EOF && s->preauth_status > PRIVSEP_EXIT_ERR_BASE &&
            s->preauth_status <= PRIVSEP_EXIT_ERR_BASE + 63)
            return PRIVSEP_EXIT_ERR_BASE - s->preauth_status;   /* its error */
        return e == NSSH_ERR_EOF ? 0 : e;
    }
    reap(&m, 0);   /* its work is done; it may not wait to be asked */
    return loop_run(&s->io);
}
