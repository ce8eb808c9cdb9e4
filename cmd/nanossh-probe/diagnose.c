/*
 * From "the engine stopped with error E" to a diagnosis: which class of
 * failure this is, the exact message and field, and a sentence a server's
 * author can act on. Each class has a short cause code (JSON "cause").
 */
#include <stdio.h>
#include <string.h>

#include "nanossh_ossl.h"
#include "probe.h"

/* The first name in ours that is in theirs (RFC 4253 section 7.1). */
static void choose(const char *ours, const char *theirs, char *out, size_t cap)
{
    char tmp[2048], *save, *t;
    snprintf(tmp, sizeof(tmp), "%s", ours);
    out[0] = 0;
    for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (list_has(theirs, t)) {
            snprintf(out, cap, "%s", t);
            return;
        }
}

void negotiated_from_kexinits(run *r)
{
    static char c[10][2048], s[10][2048];
    const pkt *ic = run_find(r, 1, 20, 0), *is = run_find(r, 0, 20, 0);
    int i;
    if (!ic || !is || kexinit_lists(ic->data, ic->len, c) < 0 ||
        kexinit_lists(is->data, is->len, s) < 0)
        return;
    for (i = 0; i < 6; i++)
        choose(c[i], s[i], r->negotiated[i], sizeof(r->negotiated[i]));
    /* With an AEAD cipher the MAC is implicit. */
    for (i = 2; i < 4; i++) {
        const nssh_cipher *ci = nssh_ossl_cipher_by_name(r->negotiated[i]);
        if (ci && (ci->flags & NSSH_CIPHER_AEAD))
            snprintf(r->negotiated[i + 2], sizeof(r->negotiated[0]), "<implicit>");
    }
}

static void fail(failure *f, const char *stage, const char *cause,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static void fail(failure *f, const char *stage, const char *cause,
                 const char *fmt, ...)
{
    va_list ap;
    f->set = 1;
    snprintf(f->stage, sizeof(f->stage), "%s", stage);
    snprintf(f->cause, sizeof(f->cause), "%s", cause);
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof(f->text), fmt, ap);
    va_end(ap);
}

static void append(failure *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(failure *f, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(f->text);
    va_start(ap, fmt);
    vsnprintf(f->text + n, sizeof(f->text) - n, fmt, ap);
    va_end(ap);
}

static const pkt *last_received(const run *r)
{
    size_t i = r->n_pkts;
    while (i--)
        if (!r->pkts[i].sent)
            return &r->pkts[i];
    return NULL;
}

/* The last thing that happened, for "after X". */
static const char *last_before(const run *r, size_t upto, char *buf, size_t cap)
{
    if (upto) {
        const pkt *k = &r->pkts[upto - 1];
        snprintf(buf, cap, "%s %s %s", k->sent ? "our" : "the server's",
                 run_msg_name(r, k->data[0]), k->sent ? "(sent)" : "(received)");
    } else if (r->w.version_done) {
        snprintf(buf, cap, "the server's version line");
    } else {
        snprintf(buf, cap, "the TCP connection");
    }
    return buf;
}

static const char *last_step(const run *r, char *buf, size_t cap)
{
    return last_before(r, r->n_pkts, buf, cap);
}

/* Which message should have come next from the server. */
static const char *expected_next(const run *r)
{
    const pkt *last = r->n_pkts ? &r->pkts[r->n_pkts - 1] : NULL;
    int gex = run_is_gex(r);
    if (!r->w.version_done)
        return "its version line (RFC 4253 section 4.2)";
    if (!run_find(r, 0, 20, 0))
        return "SSH_MSG_KEXINIT";
    if (gex && run_find(r, 1, 34, 0) && !run_find(r, 0, 31, 0))
        return "SSH_MSG_KEX_DH_GEX_GROUP";
    if (gex && !run_find(r, 0, 33, 0))
        return "SSH_MSG_KEX_DH_GEX_REPLY";
    if (!gex && !run_find(r, 0, 31, 0))
        return run_msg_name(r, 31);
    if (!run_find(r, 0, 21, 0))
        return "SSH_MSG_NEWKEYS";
    if (!run_find(r, 0, 6, 0))
        return "SSH_MSG_SERVICE_ACCEPT";
    if (!run_find(r, 0, 51, 0) && !run_find(r, 0, 52, 0))
        return "SSH_MSG_USERAUTH_FAILURE or SSH_MSG_USERAUTH_SUCCESS";
    (void)last;
    return "the next message";
}

/* A failure right after the KEXINITs: say who answered and what it offered. */
static void interposer_hint(const run *r, failure *f)
{
    static char s[10][2048];
    const pkt *is = run_find(r, 0, 20, 0);
    if (run_find(r, 0, 31, 0) || run_find(r, 0, 33, 0))
        return;
    append(f, " The peer identified itself as \"%s\"", r->w.version);
    if (is && kexinit_lists(is->data, is->len, s) == 0)
        append(f, " and offered kex [%s], host keys [%s], ciphers [%s], MACs [%s]",
               s[0], s[1], s[2], s[4]);
    append(f, ". If that is not the server you expect, an interposing proxy or "
           "middlebox may be answering in its place (compare with --profile).");
}

static void stall(run *r, failure *f)
{
    char buf[96];
    const char *next = expected_next(r);
    fail(f, r->w.version_done ? "kex" : "version", "stall",
         "The server never sent %s after %s: waited %llu ms (--timeout %d) "
         "with the connection open.", next, last_step(r, buf, sizeof(buf)),
         (unsigned long long)r->waited_ms, r->o->timeout_s);
    snprintf(f->expected, sizeof(f->expected), "%s", next);
    snprintf(f->got, sizeof(f->got), "nothing for %llu ms",
             (unsigned long long)r->waited_ms);
    snprintf(f->message, sizeof(f->message), "%.47s", next);
}

static const char *const reason_names[] = {
    "", "HOST_NOT_ALLOWED_TO_CONNECT", "PROTOCOL_ERROR", "KEY_EXCHANGE_FAILED",
    "RESERVED", "MAC_ERROR", "COMPRESSION_ERROR", "SERVICE_NOT_AVAILABLE",
    "PROTOCOL_VERSION_NOT_SUPPORTED", "HOST_KEY_NOT_VERIFIABLE",
    "CONNECTION_LOST", "BY_APPLICATION", "TOO_MANY_CONNECTIONS",
    "AUTH_CANCELLED_BY_USER", "NO_MORE_AUTH_METHODS_AVAILABLE",
    "ILLEGAL_USER_NAME" };

static void disconnect(run *r, failure *f)
{
    const pkt *d = run_find(r, 0, 1, 0);
    uint32_t code = 0, n = 0;
    const char *text = "";
    char buf[96];
    if (d && d->len >= 9) {
        code = get_be32(d->data + 1);
        n = get_be32(d->data + 5);
        if (n > d->len - 9)
            n = (uint32_t)(d->len - 9);
        text = (const char *)d->data + 9;
    }
    fail(f, r->err_stage[0] ? r->err_stage : "transport", "disconnect",
         "The server sent SSH_MSG_DISCONNECT with reason %u (SSH_DISCONNECT_%s) "
         "and the text \"%.*s\" after %s.", code,
         code < 16 ? reason_names[code] : "unknown", (int)(n > 300 ? 300 : n),
         text, last_before(r, d ? (size_t)(d - r->pkts) : r->n_pkts, buf,
                           sizeof(buf)));
    snprintf(f->message, sizeof(f->message), "SSH_MSG_DISCONNECT");
    snprintf(f->field, sizeof(f->field), "reason code");
    snprintf(f->got, sizeof(f->got), "%u", code);
    if (d) {
        /* The engine takes a malformed DISCONNECT as one; say what is wrong. */
        static failure g;
        memset(&g, 0, sizeof(g));
        if (fields_check(r, d, &g) < 0) {
            append(f, " The DISCONNECT itself is malformed: %s", g.text);
            snprintf(f->field, sizeof(f->field), "%s", g.field);
            f->offset = g.offset;
            snprintf(f->expected, sizeof(f->expected), "%s", g.expected);
            snprintf(f->got, sizeof(f->got), "%s", g.got);
        }
    }
    interposer_hint(r, f);
}

static void closed(run *r, failure *f)
{
    char buf[96];
    if (!r->w.version_done) {
        fail(f, "version", "closed-before-banner",
             "The server accepted the TCP connection and closed it without "
             "sending a version line (RFC 4253 section 4.2): %zu bytes arrived.",
             r->w.len);
        return;
    }
    fail(f, "transport", "closed-without-disconnect",
         "The server closed the TCP connection without SSH_MSG_DISCONNECT after "
         "%s, %llu ms into the connection; it was expected to send %s.",
         last_step(r, buf, sizeof(buf)),
         (unsigned long long)(r->n_ev ? r->ev[r->n_ev - 1].ms : 0), expected_next(r));
    snprintf(f->expected, sizeof(f->expected), "%s", expected_next(r));
    snprintf(f->got, sizeof(f->got), "TCP close (FIN) without SSH_MSG_DISCONNECT");
    interposer_hint(r, f);
}

static const char *category_of(const char *field)
{
    static const char *const what[6] = {
        "key exchange (kex)", "host key algorithm", "cipher (client to server)",
        "cipher (server to client)", "MAC (client to server)", "MAC (server to client)" };
    int i;
    for (i = 0; i < 6; i++)
        if (strcmp(field, kexinit_field[i]) == 0)
            return what[i];
    return NULL;
}

static void no_common(run *r, failure *f)
{
    static char c[10][2048], s[10][2048];
    const pkt *ic = run_find(r, 1, 20, 0), *is = run_find(r, 0, 20, 0);
    const char *cat = category_of(r->err_field);
    int i;
    for (i = 0; i < 6; i++)
        if (strcmp(r->err_field, kexinit_field[i]) == 0)
            break;
    if (!cat || !ic || !is || kexinit_lists(ic->data, ic->len, c) < 0 ||
        kexinit_lists(is->data, is->len, s) < 0) {
        fail(f, "kex", "no-common-algorithm", "No algorithm in common: %s", r->err_text);
        return;
    }
    {
        static const char *const codes[6] = { "no-common-kex", "no-common-hostkey",
            "no-common-cipher", "no-common-cipher", "no-common-mac", "no-common-mac" };
        fail(f, "kex", codes[i], "No common %s: we offered [%s]; the server "
             "offered [%s].", cat, c[i], s[i]);
    }
    snprintf(f->message, sizeof(f->message), "SSH_MSG_KEXINIT");
    snprintf(f->field, sizeof(f->field), "%s", kexinit_field[i]);
    snprintf(f->expected, sizeof(f->expected), "one of %.240s", c[i]);
    snprintf(f->got, sizeof(f->got), "%.255s", s[i]);
    interposer_hint(r, f);
}

static void framing(run *r, failure *f)
{
    if (r->w.frame_err) {
        fail(f, "packet", "framing", "Bad binary packet from the server at stream "
             "offset %ld: %s.", r->w.frame_offset, r->w.frame_text);
        f->offset = r->w.frame_offset;
    } else {
        fail(f, "packet", "framing", "Bad binary packet from the server: %s.",
             r->err_text);
    }
    snprintf(f->field, sizeof(f->field), "%s", r->err_field);
    snprintf(f->message, sizeof(f->message), "binary packet");
    append(f, " RFC 4253 section 6: padding_length is at least 4, and "
           "packet_length + 4 (or, with encrypt-then-MAC and AEAD modes, "
           "packet_length) is a multiple of the cipher block size (8 or 16).");
}

/* The encrypted part started and no encrypted packet was accepted yet. */
static int first_encrypted_failed(const run *r)
{
    const pkt *nk = run_find(r, 0, 21, 0);
    size_t i;
    if (!nk || !r->w.enc_start)
        return 0;
    for (i = (size_t)(nk - r->pkts) + 1; i < r->n_pkts; i++)
        if (!r->pkts[i].sent)
            return 0;
    return 1;
}

void diagnose(run *r)
{
    failure *f = &r->f;
    f->offset = -1;
    snprintf(f->engine, sizeof(f->engine), "%s%s%s%s%s", r->err_msg,
             r->err_msg[0] ? " " : "", r->err_field, r->err_field[0] ? ": " : "",
             r->err_text);
    switch (r->end) {
    case END_OK:
        f->set = 0;
        if (r->o->keyfile && !r->quick && !r->auth_ok) {
            fail(f, "auth", "login-refused", "The server refused the public-key "
                 "login as \"%s\" (methods it still allows: %s).", r->o->user,
                 r->methods[0] ? r->methods : "none");
            snprintf(f->message, sizeof(f->message), "SSH_MSG_USERAUTH_FAILURE");
        } else if (r->o->keyfile && !r->quick && (r->exit_seen != 1 || r->exit_status)) {
            fail(f, "connection", "exec-failed", "The login worked, but \"exit 0\" "
                 "%s.", r->exit_seen == 1 ? "returned a non-zero exit status"
                                          : "ended without an exit-status");
        }
        return;
    case END_NET:
        fail(f, "tcp", "network", "%s.", r->err_text);
        return;
    case END_STALL:
        stall(r, f);
        return;
    default:
        break;
    }
    switch (r->err) {
    case NSSH_ERR_PEER_DISCONNECT:
        disconnect(r, f);
        return;
    case 0:
    case NSSH_ERR_EOF:
        closed(r, f);
        return;
    case NSSH_ERR_NEGOTIATE:
        no_common(r, f);
        return;
    case NSSH_ERR_FORMAT: {
        const pkt *last = r->pkts_dropped ? NULL : last_received(r);
        if (last && fields_check(r, last, f) < 0)
            return;
        break;
    }
    case NSSH_ERR_SIGNATURE:
        if (sigdiag(r, f))
            return;
        break;
    case NSSH_ERR_MAC:
    case NSSH_ERR_PACKET:
        if (first_encrypted_failed(r) && keydiag(r, f))
            return;
        if (r->err == NSSH_ERR_PACKET && !first_encrypted_failed(r)) {
            framing(r, f);
            return;
        }
        if (r->err == NSSH_ERR_MAC) {
            fail(f, "packet", "mac", "The server's packet failed its integrity "
                 "check: %s.", r->err_text);
            if (first_encrypted_failed(r))
                append(f, " It was the first encrypted packet, and none of the "
                       "usual key-derivation mistakes (sequence number, K "
                       "encoding, letters, directions, IV and key) explains it.");
            return;
        }
        break;
    default:
        break;
    }
    {
        static const struct { int err; const char *cause; } map[] = {
            { NSSH_ERR_FORMAT, "malformed" }, { NSSH_ERR_PACKET, "framing" },
            { NSSH_ERR_VERSION, "bad-version" }, { NSSH_ERR_KEX_VALUE, "bad-kex-value" },
            { NSSH_ERR_SIGNATURE, "bad-signature" }, { NSSH_ERR_KEY, "bad-host-key" },
            { NSSH_ERR_UNEXPECTED, "unexpected-message" }, { NSSH_ERR_MAC, "mac" },
            { NSSH_ERR_TIMEOUT, "stall" } };
        const char *cause = "engine-error";
        size_t i;
        for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
            if (map[i].err == r->err)
                cause = map[i].cause;
        fail(f, r->err_stage[0] ? r->err_stage : "transport", cause, "%s%s%s%s%s.",
             r->err_msg, r->err_msg[0] ? ": " : "", r->err_field,
             r->err_field[0] ? ": " : "", r->err_text);
        snprintf(f->message, sizeof(f->message), "%s", r->err_msg);
        snprintf(f->field, sizeof(f->field), "%s", r->err_field);
        if (r->err == NSSH_ERR_SIGNATURE)
            append(f, " None of the usual exchange-hash mistakes (K as string "
                   "or mpint, version lines with CR LF, KEXINIT without its "
                   "message byte, another hash) makes the signature verify: "
                   "the signature may be made with a key other than K_S.");
    }
}
