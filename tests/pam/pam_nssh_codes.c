/*
 * A PAM module for the test suite only, never installed: the one-time
 * code step of a two-factor login, asking two codes through the
 * application's conversation and comparing them with its arguments.
 *
 *   auth required /path/to/pam_nssh_codes.so code1=X code2=Y [rounds=2]
 *
 * rounds=1 (the default) asks both in one conversation call, after an
 * informational line: "First code: " shown as typed (PAM_PROMPT_ECHO_ON)
 * and "Second code: " hidden (PAM_PROMPT_ECHO_OFF). rounds=2 asks them
 * in two calls, so the client sees two rounds of prompts. Any other
 * answer, or a conversation error, is PAM_AUTH_ERR.
 */
#define PAM_SM_AUTH
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

static const char *arg(int argc, const char **argv, const char *name)
{
    size_t n = strlen(name);
    int i;
    for (i = 0; i < argc; i++)
        if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
            return argv[i] + n + 1;
    return NULL;
}

/* One conversation call; the answers to the prompts, in order, in out. */
static int ask(pam_handle_t *h, const struct pam_message *m, int n,
               char **out, int n_out)
{
    const struct pam_conv *conv;
    const struct pam_message *mp[4];
    struct pam_response *r = NULL;
    int i, k = 0, e;
    e = pam_get_item(h, PAM_CONV, (const void **)&conv);
    if (e != PAM_SUCCESS || !conv || !conv->conv)
        return PAM_CONV_ERR;
    for (i = 0; i < n; i++)
        mp[i] = &m[i];
    if ((e = conv->conv(n, mp, &r, conv->appdata_ptr)) != PAM_SUCCESS || !r)
        return PAM_CONV_ERR;
    for (i = 0; i < n; i++) {
        if (m[i].msg_style == PAM_PROMPT_ECHO_ON ||
            m[i].msg_style == PAM_PROMPT_ECHO_OFF) {
            if (k < n_out)
                out[k++] = r[i].resp;
            else
                free(r[i].resp);
        } else {
            free(r[i].resp);
        }
    }
    free(r);
    return k == n_out ? PAM_SUCCESS : PAM_CONV_ERR;
}

static int same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *h, int flags, int argc,
                                   const char **argv)
{
    const char *c1 = arg(argc, argv, "code1"), *c2 = arg(argc, argv, "code2");
    const char *rounds = arg(argc, argv, "rounds");
    char *got[2] = { NULL, NULL };
    int e, ok;
    (void)flags;
    if (!c1 || !c2)
        return PAM_AUTH_ERR;
    if (rounds && !strcmp(rounds, "2")) {
        struct pam_message a[2] = {
            { PAM_TEXT_INFO, "Two codes, one at a time." },
            { PAM_PROMPT_ECHO_ON, "First code: " },
        };
        struct pam_message b[1] = { { PAM_PROMPT_ECHO_OFF, "Second code: " } };
        e = ask(h, a, 2, &got[0], 1);
        if (e == PAM_SUCCESS)
            e = ask(h, b, 1, &got[1], 1);
    } else {
        struct pam_message a[3] = {
            { PAM_TEXT_INFO, "Enter the two codes from your token." },
            { PAM_PROMPT_ECHO_ON, "First code: " },
            { PAM_PROMPT_ECHO_OFF, "Second code: " },
        };
        e = ask(h, a, 3, got, 2);
    }
    ok = e == PAM_SUCCESS && same(got[0], c1) && same(got[1], c2);
    free(got[0]);
    free(got[1]);
    return ok ? PAM_SUCCESS : PAM_AUTH_ERR;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *h, int flags, int argc,
                              const char **argv)
{
    (void)h;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}
