/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dgram_peer SOCK QEMU_SOCK MAC IP SECONDS: a host on the other end of
 * QEMU's "-netdev dgram" with AF_UNIX datagrams (one Ethernet frame each,
 * no header). It binds SOCK, sends to QEMU_SOCK, and for SECONDS (or until
 * SIGTERM) answers as the host MAC/IP:
 *   - ARP requests for IP (RFC 826) with an ARP reply;
 *   - ICMP echo requests to IP (RFC 792) with an echo reply carrying the
 *     same identifier, sequence and data.
 * One line per frame on stdout ("rx arp-request from MAC for IP", "tx
 * arp-reply to MAC", "rx echo-request ...", "tx echo-reply ...", "rx other
 * ETHERTYPE"), so a test can check what went each way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* The Ethernet/IPv4 body of an ARP packet (RFC 826), after struct arphdr. */
struct arp_ipv4 {
	uint8_t sha[ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[4];
} __attribute__((packed));
_Static_assert(sizeof(struct arp_ipv4) == 20, "ARP body for Ethernet/IPv4");

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/* RFC 1071 Internet checksum of len bytes. */
static uint16_t inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct peer {
	int fd;
	struct sockaddr_un qemu;
	uint8_t mac[ETH_ALEN];
	uint8_t ip[4];
};

static void send_frame(const struct peer *p, const void *frame, size_t len)
{
	if (sendto(p->fd, frame, len, 0, (const struct sockaddr *)&p->qemu, sizeof(p->qemu)) < 0)
		printf("tx failed: %s\n", strerror(errno));
}

static void on_arp(const struct peer *p, uint8_t *frame, size_t len)
{
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct arphdr *ah = (struct arphdr *)(eth + 1);
	struct arp_ipv4 *body = (struct arp_ipv4 *)(ah + 1);
	char m[18];

	if (len < sizeof(*eth) + sizeof(*ah) + sizeof(*body) || ntohs(ah->ar_hrd) != ARPHRD_ETHER ||
	    ntohs(ah->ar_pro) != ETH_P_IP || ah->ar_hln != ETH_ALEN || ah->ar_pln != 4) {
		printf("rx arp malformed\n");
		return;
	}
	if (ntohs(ah->ar_op) != ARPOP_REQUEST) {
		printf("rx arp op %u\n", ntohs(ah->ar_op));
		return;
	}
	printf("rx arp-request from %s for %u.%u.%u.%u\n", mac_str(body->sha, m), body->tpa[0],
	       body->tpa[1], body->tpa[2], body->tpa[3]);
	if (memcmp(body->tpa, p->ip, 4) != 0)
		return;
	/* The reply: to the asker, from us, the addresses swapped (RFC 826). */
	memcpy(eth->h_dest, body->sha, ETH_ALEN);
	memcpy(eth->h_source, p->mac, ETH_ALEN);
	ah->ar_op = htons(ARPOP_REPLY);
	memcpy(body->tha, body->sha, ETH_ALEN);
	memcpy(body->tpa, body->spa, 4);
	memcpy(body->sha, p->mac, ETH_ALEN);
	memcpy(body->spa, p->ip, 4);
	send_frame(p, frame, sizeof(*eth) + sizeof(*ah) + sizeof(*body));
	printf("tx arp-reply to %s\n", mac_str(eth->h_dest, m));
}

static void on_ipv4(const struct peer *p, uint8_t *frame, size_t len)
{
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	size_t ihl, tot;
	struct icmphdr *icmp;
	char m[18];

	if (len < sizeof(*eth) + sizeof(*ip) || ip->version != 4) {
		printf("rx ipv4 malformed\n");
		return;
	}
	ihl = ip->ihl * 4u;
	tot = ntohs(ip->tot_len);
	if (ihl < sizeof(*ip) || tot < ihl + sizeof(*icmp) || sizeof(*eth) + tot > len ||
	    ip->protocol != IPPROTO_ICMP) {
		printf("rx ipv4 proto %u\n", ip->protocol);
		return;
	}
	icmp = (struct icmphdr *)((uint8_t *)ip + ihl);
	if (icmp->type != ICMP_ECHO || memcmp(&ip->daddr, p->ip, 4) != 0) {
		printf("rx icmp type %u\n", icmp->type);
		return;
	}
	printf("rx echo-request from %s id %u seq %u len %zu\n", mac_str(eth->h_source, m),
	       ntohs(icmp->un.echo.id), ntohs(icmp->un.echo.sequence), tot - ihl - sizeof(*icmp));
	memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	memcpy(eth->h_source, p->mac, ETH_ALEN);
	ip->daddr = ip->saddr;
	memcpy(&ip->saddr, p->ip, 4);
	ip->ttl = 64;
	ip->check = 0;
	ip->check = inet_csum(ip, ihl);
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = 0;
	icmp->checksum = inet_csum(icmp, tot - ihl);
	send_frame(p, frame, sizeof(*eth) + tot);
	printf("tx echo-reply to %s seq %u\n", mac_str(eth->h_dest, m),
	       ntohs(icmp->un.echo.sequence));
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[ETH_ALEN];
	char extra;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &extra) != 6)
		return -1;
	for (int i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int set_path(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un self;
	struct peer p;
	struct timespec now, end;
	uint8_t frame[ETH_FRAME_LEN + 64];
	char *endp;
	long seconds;

	if (argc != 6) {
		fprintf(stderr, "usage: dgram_peer SOCK QEMU_SOCK MAC IP SECONDS\n");
		return 2;
	}
	seconds = strtol(argv[5], &endp, 10);
	if (set_path(&self, argv[1]) < 0 || set_path(&p.qemu, argv[2]) < 0 ||
	    parse_mac(argv[3], p.mac) < 0 || inet_pton(AF_INET, argv[4], p.ip) != 1 || *endp ||
	    seconds <= 0) {
		fprintf(stderr, "dgram_peer: bad argument (socket paths, MAC, IPv4, seconds)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	p.fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (p.fd < 0 || bind(p.fd, (struct sockaddr *)&self, sizeof(self)) < 0) {
		fprintf(stderr, "dgram_peer: bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	while (!stop) {
		struct pollfd pfd = {.fd = p.fd, .events = POLLIN};
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(p.fd, frame, sizeof(frame), 0);
		if (n < (ssize_t)sizeof(struct ethhdr))
			continue;
		switch (ntohs(((struct ethhdr *)frame)->h_proto)) {
		case ETH_P_ARP:
			on_arp(&p, frame, (size_t)n);
			break;
		case ETH_P_IP:
			on_ipv4(&p, frame, (size_t)n);
			break;
		default:
			printf("rx other 0x%04x\n", ntohs(((struct ethhdr *)frame)->h_proto));
		}
	}
	close(p.fd);
	unlink(argv[1]);
	return 0;
}
