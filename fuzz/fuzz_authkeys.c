/*
 * libFuzzer target: authorized_keys contents (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT), options and all, searched for one fixed ed25519 key from two
 * client addresses. Every answer must be one of the three documented ones,
 * a refusal must say why, and a match must hold only well-formed options.
 * Nothing may crash, leak or read out of bounds (ASan, UBSan).
 *   fuzz/corpus/authkeys holds the seeds (that key with every option).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* string "ssh-ed25519" || string 32 x 0x11 (RFC 8709 section 4): the key
 * the seeds authorize, base64 AAAAC3NzaC1lZDI1NTE5AAAAIBERERER... */
static const uint8_t blob[51] = {
    0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
    0, 0, 0, 32,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11
};

static void check_opts(const authkey_opts *o)
{
    size_t i;
    if (o->n_env > AUTHKEYS_MAX_ENV || o->n_permitopen > AUTHKEYS_MAX_PERMIT ||
        o->n_permitlisten > AUTHKEYS_MAX_PERMIT)
        abort();
    for (i = 0; i < o->n_env; i++)   /* environment="NAME=value" */
        if (!o->env[i] || !strchr(o->env[i], '='))
            abort();
    for (i = 0; i < o->n_permitopen; i++)
        if (!o->permitopen[i])
            abort();
    for (i = 0; i < o->n_permitlisten; i++)
        if (!o->permitlisten[i])
            abort();
}

static void one(const char *text, size_t len, const char *addr,
                const char *host)
{
    authkey_opts o;
    char why[256];
    unsigned line = 0;
    int r;
    memset(&o, 0, sizeof(o));
    memset(why, 'x', sizeof(why));
    why[0] = 0;
    r = authkeys_find(text, len, "ssh-ed25519", blob, sizeof(blob), addr,
                      host, &o, &line, why, sizeof(why));
    if (memchr(why, 0, sizeof(why)) == NULL)
        abort();   /* the reason must stay a C string inside its buffer */
    switch (r) {
    case AUTHKEYS_MATCH:
        if (line == 0)
            abort();
        check_opts(&o);
        authkeys_opts_free(&o);
        break;
    case AUTHKEYS_REFUSED:
        if (why[0] == 0)
            abort();   /* a refusal says why */
        authkeys_opts_free(&o);
        break;
    case AUTHKEYS_NOMATCH:
        authkeys_opts_free(&o);   /* must be safe on untouched options */
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so reading past the end is caught. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    one(text, size, "127.0.0.1", NULL);
    one(text, size, "::1", "client.example.org");
    free(text);
    return 0;
}
