/*
 * PAM (service "nanossh", /etc/pam.d/nanossh) in the connection's process:
 *
 *   auth      pam_authenticate with a conversation that answers the one
 *             hidden prompt with the password the client sent;
 *   account   pam_acct_mgmt after any successful method (publickey
 *             included), so expired and locked accounts are refused;
 *   session   pam_setcred and pam_open_session once the user is in,
 *             pam_close_session and pam_end when the connection ends.
 *
 * A required password change (PAM_NEW_AUTHTOK_REQD) is refused: nanosshd
 * cannot run the change conversation before the session exists.
 *
 * Without root the session phase is skipped (its modules need root), and
 * pam_unix checks only the password of the daemon's own user.
 */
#define _GNU_SOURCE
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "session.h"

#define PAM_SERVICE_NAME "nanossh"

/* The service: "nanossh" for nanosshd; a daemon started under another
 * program name (a link) uses that name, as sshd uses its own program
 * name, so two daemons on one host can have different PAM stacks. */
static const char *service_of(const daemon_opts *o)
{
    const char *id = o->ident;
    return !id || !*id || !strcmp(id, "nanosshd") ? PAM_SERVICE_NAME : id;
}

static const char *service(const dconn *s) { return service_of(s->o); }

struct pamauth {
    pam_handle_t *h;
    int last;                    /* last status, for pam_end */
    char user[NSSH_USER_MAX + 1];
    int authenticated;           /* the auth phase passed for user */
    int cred, session;           /* established / opened */
    const char *password;        /* during pam_authenticate only */
    int answered;                /* the password was handed out */
    char said[256];              /* the last message a module showed */
};

static void free_replies(struct pam_response *r, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (r[i].resp) {
            explicit_bzero(r[i].resp, strlen(r[i].resp));
            free(r[i].resp);
        }
    free(r);
}

/* The password answers the first hidden prompt; messages go to the debug
 * log; any other question fails the conversation (PAM then fails). */
static int converse(int n, const struct pam_message **msg,
                    struct pam_response **resp, void *data)
{
    struct pamauth *p = data;
    struct pam_response *r;
    int i;
    *resp = NULL;
    if (n <= 0 || n > PAM_MAX_NUM_MSG || !(r = calloc((size_t)n, sizeof(*r))))
        return PAM_CONV_ERR;
    for (i = 0; i < n; i++) {
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            if (!p->password || p->answered ||
                !(r[i].resp = strdup(p->password)))
                goto fail;
            p->answered = 1;
            break;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO:
            snprintf(p->said, sizeof(p->said), "%s", msg[i]->msg ? msg[i]->msg : "");
            log_debug("PAM: %s", p->said);
            break;
        default:
            log_debug("PAM asked \"%s\", which nanosshd cannot answer",
                      msg[i]->msg ? msg[i]->msg : "");
            goto fail;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
fail:
    free_replies(r, n);
    return PAM_CONV_ERR;
}

static int refuse(int n, const struct pam_message **msg,
                  struct pam_response **resp, void *data)
{
    (void)n;
    (void)msg;
    (void)data;
    *resp = NULL;
    return PAM_CONV_ERR;
}

/* The listener's handle, made before any fork: its service's stack is
 * parsed and every module loaded once, in pages every connection shares.
 * A connection's first login takes it over (its process has its own
 * copy), so it does not parse the stack again into pages of its own. */
static pam_handle_t *preloaded;
static char preloaded_service[64];

void pamauth_preload(const daemon_opts *o)
{
    struct pam_conv conv = { refuse, NULL };
    if (preloaded)
        return;
    snprintf(preloaded_service, sizeof(preloaded_service), "%s",
             service_of(o));
    if (pam_start(preloaded_service, NULL, &conv, &preloaded) != PAM_SUCCESS) {
        log_debug("PAM: modules not preloaded");
        preloaded = NULL;
    }
}

/* The preloaded handle for service, once per process; NULL when there is
 * none or it is for another service. */
static pam_handle_t *take_preloaded(const char *svc)
{
    pam_handle_t *h = preloaded;
    if (!h || strcmp(svc, preloaded_service) != 0)
        return NULL;
    preloaded = NULL;
    return h;
}

/* libpam calls this instead of sleeping after a failure: the caller pads
 * every failed attempt to one fixed length itself. */
static void no_delay(int status, unsigned usec, void *data)
{
    (void)status;
    (void)usec;
    (void)data;
}

static void end_handle(struct pamauth *p)
{
    if (!p->h)
        return;
    if (p->session)
        pam_close_session(p->h, PAM_SILENT);
    if (p->cred)
        pam_setcred(p->h, PAM_DELETE_CRED | PAM_SILENT);
    pam_end(p->h, p->last);
    p->h = NULL;
    p->session = p->cred = p->authenticated = 0;
    p->user[0] = 0;
}

/* A fresh handle for name, with the peer and a tty name as sshd sets. */
static int start(dconn *s, const char *name)
{
    struct pam_conv conv;
    struct pamauth *p = s->pam;
    pamconv_abort(s);   /* a conversation in progress is abandoned */
    if (!p && !(p = s->pam = calloc(1, sizeof(*p))))
        return NSSH_ERR_NOSPACE;
    end_handle(p);
    conv.conv = converse;
    conv.appdata_ptr = p;
    p->h = take_preloaded(service(s));
    if (p->h) {
        /* What pam_start would have set: the user and the conversation. */
        p->last = pam_set_item(p->h, PAM_USER, name);
        if (p->last == PAM_SUCCESS)
            p->last = pam_set_item(p->h, PAM_CONV, &conv);
        if (p->last != PAM_SUCCESS) {
            pam_end(p->h, p->last);
            p->h = NULL;
        }
    }
    if (!p->h)
        p->last = pam_start(service(s), name, &conv, &p->h);
    if (p->last != PAM_SUCCESS) {
        log_error("PAM: pam_start(%s): %s", service(s),
                  pam_strerror(p->h, p->last));
        p->h = NULL;
        return NSSH_ERR_INTERNAL;
    }
    snprintf(p->user, sizeof(p->user), "%s", name);
    pam_set_item(p->h, PAM_RHOST, s->io.peer);
    pam_set_item(p->h, PAM_TTY, "ssh");
    pam_set_item(p->h, PAM_FAIL_DELAY, (const void *)no_delay);
    return 0;
}

/* keyboard-interactive (pamconv.c): a fresh handle whose conversation
 * is the caller's. */
pam_handle_t *pamauth_begin(dconn *s, const char *name,
                            const struct pam_conv *conv)
{
    struct pamauth *p;
    if (start(s, name) < 0)
        return NULL;
    p = s->pam;
    p->last = pam_set_item(p->h, PAM_CONV, conv);
    if (p->last != PAM_SUCCESS) {
        end_handle(p);
        return NULL;
    }
    return p->h;
}

void pamauth_finish(dconn *s, int status)
{
    struct pamauth *p = s->pam;
    if (!p || !p->h)
        return;
    p->last = status;
    if (status == PAM_SUCCESS) {
        p->authenticated = 1;
        return;
    }
    log_debug("PAM: authentication for %s: %s", p->user,
              pam_strerror(p->h, status));
    end_handle(p);
}

int pamauth_password(dconn *s, const char *name, const char *password)
{
    struct pamauth *p;
    int r;
    if (start(s, name) < 0)
        return NSSH_ERR_INTERNAL;
    p = s->pam;
    p->password = password;
    p->answered = 0;
    /* PermitEmptyPasswords: only then may a module take an empty one. */
    r = p->last = pam_authenticate(p->h, s->o->permit_empty_passwd > 0
                                             ? 0 : PAM_DISALLOW_NULL_AUTHTOK);
    p->password = NULL;
    if (r == PAM_SUCCESS) {
        p->authenticated = 1;
        return 0;
    }
    log_debug("PAM: authentication for %s: %s", name, pam_strerror(p->h, r));
    end_handle(p);
    return NSSH_ERR_SIGNATURE;
}

static int account(dconn *s, const char *name, char *why, size_t cap)
{
    struct pamauth *p = s->pam;
    int r;
    if ((!p || !p->h || !p->authenticated || strcmp(p->user, name)) &&
        start(s, name) < 0) {
        snprintf(why, cap, "PAM could not start for user %s", name);
        return NSSH_ERR_INTERNAL;
    }
    p = s->pam;
    p->said[0] = 0;
    r = p->last = pam_acct_mgmt(p->h, 0);
    if (r == PAM_SUCCESS)
        return 0;
    /* What the module told the user ("Your account has expired...") says
     * more than the status code. */
    if (r == PAM_NEW_AUTHTOK_REQD)
        snprintf(why, cap, "Password change required for user %s, which "
                 "nanosshd does not offer; change it with passwd from "
                 "another login", name);
    else
        snprintf(why, cap, "Access denied for user %s by PAM account "
                 "configuration: %s", name,
                 p->said[0] ? p->said : pam_strerror(p->h, r));
    return NSSH_ERR_APP;
}

int pamauth_login(dconn *s, const char *name, char *why, size_t cap)
{
    struct pamauth *p;
    int r;
    if ((r = account(s, name, why, cap)) < 0)
        return r;
    /* Session modules need root, and act on the calling process
     * (loginuid, limits, keyrings): in single-process mode that process
     * is every connection's, so they are not run there. */
    if (geteuid() != 0 || s->o->single_process)
        return 0;
    p = s->pam;
    r = p->last = pam_setcred(p->h, PAM_ESTABLISH_CRED);
    if (r != PAM_SUCCESS) {
        snprintf(why, cap, "PAM: pam_setcred for user %s: %s", name,
                 pam_strerror(p->h, r));
        return NSSH_ERR_APP;
    }
    p->cred = 1;
    r = p->last = pam_open_session(p->h, 0);
    if (r != PAM_SUCCESS) {
        snprintf(why, cap, "PAM: pam_open_session for user %s: %s", name,
                 pam_strerror(p->h, r));
        return NSSH_ERR_APP;
    }
    p->session = 1;
    return 0;
}

void pamauth_end(dconn *s)
{
    pamconv_abort(s);
    if (!s->pam)
        return;
    end_handle(s->pam);
    free(s->pam);
    s->pam = NULL;
}
