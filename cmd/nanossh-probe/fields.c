/*
 * Walks a message the server sent, field by field, with the field names
 * of the RFC that defines it, to say exactly which field is broken: its
 * offset in the payload (the message byte is offset 0), what its length
 * prefix claims and how many bytes really remain. The engine has already
 * refused the message; this only locates the fault for the report.
 */
#include <stdio.h>
#include <string.h>

#include "probe.h"

/* Field kinds: byte, boolean, uint32, string, mpint, name-list, 16-byte
 * cookie, signature blob (string of two strings), host key blob. */
enum { F_END = 0, F_BOOL, F_U32, F_STR, F_MPINT, F_NAMES, F_COOKIE, F_SIG,
       F_KEY, F_EXTS, F_REST };

typedef struct field {
    int kind;
    const char *name;
} field;

const char *const kexinit_field[10] = {
    "kex_algorithms", "server_host_key_algorithms",
    "encryption_algorithms_client_to_server",
    "encryption_algorithms_server_to_client",
    "mac_algorithms_client_to_server", "mac_algorithms_server_to_client",
    "compression_algorithms_client_to_server",
    "compression_algorithms_server_to_client",
    "languages_client_to_server", "languages_server_to_client"
};

/* RFC 4253 section 7.1. */
static const field kexinit[] = {
    { F_COOKIE, "cookie" },
    { F_NAMES, "kex_algorithms" }, { F_NAMES, "server_host_key_algorithms" },
    { F_NAMES, "encryption_algorithms_client_to_server" },
    { F_NAMES, "encryption_algorithms_server_to_client" },
    { F_NAMES, "mac_algorithms_client_to_server" },
    { F_NAMES, "mac_algorithms_server_to_client" },
    { F_NAMES, "compression_algorithms_client_to_server" },
    { F_NAMES, "compression_algorithms_server_to_client" },
    { F_NAMES, "languages_client_to_server" },
    { F_NAMES, "languages_server_to_client" },
    { F_BOOL, "first_kex_packet_follows" }, { F_U32, "reserved" }, { F_END, 0 } };
/* RFC 5656 section 4 (also RFC 8731 and the hybrid drafts). */
static const field ecdh_reply[] = {
    { F_KEY, "K_S" }, { F_STR, "Q_S" }, { F_SIG, "signature of H" }, { F_END, 0 } };
/* RFC 4253 section 8 and RFC 4419 section 3. */
static const field dh_reply[] = {
    { F_KEY, "K_S" }, { F_MPINT, "f" }, { F_SIG, "signature of H" }, { F_END, 0 } };
static const field gex_group[] = {
    { F_MPINT, "p" }, { F_MPINT, "g" }, { F_END, 0 } };
/* RFC 4253 section 11. */
static const field disconnect[] = {
    { F_U32, "reason code" }, { F_STR, "description" }, { F_STR, "language tag" },
    { F_END, 0 } };
static const field debug[] = {
    { F_BOOL, "always_display" }, { F_STR, "message" }, { F_STR, "language tag" },
    { F_END, 0 } };
static const field ignore[] = { { F_STR, "data" }, { F_END, 0 } };
static const field unimpl[] = { { F_U32, "packet sequence number" }, { F_END, 0 } };
static const field service[] = { { F_STR, "service name" }, { F_END, 0 } };
/* RFC 8308 section 2.3. */
static const field ext_info[] = { { F_EXTS, "nr-extensions" }, { F_END, 0 } };
/* RFC 4252 sections 5.1 and 5.4. */
static const field ua_failure[] = {
    { F_NAMES, "authentications that can continue" }, { F_BOOL, "partial success" },
    { F_END, 0 } };
static const field ua_banner[] = {
    { F_STR, "message" }, { F_STR, "language tag" }, { F_END, 0 } };
static const field pk_ok[] = {
    { F_STR, "public key algorithm name from the request" },
    { F_STR, "public key blob from the request" }, { F_END, 0 } };
/* RFC 4254 sections 4, 5.1-5.4; F_REST: request- or type-specific data. */
static const field global_req[] = {
    { F_STR, "request name" }, { F_BOOL, "want reply" },
    { F_REST, "request-specific data" }, { F_END, 0 } };
static const field rest[] = { { F_REST, "response-specific data" }, { F_END, 0 } };
static const field open_confirm[] = {
    { F_U32, "recipient channel" }, { F_U32, "sender channel" },
    { F_U32, "initial window size" }, { F_U32, "maximum packet size" },
    { F_REST, "channel type specific data" }, { F_END, 0 } };
static const field open_failure[] = {
    { F_U32, "recipient channel" }, { F_U32, "reason code" },
    { F_STR, "description" }, { F_STR, "language tag" }, { F_END, 0 } };
static const field window_adjust[] = {
    { F_U32, "recipient channel" }, { F_U32, "bytes to add" }, { F_END, 0 } };
static const field data[] = {
    { F_U32, "recipient channel" }, { F_STR, "data" }, { F_END, 0 } };
static const field ext_data[] = {
    { F_U32, "recipient channel" }, { F_U32, "data_type_code" }, { F_STR, "data" },
    { F_END, 0 } };
static const field recipient[] = { { F_U32, "recipient channel" }, { F_END, 0 } };
static const field chan_req[] = {
    { F_U32, "recipient channel" }, { F_STR, "request type" },
    { F_BOOL, "want reply" }, { F_REST, "type-specific data" }, { F_END, 0 } };
static const field nothing[] = { { F_END, 0 } };

static const field *spec_for(const run *r, uint8_t m)
{
    switch (m) {
    case 1: return disconnect;
    case 2: return ignore;
    case 3: return unimpl;
    case 4: return debug;
    case 6: return service;
    case 7: return ext_info;
    case 20: return kexinit;
    case 21: return nothing;
    case 31: return run_is_gex(r) ? gex_group : run_is_classic_dh(r) ? dh_reply : ecdh_reply;
    case 33: return dh_reply;
    case 51: return ua_failure;
    case 52: return nothing;
    case 53: return ua_banner;
    case 60: return pk_ok;
    case 80: return global_req;
    case 81: return rest;
    case 82: return nothing;
    case 91: return open_confirm;
    case 92: return open_failure;
    case 93: return window_adjust;
    case 94: return data;
    case 95: return ext_data;
    case 96: case 97: case 99: case 100: return recipient;
    case 98: return chan_req;
    default: return NULL;
    }
}

/* RFC 4250 section 4.1.2: message number ranges. */
static const char *stage_of(uint8_t m)
{
    return m < 20 ? "transport" : m < 50 ? "kex" : m < 80 ? "auth" : "connection";
}

typedef struct walk {
    const uint8_t *p;
    size_t n, pos;
    const char *msg;
    failure *f;
} walk;

static int overrun(walk *w, const char *name, size_t at, size_t claimed,
                   size_t remain, const char *what)
{
    failure *f = w->f;
    f->set = 1;
    snprintf(f->stage, sizeof(f->stage), "%s", stage_of(w->p[0]));
    snprintf(f->message, sizeof(f->message), "%s", w->msg);
    snprintf(f->field, sizeof(f->field), "%s", name);
    f->offset = (long)at;
    snprintf(f->expected, sizeof(f->expected), "%zu bytes", claimed);
    snprintf(f->got, sizeof(f->got), "%zu bytes", remain);
    snprintf(f->cause, sizeof(f->cause), "field-overrun");
    snprintf(f->text, sizeof(f->text),
             "%s's field \"%s\" claims %zu bytes but only %zu remain at offset "
             "%zu (%s; the payload is %zu bytes). The server wrote a length "
             "prefix larger than the data it put after it.",
             w->msg, name, claimed, remain, at, what, w->n);
    return -1;
}

/* A length-prefixed field at w->pos; sets *start and *len to its contents. */
static int lenfield(walk *w, const char *name, const uint8_t **start,
                    size_t *len)
{
    size_t at = w->pos, remain = w->n - w->pos;
    uint32_t claimed;
    if (remain < 4)
        return overrun(w, name, at, 4, remain, "its 4-byte length prefix does not fit");
    claimed = get_be32(w->p + at);
    if (claimed > remain - 4)
        return overrun(w, name, at, claimed, remain - 4,
                       "counted after its 4-byte length prefix");
    *start = w->p + at + 4;
    *len = claimed;
    w->pos += 4 + claimed;
    return 0;
}

/* Inside a blob: string name || string data (RFC 4253 section 6.6). */
static int inner(walk *w, const char *outer, const uint8_t *p, size_t n,
                 size_t base, int both)
{
    walk in = { p, n, 0, w->msg, w->f };
    char name[80];
    const uint8_t *s;
    size_t sl;
    snprintf(name, sizeof(name), "%s: %s", outer,
             both ? "signature format identifier" : "public key format identifier");
    if (lenfield(&in, name, &s, &sl) < 0) {
        w->f->offset += (long)base;
        return -1;
    }
    if (!both)
        return 0;
    snprintf(name, sizeof(name), "%s: signature blob", outer);
    if (lenfield(&in, name, &s, &sl) < 0) {
        w->f->offset += (long)base;
        return -1;
    }
    return 0;
}

int fields_check(const run *r, const pkt *k, failure *f)
{
    const field *s = spec_for(r, k->data[0]);
    walk w = { k->data, k->len, 1, run_msg_name(r, k->data[0]), f };
    const char *last = "message number";
    const uint8_t *v = NULL;
    size_t vl = 0;
    if (!s)
        return 0;
    for (; s->kind != F_END; s++) {
        size_t at = w.pos, remain = w.n - w.pos;
        last = s->name;
        switch (s->kind) {
        case F_BOOL:
            if (remain < 1)
                return overrun(&w, s->name, at, 1, remain, "a boolean is one byte");
            w.pos++;
            break;
        case F_U32:
            if (remain < 4)
                return overrun(&w, s->name, at, 4, remain, "a uint32 is four bytes");
            w.pos += 4;
            break;
        case F_COOKIE:
            if (remain < 16)
                return overrun(&w, s->name, at, 16, remain, "the cookie is 16 bytes");
            w.pos += 16;
            break;
        case F_STR:
        case F_MPINT:
        case F_NAMES:
            if (lenfield(&w, s->name, &v, &vl) < 0)
                return -1;
            break;
        case F_SIG:
        case F_KEY:
            if (lenfield(&w, s->name, &v, &vl) < 0 ||
                inner(&w, s->name, v, vl, at + 4, s->kind == F_SIG) < 0)
                return -1;
            break;
        case F_REST:
            w.pos = w.n;
            break;
        case F_EXTS: {
            uint32_t count, i;
            if (remain < 4)
                return overrun(&w, s->name, at, 4, remain, "a uint32 is four bytes");
            count = get_be32(w.p + at);
            w.pos += 4;
            for (i = 0; i < count; i++)
                if (lenfield(&w, "extension-name", &v, &vl) < 0 ||
                    lenfield(&w, "extension-value", &v, &vl) < 0)
                    return -1;
            break;
        }
        }
    }
    if (w.pos != w.n) {
        f->set = 1;
        snprintf(f->stage, sizeof(f->stage), "%s", stage_of(w.p[0]));
        snprintf(f->message, sizeof(f->message), "%s", w.msg);
        f->offset = (long)w.pos;
        snprintf(f->expected, sizeof(f->expected), "%zu bytes", w.pos);
        snprintf(f->got, sizeof(f->got), "%zu bytes", w.n);
        snprintf(f->cause, sizeof(f->cause), "trailing-bytes");
        snprintf(f->text, sizeof(f->text),
                 "%s has %zu bytes after its last field (\"%s\" ends at offset "
                 "%zu of %zu).", w.msg, w.n - w.pos, last, w.pos, w.n);
        return -1;
    }
    return 0;
}

int kexinit_lists(const uint8_t *p, size_t n, char out[10][2048])
{
    size_t pos = 17;
    int i;
    if (n < 17)
        return -1;
    for (i = 0; i < 10; i++) {
        uint32_t k;
        if (n - pos < 4)
            return -1;
        k = get_be32(p + pos);
        if (k > n - pos - 4)
            return -1;
        snprintf(out[i], 2048, "%.*s", (int)(k > 2047 ? 2047 : k),
                 (const char *)(p + pos + 4));
        pos += 4 + k;
    }
    return 0;
}
