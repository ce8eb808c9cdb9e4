/* Consistency checks for nanossh_opts.h. Included from it; not on its own. */
#ifndef NANOSSH_CHECK_H
#define NANOSSH_CHECK_H

#if !NSSH_ENABLE_SERVER && !NSSH_ENABLE_CLIENT
#error "nanossh: enable at least one role (NSSH_ENABLE_SERVER or NSSH_ENABLE_CLIENT)"
#endif
#if NSSH_MAX_PACKET < 35000
#error "nanossh: NSSH_MAX_PACKET must be at least 35000 (RFC 4253 section 6.1)"
#endif
/* The send buffer need not hold a 35,000-byte packet: RFC 4253 section
 * 6.1 obliges us to accept such packets, not to send them. The engine
 * sizes its own: channel data is clipped to the free room outside
 * NSSH_CONTROL_RESERVE, and control replies (KEXINIT, key exchange reply,
 * deferred payloads) fit in that reserve. */
#if NSSH_KEXINIT_MAX < 512
#error "nanossh: NSSH_KEXINIT_MAX must be at least 512"
#endif
#if NSSH_CONTROL_RESERVE < NSSH_DEFER_SIZE + NSSH_KEXINIT_MAX
#error "nanossh: NSSH_CONTROL_RESERVE must hold a KEXINIT plus NSSH_DEFER_SIZE"
#endif
#if NSSH_OUTBUF_SIZE < NSSH_CONTROL_RESERVE + 1024
#error "nanossh: NSSH_OUTBUF_SIZE must leave at least 1024 bytes of data beyond NSSH_CONTROL_RESERVE"
#endif
#if NSSH_CHANNEL_MAXPKT + 64 > NSSH_MAX_PACKET
#error "nanossh: NSSH_CHANNEL_MAXPKT must fit in a packet"
#endif
#if NSSH_MAX_CHANNELS < 1
#error "nanossh: NSSH_MAX_CHANNELS must be at least 1"
#endif
#if NSSH_DEFER_SIZE < 1024
#error "nanossh: NSSH_DEFER_SIZE must be at least 1024"
#endif
#if NSSH_HASH_MAX < 32
#error "nanossh: NSSH_HASH_MAX must hold SHA-256"
#endif

#endif
