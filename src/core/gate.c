/*
 * The gate: one place decides whether a message is allowed in the current
 * state before any handler runs (RFC 4253 sections 7 and 11, RFC 4252
 * section 5, OpenSSH PROTOCOL "strict key exchange extension").
 */
#include "internal.h"

const char *msg_name(uint8_t msg)
{
    switch (msg) {
    case MSG_DISCONNECT: return "SSH_MSG_DISCONNECT";
    case MSG_IGNORE: return "SSH_MSG_IGNORE";
    case MSG_UNIMPLEMENTED: return "SSH_MSG_UNIMPLEMENTED";
    case MSG_DEBUG: return "SSH_MSG_DEBUG";
    case MSG_SERVICE_REQUEST: return "SSH_MSG_SERVICE_REQUEST";
    case MSG_SERVICE_ACCEPT: return "SSH_MSG_SERVICE_ACCEPT";
    case MSG_EXT_INFO: return "SSH_MSG_EXT_INFO";
    case MSG_KEXINIT: return "SSH_MSG_KEXINIT";
    case MSG_NEWKEYS: return "SSH_MSG_NEWKEYS";
    case MSG_KEX_ECDH_INIT: return "SSH_MSG_KEX_ECDH_INIT";
    case MSG_KEX_ECDH_REPLY: return "SSH_MSG_KEX_ECDH_REPLY";
    case MSG_KEX_DH_GEX_INIT: return "SSH_MSG_KEX_DH_GEX_INIT";
    case MSG_KEX_DH_GEX_REPLY: return "SSH_MSG_KEX_DH_GEX_REPLY";
    case MSG_KEX_DH_GEX_REQUEST: return "SSH_MSG_KEX_DH_GEX_REQUEST";
    case MSG_USERAUTH_REQUEST: return "SSH_MSG_USERAUTH_REQUEST";
    case MSG_USERAUTH_FAILURE: return "SSH_MSG_USERAUTH_FAILURE";
    case MSG_USERAUTH_SUCCESS: return "SSH_MSG_USERAUTH_SUCCESS";
    case MSG_USERAUTH_BANNER: return "SSH_MSG_USERAUTH_BANNER";
    case MSG_USERAUTH_PK_OK: return "SSH_MSG_USERAUTH_PK_OK";
    case MSG_USERAUTH_INFO_RESPONSE: return "SSH_MSG_USERAUTH_INFO_RESPONSE";
    case MSG_GLOBAL_REQUEST: return "SSH_MSG_GLOBAL_REQUEST";
    case MSG_REQUEST_SUCCESS: return "SSH_MSG_REQUEST_SUCCESS";
    case MSG_REQUEST_FAILURE: return "SSH_MSG_REQUEST_FAILURE";
    case MSG_CHANNEL_OPEN: return "SSH_MSG_CHANNEL_OPEN";
    case MSG_CHANNEL_OPEN_CONFIRMATION: return "SSH_MSG_CHANNEL_OPEN_CONFIRMATION";
    case MSG_CHANNEL_OPEN_FAILURE: return "SSH_MSG_CHANNEL_OPEN_FAILURE";
    case MSG_CHANNEL_WINDOW_ADJUST: return "SSH_MSG_CHANNEL_WINDOW_ADJUST";
    case MSG_CHANNEL_DATA: return "SSH_MSG_CHANNEL_DATA";
    case MSG_CHANNEL_EXTENDED_DATA: return "SSH_MSG_CHANNEL_EXTENDED_DATA";
    case MSG_CHANNEL_EOF: return "SSH_MSG_CHANNEL_EOF";
    case MSG_CHANNEL_CLOSE: return "SSH_MSG_CHANNEL_CLOSE";
    case MSG_CHANNEL_REQUEST: return "SSH_MSG_CHANNEL_REQUEST";
    case MSG_CHANNEL_SUCCESS: return "SSH_MSG_CHANNEL_SUCCESS";
    case MSG_CHANNEL_FAILURE: return "SSH_MSG_CHANNEL_FAILURE";
    default: return "SSH_MSG_UNKNOWN";
    }
}

static int unexpected(nssh_conn *c, uint8_t msg, const char *when)
{
    return conn_fail(c, NSSH_ERR_UNEXPECTED, NSSH_DISC_PROTOCOL_ERROR, "gate",
                     msg_name(msg), NULL, "unexpected message %s (%u) %s",
                     msg_name(msg), msg, when);
}

static int authenticated(const nssh_conn *c) { return c->au.done; }

int dispatch(nssh_conn *c, const uint8_t *payload, size_t len)
{
    uint8_t msg = payload[0];
    uint32_t seq = c->in.seq - 1;
    int strict_initial = c->kx.strict && c->kx.count == 0;
    /* The peer sent KEXINIT and not yet NEWKEYS: only kex traffic. */
    int peer_in_kex = c->kx.state >= KX_WAIT_KEX && !c->kx.recv_newkeys;
    int in_ready = c->kx.count > 0 || c->kx.recv_newkeys;
    int e;
    rd r;
    rd_init(&r, payload + 1, len - 1);

    if (c->kx.skip_guess && msg >= 30 && msg <= 49) {
        c->kx.skip_guess = 0;
        conn_log(c, NSSH_LOG_DEBUG, "kex", msg_name(msg), NULL,
                 "dropping the peer's wrong first-kex guess");
        return 0;
    }
    if (msg == MSG_DISCONNECT)
        return transport_handle(c, msg, &r);
    if (strict_initial && !(msg == MSG_NEWKEYS || (msg >= 30 && msg <= 49)))
        return unexpected(c, msg, "during the initial key exchange (strict KEX)");
    if (msg >= MSG_IGNORE && msg <= MSG_DEBUG)
        return transport_handle(c, msg, &r);
    if (msg == MSG_KEXINIT) {
        if (peer_in_kex)
            return unexpected(c, msg, "during a key exchange");
        return kexinit_handle(c, &r, payload, len, seq);
    }
    if (msg == MSG_NEWKEYS) {
        if (c->kx.state != KX_WAIT_NEWKEYS || c->kx.recv_newkeys)
            return unexpected(c, msg, "outside a key exchange");
        if (rd_end(&r) < 0)
            return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, "kex",
                             "SSH_MSG_NEWKEYS", NULL, "trailing bytes");
        return kex_newkeys(c);
    }
    if (msg >= 30 && msg <= 49) {
        if (c->kx.state != KX_WAIT_KEX)
            return unexpected(c, msg, "outside a key exchange");
        return kex_handle(c, msg, &r, payload, len);
    }
    if (peer_in_kex && (msg == MSG_SERVICE_REQUEST || msg == MSG_SERVICE_ACCEPT ||
                        msg >= 50))
        return unexpected(c, msg, "during a key exchange");
    if (!in_ready && (msg == MSG_SERVICE_REQUEST || msg == MSG_SERVICE_ACCEPT ||
                      msg == MSG_EXT_INFO || msg >= 50))
        return unexpected(c, msg, "before the first key exchange completed");
    if (msg == MSG_EXT_INFO)
        return transport_handle(c, msg, &r);
    if (c->role == NSSH_ROLE_SERVER) {
#if NSSH_ENABLE_SERVER
        if (msg == MSG_SERVICE_REQUEST) {
            /* Some clients (paramiko) ask for ssh-userauth again before
             * each attempt; sshd answers every time until one succeeds. */
            if (authenticated(c))
                return unexpected(c, msg, "after authentication");
            return auth_service_request(c, &r);
        }
        if (msg >= 50 && msg <= 79) {
            if (!c->au.service_ok)
                return unexpected(c, msg, "before SSH_MSG_SERVICE_REQUEST");
            if (authenticated(c))
                return 0;   /* RFC 4252 section 5.1: ignore after success */
            e = auth_server_handle(c, msg, &r);
            if (e == 0 && authenticated(c))
                e = hostkeys_announce(c);
            return e;
        }
#endif
    } else {
#if NSSH_ENABLE_CLIENT
        if (msg == MSG_SERVICE_ACCEPT)
            return auth_service_accept(c, &r);
        if (msg >= 50 && msg <= 79)
            return auth_client_handle(c, msg, &r);
#endif
    }
    if (msg >= 80 && msg <= 100 && !(msg > 82 && msg < 90)) {
        if (!authenticated(c))
            return unexpected(c, msg, "before authentication");
        if (msg <= 82)
            return global_handle(c, msg, &r);
        return channel_handle(c, msg, &r);
    }
    return send_unimplemented(c, seq);
}
