/*
 * One connection of nanosshd: the POSIX adapter's connection (conn.h:
 * engine, socket, sessions, forwarding) and the daemon's state around it
 * (this connection's options after Match, the authorized_keys options of
 * the key used, PAM, the log's memory, ClientAlive). The adapter reaches
 * the daemon only through the conn_policy of server.c, with the dconn as
 * its app pointer; the engine's callbacks get the dconn as user.
 */
#ifndef NSSHD_DCONN_H
#define NSSHD_DCONN_H

#include "conn.h"
#include "opts.h"
#include "hostkeys.h"
#include "authkeys.h"

typedef struct dconn {
    pconn io;                        /* the adapter's part */
    daemon_opts *o;                  /* this connection's copy (Match) */
    const hostkey_set *hk;
    nssh_config cfg;                 /* the engine's, from the options */
    /* authentication */
    char user[NSSH_USER_MAX + 1];    /* last user name tried, or the user */
    char invalid_logged[NSSH_USER_MAX + 1];
    authkey_opts kopts;              /* the key being tried; the session's
                                        options once authenticated */
    int have_kopts;
    authkey_opts acc_kopts;          /* merged options of the keys that
                                        succeeded so far (authmeth.c) */
    int have_acc_kopts;
    long failures;                   /* refused attempts, queries included */
    int auth_attempted;              /* a method other than "none" refused */
    int valid_attempt;               /* ... for an existing, allowed user */
    int auth_limit_logged;
    int peer_disconnected;
    struct pamauth *pam;             /* PAM handle and phases, or NULL */
    /* ExposeAuthInfo (authinfo.c) */
    char *auth_info;                 /* methods that succeeded, a line each */
    size_t auth_info_len;
    char auth_info_file[64];         /* SSH_USER_AUTH, "" until written */
    char **auth_env;                 /* SetEnv's entries + SSH_USER_AUTH */
    struct authmeth *am;             /* AuthenticationMethods (authmeth.c) */
    unsigned enabled_methods;        /* NSSH_METHOD_* the keywords enable */
    int none_tried;                  /* method "none" judged once */
    struct pamconv *pamconv;         /* keyboard-interactive PAM thread */
    char kbd_name[NSSH_USER_MAX + 1];   /* its user ("" when refused) */
    uint64_t kbd_start;              /* when the round's answers came */
    /* engine tables from the options (server.c, srvmatch.c) */
    const nssh_kem *kems[OPTS_MAX_ALGS];
    const nssh_cipher *ciphers[OPTS_MAX_ALGS];
    const nssh_mac *macs[OPTS_MAX_ALGS];
    const nssh_sig_alg *sigs[OPTS_MAX_ALGS];
    nssh_hostkey hostkeys[HOSTKEYS_MAX * 2];
    /* per-user settings at the first USERAUTH_REQUEST (srvmatch.c) */
    int user_fixed;                  /* Match applied for match_user */
    char match_user[NSSH_USER_MAX + 1];
    int access_denied;               /* DenyUsers, AllowUsers & co. refused */
    char *banner;                    /* Banner text (malloc'ed) or NULL */
    int end_logged;                  /* our disconnect's line is logged */
    int preauth_status;              /* privsep: the pre-auth child's exit
                                      * status (EXIT_*), -1 unknown */
    /* ClientAlive (alive.c) */
    uint64_t alive_sent;             /* when the last probe went, ms */
    long alive_missed;               /* probes without an answer */
    /* ChannelTimeout, UnusedConnectionTimeout (chantime.c) */
    unsigned char chan_kind[NSSH_MAX_CHANNELS];   /* CHK_* */
    uint64_t chan_since[NSSH_MAX_CHANNELS];       /* opened, ms */
    uint64_t unused_since;           /* no channel open since, ms (0: some) */
} dconn;

/* What a channel is, for ChannelTimeout's type names (chantime.c). */
enum {
    CHK_NONE = 0, CHK_SESSION, CHK_SHELL, CHK_COMMAND, CHK_SUBSYSTEM,
    CHK_DIRECT, CHK_FORWARDED, CHK_FWD, CHK_CLOSING
};

#endif
