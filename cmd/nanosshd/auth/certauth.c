/*
 * User certificates (PROTOCOL.certkeys) as sshd judges them
 * (sshd_config(5) TrustedUserCAKeys, AuthorizedPrincipalsFile,
 * CASignatureAlgorithms; sshd(8) cert-authority and principals=):
 *
 *   1. the blob parses, its CA signed with an allowed algorithm and the
 *      signature verifies;
 *   2. the CA is trusted: listed in TrustedUserCAKeys (principals then from
 *      AuthorizedPrincipalsFile, or the user name), or on a cert-authority
 *      line of the user's authorized_keys (principals= or the user name);
 *   3. a user certificate, inside its validity interval, naming a wanted
 *      principal; critical options understood and satisfied
 *      (source-address), force-command and the permit-* extensions merged
 *      into the options the session obeys.
 *
 * Refusals are logged with sshd's lines ("Refusing certificate ID ...").
 */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "certauth.h"
#include "authglob.h"
#include "strictmodes.h"
#include "authkeys_int.h"
#include "files.h"
#include "pattern.h"
#include "nanossh_cert.h"

#define PRINCIPALS_FILE_MAX (1u << 20)

/* What the certificate itself allows (sshd's sshauthopt_from_cert). */
typedef struct cert_perm {
    int pty, port_fwd, agent_fwd, x11_fwd, user_rc;
    int no_touch, verify;   /* security keys: no-touch-required, verify-required */
    char *command;   /* force-command, malloc'ed */
    char *source;    /* source-address, malloc'ed */
} cert_perm;

static char *dup_str(nssh_str s)
{
    char *p = malloc(s.n + 1);
    if (p) {
        memcpy(p, s.p, s.n);
        p[s.n] = 0;
    }
    return p;
}

static int str_eq(nssh_str s, const char *lit)
{
    return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

/* sshd names key types in upper case in these lines. */
static const char *label(const char *type)
{
    if (!strncmp(type, "sk-ssh-ed25519", 14))
        return "ED25519-SK";
    if (!strncmp(type, "sk-ecdsa-", 9))
        return "ECDSA-SK";
    if (!strncmp(type, "ssh-ed25519", 11))
        return "ED25519";
    if (!strncmp(type, "ecdsa-sha2-", 11))
        return "ECDSA";
    if (!strncmp(type, "ssh-rsa", 7) || !strncmp(type, "rsa-sha2-", 9))
        return "RSA";
    return type;
}

static void perm_free(cert_perm *p)
{
    free(p->command);
    free(p->source);
    memset(p, 0, sizeof(*p));
}

/* Critical options must all be understood; unknown extensions are
 * ignored (PROTOCOL.certkeys). -1 for options sshd would not accept. */
static int perm_from_cert(const nssh_cert *c, cert_perm *p)
{
    nssh_str name, value;
    size_t pos = 0;
    char err[128];
    int e;

    memset(p, 0, sizeof(*p));
    while ((e = nssh_cert_next(c->extensions, &pos, &name, &value)) == 1) {
        if (str_eq(name, "permit-pty"))
            p->pty = 1;
        else if (str_eq(name, "permit-port-forwarding"))
            p->port_fwd = 1;
        else if (str_eq(name, "permit-agent-forwarding"))
            p->agent_fwd = 1;
        else if (str_eq(name, "permit-X11-forwarding"))
            p->x11_fwd = 1;
        else if (str_eq(name, "permit-user-rc"))
            p->user_rc = 1;
        else if (str_eq(name, "no-touch-required"))
            p->no_touch = 1;   /* meaningful for security keys only */
    }
    if (e < 0)
        return -1;
    pos = 0;
    while ((e = nssh_cert_next(c->critical, &pos, &name, &value)) == 1) {
        if (memchr(value.p, 0, value.n))
            return -1;
        if (str_eq(name, "force-command") && !p->command) {
            if (!(p->command = dup_str(value)))
                return -1;
        } else if (str_eq(name, "source-address") && !p->source) {
            if (!(p->source = dup_str(value)) ||
                match_addr_list(p->source, "0.0.0.0", NULL, err, sizeof(err)) < 0) {
                logit(LL_ERROR, "Certificate source-address contents invalid");
                return -1;
            }
        } else if (str_eq(name, "verify-required") && !value.n &&
                   c->type.n > 3 && !memcmp(c->type.p, "sk-", 3)) {
            p->verify = 1;   /* PIN or biometric on every signature */
        } else {
            /* Unknown, or verify-required on a key that is no security
             * key and so can never satisfy it: refused. */
            return -1;
        }
    }
    return e < 0 ? -1 : 0;
}

/* source-address against the client (sshd's auth_authorise_keyopts). */
static int perm_source_ok(dconn *s, const cert_perm *p, const char *loc)
{
    char err[128];
    if (!p->source || match_addr_list(p->source, s->io.peer, NULL, err,
                                      sizeof(err)) == 1)
        return 1;
    logit(LL_INFO, "%s: Authentication tried for %.100s with valid certificate "
          "but not from a permitted source address (%.200s).", loc,
          s->io.pw.name, s->io.peer);
    return 0;
}

/* Line options AND certificate permissions (sshd's sshauthopt_merge):
 * a permission needs both; force-commands must agree. Without a line
 * (TrustedUserCAKeys and no principals file) the certificate alone says
 * whether a security key may sign without a touch. */
static int merge(authkey_opts *o, cert_perm *p, int have_line,
                 const char **reason)
{
    if (o->command && p->command && strcmp(o->command, p->command)) {
        *reason = "forced command options do not match";
        return -1;
    }
    if (!o->command) {
        o->command = p->command;
        p->command = NULL;
    }
    o->no_pty |= !p->pty;
    o->no_port_forwarding |= !p->port_fwd;
    o->no_agent_forwarding |= !p->agent_fwd;
    o->no_x11_forwarding |= !p->x11_fwd;
    o->no_user_rc |= !p->user_rc;
    o->no_touch_required = (have_line ? o->no_touch_required : 1) && p->no_touch;
    o->verify_required |= p->verify;
    return 0;
}

/* sshd's sshkey_cert_check_authority_now: user type, validity, and with
 * name set that name among the principals. */
static int authority(const nssh_cert *c, const char *name, const char **reason)
{
    time_t now = time(NULL);
    nssh_str pr;
    size_t pos = 0;
    int found = 0;

    if (c->cert_type != NSSH_CERT_USER) {
        *reason = "Certificate invalid: not a user certificate";
        return -1;
    }
    /* 64-bit times: valid_before may lie far past 2038 (or be "forever",
     * all ones), compared as unsigned. */
    if (now < 0 || (uint64_t)now < c->valid_after) {
        *reason = "Certificate invalid: not yet valid";
        return -1;
    }
    if ((uint64_t)now >= c->valid_before) {
        *reason = "Certificate invalid: expired";
        return -1;
    }
    if (c->principals.n == 0) {
        *reason = "Certificate lacks principal list";
        return -1;
    }
    if (!name)
        return 0;
    while (!found && nssh_cert_next(c->principals, &pos, &pr, NULL) == 1)
        found = str_eq(pr, name);
    if (!found) {
        *reason = "Certificate invalid: name is not a listed principal";
        return -1;
    }
    return 0;
}

/* Is one of the certificate's principals in the comma list? */
static int principal_in_list(const nssh_cert *c, const char *list)
{
    nssh_str pr;
    size_t pos = 0;
    while (nssh_cert_next(c->principals, &pos, &pr, NULL) == 1) {
        const char *l = list;
        while (*l) {
            size_t n = strcspn(l, ",");
            if (n == pr.n && !memcmp(l, pr.p, n))
                return 1;
            l += n;
            if (*l == ',')
                l++;
        }
    }
    return 0;
}

/* sshd's TOKENS for AuthorizedPrincipalsFile: %% %h %u %U; a relative
 * result is taken from the home directory. */
static int expand(const char *t, const user_info *u, char *out, size_t cap)
{
    size_t n = 0;
    char uid[16];
    int w;
    snprintf(uid, sizeof(uid), "%u", (unsigned)u->uid);
    if (t[0] != '/' && (w = snprintf(out, cap, "%s/", u->home)) > 0)
        n = (size_t)w;
    for (; *t && n < cap; t++) {
        const char *ins = NULL;
        if (*t != '%') {
            out[n++] = *t;
            continue;
        }
        switch (*++t) {
        case '%': ins = "%"; break;
        case 'h': ins = u->home; break;
        case 'u': ins = u->name; break;
        case 'U': ins = uid; break;
        default: return -1;
        }
        w = snprintf(out + n, cap - n, "%s", ins);
        if (w < 0 || (size_t)w >= cap - n)
            return -1;
        n += (size_t)w;
    }
    if (n >= cap)
        return -1;
    out[n] = 0;
    return 0;
}

/* A principals file's line "[options] principal" (sshd's
 * auth_check_principals_line): 1 and *o filled when it names one of the
 * certificate's principals. */
static int principals_line(char *line, const nssh_cert *c, authkey_opts *o)
{
    char *name = line, *sp, err[160];
    size_t n = strlen(line);
    nssh_str pr;
    size_t pos = 0;

    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
        line[--n] = 0;
    memset(o, 0, sizeof(*o));
    sp = strrchr(line, ' ');
    if (!sp || (strrchr(line, '\t') && strrchr(line, '\t') > sp))
        sp = strrchr(line, '\t');
    if (sp) {
        name = sp + 1;
        *sp = 0;
        if (authkeys_parse_opts(line, strlen(line), o, err, sizeof(err)) < 0) {
            log_debug("bad principals options: %s", err);
            authkeys_opts_free(o);
            return 0;
        }
    }
    while (nssh_cert_next(c->principals, &pos, &pr, NULL) == 1)
        if (str_eq(pr, name))
            return 1;
    authkeys_opts_free(o);
    return 0;
}

int certauth_principals_text(char *data, size_t len, const nssh_cert *c,
                             authkey_opts *o)
{
    char *p, *nl;
    int found = 0;
    for (p = data; !found && p < data + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(data + len - p));
        if (!nl)
            nl = data + len;
        *nl = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        found = principals_line(p, c, o);
    }
    return found;
}

/* AuthorizedPrincipalsFile: 1 when a line names a principal (*o its
 * options), 0 when none does or the file cannot be read. */
static int principals_file(dconn *s, const char *path, const nssh_cert *c,
                           authkey_opts *o)
{
    char *data = NULL, why[256];
    size_t len = 0;
    int found;
    if (file_read(path, PRINCIPALS_FILE_MAX, &data, &len, why, sizeof(why)) < 0) {
        log_debug("Could not open user '%s' authorized principals '%s'",
                  s->io.pw.name, path);
        return 0;
    }
    found = certauth_principals_text(data, len, c, o);
    free(data);
    return found;
}

/* Options from a principals file or an authorized_keys line checked as
 * sshd's auth_authorise_keyopts does (from=, expiry-time, cert-authority
 * where it may not be). */
static int line_opts_ok(dconn *s, const authkey_opts *o, int allow_ca)
{
    char err[128];
    if (o->expiry && (int64_t)time(NULL) > o->expiry)
        return 0;
    if (o->cert_authority && !allow_ca)
        return 0;
    if (o->from && match_addr_list(o->from, s->io.peer, NULL, err,
                                   sizeof(err)) != 1) {
        logit(LL_INFO, "Authentication tried for %.100s with correct key but "
              "not from a permitted host (host=%.200s, ip=%.200s, "
              "required=%.200s).", s->io.pw.name, s->io.peer, s->io.peer,
              o->from);
        return 0;
    }
    return 1;
}

/* TrustedUserCAKeys (sshd's user_cert_trusted_ca): 1 accepted, 0 not. */
static int trusted_ca(dconn *s, const nssh_cert *c, const uint8_t *blob,
                      size_t len, const char *ca_type, const char *ca_fp)
{
    const char *file = s->o->trusted_user_ca_keys, *reason = NULL;
    authkey_opts line, po;
    cert_perm p;
    char why[256], path[PATH_MAX];
    unsigned ln;
    int use_principals = 0, found = 0, ok = 0, r;

    memset(&po, 0, sizeof(po));
    if (!file || !*file)
        return 0;
    r = authkeys_find_file(file, ca_type, c->ca_key, c->ca_key_len, NULL, NULL,
                           &line, &ln, why, sizeof(why));
    authkeys_opts_free(&line);
    if (r != AUTHKEYS_MATCH) {
        log_debug2("CA %s %s is not listed in %s", label(ca_type), ca_fp, file);
        return 0;
    }
    if (s->o->principals_file && *s->o->principals_file) {
        use_principals = 1;
        if (expand(s->o->principals_file, &s->io.pw, path, sizeof(path)) == 0) {
            static gid_t groups[NGROUPS_MAX];
            int n_saved = 0, dropped = srv_as_user(&s->io.pw, groups, &n_saved);
            glob_t gl;
            size_t j, n = dropped >= 0 ? authglob(path, &gl) : 0;
            /* sshd 10.5: a glob pattern; its matches in order until one
             * names a principal. */
            for (j = 0; j < n && !found; j++)
                found = principals_file(s, gl.gl_pathv[j], c, &po);
            if (n)
                globfree(&gl);
            if (dropped > 0)
                srv_back_to_root(groups, n_saved);
        }
    }
    if (!found && certauth_principals_command(s, c, blob, len, &po) == 1)
        found = 1;
    use_principals |= s->o->principals_cmd && *s->o->principals_cmd;
    memset(&p, 0, sizeof(p));
    if (!found && use_principals)
        reason = "Certificate does not contain an authorized principal";
    else if (authority(c, use_principals ? NULL : s->io.pw.name, &reason) < 0)
        ;
    else if (perm_from_cert(c, &p) < 0)
        reason = "Invalid certificate options";
    else if (!perm_source_ok(s, &p, "cert"))
        reason = "Refused by certificate options";
    else if (found && !line_opts_ok(s, &po, 0))
        reason = "Refused by certificate principals options";
    else if (merge(&po, &p, found, &reason) == 0)
        ok = 1;
    if (ok) {
        logit(LL_VERBOSE, "Accepted certificate ID \"%.*s\" (serial %llu) signed "
              "by %s CA %s via %s", (int)c->key_id.n, c->key_id.p,
              (unsigned long long)c->serial, label(ca_type), ca_fp, file);
        srv_keep_kopts(s, &po);
    } else {
        logit(LL_ERROR, "Refusing certificate ID \"%.*s\" serial=%llu signed by "
              "%s CA %s: %s", (int)c->key_id.n, c->key_id.p,
              (unsigned long long)c->serial, label(ca_type), ca_fp, reason);
    }
    perm_free(&p);
    authkeys_opts_free(&po);
    return ok;
}

/* One cert-authority line's verdict on the certificate (sshd's
 * check_authkey_line): 1 accepted (its options kept), 0 refused. loc
 * names the line in the logs ("path:line"). */
static int ca_line(dconn *s, const nssh_cert *c, authkey_opts *o,
                   const char *ca_type, const char *ca_fp, const char *loc)
{
    const char *reason = NULL;
    cert_perm p;
    int ok = 0;

    memset(&p, 0, sizeof(p));
    if (perm_from_cert(c, &p) < 0)
        reason = "Invalid certificate options";
    else if (!perm_source_ok(s, &p, loc))
        reason = "Refused by certificate options";
    else if (merge(o, &p, 1, &reason) < 0)
        ;
    else if (o->principals && !principal_in_list(c, o->principals))
        reason = "Certificate does not contain an authorized principal";
    else if (authority(c, o->principals ? NULL : s->io.pw.name, &reason) == 0)
        ok = 1;
    perm_free(&p);
    if (ok) {
        logit(LL_VERBOSE, "Accepted certificate ID \"%.*s\" (serial %llu) "
              "signed by CA %s %s found at %s", (int)c->key_id.n,
              c->key_id.p, (unsigned long long)c->serial, label(ca_type),
              ca_fp, loc);
        srv_keep_kopts(s, o);
    } else {
        logit(LL_ERROR, "Refusing certificate ID \"%.*s\" serial=%llu "
              "signed by %s CA %s via %s: %s", (int)c->key_id.n,
              c->key_id.p, (unsigned long long)c->serial, label(ca_type),
              ca_fp, loc, reason);
    }
    return ok;
}

int certauth_ca_text(dconn *s, const nssh_cert *c, const char *data,
                     size_t len, const char *where)
{
    char ca_type[64], ca_fp[128] = "", why[256], loc[4200];
    authkey_opts o;
    size_t pos = 0;
    unsigned line = 0;
    int r, ok = 0;

    if (nssh_ossl_blob_type(c->ca_key, c->ca_key_len, ca_type, sizeof(ca_type)) < 0)
        return 0;
    nssh_ossl_fingerprint(c->ca_key, c->ca_key_len, ca_fp, sizeof(ca_fp));
    /* Every cert-authority line for this CA until one accepts, as sshd
     * reads the whole file: a line refused for its from= or principals=
     * does not hide a later one. */
    while (!ok && pos < len) {
        r = authkeys_find_ca(data, len, ca_type, c->ca_key, c->ca_key_len,
                             s->io.peer, NULL, &o, &pos, &line, why, sizeof(why));
        if (r == AUTHKEYS_NOMATCH)
            break;
        if (r == AUTHKEYS_REFUSED) {
            logit(LL_INFO, "Authentication refused for %s from %s port %d: %s",
                  s->io.pw.name, s->io.peer, s->io.peer_port, why);
            continue;
        }
        snprintf(loc, sizeof(loc), "%s:%u", where, line);
        ok = ca_line(s, c, &o, ca_type, ca_fp, loc);
        authkeys_opts_free(&o);
    }
    return ok;
}

/* One authorized_keys file (a match of an AuthorizedKeysFile pattern). */
static int ca_file(dconn *s, const nssh_cert *c, const char *path)
{
    char *data = NULL, why[256] = "";
    size_t len = 0;
    int ok;

    if (s->o->strict_modes &&
        strict_path_ok(path, s->io.pw.uid, s->io.pw.home, why, sizeof(why)) < 0) {
        logit(LL_INFO, "Authentication refused: %s",
              why[0] ? why : "cannot check the modes of the key file");
        return 0;
    }
    if (file_read(path, AUTHKEYS_FILE_MAX, &data, &len, why, sizeof(why)) < 0)
        return 0;
    ok = certauth_ca_text(s, c, data, len, path);
    free(data);
    return ok;
}

/* cert-authority lines in the AuthorizedKeysFile files (each pattern's
 * matches in order), then in AuthorizedKeysCommand's output, as sshd's
 * user_key_allowed reads them: 1 accepted, 0 not. */
static int authorized_ca(dconn *s, const nssh_cert *c, const uint8_t *blob,
                         size_t len)
{
    static gid_t groups[NGROUPS_MAX];
    char path[4096];
    glob_t gl;
    size_t i, j, n;
    int ok = 0, dropped, n_saved = 0;

    if ((dropped = srv_as_user(&s->io.pw, groups, &n_saved)) < 0)
        return 0;
    for (i = 0; i < s->o->n_akfiles && !ok; i++) {
        if (path_expand(s->o->akfiles[i], s->io.pw.home, s->io.pw.name, path,
                        sizeof(path)) < 0)
            continue;
        n = authglob(path, &gl);
        for (j = 0; j < n && !ok; j++)
            ok = ca_file(s, c, gl.gl_pathv[j]);
        if (n)
            globfree(&gl);
    }
    if (dropped)
        srv_back_to_root(groups, n_saved);
    return ok || srv_authkeys_command_ca(s, c, blob, len);
}

/* The CA signed with an allowed algorithm, and the signature verifies. */
static int ca_signature_ok(dconn *s, const nssh_cert *c, const uint8_t *blob)
{
    const nssh_sig_alg *alg;
    char sigtype[64], catype[64];
    size_t i;
    int allowed = 0;

    if (nssh_ossl_blob_type(c->signature, c->signature_len, sigtype,
                            sizeof(sigtype)) < 0 ||
        nssh_ossl_blob_type(c->ca_key, c->ca_key_len, catype, sizeof(catype)) < 0) {
        logit(LL_ERROR, "userauth_pubkey: parse key: invalid format");
        return 0;
    }
    for (i = 0; i < s->o->ca_sign_algs.n; i++)
        allowed |= !strcmp(s->o->ca_sign_algs.name[i], sigtype);
    if (!allowed) {
        logit(LL_INFO, "userauth_pubkey: certificate signature algorithm %s: "
              "signature algorithm not supported", sigtype);
        return 0;
    }
    alg = nssh_ossl_sig_by_name(sigtype);
    if (!alg || nssh_cert_is_cert_name(alg->name) || strcmp(alg->key_type, catype) ||
        alg->verify(c->ca_key, c->ca_key_len, blob, c->signed_len, c->signature,
                    c->signature_len) < 0) {
        logit(LL_ERROR, "userauth_pubkey: parse key: incorrect signature");
        return 0;
    }
    return 1;
}

int certauth_check(dconn *s, const uint8_t *blob, size_t len)
{
    char ca_type[64], ca_fp[128] = "", cert_label[80];
    nssh_cert c;

    if (nssh_cert_parse(blob, len, &c) < 0) {
        logit(LL_ERROR, "userauth_pubkey: parse key: invalid certificate");
        return 0;
    }
    if (!ca_signature_ok(s, &c, blob))
        return 0;
    if (nssh_ossl_blob_type(c.ca_key, c.ca_key_len, ca_type, sizeof(ca_type)) < 0)
        return 0;
    nssh_ossl_fingerprint(c.ca_key, c.ca_key_len, ca_fp, sizeof(ca_fp));
    snprintf(cert_label, sizeof(cert_label), "%s-CERT", label(c.plain_type));
    if (certauth_revoked(s, &c, blob, len, cert_label, label(ca_type)))
        return 0;
    return trusted_ca(s, &c, blob, len, ca_type, ca_fp) ||
           authorized_ca(s, &c, blob, len);
}

void certauth_describe(const uint8_t *blob, size_t len, char *out, size_t cap)
{
    char ca_type[64], fp[128] = "";
    nssh_cert c;
    out[0] = 0;
    if (nssh_cert_parse(blob, len, &c) < 0 ||
        nssh_ossl_blob_type(c.ca_key, c.ca_key_len, ca_type, sizeof(ca_type)) < 0)
        return;
    nssh_ossl_fingerprint(c.ca_key, c.ca_key_len, fp, sizeof(fp));
    snprintf(out, cap, " ID %.*s (serial %llu) CA %s %s", (int)c.key_id.n,
             c.key_id.p, (unsigned long long)c.serial, label(ca_type), fp);
}
