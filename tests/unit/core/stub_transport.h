/*
 * Stand-in transport for tests that drive the auth and channel handlers
 * directly: pkt_begin/pkt_end capture each payload instead of framing it,
 * conn_fail records the failure. Include from exactly one test program
 * that links the handler files and buf.c but not the real transport.
 */
#ifndef NSSH_TEST_STUB_TRANSPORT_H
#define NSSH_TEST_STUB_TRANSPORT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define STUB_MAX_OUT 64
#define STUB_PKT_MAX 65536

typedef struct stub_pkt {
    const nssh_conn *c;
    uint8_t p[STUB_PKT_MAX];
    size_t len;
} stub_pkt;

/* What the handlers sent, in order. */
static stub_pkt stub_out[STUB_MAX_OUT];
static size_t stub_n;
/* The packet being built. */
static uint8_t stub_cur[STUB_PKT_MAX];
/* Knobs: payload room and a running key exchange. */
static size_t stub_room = 60000;
static int stub_kex;
/* The last failure and the last log record. */
static struct {
    int err;
    uint32_t reason;
    char stage[32], message[64], field[96], text[512];
} stub_fail;
static char stub_log_text[512];
static int stub_verbose;

static void stub_reset(void)
{
    stub_n = 0;
    stub_room = 60000;
    stub_kex = 0;
    memset(&stub_fail, 0, sizeof(stub_fail));
    stub_log_text[0] = 0;
}

static void stub_copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

int pkt_begin(nssh_conn *c, wr *w, uint8_t msg)
{
    if (c->closing) {
        wr_init(w, NULL, 0);
        w->err = NSSH_ERR_CLOSED;
        return NSSH_ERR_CLOSED;
    }
    wr_init(w, stub_cur, sizeof(stub_cur));
    wr_u8(w, msg);
    return 0;
}

int pkt_end(nssh_conn *c, wr *w)
{
    stub_pkt *o;
    if (w->err == NSSH_ERR_CLOSED)
        return NSSH_ERR_CLOSED;
    if (w->err)
        return conn_fail(c, NSSH_ERR_NOSPACE, NSSH_DISC_BY_APPLICATION, "stub",
                         NULL, NULL, "payload does not fit");
    if (stub_n == STUB_MAX_OUT)
        return NSSH_ERR_NOSPACE;
    o = &stub_out[stub_n++];
    o->c = c;
    memcpy(o->p, w->p, w->len);
    o->len = w->len;
    return 0;
}

size_t pkt_room(const nssh_conn *c)
{
    return c->closing || stub_kex ? 0 : stub_room;
}

int kex_running(const nssh_conn *c)
{
    (void)c;
    return stub_kex;
}

int conn_fail(nssh_conn *c, int err, uint32_t reason, const char *stage,
              const char *message, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (c->err)
        return c->err;
    c->err = err;
    c->closing = 1;
    stub_fail.err = err;
    stub_fail.reason = reason;
    stub_copy(stub_fail.stage, sizeof(stub_fail.stage), stage);
    stub_copy(stub_fail.message, sizeof(stub_fail.message), message);
    stub_copy(stub_fail.field, sizeof(stub_fail.field), field);
    va_start(ap, fmt);
    vsnprintf(stub_fail.text, sizeof(stub_fail.text), fmt, ap);
    va_end(ap);
    if (stub_verbose)
        fprintf(stderr, "  fail %d/%u [%s %s %s] %s\n", err, (unsigned)reason,
                stub_fail.stage, stub_fail.message, stub_fail.field,
                stub_fail.text);
    return err;
}

void conn_log(nssh_conn *c, int level, const char *stage, const char *message,
              const char *field, const char *fmt, ...)
{
    va_list ap;
    (void)c;
    (void)message;
    (void)field;
    va_start(ap, fmt);
    vsnprintf(stub_log_text, sizeof(stub_log_text), fmt, ap);
    va_end(ap);
    if (stub_verbose)
        fprintf(stderr, "  log %d [%s] %s\n", level, stage, stub_log_text);
}

int conn_random(nssh_conn *c, uint8_t *out, size_t n)
{
    (void)c;
    memset(out, 0x5a, n);
    return 0;
}

const char *msg_name(uint8_t msg)
{
    static char buf[16];
    snprintf(buf, sizeof(buf), "MSG_%u", msg);
    return buf;
}

const char *nssh_strerror(int err)
{
    static char buf[24];
    snprintf(buf, sizeof(buf), "error %d", err);
    return buf;
}

int send_unimplemented(nssh_conn *c, uint32_t seq)
{
    wr w;
    pkt_begin(c, &w, MSG_UNIMPLEMENTED);
    wr_u32(&w, seq);
    return pkt_end(c, &w);
}

/* The second EXT_INFO (ext-info-in-auth): captured like any packet, with
 * the configured algorithm names only. */
int send_ext_info(nssh_conn *c)
{
    wr w;
    size_t i;
    pkt_begin(c, &w, MSG_EXT_INFO);
    wr_u32(&w, 1);
    wr_cstring(&w, "server-sig-algs");
    for (i = 0; i < c->cfg->n_sig_algs; i++)
        wr_cstring(&w, c->cfg->sig_algs[i]->name);
    return pkt_end(c, &w);
}

#endif
