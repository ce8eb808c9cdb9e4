/*
 * keyboard-interactive through PAM with the module's own questions
 * (RFC 4256): pam_authenticate runs in a thread of its own, and each call
 * of its conversation that asks something becomes one INFO_REQUEST with
 * all the prompts of that call (PAM_PROMPT_ECHO_ON shown, ECHO_OFF
 * hidden); PAM_TEXT_INFO and PAM_ERROR_MSG lines become the instruction
 * of the next round. The connection's thread waits for the next round or
 * the verdict; the PAM thread waits for the client's answers. A new
 * attempt, a password check or the end of the connection abandons the
 * conversation (the module then sees a conversation error).
 *
 * One-time-code modules (a key plus a code with AuthenticationMethods
 * "publickey,keyboard-interactive") need exactly this: several questions,
 * several rounds, echo on and off.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "session.h"

#define INSTR_MAX 2048

enum { C_RUNNING, C_ROUND, C_ANSWERED, C_DONE, C_ABORT };

struct pamconv {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state;
    int status;                         /* pam_authenticate's, at C_DONE */
    int flags;
    pam_handle_t *h;
    char instr[INSTR_MAX];              /* text lines for the next round */
    unsigned n;
    char *prompt[NSSH_KBDINT_PROMPTS_MAX];
    int echo[NSSH_KBDINT_PROMPTS_MAX];
    char *resp[NSSH_KBDINT_PROMPTS_MAX];
    char shown[INSTR_MAX];              /* the round's instruction, sent */
};

static void free_round(struct pamconv *c)
{
    unsigned i;
    for (i = 0; i < NSSH_KBDINT_PROMPTS_MAX; i++) {
        free(c->prompt[i]);
        c->prompt[i] = NULL;
        if (c->resp[i]) {
            explicit_bzero(c->resp[i], strlen(c->resp[i]));
            free(c->resp[i]);
            c->resp[i] = NULL;
        }
    }
    c->n = 0;
}

static void add_text(struct pamconv *c, const char *msg)
{
    size_t len = strlen(c->instr);
    if (!msg)
        return;
    snprintf(c->instr + len, sizeof(c->instr) - len, "%s%s", msg,
             msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

/* In the PAM thread: one call of the module's conversation. */
static int converse(int n, const struct pam_message **msg,
                    struct pam_response **resp, void *data)
{
    struct pamconv *c = data;
    struct pam_response *r;
    unsigned k = 0;
    int i, ok = 1;
    *resp = NULL;
    if (n <= 0 || n > PAM_MAX_NUM_MSG || !(r = calloc((size_t)n, sizeof(*r))))
        return PAM_CONV_ERR;
    pthread_mutex_lock(&c->mu);
    free_round(c);
    for (i = 0; i < n && ok; i++) {
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_ON:
        case PAM_PROMPT_ECHO_OFF:
            if (c->n >= NSSH_KBDINT_PROMPTS_MAX ||
                !(c->prompt[c->n] = strdup(msg[i]->msg ? msg[i]->msg : "")))
                ok = 0;
            else
                c->echo[c->n++] = msg[i]->msg_style == PAM_PROMPT_ECHO_ON;
            break;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO:
            add_text(c, msg[i]->msg);
            break;
        default:
            ok = 0;
        }
    }
    if (ok && c->n) {
        /* Hand the round over and wait for the answers. */
        snprintf(c->shown, sizeof(c->shown), "%s", c->instr);
        c->instr[0] = 0;
        c->state = C_ROUND;
        pthread_cond_broadcast(&c->cv);
        while (c->state == C_ROUND)
            pthread_cond_wait(&c->cv, &c->mu);
        ok = c->state == C_ANSWERED;
        for (i = 0; i < n && ok; i++) {
            if (msg[i]->msg_style != PAM_PROMPT_ECHO_ON &&
                msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
                continue;
            r[i].resp = c->resp[k];   /* PAM frees it */
            c->resp[k++] = NULL;
        }
        if (c->state == C_ANSWERED)
            c->state = C_RUNNING;
    }
    free_round(c);
    pthread_mutex_unlock(&c->mu);
    if (ok) {
        *resp = r;
        return PAM_SUCCESS;
    }
    for (i = 0; i < n; i++)
        if (r[i].resp) {
            explicit_bzero(r[i].resp, strlen(r[i].resp));
            free(r[i].resp);
        }
    free(r);
    return PAM_CONV_ERR;
}

static void *run(void *arg)
{
    struct pamconv *c = arg;
    int r = pam_authenticate(c->h, c->flags);
    pthread_mutex_lock(&c->mu);
    c->status = r;
    if (c->state != C_ABORT)
        c->state = C_DONE;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

void pamconv_abort(dconn *s)
{
    struct pamconv *c = s->pamconv;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    if (c->state != C_DONE)
        c->state = C_ABORT;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->th, NULL);
    free_round(c);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
    s->pamconv = NULL;
}

/* The next round (NSSH_CB_MORE with q filled) or the verdict: PAM's
 * status in *status, the thread gone. */
static int next(dconn *s, nssh_kbdint *q, int *status)
{
    struct pamconv *c = s->pamconv;
    unsigned i;
    pthread_mutex_lock(&c->mu);
    while (c->state == C_RUNNING || c->state == C_ANSWERED)
        pthread_cond_wait(&c->cv, &c->mu);
    if (c->state == C_ROUND) {
        q->name = "";
        q->instruction = c->shown;
        q->n_prompts = c->n;
        for (i = 0; i < c->n; i++) {
            q->prompt[i].text = c->prompt[i];
            q->prompt[i].echo = c->echo[i];
        }
        pthread_mutex_unlock(&c->mu);
        return NSSH_CB_MORE;
    }
    *status = c->status;
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->th, NULL);
    free_round(c);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
    s->pamconv = NULL;
    return NSSH_CB_REFUSE;
}

int pamconv_start(dconn *s, const char *name, nssh_kbdint *q, int *status)
{
    struct pamconv *c;
    struct pam_conv conv;
    pamconv_abort(s);
    if (!(c = calloc(1, sizeof(*c))))
        return NSSH_ERR_NOSPACE;
    conv.conv = converse;
    conv.appdata_ptr = c;
    if (!(c->h = pamauth_begin(s, name, &conv))) {
        free(c);
        return NSSH_ERR_INTERNAL;
    }
    c->flags = s->o->permit_empty_passwd > 0 ? 0 : PAM_DISALLOW_NULL_AUTHTOK;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->state = C_RUNNING;
    s->pamconv = c;
    if (pthread_create(&c->th, NULL, run, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        free(c);
        s->pamconv = NULL;
        return NSSH_ERR_INTERNAL;
    }
    return next(s, q, status);
}

int pamconv_active(const dconn *s)
{
    const struct pamconv *c = s->pamconv;
    return c && c->state == C_ROUND;
}

unsigned pamconv_prompts(const dconn *s)
{
    return s->pamconv ? s->pamconv->n : 0;
}

int pamconv_answer(dconn *s, const nssh_str *resp, size_t n, nssh_kbdint *q,
                   int *status)
{
    struct pamconv *c = s->pamconv;
    size_t i;
    int ok = 1;
    if (!pamconv_active(s))
        return NSSH_ERR_STATE;
    pthread_mutex_lock(&c->mu);
    if (n != c->n)
        ok = 0;
    for (i = 0; i < n && ok; i++) {
        if (memchr(resp[i].p, 0, resp[i].n) ||
            !(c->resp[i] = strndup(resp[i].p, resp[i].n)))
            ok = 0;
    }
    c->state = ok ? C_ANSWERED : C_ABORT;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (!ok) {
        pamconv_abort(s);
        *status = PAM_CONV_ERR;
        return NSSH_CB_REFUSE;
    }
    return next(s, q, status);
}
