/* Internals of the device application shared between its files. */
#ifndef NSSH_DEVICE_INT_H
#define NSSH_DEVICE_INT_H

#include "device.h"

/* session.c */
void dev_log(dev_session *s, const char *a, const char *b, const char *c);
/* Begin the end of a channel: exit-status code, EOF and CLOSE once its
 * output is out. */
void dev_chan_finish(dev_session *s, dev_chan *c, uint32_t code);

/* shell.c */
/* A shell (pty or not) starts: greeting and prompt. */
void shell_start(dev_session *s, dev_chan *c);
/* Bytes typed into a shell channel. Returns how many were taken. */
size_t shell_input(dev_session *s, dev_chan *c, const uint8_t *p, size_t n);
/* Run one command line (exec, or a line of the shell). */
void shell_exec(dev_session *s, dev_chan *c, const char *line, size_t len);
/* Advance a running command; 1 while it still runs, 0 when done. */
int shell_job_step(dev_session *s, dev_chan *c);
/* Stop a running command (channel gone, Ctrl-C). */
void shell_job_cancel(dev_session *s, dev_chan *c);

/* out.c: the per-channel output queue. Text goes through the pty
 * translation (LF to CR LF) when the channel has a pty. */
size_t out_room(const dev_chan *c);
void out_bytes(dev_chan *c, const void *p, size_t n);
void out_str(dev_chan *c, const char *s);
void out_u64(dev_chan *c, uint64_t v);
/* Right-aligned in width columns. */
void out_u64w(dev_chan *c, uint64_t v, unsigned width);
void out_hex(dev_chan *c, const uint8_t *p, size_t n);

/* sftpchan.c */
int sftpchan_start(dev_session *s, uint32_t ch);
void sftpchan_data(dev_session *s, uint32_t ch, const uint8_t *p, size_t n);
void sftpchan_pump(dev_session *s);
void sftpchan_eof(dev_session *s);
void sftpchan_closed(dev_session *s);

#endif
