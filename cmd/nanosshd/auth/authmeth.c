/*
 * AuthenticationMethods (sshd_config(5)): lists of methods separated by
 * spaces, each a comma-separated sequence that must all succeed in
 * order, "method:submethod" naming one keyboard-interactive device
 * ("keyboard-interactive:pam"), or "any" alone for one method of any.
 *
 * Per connection, after Match, the lists with a disabled method are
 * dropped (as sshd does). A method may be tried when it is at the head of
 * a remaining list; when it succeeds it is removed from the head of every
 * list it leads; authentication is complete once one list is empty, and
 * until then the client hears partial success (RFC 4252 section 5.1)
 * with the heads of the lists as the methods that can continue. A user
 * key that succeeded once is not accepted again ("publickey,publickey"
 * needs two keys).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authmeth.h"
#include "session.h"

#define LISTS_MAX AUTHMETH_LISTS_MAX
#define KEYS_MAX 16

struct authmeth {
    char *list[LISTS_MAX];       /* what is left of each list */
    size_t n;
    int on;                      /* AuthenticationMethods other than any */
    uint8_t *key[KEYS_MAX];      /* user keys that succeeded */
    size_t key_len[KEYS_MAX];
    size_t n_keys;
};

/* ---- per connection ---------------------------------------------------- */

/* 0: list does not start with method; 1: it does (with submethod when
 * the list names one, or when the list names none); -1: the list names
 * a submethod and none was given (the method as such may be tried). */
static int starts_with(const char *list, const char *method,
                       const char *sub, size_t *taken)
{
    size_t l = strlen(method);
    const char *p = list + l;
    if (strncmp(list, method, l) || (*p && *p != ',' && *p != ':'))
        return 0;
    if (*p == ':') {
        if (!sub)
            return -1;
        l = strlen(sub);
        if (strncmp(p + 1, sub, l) || (p[1 + l] && p[1 + l] != ','))
            return 0;
        p += 1 + l;
    }
    *taken = (size_t)(p - list) + (*p == ',');
    return 1;
}

void authmeth_free(dconn *s)
{
    struct authmeth *a = s->am;
    size_t i;
    if (!a)
        return;
    for (i = 0; i < a->n; i++)
        free(a->list[i]);
    for (i = 0; i < a->n_keys; i++)
        free(a->key[i]);
    free(a);
    s->am = NULL;
}

int authmeth_setup(dconn *s)
{
    struct authmeth *a;
    char *copy, *lists[LISTS_MAX];
    size_t i, n;
    authmeth_free(s);
    if (!(a = s->am = calloc(1, sizeof(*a))))
        return NSSH_ERR_NOSPACE;
    if (!s->o->auth_methods || !strcmp(s->o->auth_methods, "any"))
        return 0;
    a->on = 1;
    if (!(copy = strdup(s->o->auth_methods)))
        return NSSH_ERR_NOSPACE;
    n = authmeth_split(copy, lists, LISTS_MAX);
    for (i = 0; i < n; i++) {
        if (!authmeth_list_enabled(s->o, lists[i])) {
            logit(LL_INFO, "Authentication methods list \"%s\" contains "
                  "disabled method, skipping", lists[i]);
            continue;
        }
        log_debug("authentication methods list %zu: %s", a->n, lists[i]);
        if (!(a->list[a->n] = strdup(lists[i])))
            break;
        a->n++;
    }
    free(copy);
    if (a->n)
        return 0;
    log_error("No AuthenticationMethods left after eliminating disabled "
              "methods");
    return NSSH_ERR_UNSUPPORTED;
}

int authmeth_allowed(const dconn *s, const char *method, const char *sub)
{
    const struct authmeth *a = s->am;
    size_t i, taken;
    if (!a || !a->on)
        return 1;
    for (i = 0; i < a->n; i++)
        if (starts_with(a->list[i], method, sub, &taken))
            return 1;
    return 0;
}

unsigned authmeth_engine_bits(const dconn *s, unsigned enabled_bits)
{
    unsigned bits = 0;
    if (!s->am || !s->am->on)
        return enabled_bits;
    if (authmeth_allowed(s, "publickey", NULL))
        bits |= NSSH_METHOD_PUBLICKEY;
    if (authmeth_allowed(s, "password", NULL))
        bits |= NSSH_METHOD_PASSWORD;
    if (authmeth_allowed(s, "keyboard-interactive", NULL))
        bits |= NSSH_METHOD_KBDINT;
    return bits & enabled_bits;
}

/* sshd's auth2_update_methods_lists: 1 when a list is complete. */
static int update(struct authmeth *a, const char *method, const char *sub)
{
    size_t i, taken;
    char *rest;
    int found = 0;
    for (i = 0; i < a->n; i++) {
        if (starts_with(a->list[i], method, sub, &taken) != 1)
            continue;
        found = 1;
        if (!a->list[i][taken])
            return 1;
        rest = a->list[i] + taken;
        memmove(a->list[i], rest, strlen(rest) + 1);
        log_debug("authentication methods list %zu remaining: \"%s\"", i,
                  a->list[i]);
    }
    if (!found)
        log_error("method %s succeeded outside AuthenticationMethods", method);
    return 0;
}

/* A certificate counts as the key it certifies (sshd compares the
 * public keys): its plain blob in buf, else blob itself. */
static const uint8_t *plain_key(const uint8_t *blob, size_t *len, uint8_t *buf,
                                size_t cap)
{
    nssh_cert c;
    if (blob && nssh_cert_parse(blob, *len, &c) == 0 &&
        nssh_cert_plain_key(&c, buf, cap, len) == 0)
        return buf;
    return blob;
}

int authmeth_key_used(const dconn *s, const uint8_t *blob, size_t len)
{
    static uint8_t buf[NSSH_KEYBLOB_MAX];
    const struct authmeth *a = s->am;
    size_t i;
    blob = plain_key(blob, &len, buf, sizeof(buf));
    for (i = 0; a && blob && i < a->n_keys; i++)
        if (a->key_len[i] == len && !memcmp(a->key[i], blob, len))
            return 1;
    return 0;
}

/* A key succeeded: its options (s->kopts) join those of the keys before
 * it on this connection (sshd's auth_activate_options). -1 when they
 * cannot be combined (logged as sshd logs it). */
static int activate_kopts(dconn *s)
{
    authkey_opts merged;
    const char *err;
    if (!s->have_kopts)
        return 0;
    if (authkeys_opts_merge(s->have_acc_kopts ? &s->acc_kopts : NULL,
                            &s->kopts, &merged, &err) < 0) {
        log_error("Inconsistent authentication options: %s", err);
        return -1;
    }
    if (s->have_acc_kopts)
        authkeys_opts_free(&s->acc_kopts);
    s->acc_kopts = merged;
    s->have_acc_kopts = 1;
    return 0;
}

/* Authenticated: the session obeys the merged options of the keys that
 * succeeded, and none when no key did (a key only looked up, or tried
 * without a good signature, leaves nothing behind). */
static void final_kopts(dconn *s)
{
    if (s->have_kopts)
        authkeys_opts_free(&s->kopts);
    s->have_kopts = s->have_acc_kopts;
    s->kopts = s->acc_kopts;
    s->have_acc_kopts = 0;
    memset(&s->acc_kopts, 0, sizeof(s->acc_kopts));
}

int authmeth_success(dconn *s, const char *method, const uint8_t *blob,
                     size_t len)
{
    static uint8_t plain[NSSH_KEYBLOB_MAX];
    struct authmeth *a = s->am;
    const char *sub = NULL;
    int done;
    if (blob && !strcmp(method, "publickey") && activate_kopts(s) < 0)
        return -1;
    if (!a) {
        final_kopts(s);
        return 1;
    }
    blob = plain_key(blob, &len, plain, sizeof(plain));
    if (blob && len && a->n_keys < KEYS_MAX &&
        (a->key[a->n_keys] = malloc(len)) != NULL) {
        memcpy(a->key[a->n_keys], blob, len);
        a->key_len[a->n_keys++] = len;
    }
    if (!a->on) {
        final_kopts(s);
        return 1;
    }
    if (!strcmp(method, "keyboard-interactive"))
        sub = "pam";   /* the one device: PAM */
    done = update(a, method, sub);
    if (!done)
        s->cfg.auth_methods = authmeth_engine_bits(s, s->enabled_methods);
    else
        final_kopts(s);
    return done;
}

int srv_auth_complete(void *user, nssh_str username, const char *method,
                      const uint8_t *blob, size_t blob_len)
{
    (void)username;
    int r = authmeth_success(user, method, blob, blob_len);
    return r < 0 ? NSSH_CB_REFUSE : r ? NSSH_CB_ACCEPT : NSSH_CB_MORE;
}
