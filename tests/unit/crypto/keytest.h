/*
 * Helpers for the key tests: a private temporary directory, running
 * OpenSSH's ssh-keygen in it, reading and writing files.
 */
#ifndef NSSH_TEST_KEYTEST_H
#define NSSH_TEST_KEYTEST_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each test file uses only some of these. */
#define KT_FN static __attribute__((unused))

static char kt_dir[256];

/* Make the directory; 0 on success. */
KT_FN int kt_dir_make(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(kt_dir, sizeof(kt_dir), "%s/nssh-keytest-XXXXXX",
             base && *base ? base : "/tmp");
    return mkdtemp(kt_dir) ? 0 : -1;
}

KT_FN void kt_dir_remove(void)
{
    DIR *d = opendir(kt_dir);
    struct dirent *e;
    char path[512];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", kt_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(kt_dir);
}

/* A path inside the directory (static storage, one of four in turn). */
KT_FN const char *kt_path(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ & 3];
    snprintf(b, 512, "%s/%s", kt_dir, name);
    return b;
}

/* Run a shell command quietly; returns its exit status. */
KT_FN int kt_sh(const char *fmt, ...)
{
    char body[1900], cmd[2048];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    /* Braces: redirections inside the command keep their meaning. */
    snprintf(cmd, sizeof(cmd), "{ %s ; } >/dev/null 2>&1 </dev/null", body);
    st = system(cmd);
    return st == -1 ? -1 : WEXITSTATUS(st);
}

/* Are OpenSSH's tools there to compare with? Tests skip without them. */
KT_FN int kt_have_keygen(void)
{
    static int have = -1;
    if (have < 0)
        have = kt_sh("command -v ssh-keygen") == 0;
    return have;
}

/* First line of a command's output, without its newline; 0 on success. */
KT_FN int kt_line(char *out, size_t cap, const char *fmt, ...)
{
    char body[1900], cmd[2048];
    va_list ap;
    FILE *f;
    int ok;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "{ %s ; } 2>/dev/null </dev/null", body);
    f = popen(cmd, "r");
    if (!f)
        return -1;
    ok = fgets(out, (int)cap, f) != NULL;
    while (fgetc(f) != EOF)
        ;
    if (pclose(f) != 0 || !ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* Whole file, malloc'ed and NUL-terminated. */
KT_FN uint8_t *kt_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
        if (fread(p, 1, (size_t)n, f) != (size_t)n) {
            free(p);
            p = NULL;
        } else {
            p[n] = 0;
            *len = (size_t)n;
        }
    }
    fclose(f);
    return p;
}

/* Write a file with mode 0600 (ssh-keygen refuses open private keys). */
KT_FN int kt_write(const char *path, const void *data, size_t len)
{
    FILE *f;
    int ok;

    unlink(path);
    f = fopen(path, "wb");
    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    return ok && chmod(path, 0600) == 0 ? 0 : -1;
}

/* The first two space-separated fields ("type base64") of a key line. */
KT_FN void kt_two_fields(const char *line, char *out, size_t cap)
{
    const char *sp = strchr(line, ' ');
    size_t n;

    sp = sp ? strchr(sp + 1, ' ') : NULL;
    n = sp ? (size_t)(sp - line) : strlen(line);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, line, n);
    out[n] = '\0';
}

#endif
