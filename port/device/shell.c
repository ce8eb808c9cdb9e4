/*
 * The device shell: a line discipline for pty and plain sessions, and the
 * commands. Output larger than the channel's queue (cat, ls, sha256, help)
 * is produced by a job that the session pump advances as the peer's
 * window opens, so a command never needs more than DEV_OUTQ of buffer.
 */
#include <string.h>

#include "device_int.h"

enum { JOB_NONE = 0, JOB_TEXT, JOB_CAT, JOB_LS, JOB_SHA256 };

static const char help_text[] =
    "commands:\n"
    "  help            this list\n"
    "  echo [WORDS]    print the words\n"
    "  uptime          time since boot and since login\n"
    "  mem             static RAM, peak stack, bytes per session, files\n"
    "  ls              files with their sizes\n"
    "  cat FILE        print a file\n"
    "  rm FILE         remove a file\n"
    "  sha256 FILE     SHA-256 of a file\n"
    "  exit [CODE]     end the session\n"
    "files arrive with sftp or scp -s.\n";

static void prompt(dev_session *s, dev_chan *c)
{
    dev_out_str(c, s->p->hostname ? s->p->hostname : "nanossh");
    dev_out_str(c, "$ ");
}

/* A command ended with code: exec sessions end, the shell prompts. */
static void done(dev_session *s, dev_chan *c, int code)
{
    c->job.kind = JOB_NONE;
    if (c->kind == DEV_CH_EXEC)
        dev_chan_finish(s, c, (uint32_t)code);
    else if (!c->finishing)
        prompt(s, c);
}

void dev_shell_start(dev_session *s, dev_chan *c)
{
    dev_out_str(c, "nanossh device shell; type help\n");
    prompt(s, c);
}

/* Next word of line[*pos..len): returns its length, sets *w. */
static size_t word(const char *line, size_t len, size_t *pos, const char **w)
{
    size_t i = *pos, start;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    start = i;
    while (i < len && line[i] != ' ' && line[i] != '\t')
        i++;
    *w = line + start;
    *pos = i;
    return i - start;
}

static int is(const char *w, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(w, name, n) == 0;
}

static void cmd_uptime(dev_session *s, dev_chan *c)
{
    uint64_t now = s->p->millis ? s->p->millis(s->p->user) : 0;
    dev_out_str(c, "up ");
    dev_out_u64(c, now / 1000u);
    dev_out_str(c, ".");
    dev_out_u64w(c, (now % 1000u) / 100u, 1);
    dev_out_str(c, " s, session ");
    dev_out_u64(c, (now - s->started_ms) / 1000u);
    dev_out_str(c, " s\n");
}

static void mem_line(dev_chan *c, const char *label, uint64_t v)
{
    dev_out_str(c, label);
    dev_out_u64w(c, v, 8);
    dev_out_str(c, " bytes\n");
}

static void cmd_mem(dev_session *s, dev_chan *c)
{
    dev_mem m;
    memset(&m, 0, sizeof(m));
    if (s->p->mem)
        s->p->mem(s->p->user, &m);
    mem_line(c, "static RAM   ", m.static_ram);
    mem_line(c, "  of it stack", m.stack_reserved);
    mem_line(c, "stack peak   ", m.stack_peak);
    mem_line(c, "per session  ", dev_session_bytes());
    mem_line(c, "  engine     ", nssh_conn_mem_size());
    mem_line(c, "files total  ", m.ramfs_total);
    mem_line(c, "files free   ", m.ramfs_free);
}

/* The file name argument, NUL-terminated in job.name. */
static int arg_name(dev_chan *c, const char *line, size_t len, size_t *pos)
{
    const char *w;
    size_t n = word(line, len, pos, &w);
    if (n == 0 || n >= sizeof(c->job.name)) {
        dev_out_str(c, n ? "name too long\n" : "missing file name\n");
        return -1;
    }
    memcpy(c->job.name, w, n);
    c->job.name[n] = 0;
    return 0;
}

static void open_job(dev_session *s, dev_chan *c, int kind)
{
    const nssh_sftp_fs *fs = s->p->fs;
    nssh_sftp_attrs none;
    int e;
    memset(&none, 0, sizeof(none));
    if (kind == JOB_LS)
        e = fs->opendir(s->p->fs_user, "/", &c->job.h);
    else
        e = fs->open(s->p->fs_user, c->job.name, SSH_FXF_READ, &none, &c->job.h);
    if (e < 0) {
        dev_out_str(c, c->job.name);
        dev_out_str(c, ": ");
        dev_out_str(c, nssh_sftp_status_text(-e));
        dev_out_str(c, "\n");
        done(s, c, 1);
        return;
    }
    c->job.kind = kind;
    c->job.off = 0;
    c->job.cookie = 0;
    if (kind == JOB_SHA256 && (!s->p->sha256 || s->p->sha256->init(c->job.hctx) < 0)) {
        fs->close(s->p->fs_user, c->job.h);
        c->job.kind = JOB_NONE;
        dev_out_str(c, "sha256: not available\n");
        done(s, c, 1);
    }
}

void dev_shell_exec(dev_session *s, dev_chan *c, const char *line, size_t len)
{
    size_t pos = 0;
    const char *w;
    size_t n = word(line, len, &pos, &w);
    if (n == 0) {
        done(s, c, 0);
    } else if (is(w, n, "help")) {
        c->job.kind = JOB_TEXT;
        c->job.off = 0;
    } else if (is(w, n, "echo")) {
        while (pos < len && line[pos] == ' ')
            pos++;
        dev_out_bytes(c, line + pos, len - pos);
        dev_out_str(c, "\n");
        done(s, c, 0);
    } else if (is(w, n, "uptime")) {
        cmd_uptime(s, c);
        done(s, c, 0);
    } else if (is(w, n, "mem")) {
        cmd_mem(s, c);
        done(s, c, 0);
    } else if (is(w, n, "ls")) {
        memcpy(c->job.name, "/", 2);
        open_job(s, c, JOB_LS);
    } else if (is(w, n, "cat") || is(w, n, "sha256")) {
        int kind = is(w, n, "cat") ? JOB_CAT : JOB_SHA256;
        if (arg_name(c, line, len, &pos) < 0)
            done(s, c, 2);
        else
            open_job(s, c, kind);
    } else if (is(w, n, "rm")) {
        int e;
        if (arg_name(c, line, len, &pos) < 0) {
            done(s, c, 2);
            return;
        }
        e = s->p->fs->remove(s->p->fs_user, c->job.name);
        if (e < 0) {
            dev_out_str(c, "rm: ");
            dev_out_str(c, c->job.name);
            dev_out_str(c, ": ");
            dev_out_str(c, nssh_sftp_status_text(-e));
            dev_out_str(c, "\n");
        }
        done(s, c, e < 0 ? 1 : 0);
    } else if (is(w, n, "exit")) {
        uint32_t code = 0;
        n = word(line, len, &pos, &w);
        while (n--)
            code = code * 10u + (uint32_t)(*w >= '0' && *w <= '9' ? *w - '0' : 0), w++;
        dev_chan_finish(s, c, code & 255u);
        done(s, c, (int)(code & 255u));
    } else {
        dev_out_bytes(c, w, n);
        dev_out_str(c, ": command not found\n");
        done(s, c, 127);
    }
}

/* One step of a running job: at most dev_out_room(c) - 2 * 64 bytes of output
 * (LF may double under a pty). */
int dev_shell_job_step(dev_session *s, dev_chan *c)
{
    const nssh_sftp_fs *fs = s->p->fs;
    uint8_t buf[192];
    size_t got = 0, want = (dev_out_room(c) - 64u) / 2u;
    int e;
    if (want > sizeof(buf))
        want = sizeof(buf);
    switch (c->job.kind) {
    case JOB_TEXT:
        got = sizeof(help_text) - 1u - (size_t)c->job.off;
        if (got > want)
            got = want;
        dev_out_bytes(c, help_text + c->job.off, got);
        c->job.off += got;
        if (c->job.off == sizeof(help_text) - 1u)
            done(s, c, 0);
        return c->job.kind != JOB_NONE;
    case JOB_CAT:
    case JOB_SHA256:
        if (c->job.kind == JOB_SHA256)
            want = sizeof(buf);
        e = fs->read(s->p->fs_user, c->job.h, c->job.off, buf, want, &got);
        if (e < 0 || got == 0) {
            fs->close(s->p->fs_user, c->job.h);
            if (c->job.kind == JOB_SHA256) {
                uint8_t md[32];
                if (e < 0) {
                    s->p->sha256->cleanup(c->job.hctx);
                } else {
                    s->p->sha256->final(c->job.hctx, md);
                    dev_out_hex(c, md, sizeof(md));
                    dev_out_str(c, "  ");
                    dev_out_str(c, c->job.name);
                    dev_out_str(c, "\n");
                }
            }
            done(s, c, e < 0 ? 1 : 0);
            return 0;
        }
        if (c->job.kind == JOB_CAT)
            dev_out_bytes(c, buf, got);
        else
            s->p->sha256->update(c->job.hctx, buf, got);
        c->job.off += got;
        return 1;
    case JOB_LS: {
        char name[NSSH_SFTP_NAME_MAX];
        nssh_sftp_attrs a;
        memset(&a, 0, sizeof(a));
        e = fs->readdir(s->p->fs_user, c->job.h, &c->job.cookie, name,
                        sizeof(name), &a);
        if (e < 0) {
            fs->closedir(s->p->fs_user, c->job.h);
            done(s, c, e == -SSH_FX_EOF ? 0 : 1);
            return 0;
        }
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            return 1;
        dev_out_u64w(c, a.size, 8);
        dev_out_str(c, "  ");
        dev_out_bytes(c, name, strlen(name));
        dev_out_str(c, "\n");
        return 1;
    }
    default:
        return 0;
    }
}

void dev_shell_job_cancel(dev_session *s, dev_chan *c)
{
    const nssh_sftp_fs *fs = s->p->fs;
    switch (c->job.kind) {
    case JOB_CAT:
        fs->close(s->p->fs_user, c->job.h);
        break;
    case JOB_SHA256:
        fs->close(s->p->fs_user, c->job.h);
        s->p->sha256->cleanup(c->job.hctx);
        break;
    case JOB_LS:
        fs->closedir(s->p->fs_user, c->job.h);
        break;
    default:
        break;
    }
    c->job.kind = JOB_NONE;
}
