/*
 * nanosshd's authentication policy: the engine's auth callbacks.
 *
 * Map (cmd/nanosshd/auth/):
 *   authcb.c        auth_pubkey / auth_result, authorized_keys lookup
 *   authpw.c        password and keyboard-interactive callbacks
 *   pamauth.c       PAM: auth, account and session phases
 *   access.c        DenyUsers, AllowUsers, DenyGroups, AllowGroups
 *   authkeys.c, authkeys_opts.c, authkeys_time.c   authorized_keys files
 *                   (authkeys.h); authkeys_merge.c  the options of two keys
 *   authglob.c      glob patterns in AuthorizedKeysFile/PrincipalsFile
 *   authkeys_cmd.c  AuthorizedKeysCommand, over the runner in authcmd.c
 *                   (authcmd.h, with authcmd_args.c)
 *   krl.c, krl_file.c   RevokedKeys: KRLs and plain lists (krl.h)
 *   authinfo.c      ExposeAuthInfo: the SSH_USER_AUTH file
 *   certauth.c, certauth_cmd.c   user certificates (certauth.h)
 */
#ifndef NSSHD_AUTH_H
#define NSSHD_AUTH_H

#include "dconn.h"
#include "nanossh_cert.h"

/* authcb.c */
/* The account part of a user name: sshd reads "user:style" as the user
 * and a BSD auth style, and on Linux ignores the style, as here. */
nssh_str srv_user_part(nssh_str name);
int srv_auth_pubkey(void *user, nssh_str username, const char *alg_name,
                    const uint8_t *blob, size_t blob_len, int has_sig);
void srv_auth_result(void *user, nssh_str username, const char *method,
                     const char *alg_name, const uint8_t *blob,
                     size_t blob_len, int ok, int partial);
/* A verified security-key signature: its flags against the key's
 * no-touch-required / verify-required and PubkeyAuthOptions. */
int srv_auth_sk(void *user, nssh_str username, const char *alg_name,
                const uint8_t *blob, size_t blob_len, unsigned flags,
                uint32_t counter);

/* authcb.c, for authpw.c */
/* Does the account exist (logs "Invalid user" once) and may this daemon
 * serve it? Sets s->io.pw. */
int srv_user_ok(dconn *s, const char *name);
/* Files in the user's home are read with the user's rights, as sshd does,
 * so a link there cannot make root read someone else's file:
 * srv_as_user switches the effective ids (1; 0 when there is nothing to
 * switch, not root or the user is root) and srv_back_to_root undoes it.
 * saved_groups has room for NGROUPS_MAX. */
int srv_as_user(const user_info *u, gid_t *saved_groups, int *n_saved);
void srv_back_to_root(gid_t *saved_groups, int n_saved);
/* The options of the key (or certificate) just found: kept in s->kopts
 * (*o is emptied). */
void srv_keep_kopts(dconn *s, authkey_opts *o);
/* PermitRootLogin for s->io.pw with method ("publickey", "password",
 * "keyboard-interactive"); logs a refusal. */
int srv_root_ok(dconn *s, const char *method);

/* authkeys_cmd.c */
/* The key in AuthorizedKeysCommand's output for s->io.pw: AUTHKEYS_MATCH
 * (s->kopts set), _NOMATCH (also when the command is unset or fails) or
 * _REFUSED. */
int srv_authkeys_command(dconn *s, const char *type, const uint8_t *blob,
                         size_t len);
/* For a user certificate c (blob, len): the cert-authority lines the
 * command prints for it (sshd runs it with the certificate as %k and %t):
 * 1 when one accepts it (s->kopts set), else 0. */
int srv_authkeys_command_ca(dconn *s, const nssh_cert *c, const uint8_t *blob,
                            size_t len);

/* authinfo.c (ExposeAuthInfo) */
/* A method that succeeded (partially or fully), with its key if any. */
void authinfo_record(dconn *s, const char *method, const uint8_t *blob,
                     size_t len);
/* The administrator's environment for a session: SetEnv's entries, plus
 * SSH_USER_AUTH (its file written on first use) with ExposeAuthInfo. */
int authinfo_env(dconn *s, char *const **env, size_t *n);
/* Connection end: remove the file, free the rest. */
void authinfo_end(dconn *s);

/* authpw.c */
int srv_auth_password(void *user, nssh_str username, nssh_str password);
int srv_kbdint_start(void *user, nssh_str username, nssh_str submethods,
                     nssh_kbdint *q);
int srv_kbdint_respond(void *user, nssh_str username,
                       const nssh_str *responses, size_t n, nssh_kbdint *q);

/* pamauth.c (PAM service "nanossh") */
/* The auth phase: is password right for name? 0 when it is. The handle
 * is kept for the account phase. */
int pamauth_password(dconn *s, const char *name, const char *password);
/* After any successful method: the account phase, then (as root) the
 * credentials and the session. 0, or a negative error with why set to a
 * sentence for the log and the client. */
int pamauth_login(dconn *s, const char *name, char *why, size_t cap);
/* Close the session and end the handle (connection teardown). */
void pamauth_end(dconn *s);
/* Once in the listener, before any fork: load the service's modules and
 * keep them loaded. A connection's pam_start then finds them in place,
 * their data pages relocated once and shared with every connection,
 * instead of loading and relocating them again in each (about 130 kB of
 * a connection's memory with Debian's stack). */
void pamauth_preload(const daemon_opts *o);
/* For pamconv.c: a fresh handle for name talking through conv (NULL on
 * failure), and the outcome of its pam_authenticate (kept for the
 * account phase on PAM_SUCCESS, ended otherwise). */
struct pam_conv;
struct pam_handle;
struct pam_handle *pamauth_begin(dconn *s, const char *name,
                                 const struct pam_conv *conv);
void pamauth_finish(dconn *s, int status);

/* pamconv.c: keyboard-interactive conversations with PAM's questions */
/* Start pam_authenticate for name: NSSH_CB_MORE with the first round in
 * q (valid until the next call), or NSSH_CB_REFUSE with PAM's status in
 * *status (PAM_SUCCESS: no question was asked and it passed), or a
 * negative error. */
int pamconv_start(dconn *s, const char *name, nssh_kbdint *q, int *status);
/* The client's answers to the round: as pamconv_start; NSSH_ERR_STATE
 * when no round is waiting. A wrong number of answers abandons it. */
int pamconv_answer(dconn *s, const nssh_str *resp, size_t n, nssh_kbdint *q,
                   int *status);
int pamconv_active(const dconn *s);
unsigned pamconv_prompts(const dconn *s);
void pamconv_abort(dconn *s);
/* The engine's "none" method: PermitEmptyPasswords (authpw.c). */
int srv_auth_none(void *user, nssh_str username);
#endif
