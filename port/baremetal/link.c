/* A session over a connectionless byte stream: see link.h. */
#include <string.h>

#include "link.h"

static const char ident[] = "SSH-2.0-";
#define IDENT_LEN 8u

void serial_link_init(serial_link *l, dev_session *sess, const dev_params *p, void *mem,
               size_t mem_len, uint32_t idle_ms)
{
    memset(l, 0, sizeof(*l));
    l->sess = sess;
    l->params = p;
    l->mem = mem;
    l->mem_len = mem_len;
    l->idle_ms = idle_ms;
}

size_t serial_link_room(const serial_link *l)
{
    return sizeof(l->pending) - IDENT_LEN - l->pending_len;
}

static void end(serial_link *l)
{
    int err;
    if (!l->running)
        return;
    err = l->sess->conn ? nssh_conn_error(l->sess->conn) : 0;
    dev_session_end(l->sess);
    l->running = 0;
    l->pending_len = 0;
    if (l->event)
        l->event(l->user, LINK_EV_END, err);
}

static void start(serial_link *l, uint64_t now)
{
    end(l);
    l->pending_len = 0;
    if (l->event)
        l->event(l->user, LINK_EV_START, 0);
    if (dev_session_start(l->sess, l->params, l->mem, l->mem_len, now) < 0) {
        /* Only a bad configuration fails here; drop the client. */
        if (l->sess->conn)
            dev_session_end(l->sess);
        if (l->event)
            l->event(l->user, LINK_EV_END, NSSH_ERR_STATE);
        return;
    }
    l->running = 1;
    l->sessions++;
    memcpy(l->pending, ident, IDENT_LEN);
    l->pending_len = IDENT_LEN;
}

/* Hand pending bytes to the engine as far as it takes them. */
static void drain(serial_link *l)
{
    long n;
    if (!l->running || !l->pending_len)
        return;
    n = dev_session_feed(l->sess, l->pending, l->pending_len);
    if (n < 0) {
        l->pending_len = 0;   /* failed: its DISCONNECT is still sent */
        return;
    }
    memmove(l->pending, l->pending + n, l->pending_len - (size_t)n);
    l->pending_len -= (size_t)n;
}

static void emit(serial_link *l, uint8_t b)
{
    if (l->running && l->pending_len < sizeof(l->pending))
        l->pending[l->pending_len++] = b;
}

/*
 * Bytes that may begin "SSH-2.0-" are held back until the match fails:
 * fed to the old session, a new client's first bytes would make it fail
 * and send its DISCONNECT into the new client's banner exchange. The match
 * is Knuth-Morris-Pratt over the fixed pattern (its prefix function: only
 * "SS" overlaps itself).
 */
void serial_link_input(serial_link *l, const uint8_t *p, size_t n, uint64_t now)
{
    static const uint8_t prefix[IDENT_LEN] = { 0, 1, 0, 0, 0, 0, 0, 0 };
    size_t i;
    unsigned k;
    if (n)
        l->last_rx = now;
    for (i = 0; i < n; i++) {
        uint8_t b = p[i];
        while (l->match > 0 && b != (uint8_t)ident[l->match]) {
            k = prefix[l->match - 1];
            /* The oldest match - k held bytes are no longer a prefix. */
            for (unsigned j = 0; j < l->match - k; j++)
                emit(l, (uint8_t)ident[j]);
            l->match = k;
        }
        if (b == (uint8_t)ident[l->match]) {
            if (++l->match == IDENT_LEN) {
                l->match = 0;
                start(l, now);
            }
            continue;
        }
        emit(l, b);
    }
    drain(l);
}

const uint8_t *serial_link_output(serial_link *l, size_t *n)
{
    *n = 0;
    if (!l->running)
        return NULL;
    return dev_session_pull(l->sess, n);
}

void serial_link_sent(serial_link *l, size_t n)
{
    if (l->running)
        dev_session_sent(l->sess, n);
}

void serial_link_tick(serial_link *l, uint64_t now)
{
    if (!l->running)
        return;
    /* Held bytes that no next byte followed belong to the session (a
     * packet may well end in "S"). */
    if (l->match && now - l->last_rx >= LINK_HOLD_MS) {
        for (unsigned j = 0; j < l->match; j++)
            emit(l, (uint8_t)ident[j]);
        l->match = 0;
    }
    drain(l);
    dev_session_tick(l->sess, now);
    if (dev_session_state(l->sess) & NSSH_CLOSED) {
        end(l);
        return;
    }
    if (l->idle_ms && now - l->last_rx > l->idle_ms)
        end(l);
}
