/*
 * lwIP options of a bare-metal build (NO_SYS=1, raw API only), used to
 * check that the adapter compiles without an OS: the build compiles
 * port/lwip against these options on the host, and tools/lwip-test.sh
 * for Cortex-M4. A firmware then calls, from its main loop, the netif's
 * input for received frames and sys_check_timeouts(), and provides
 * sys_now(); every adapter callback runs from there.
 */
#ifndef NSSH_LWIP_NOSYS_OPTS_H
#define NSSH_LWIP_NOSYS_OPTS_H

#include <limits.h>   /* SSIZE_MAX: lwIP's arch.h then takes ssize_t */

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_TCP 1
#define LWIP_UDP 0
#define MEM_ALIGNMENT 4
#define MEM_SIZE (24 * 1024)
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define MEMP_NUM_TCP_PCB 4

#endif
