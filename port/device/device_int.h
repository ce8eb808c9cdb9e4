/* Internals of the device application shared between its files. */
#ifndef NSSH_DEVICE_INT_H
#define NSSH_DEVICE_INT_H

#include "device.h"

/* session.c */
/* One log line made of up to four pieces (NULL: none). */
void dev_log(dev_session *s, const char *a, const char *b, const char *c,
             const char *d);
/* Begin the end of a channel: exit-status code, EOF and CLOSE once its
 * output is out. */
void dev_chan_finish(dev_session *s, dev_chan *c, uint32_t code);

/* shell.c */
/* A shell (pty or not) starts: greeting and prompt. */
void dev_shell_start(dev_session *s, dev_chan *c);
/* Bytes typed into a shell channel. Returns how many were taken. */
size_t dev_shell_input(dev_session *s, dev_chan *c, const uint8_t *p, size_t n);
/* Run one command line (exec, or a line of the shell). */
void dev_shell_exec(dev_session *s, dev_chan *c, const char *line, size_t len);
/* Advance a running command; 1 while it still runs, 0 when done. */
int dev_shell_job_step(dev_session *s, dev_chan *c);
/* Stop a running command (channel gone, Ctrl-C). */
void dev_shell_job_cancel(dev_session *s, dev_chan *c);

/* out.c: the per-channel output queue. Text goes through the pty
 * translation (LF to CR LF) when the channel has a pty. */
size_t dev_out_room(const dev_chan *c);
void dev_out_bytes(dev_chan *c, const void *p, size_t n);
void dev_out_str(dev_chan *c, const char *s);
void dev_out_u64(dev_chan *c, uint64_t v);
/* Right-aligned in width columns. */
void dev_out_u64w(dev_chan *c, uint64_t v, unsigned width);
void dev_out_hex(dev_chan *c, const uint8_t *p, size_t n);

/* sftpchan.c */
int dev_sftp_start(dev_session *s, uint32_t ch);
void dev_sftp_data(dev_session *s, uint32_t ch, const uint8_t *p, size_t n);
void dev_sftp_pump(dev_session *s);
void dev_sftp_eof(dev_session *s);
void dev_sftp_closed(dev_session *s);

#endif
