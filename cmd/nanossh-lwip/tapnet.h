/* A Linux TAP device as an lwIP netif (tapnet.c). */
#ifndef NSSH_LWIPD_TAPNET_H
#define NSSH_LWIPD_TAPNET_H

#include <stdint.h>

#include "lwip/netif.h"
#include "lwip/tcpip.h"

typedef struct tapnet {
    int fd;
    struct netif *netif;
    uint8_t mac[6];
} tapnet;

/* Attach to the existing TAP device name. 0 or -1 (said why). */
int tapnet_open(tapnet *t, const char *name);
/* Add it to lwIP as the default interface, up, and start reading frames.
 * Core context. 0 or -1. */
int tapnet_add(tapnet *t, struct netif *netif, const ip4_addr_t *ip,
               const ip4_addr_t *mask, const ip4_addr_t *gw);

/* An IPv6 address as well (and the link-local one), usable at once (the
 * namespace holds no one else: no duplicate detection). Core context.
 * 0 or -1 (said why). */
int tapnet_add_ip6(struct netif *netif, const char *addr);

#endif
