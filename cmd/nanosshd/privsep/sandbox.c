/*
 * The pre-auth child's sandbox, in the order that leaves no gap: chroot to
 * an empty root-owned directory, drop supplementary groups, the gid, then
 * the uid (for good: setresuid), PR_SET_NO_NEW_PRIVS, and a seccomp-BPF
 * allow-list. What the child does afterwards is read and write two
 * sockets, poll, take the time and random bytes, allocate memory and exit;
 * every other system call ends the process (SECCOMP_RET_KILL_PROCESS),
 * except open and stat-like calls, which fail with EACCES so that a
 * library probing for a file gets an error rather than killing the child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privsep.h"
#include "log.h"
#include "opts.h"

#if defined(__x86_64__)
#define SB_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_ARCH AUDIT_ARCH_AARCH64
#else
#define SB_ARCH 0   /* no filter for this architecture: privsep refused */
#endif

int privsep_check(const char *dir, char *why, size_t cap)
{
    struct stat st;
    if (!getpwnam(PRIVSEP_USER)) {
        snprintf(why, cap, "privilege separation user %s does not exist",
                 PRIVSEP_USER);
        return -1;
    }
    char parent[256];
    char *slash;
    snprintf(parent, sizeof(parent), "%s", dir);
    if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
        *slash = 0;
        if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
            snprintf(why, cap, "cannot create %s: %s", parent, strerror(errno));
            return -1;
        }
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(why, cap, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
        (st.st_mode & 022)) {
        snprintf(why, cap, "%s must be a directory owned by root and not "
                 "group or world writable", dir);
        return -1;
    }
    if (!SB_ARCH) {
        snprintf(why, cap, "no seccomp filter for this architecture");
        return -1;
    }
    return 0;
}

int privsep_ready(const daemon_opts *o)
{
    char why[320];
    if (!o->privsep || geteuid() != 0)
        return 0;
    if (privsep_check(PRIVSEP_DIR, why, sizeof(why)) < 0) {
        /* As sshd ("Privilege separation user sshd does not exist"): a
         * root daemon does not fall back to running pre-auth as root. */
        log_fatal("UsePrivilegeSeparation: %s (make it with `useradd "
                  "--system --no-create-home --shell /usr/sbin/nologin %s`, "
                  "or set UsePrivilegeSeparation no)", why, PRIVSEP_USER);
        return -1;
    }
    return 0;
}

/* The low 32 bits of argument i (a level or option number). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8u * (i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8u * (i) + 4u)
#endif

#define ALLOW(nr) \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define DENY(nr, err) \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err))

static int install_filter(void)
{
    struct sock_filter f[] = {
        /* Wrong architecture (e.g. the i386 entry on x86_64): kill. */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        /* x32 system calls share the architecture: refuse them all. */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        ALLOW(SYS_poll),
        DENY(SYS_open, EACCES),
        DENY(SYS_stat, EACCES),
        DENY(SYS_lstat, EACCES),
        DENY(SYS_access, EACCES),
#endif
        ALLOW(SYS_read),
        ALLOW(SYS_write),
        ALLOW(SYS_readv),
        ALLOW(SYS_writev),
        ALLOW(SYS_ppoll),
        ALLOW(SYS_close),
        ALLOW(SYS_exit),
        ALLOW(SYS_exit_group),
        ALLOW(SYS_rt_sigreturn),
        ALLOW(SYS_rt_sigprocmask),
        ALLOW(SYS_clock_gettime),
        ALLOW(SYS_gettimeofday),
        ALLOW(SYS_nanosleep),
        ALLOW(SYS_clock_nanosleep),
        ALLOW(SYS_getrandom),
        ALLOW(SYS_brk),
        ALLOW(SYS_mmap),
        ALLOW(SYS_munmap),
        ALLOW(SYS_mremap),
        ALLOW(SYS_mprotect),
        ALLOW(SYS_madvise),
        ALLOW(SYS_futex),
        ALLOW(SYS_getpid),
        ALLOW(SYS_gettid),
        ALLOW(SYS_sendto),      /* syslog on its already connected socket */
        ALLOW(SYS_fstat),
        ALLOW(SYS_lseek),
        /* Asks for (and changes) only the calling thread's own signal
         * stack; AddressSanitizer reads it before every noreturn call,
         * the child's final _exit included. */
        ALLOW(SYS_sigaltstack),
        /* setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, ...) only: the loop
         * acknowledges the client's handshake packets at once. */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setsockopt, 0, 6),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_QUICKACK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        DENY(SYS_openat, EACCES),
        DENY(SYS_newfstatat, EACCES),
        DENY(SYS_faccessat, EACCES),
        DENY(SYS_ioctl, ENOTTY),
        DENY(SYS_socket, EACCES),   /* syslog reconnecting */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    };
    struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

int privsep_sandbox(const char *dir)
{
    struct passwd *pw = getpwnam(PRIVSEP_USER);
    uid_t uid;
    gid_t gid;
    if (!pw) {
        log_error("privsep: user %s not found", PRIVSEP_USER);
        return -1;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (uid == 0) {
        log_error("privsep: user %s must not be uid 0", PRIVSEP_USER);
        return -1;
    }
    if (chroot(dir) < 0 || chdir("/") < 0) {
        log_error("privsep: chroot(\"%s\"): %s", dir, strerror(errno));
        return -1;
    }
    if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
        setresuid(uid, uid, uid) < 0) {
        log_error("privsep: cannot become %s: %s", PRIVSEP_USER,
                  strerror(errno));
        return -1;
    }
    /* Dropped for good: getting root back must fail. */
    if (setuid(0) == 0 || seteuid(0) == 0) {
        log_error("privsep: could regain uid 0");
        return -1;
    }
    if (install_filter() < 0) {
        log_error("privsep: seccomp filter: %s", strerror(errno));
        return -1;
    }
    return 0;
}
