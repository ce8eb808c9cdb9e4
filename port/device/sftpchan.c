/*
 * The "sftp" subsystem of a device session: the in-process SFTP server
 * (src/sftp) over one channel. Channel data waits in the session's input
 * queue, which holds the whole window the engine grants, and the window
 * reopens only as the SFTP server takes bytes (RFC 4254 section 5.2), so
 * a fast client can never make the device buffer more than that.
 */
#include <string.h>

#include "device_int.h"

int dev_sftp_start(dev_session *s, uint32_t ch)
{
    nssh_sftp_config sc;
    uint32_t seed = 0;
    if (s->sftp_ch >= 0 || !s->p->fs)
        return -1;
    memset(&sc, 0, sizeof(sc));
    sc.fs = s->p->fs;
    sc.fs_user = s->p->fs_user;
    sc.inbuf = s->sftp_in;
    sc.inbuf_len = sizeof(s->sftp_in);
    sc.outbuf = s->sftp_out;
    sc.outbuf_len = sizeof(s->sftp_out);
    if (s->cfg.rng(s->cfg.rng_user, (uint8_t *)&seed, sizeof(seed)) < 0)
        return -1;
    sc.handle_seed = seed;
    if (nssh_sftp_init(&s->sftp, &sc) < 0)
        return -1;
    s->sftp_ch = (int)ch;
    s->sftp_inq_off = s->sftp_inq_len = 0;
    s->ch[ch].kind = DEV_CH_SFTP;
    dev_log(s, "sftp: ", "subsystem started", NULL, NULL);
    return 0;
}

void dev_sftp_data(dev_session *s, uint32_t ch, const uint8_t *p, size_t n)
{
    size_t room;
    if (s->sftp_inq_off) {
        memmove(s->sftp_inq, s->sftp_inq + s->sftp_inq_off,
                s->sftp_inq_len - s->sftp_inq_off);
        s->sftp_inq_len -= s->sftp_inq_off;
        s->sftp_inq_off = 0;
    }
    room = sizeof(s->sftp_inq) - s->sftp_inq_len;
    if (n > room) {
        /* Only a peer ignoring our window can get here. */
        dev_log(s, "sftp: ", "peer exceeded the channel window", NULL, NULL);
        nssh_conn_disconnect(s->conn, NSSH_DISC_PROTOCOL_ERROR,
                             "channel window exceeded");
        return;
    }
    memcpy(s->sftp_inq + s->sftp_inq_len, p, n);
    s->sftp_inq_len += n;
    (void)ch;
}

void dev_sftp_pump(dev_session *s)
{
    uint32_t ch;
    dev_chan *c;
    const uint8_t *rest;
    if (s->sftp_ch < 0)
        return;
    ch = (uint32_t)s->sftp_ch;
    c = &s->ch[ch];
    for (;;) {
        const uint8_t *out;
        size_t n = nssh_sftp_output(&s->sftp, &out);
        int progress = 0;
        if (n) {
            long w = nssh_channel_write(s->conn, ch, 0, out, n);
            if (w > 0) {
                nssh_sftp_consume(&s->sftp, (size_t)w);
                progress = 1;
            }
        }
        /* Called with nothing new too: a request that waited for output
         * room is answered once the output has drained. */
        if (!c->finishing) {
            size_t before = nssh_sftp_output(&s->sftp, &rest);
            long t = nssh_sftp_input(&s->sftp, s->sftp_inq + s->sftp_inq_off,
                                     s->sftp_inq_len - s->sftp_inq_off);
            if (t < 0) {
                dev_log(s, "sftp: ", "protocol error, closing the channel", NULL, NULL);
                s->sftp_inq_off = s->sftp_inq_len;
                dev_chan_finish(s, c, 1);
            } else if (t > 0) {
                s->sftp_inq_off += (size_t)t;
                nssh_channel_consume(s->conn, ch, (size_t)t);
                progress = 1;
            }
            if (nssh_sftp_output(&s->sftp, &rest) > before)
                progress = 1;
        }
        if (!progress)
            break;
    }
    if (c->eof_in && s->sftp_inq_off == s->sftp_inq_len &&
        nssh_sftp_output(&s->sftp, &rest) == 0)
        dev_chan_finish(s, c, 0);
    if (c->finishing && !c->closed_sent) {
        c->closed_sent = 1;
        nssh_channel_exit_status(s->conn, ch, c->exit_code);
        nssh_channel_eof(s->conn, ch);
        nssh_channel_close(s->conn, ch);
    }
}

void dev_sftp_eof(dev_session *s)
{
    (void)s;   /* the pump ends the channel once everything is answered */
}

void dev_sftp_closed(dev_session *s)
{
    if (s->sftp_ch < 0)
        return;
    nssh_sftp_end(&s->sftp);
    s->sftp_ch = -1;
}
