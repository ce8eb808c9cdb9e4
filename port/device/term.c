/*
 * Line discipline of the device shell. With a pty the client's terminal
 * is in raw mode (RFC 4254 section 6.2): the server echoes what is typed,
 * ends a line at CR, erases with DEL or BS, drops the line at Ctrl-C and
 * ends the session at Ctrl-D on an empty line. Without a pty lines end
 * at LF and nothing is echoed.
 */
#include <string.h>

#include "device_int.h"

/* One completed line: run it. */
static void line_done(dev_session *s, dev_chan *c)
{
    size_t len = c->line_len;
    if (len && c->line[len - 1] == '\r')
        len--;   /* CR LF from a plain session */
    c->line_len = 0;
    dev_shell_exec(s, c, c->line, len);
}

size_t dev_shell_input(dev_session *s, dev_chan *c, const uint8_t *p, size_t n)
{
    size_t i;
    /* Stop at a command that starts a job or ends the session: what was
     * typed after it waits in the channel's queue. */
    for (i = 0; i < n && !c->job.kind && !c->finishing; i++) {
        uint8_t b = p[i];
        if (c->pty && b == '\r') {
            dev_out_str(c, "\n");
            line_done(s, c);
        } else if (!c->pty && b == '\n') {
            line_done(s, c);
        } else if (c->pty && (b == 0x7f || b == 0x08)) {
            if (c->line_len) {
                c->line_len--;
                dev_out_str(c, "\b \b");
            }
        } else if (c->pty && b == 0x03) {
            c->line_len = 0;
            dev_out_str(c, "^C\n");
            dev_shell_exec(s, c, "", 0);
        } else if (c->pty && b == 0x04) {
            if (c->line_len == 0)
                dev_chan_finish(s, c, 0);
        } else if (c->pty && b == '\n') {
            /* LF after CR from some clients */
        } else if (c->line_len < sizeof(c->line)) {
            c->line[c->line_len++] = (char)b;
            if (c->pty && b >= 0x20)
                dev_out_bytes(c, &b, 1);
        }
    }
    return i;
}
