/*
 * libFuzzer target: sshd_config text, Match blocks and Include included,
 * through the daemon's loader. When the text loads, its -T listing must
 * load again and list the same (what -T prints is valid configuration,
 * and nothing is lost or changed on the way), and applying the Match
 * blocks for a connection must not fail on lines the loader accepted.
 * Errors are reported on stderr (run with -close_fd_mask=2 to hush them).
 *   fuzz/corpus/config holds the seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

static int write_file(const char *p, const void *d, size_t n)
{
    FILE *f = fopen(p, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(d, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Load the file at path; 0 and the -T listing (malloc'ed) in *out. */
static int load_show(daemon_opts *o, char **out, size_t *out_len)
{
    FILE *m;
    *out = NULL;
    if (config_load(o, path, 1) < 0 || opts_finish(o) < 0)
        return -1;
    if (!(m = open_memstream(out, out_len)))
        return -1;
    config_show(o, m);
    fclose(m);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    daemon_opts a, b;
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "%s", "/tmp/nssh-fuzz-config-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof(path), "%s/sshd_config", dir);
        atexit(cleanup);
    }
    if (write_file(path, data, size) < 0)
        abort();
    opts_init(&a);
    if (load_show(&a, &t1, &n1) == 0) {
        /* The listing, loaded again, lists the same. */
        if (write_file(path, t1, n1) < 0)
            abort();
        opts_init(&b);
        if (load_show(&b, &t2, &n2) < 0) {
            fprintf(stderr, "-T output does not load again:\n%s", t1);
            abort();
        }
        if (n1 != n2 || memcmp(t1, t2, n1) != 0) {
            fprintf(stderr, "-T output changes when loaded again:\n%s\n---\n%s",
                    t1, t2);
            abort();
        }
        opts_free(&b);
        /* Match blocks, for a connection that meets most criteria. */
        {
            match_ctx m = { "root", "client.example.org", "127.0.0.1",
                            "127.0.0.1", 22, "", 0 };
            if (config_match_apply(&a, &m) < 0)
                abort();
        }
    }
    opts_free(&a);
    free(t1);
    free(t2);
    unlink(path);
    return 0;
}
