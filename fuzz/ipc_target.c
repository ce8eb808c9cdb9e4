/*
 * The ipc fuzz target (ipc_target.h): the privilege-separation monitor
 * (cmd/nanosshd/privsep) reading what a hostile pre-auth child sends.
 * The input is the child's
 * byte stream: frames of uint32 length || body, as ipc_recv reads them.
 * Each body goes through
 *  - ipc_decode, whose every accepted message must encode back to the
 *    very same bytes (nothing malformed is accepted, nothing is lost),
 *    and ipc_round_decode likewise;
 *  - the monitor's dispatcher (monitor.c's handle, this file includes
 *    monitor.c for it, so the program must not link monitor.c's
 *    object as well) on a real connection state: the daemon's options
 *    from a configuration file, a real ed25519 host key that signs, real
 *    user lookups for root (whose authorized_keys holds one key) and for
 *    users that do not exist, as privsep_run would, until the monitor
 *    ends the conversation.
 * Nothing may crash or leak. fuzz/gen_ipc_corpus.py writes the seeds
 * (fuzz/corpus/ipc), with the public key of fuzz/ipc_user_key.pub.
 */
#include "../cmd/nanosshd/privsep/monitor.c"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>

#include <syslog.h>

#include "log.h"
#include "opts.h"
#include "server.h"
#include "ipc_target.h"

static daemon_opts opts;
static hostkey_set hk;
static int ans[2] = { -1, -1 }, sock[2] = { -1, -1 };
static char dir[64];

static void setup_fail(const char *what)
{
    fprintf(stderr, "fuzz_ipc: %s\n", what);
    exit(2);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        setup_fail("cannot write the test configuration");
}

/* The user key root accepts: the repository's fuzz/ipc_user_key.pub,
 * found next to this source file. */
static void user_key(char *line, size_t cap)
{
    char path[4096];
    FILE *f;
    const char *src = __FILE__, *slash = strrchr(src, '/');
    snprintf(path, sizeof(path), "%.*s/ipc_user_key.pub",
             slash ? (int)(slash - src) : 1, slash ? src : ".");
    if (!(f = fopen(path, "r")) || !fgets(line, (int)cap, f))
        setup_fail("cannot read ipc_user_key.pub");
    fclose(f);
}

/* A fresh ed25519 host key in dir, as the daemon would load it. */
static void host_key(void)
{
    nssh_key *k = NULL;
    char *priv = NULL, path[128];
    size_t n = 0;
    FILE *f;
    snprintf(path, sizeof(path), "%s/ssh_host_ed25519_key", dir);
    if (nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &k) < 0 ||
        nssh_ossl_key_save_private(k, "fuzz", &priv, &n) < 0 ||
        !(f = fopen(path, "w")))
        setup_fail("cannot make a host key");
    if (fwrite(priv, 1, n, f) != n || fclose(f) != 0)
        setup_fail("cannot write the host key");
    chmod(path, 0600);
    nssh_wipe(priv, n);
    free(priv);
    nssh_ossl_key_free(k);
}

static void cleanup(void)
{
    char p[128];
    const char *names[] = { "ssh_host_ed25519_key", "authorized_keys",
                            "sshd_config" };
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

void fuzz_ipc_init(void)
{
    char conf[1024], path[128], key[2048], *files[1];
    if (dir[0])
        return;
    snprintf(dir, sizeof(dir), "/tmp/nssh-fuzz-ipc-XXXXXX");
    if (!mkdtemp(dir))
        setup_fail("mkdtemp");
    atexit(cleanup);
    log_setup("fuzz_ipc", getenv("FUZZ_VERBOSE") ? LL_DEBUG3 : LL_QUIET, 1,
              LOG_AUTH);
    host_key();
    user_key(key, sizeof(key));
    snprintf(path, sizeof(path), "%s/authorized_keys", dir);
    write_file(path, key);
    /* Public keys only: a password or keyboard-interactive attempt would
     * go to PAM and wait out the failure delay (2 s), and the monitor
     * must refuse methods that are off without asking PAM at all.
     * StrictModes would refuse the temporary directory. */
    snprintf(conf, sizeof(conf),
             "HostKey %s/ssh_host_ed25519_key\n"
             "AuthorizedKeysFile %s/authorized_keys\n"
             "StrictModes no\n"
             "UsePAM no\n"
             "PasswordAuthentication no\n"
             "KbdInteractiveAuthentication no\n"
             "PermitRootLogin prohibit-password\n"
             "MaxAuthTries 6\n"
             "Banner none\n",
             dir, dir);
    snprintf(path, sizeof(path), "%s/sshd_config", dir);
    write_file(path, conf);
    opts_init(&opts);
    if (config_load(&opts, path, 1) < 0 || opts_finish(&opts) < 0)
        setup_fail("the test configuration does not load");
    snprintf(path, sizeof(path), "%s/ssh_host_ed25519_key", dir);
    files[0] = path;
    if (hostkeys_load(&hk, files, 1, 0) < 0 || hk.n_keys != 1)
        setup_fail("the host key does not load");
    /* The monitor answers on ans[0], read back from ans[1]; the
     * connection's socket is one end of a socketpair that nobody reads
     * (nothing is sent on it). */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ans) < 0 ||
        fcntl(ans[1], F_SETFL, O_NONBLOCK) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0)
        setup_fail("descriptors");
}

/* Accepted bodies are canonical: they encode back to themselves.
 * Returns ipc_decode's result. */
static int check_decoder(const uint8_t *b, size_t n)
{
    static uint8_t enc[IPC_MAX + 8];
    static char store[IPC_MAX];
    ipc_msg q;
    nssh_kbdint k;
    long e;
    int r = ipc_decode(b, n, &q);
    if (r == 0) {
        e = ipc_encode(&q, enc, sizeof(enc));
        if (e != (long)n + 4 || memcmp(enc + 4, b, n) != 0) {
            fprintf(stderr, "ipc_decode accepted a body that does not encode back\n");
            abort();
        }
    }
    if (ipc_round_decode(b, n, &k, store, sizeof(store)) == 0) {
        e = ipc_round_encode(&k, enc, sizeof(enc));
        if (e != (long)n || memcmp(enc, b, n) != 0) {
            fprintf(stderr, "ipc_round_decode accepted a body that does not encode back\n");
            abort();
        }
    }
    return r;
}

/* The monitor's answers so far: each must decode as an IPC_ANSWER. */
static void read_answers(ipc_stats *st)
{
    static uint8_t buf[IPC_MAX + 4];
    static size_t have;
    ipc_msg a;
    ssize_t r;
    size_t n;
    while ((r = read(ans[1], buf + have, sizeof(buf) - have)) > 0)
        have += (size_t)r;
    while (have >= 4) {
        n = ((size_t)buf[0] << 24) | ((size_t)buf[1] << 16) |
            ((size_t)buf[2] << 8) | buf[3];
        if (have < n + 4)
            break;
        if (ipc_decode(buf + 4, n, &a) < 0 || a.type != IPC_ANSWER) {
            fprintf(stderr, "the monitor sent something other than an answer\n");
            abort();
        }
        if (st) {
            st->answers++;
            st->granted += a.verdict;
            st->last_verdict = a.verdict;
        }
        memmove(buf, buf + n + 4, have - n - 4);
        have -= n + 4;
    }
}

int fuzz_ipc_run(const uint8_t *data, size_t size, ipc_stats *st)
{
    static mon m;
    dconn *s;
    size_t pos = 0;
    int e = 0;
    if (st)
        memset(st, 0, sizeof(*st));
    fuzz_ipc_init();
    if (!(s = server_new(sock[0], &opts, &hk)))
        abort();
    /* As start() does under privilege separation: the monitor's log
     * hook on the engine, which is initialised again with it. */
    nssh_conn_release(s->io.c);
    privsep_callbacks(s);
    s->io.c = nssh_conn_init(s->io.mem, nssh_conn_mem_size(), &s->cfg, 0);
    if (!s->io.c)
        abort();
    memset(&m, 0, sizeof(m));
    m.s = s;
    m.fd = ans[0];
    m.pid = -1;
    cur = &m;
    /* privsep_run's loop over ipc_recv's framing. */
    while (e == 0 && size - pos >= 4) {
        uint32_t n = ((uint32_t)data[pos] << 24) | ((uint32_t)data[pos + 1] << 16) |
                     ((uint32_t)data[pos + 2] << 8) | data[pos + 3];
        pos += 4;
        if (n == 0 || n > IPC_MAX || n > size - pos)
            break;   /* ipc_recv: NSSH_ERR_FORMAT, or the child hung up */
        if (check_decoder(data + pos, n) == 0 && st)
            st->decoded++;
        e = handle(&m, data + pos, n);
        read_answers(st);
        pos += n;
        if (st && e == 0)
            st->answered++;
    }
    if (st) {
        st->signed_kex = m.signed_kex;
        st->key_approved = m.pk_blob_len > 0;
    }
    cur = NULL;
    quiet = 0;
    server_end(s);
    return e;
}
