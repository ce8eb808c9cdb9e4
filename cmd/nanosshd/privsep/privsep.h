/*
 * Privilege separation (ARCHITECTURE.md, "Privilege separation"): run as
 * root with UsePrivilegeSeparation, each connection's process becomes the
 * monitor and forks a child that does the version exchange, key exchange
 * and user authentication as PRIVSEP_USER, chrooted to PRIVSEP_DIR, with
 * NoNewPrivs and a seccomp allow-list. The child asks the monitor for
 * what needs privilege (ipc.h); once authenticated it exports the
 * connection (nssh_conn_export) and the monitor carries on as the
 * connection's process.
 *
 *   sandbox.c  the chroot, the identity and the seccomp filter
 *   child.c    the pre-auth child: engine, callbacks that ask the monitor
 *   monitor.c  the monitor: answers with checks, imports the connection
 *   ipc.c      the messages and their checked decoder
 */
#ifndef NSSHD_PRIVSEP_H
#define NSSHD_PRIVSEP_H

#include <stddef.h>

#ifndef PRIVSEP_USER
#define PRIVSEP_USER "nanosshd"
#endif
#ifndef PRIVSEP_DIR
#define PRIVSEP_DIR "/run/nanosshd/empty"
/* The pre-auth child's exit status when its connection ended in an
 * engine error e (a bad version line, a failed key exchange): this base
 * plus -e (at most 63), so that the monitor returns the error as the
 * single-process path does (-i then exits 255, as sshd). */
#define PRIVSEP_EXIT_ERR_BASE 64
#endif

struct dconn;
struct daemon_opts;

/* At start-up, with UsePrivilegeSeparation as root: privsep_check, a
 * fatal log line and -1 when it fails; 0 otherwise. */
int privsep_ready(const struct daemon_opts *o);

/* At start-up: the user exists, the directory is there (made if missing)
 * and safe, the architecture has a filter. -1 with why filled if not. */
int privsep_check(const char *dir, char *why, size_t cap);
/* In the child: chroot, drop to PRIVSEP_USER, NoNewPrivs, seccomp. */
int privsep_sandbox(const char *dir);
/* The connection with a sandboxed pre-auth child; s is set up as for
 * loop_run (engine initialised). Returns as loop_run does. */
int privsep_run(struct dconn *s);
/* Before the connection's engine is set up: its log records go quiet
 * until the import, its fatal errors become the child's disconnects. */
void privsep_callbacks(struct dconn *s);
/* child.c: the child's side; never returns. */
void privsep_child(struct dconn *s, int ipc) __attribute__((noreturn));

#endif
