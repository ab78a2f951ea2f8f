// SPDX-License-Identifier: MIT
/*
 * flood IFNAME DST_MAC SECONDS: send one small UDP frame (broadcast IP,
 * port 9, to DST_MAC) on IFNAME as fast as the kernel takes it, for
 * SECONDS.  A hostile peer for the netboot firmware's receive loop: a
 * steady stream that keeps its RX ring from ever running empty.  Only
 * run inside a test's own network namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_PAYLOAD	64

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = (unsigned char)b[i];
	}
	return 0;
}

static unsigned short ip_csum(const unsigned char *p, size_t len)
{
	unsigned long sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (unsigned long)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* Ethernet + IPv4 (10.77.0.250 -> 255.255.255.255) + UDP (no checksum). */
static size_t build_frame(unsigned char *f, const unsigned char dst[6])
{
	static const unsigned char src[6] = { 0x02, 0x66, 0x6c, 0x6f, 0x6f, 0x64 };
	unsigned char *ip = f + 14, *udp = ip + 20;
	size_t udp_len = 8 + FLOOD_PAYLOAD, ip_len = 20 + udp_len;
	unsigned short c;

	memset(f, 0, 14 + ip_len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;				/* IPv4 */
	ip[0] = 0x45;
	ip[2] = (unsigned char)(ip_len >> 8);
	ip[3] = (unsigned char)ip_len;
	ip[8] = 64;				/* TTL */
	ip[9] = 17;				/* UDP */
	ip[12] = 10; ip[13] = 77; ip[14] = 0; ip[15] = 250;
	memset(ip + 16, 0xff, 4);
	c = ip_csum(ip, 20);
	ip[10] = (unsigned char)(c >> 8);
	ip[11] = (unsigned char)c;
	udp[0] = 0x30; udp[1] = 0x39;		/* from 12345 */
	udp[3] = 9;				/* to discard */
	udp[4] = (unsigned char)(udp_len >> 8);
	udp[5] = (unsigned char)udp_len;
	memset(udp + 8, 'F', FLOOD_PAYLOAD);
	return 14 + ip_len;
}

int main(int argc, char **argv)
{
	unsigned char frame[ETH_FRAME_LEN], dst[6];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned long sent = 0;
	time_t end;
	size_t len;
	int fd;

	if (argc != 4 || parse_mac(argv[2], dst) < 0 || atoi(argv[3]) <= 0) {
		fprintf(stderr, "usage: flood IFNAME DST_MAC SECONDS\n");
		return 2;
	}
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "flood: no interface %s\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("flood: AF_PACKET socket");
		return 1;
	}
	len = build_frame(frame, dst);
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end) {
		for (int i = 0; i < 256; i++) {
			if (send(fd, frame, len, 0) == (ssize_t)len)
				sent++;
			else if (errno != ENOBUFS && errno != EAGAIN)
				break;
		}
	}
	printf("flood: %lu frames sent\n", sent);
	return 0;
}
