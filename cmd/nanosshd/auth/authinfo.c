/*
 * ExposeAuthInfo (sshd_config(5)): the methods that authenticated the
 * connection, one line each ("publickey ssh-ed25519 AAAA...",
 * "password", "keyboard-interactive/pam"), written as sshd does to a file
 * only the user can read, named by SSH_USER_AUTH in the sessions'
 * environment and removed when the connection ends.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "session.h"

void authinfo_record(dconn *s, const char *method, const uint8_t *blob,
                     size_t len)
{
    static char b64[16384];
    char type[64] = "";
    size_t need;
    char *p;
    if (blob && (nssh_ossl_blob_type(blob, len, type, sizeof(type)) < 0 ||
                 nssh_ossl_base64_encode(blob, len, b64, sizeof(b64)) < 0))
        blob = NULL;
    need = strlen(method) + (blob ? strlen(type) + strlen(b64) + 2 : 0) + 2;
    if (!(p = realloc(s->auth_info, s->auth_info_len + need)))
        return;
    s->auth_info = p;
    if (blob)
        snprintf(p + s->auth_info_len, need, "%s %s %s\n", method, type, b64);
    else
        snprintf(p + s->auth_info_len, need, "%s\n", method);
    s->auth_info_len += strlen(p + s->auth_info_len);
}

/* The file, made once per connection with the user's rights (mkstemp
 * gives mode 0600). */
static int write_file(dconn *s)
{
    static gid_t groups[NGROUPS_MAX];
    int n_saved = 0, dropped, fd, ok = 0;
    if ((dropped = srv_as_user(&s->io.pw, groups, &n_saved)) < 0)
        return -1;
    snprintf(s->auth_info_file, sizeof(s->auth_info_file),
             "/tmp/sshauth.XXXXXXXXXXXXXXX");
    if ((fd = mkstemp(s->auth_info_file)) >= 0) {
        ok = write(fd, s->auth_info ? s->auth_info : "", s->auth_info_len) ==
             (ssize_t)s->auth_info_len;
        if (close(fd) < 0)
            ok = 0;
        if (!ok)
            unlink(s->auth_info_file);
    }
    if (dropped)
        srv_back_to_root(groups, n_saved);
    if (!ok) {
        log_error("cannot write the authentication info file %s",
                  s->auth_info_file);
        s->auth_info_file[0] = 0;
        return -1;
    }
    return 0;
}

int authinfo_env(dconn *s, char *const **env, size_t *n)
{
    size_t i, k = s->o->set_env.n;
    *env = s->o->set_env.v;
    *n = k;
    if (s->o->expose_auth_info <= 0)
        return 0;
    if (!s->auth_env) {
        if (!s->auth_info_file[0] && write_file(s) < 0)
            return -1;
        if (!(s->auth_env = calloc(k + 2, sizeof(char *))))
            return -1;
        for (i = 0; i < k; i++)
            s->auth_env[i] = s->o->set_env.v[i];
        /* last, so SetEnv cannot point it elsewhere (sshd sets it after) */
        if (asprintf(&s->auth_env[k], "SSH_USER_AUTH=%s", s->auth_info_file) < 0) {
            free(s->auth_env);
            s->auth_env = NULL;
            return -1;
        }
    }
    *env = s->auth_env;
    *n = k + 1;
    return 0;
}

void authinfo_end(dconn *s)
{
    static gid_t groups[NGROUPS_MAX];
    int n_saved = 0, dropped;
    if (s->auth_info_file[0]) {
        dropped = srv_as_user(&s->io.pw, groups, &n_saved);
        if (dropped >= 0) {
            unlink(s->auth_info_file);
            if (dropped)
                srv_back_to_root(groups, n_saved);
        }
        s->auth_info_file[0] = 0;
    }
    if (s->auth_env) {
        free(s->auth_env[s->o->set_env.n]);
        free(s->auth_env);
        s->auth_env = NULL;
    }
    free(s->auth_info);
    s->auth_info = NULL;
    s->auth_info_len = 0;
}
