/*
 * libsshclient: log in with libssh and run one command.
 *
 *   libsshclient HOST PORT USER KEYFILE KEX CIPHER MAC COMMAND
 *
 * KEX, CIPHER and MAC are single algorithm names (or lists), or "-" for
 * the library's defaults; CIPHER and MAC apply to both directions. The
 * command's output goes to stdout. What was negotiated goes to stderr as
 *
 *   kex: NAME
 *   host key: TYPE
 *   cipher: IN/OUT
 *   mac: IN/OUT
 *
 * The exit status is the command's, or 255 when the connection failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>

static int fail(ssh_session s, const char *what)
{
    fprintf(stderr, "libsshclient: %s: %s\n", what,
            s ? ssh_get_error(s) : "out of memory");
    return -1;
}

static int set_opt(ssh_session s, enum ssh_options_e opt, const char *v)
{
    if (strcmp(v, "-") == 0)
        return 0;
    if (ssh_options_set(s, opt, v) != SSH_OK)
        return fail(s, "setting an algorithm list");
    return 0;
}

static int configure(ssh_session s, char **argv)
{
    int port = atoi(argv[2]);
    int zero = 0;
    if (ssh_options_set(s, SSH_OPTIONS_HOST, argv[1]) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_USER, argv[3]) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &zero) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") != SSH_OK)
        return fail(s, "setting options");
    /* Keep ~/.ssh/config out of the test. */
    if (ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &zero) != SSH_OK)
        return fail(s, "disabling the configuration files");
    if (set_opt(s, SSH_OPTIONS_KEY_EXCHANGE, argv[5]) < 0 ||
        set_opt(s, SSH_OPTIONS_CIPHERS_C_S, argv[6]) < 0 ||
        set_opt(s, SSH_OPTIONS_CIPHERS_S_C, argv[6]) < 0 ||
        set_opt(s, SSH_OPTIONS_HMAC_C_S, argv[7]) < 0 ||
        set_opt(s, SSH_OPTIONS_HMAC_S_C, argv[7]) < 0)
        return -1;
    return 0;
}

static void report(ssh_session s)
{
    ssh_key hk = NULL;
    const char *type = "?";
    if (ssh_get_server_publickey(s, &hk) == SSH_OK)
        type = ssh_key_type_to_char(ssh_key_type(hk));
    fprintf(stderr, "kex: %s\nhost key: %s\ncipher: %s/%s\nmac: %s/%s\n",
            ssh_get_kex_algo(s), type, ssh_get_cipher_in(s),
            ssh_get_cipher_out(s), ssh_get_hmac_in(s), ssh_get_hmac_out(s));
    ssh_key_free(hk);
}

static int login(ssh_session s, const char *keyfile)
{
    ssh_key key = NULL;
    int rc;
    if (ssh_connect(s) != SSH_OK)
        return fail(s, "connecting");
    report(s);
    if (ssh_pki_import_privkey_file(keyfile, NULL, NULL, NULL, &key) != SSH_OK)
        return fail(s, "reading the private key");
    rc = ssh_userauth_publickey(s, NULL, key);
    ssh_key_free(key);
    if (rc != SSH_AUTH_SUCCESS)
        return fail(s, "public key authentication");
    return 0;
}

/* Runs the command; its exit status, or -1. */
static int run(ssh_session s, const char *command)
{
    ssh_channel ch = ssh_channel_new(s);
    char buf[4096];
    int n, status = -1;
    if (!ch)
        return fail(s, "creating a channel");
    if (ssh_channel_open_session(ch) != SSH_OK) {
        fail(s, "opening a session");
        goto out;
    }
    if (ssh_channel_request_exec(ch, command) != SSH_OK) {
        fail(s, "exec request");
        goto out;
    }
    while ((n = ssh_channel_read(ch, buf, sizeof(buf), 0)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    while ((n = ssh_channel_read(ch, buf, sizeof(buf), 1)) > 0)
        fwrite(buf, 1, (size_t)n, stderr);
    if (n < 0) {
        fail(s, "reading the command's output");
        goto out;
    }
    ssh_channel_send_eof(ch);
    status = ssh_channel_get_exit_status(ch);
out:
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    return status;
}

int main(int argc, char **argv)
{
    ssh_session s;
    int status = 255;
    if (argc != 9) {
        fprintf(stderr, "usage: libsshclient HOST PORT USER KEYFILE KEX "
                        "CIPHER MAC COMMAND\n");
        return 255;
    }
    s = ssh_new();
    if (!s) {
        fail(NULL, "ssh_new");
        return 255;
    }
    if (configure(s, argv) == 0 && login(s, argv[4]) == 0) {
        status = run(s, argv[8]);
        if (status < 0 || status > 255)
            status = 255;
    }
    fflush(stdout);
    ssh_disconnect(s);
    ssh_free(s);
    return status;
}
