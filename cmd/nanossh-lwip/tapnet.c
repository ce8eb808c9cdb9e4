/*
 * A Linux TAP device as an lwIP network interface.
 *
 * Why not the unix port's tapif that Debian's liblwip ships: in
 * 2.1.3+dfsg1-2 the library's PBUF_POOL elements are sized for a 536-byte
 * MSS over IPv4 (memp_PBUF_POOL is 616 bytes) while its pbuf_alloc fills
 * them as if they held PBUF_POOL_BUFSIZE from the shipped lwipopts.h
 * (1536 bytes). tapif allocates received frames from that pool, so every
 * frame longer than about 590 bytes (a client's KEXINIT already) writes
 * past the heap block. This driver allocates each received frame as
 * PBUF_RAM of its exact size; the rest of the stack is Debian's.
 *
 * Threads: a reader thread blocks in read() and hands frames to the tcpip
 * thread with netif->input (tcpip_input); linkoutput runs in the tcpip
 * thread and writes the frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tapnet.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

/* Ethernet header and a 1500-byte payload (no VLAN tag, no FCS). */
#define FRAME_MAX 1514u

static err_t tap_linkoutput(struct netif *netif, struct pbuf *p)
{
    tapnet *t = netif->state;
    uint8_t frame[FRAME_MAX];
    ssize_t n;
    if (p->tot_len > sizeof(frame))
        return ERR_BUF;
    pbuf_copy_partial(p, frame, p->tot_len, 0);
    do
        n = write(t->fd, frame, p->tot_len);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)p->tot_len ? ERR_OK : ERR_IF;
}

static void *tap_reader(void *arg)
{
    tapnet *t = arg;
    uint8_t frame[FRAME_MAX + 4];
    for (;;) {
        struct pbuf *p;
        ssize_t n = read(t->fd, frame, sizeof(frame));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if ((size_t)n > FRAME_MAX)
            continue;      /* larger than the MTU we announced: drop */
        p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (!p)
            continue;      /* out of memory: as if lost on the wire */
        pbuf_take(p, frame, (u16_t)n);
        if (t->netif->input(p, t->netif) != ERR_OK)
            pbuf_free(p);
    }
    return NULL;
}

static err_t tap_netif_init(struct netif *netif)
{
    tapnet *t = netif->state;
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
#if LWIP_IPV6
    netif->output_ip6 = ethip6_output;
#endif
    netif->linkoutput = tap_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, t->mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    return ERR_OK;
}

int tapnet_open(tapnet *t, const char *name)
{
    struct ifreq ifr;
    memset(t, 0, sizeof(*t));
    if (strlen(name) >= IFNAMSIZ) {
        fprintf(stderr, "nanossh-lwip: interface name too long: %s\n", name);
        return -1;
    }
    t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (t->fd < 0) {
        perror("nanossh-lwip: /dev/net/tun");
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "nanossh-lwip: attach to TAP %s: %s\n", name,
                strerror(errno));
        close(t->fd);
        t->fd = -1;
        return -1;
    }
    /* A locally administered address; the namespace holds only us. */
    memcpy(t->mac, "\x02\x6e\x73\x73\x68\x02", ETH_HWADDR_LEN);
    return 0;
}

int tapnet_add_ip6(struct netif *netif, const char *addr)
{
#if LWIP_IPV6
    ip6_addr_t a;
    s8_t idx;
    if (!ip6addr_aton(addr, &a)) {
        fprintf(stderr, "nanossh-lwip: bad IPv6 address %s\n", addr);
        return -1;
    }
    netif_create_ip6_linklocal_address(netif, 1);
    netif_ip6_addr_set_state(netif, 0, IP6_ADDR_PREFERRED);
    if (netif_add_ip6_address(netif, &a, &idx) != ERR_OK) {
        fprintf(stderr, "nanossh-lwip: cannot add %s\n", addr);
        return -1;
    }
    netif_ip6_addr_set_state(netif, idx, IP6_ADDR_PREFERRED);
    return 0;
#else
    fprintf(stderr, "nanossh-lwip: lwIP built without IPv6 (%s)\n", addr);
    return -1;
#endif
}

/* netif_add and the reader thread; core context (LOCK_TCPIP_CORE held). */
int tapnet_add(tapnet *t, struct netif *netif, const ip4_addr_t *ip,
               const ip4_addr_t *mask, const ip4_addr_t *gw)
{
    pthread_t thr;
    t->netif = netif;
    if (!netif_add(netif, ip, mask, gw, t, tap_netif_init, tcpip_input))
        return -1;
    netif_set_link_up(netif);
    netif_set_up(netif);
    netif_set_default(netif);
    if (pthread_create(&thr, NULL, tap_reader, t) != 0)
        return -1;
    pthread_detach(thr);
    return 0;
}
