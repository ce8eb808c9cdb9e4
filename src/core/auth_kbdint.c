/*
 * The "keyboard-interactive" method, server role (RFC 4256).
 *
 *   client  USERAUTH_REQUEST ... "keyboard-interactive",
 *           string language tag, string submethods          (section 3.1)
 *   server  USERAUTH_INFO_REQUEST (60): string name, string instruction,
 *           string language tag, int num-prompts,
 *           num-prompts x (string prompt, boolean echo)     (section 3.2)
 *   client  USERAUTH_INFO_RESPONSE (61): int num-responses,
 *           num-responses x string response                 (section 3.4)
 *   server  another INFO_REQUEST, SUCCESS or FAILURE
 *
 * The application writes the prompts and judges the answers
 * (kbdint_start, kbdint_respond). A refused exchange counts as one failed
 * attempt; one abandoned by a new request counts nothing. The answers are
 * wiped from the packet buffer once judged.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#if NSSH_ENABLE_SERVER

#define METHOD "keyboard-interactive"
#define INFO_RESP "SSH_MSG_USERAUTH_INFO_RESPONSE"

static nssh_str kbd_user(const nssh_conn *c)
{
    nssh_str u = { c->au.kbd_user, c->au.kbd_user_len };
    return u;
}

static void put_text(wr *w, const char *s) { wr_cstring(w, s ? s : ""); }

static int send_info_request(nssh_conn *c, const nssh_kbdint *q)
{
    unsigned i;
    wr w;
    int e;
    if ((e = pkt_begin(c, &w, MSG_USERAUTH_INFO_REQUEST)) < 0)
        return e;
    put_text(&w, q->name);
    put_text(&w, q->instruction);
    wr_cstring(&w, "");   /* language tag, deprecated (section 3.2) */
    wr_u32(&w, q->n_prompts);
    for (i = 0; i < q->n_prompts; i++) {
        put_text(&w, q->prompt[i].text);
        wr_bool(&w, q->prompt[i].echo != 0);
    }
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    c->au.kbd_active = 1;
    c->au.kbd_prompts = q->n_prompts;
    return 0;
}

/* What the application answered: success, prompts, or a counted failure. */
static int answer(nssh_conn *c, int verdict, const nssh_kbdint *q)
{
    nssh_str user = kbd_user(c);
    const char *why = "refused";
    if (verdict == NSSH_CB_ACCEPT)
        return auth_succeed(c, user, METHOD, NULL, NULL, 0);
    if (verdict == NSSH_CB_MORE && q->n_prompts <= NSSH_KBDINT_PROMPTS_MAX) {
        conn_log(c, NSSH_LOG_DEBUG, "auth", "SSH_MSG_USERAUTH_INFO_REQUEST",
                 NULL, "keyboard-interactive for %.*s: %u prompts", str_clip(user),
                 user.p, q->n_prompts);
        return send_info_request(c, q);
    }
    if (verdict == NSSH_CB_MORE)
        why = "too many prompts from the application";
    conn_log(c, NSSH_LOG_VERBOSE, "auth", NULL, NULL,
             "keyboard-interactive for %.*s: %s", str_clip(user), user.p, why);
    auth_report(c, user, METHOD, NULL, NULL, 0, 0);
    return auth_failed(c, user);
}

int auth_kbdint(nssh_conn *c, rd *r, nssh_str user, int user_ok)
{
    nssh_str lang, sub;
    nssh_kbdint q;
    int verdict;
    if (rd_str(r, &lang) < 0)
        return auth_bad(c, "SSH_MSG_USERAUTH_REQUEST", "language tag",
                        "truncated string");
    if (rd_str(r, &sub) < 0 || rd_end(r) < 0)
        return auth_bad(c, "SSH_MSG_USERAUTH_REQUEST", "submethods",
                        "truncated string or trailing bytes");
    if (!(c->cfg->auth_methods & NSSH_METHOD_KBDINT) || !c->cb->kbdint_start ||
        !c->cb->kbdint_respond || !user_ok) {
        conn_log(c, NSSH_LOG_VERBOSE, "auth", "SSH_MSG_USERAUTH_REQUEST", NULL,
                 "keyboard-interactive for %.*s: %s", str_clip(user), user.p,
                 user_ok ? "method not allowed" : "invalid user name");
        if (user_ok)
            auth_report(c, user, METHOD, NULL, NULL, 0, 0);
        return auth_failed(c, user);
    }
    memcpy(c->au.kbd_user, user.p, user.n);   /* user_ok: fits */
    c->au.kbd_user[user.n] = 0;
    c->au.kbd_user_len = user.n;
    memset(&q, 0, sizeof(q));
    verdict = c->cb->kbdint_start(c->cfg->user, user, sub, &q);
    return answer(c, verdict, &q);
}

/* 0 with the answers, 1 when their number is wrong, or an error. */
static int read_responses(nssh_conn *c, rd *r, nssh_str *resp, uint32_t *n)
{
    uint32_t i;
    if (rd_u32(r, n) < 0)
        return auth_bad(c, INFO_RESP, "num-responses", "truncated");
    /* Section 3.4: a count that does not match the prompts gets FAILURE. */
    if (*n != c->au.kbd_prompts) {
        conn_log(c, NSSH_LOG_INFO, "auth", INFO_RESP, "num-responses",
                 "%u responses to %u prompts", (unsigned)*n,
                 (unsigned)c->au.kbd_prompts);
        return 1;
    }
    for (i = 0; i < *n; i++)
        if (rd_str(r, &resp[i]) < 0)
            return auth_bad(c, INFO_RESP, "response", "truncated string");
    if (rd_end(r) < 0)
        return auth_bad(c, INFO_RESP, "response", "trailing bytes");
    return 0;
}

int auth_kbdint_response(nssh_conn *c, rd *r)
{
    nssh_str resp[NSSH_KBDINT_PROMPTS_MAX];
    nssh_kbdint q;
    uint32_t n = 0;
    size_t from = r->pos;
    int verdict = NSSH_CB_REFUSE, e;
    if (!c->au.kbd_active)
        return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "auth",
                         INFO_RESP, NULL,
                         "no keyboard-interactive exchange in progress");
    c->au.kbd_active = 0;
    memset(&q, 0, sizeof(q));
    e = read_responses(c, r, resp, &n);
    if (e == 0)
        verdict = c->cb->kbdint_respond(c->cfg->user, kbd_user(c), resp, n, &q);
    /* The answers are secrets: gone from the packet before anything else. */
    if (from < r->len)
        nssh_wipe((uint8_t *)(uintptr_t)(r->p + from), r->len - from);
    if (e < 0)
        return e;
    return answer(c, verdict, &q);
}

#endif /* NSSH_ENABLE_SERVER */
