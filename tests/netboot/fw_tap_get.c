// SPDX-License-Identifier: MIT
/*
 * fw_tap_get TAP BRIDGE CLIENT_IP SERVER_IP FILE OUT: one TFTP download by
 * the netboot firmware's own network code (boot/firmware/tftp_get.c,
 * net.c, vnet.c, net/inet.c, net/tftp.c, built for the host with the
 * firmware's flags) from a real server, through a real TAP device.
 *
 * The firmware drives its virtio-net rings as in a guest; the "device" is
 * this file: before each poll of the RX ring (vnet_rx_poll, wrapped) it
 * writes every frame the firmware queued to the TAP and reads at most one
 * frame from the TAP into the next posted RX chain (tests/lib/
 * fake_fw_vnet.h), with the TAP's DATA_VALID mark, as minivmm's
 * virtio-net device does.  The firmware's clock is CLOCK_MONOTONIC, so
 * its timeouts and retransmits are real.  ARP is the firmware's own,
 * against the kernel; the address is static (no DHCP).
 *
 * The TAP is created (not persistent) and put on BRIDGE, where the
 * server's address lives: run it inside a network namespace
 * (tests/netboot/fw_tap_wrap.sh).  The file received is written to OUT;
 * one line tells its size, the block size and window in force, and how
 * often the DATA block numbers wrapped from 65535 to 0.  Exit 0 when the
 * transfer succeeded, 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot/firmware/net.h"
#include "boot/firmware/timer.h"
#include "boot/firmware/tftp_get.h"
#include "boot/firmware/vnet.h"
#include "net/inet.h"
#include "net/tap.h"
#include "net/tftp.h"
#include "tests/lib/fake_fw_vnet.h"

#define FILE_CAP	(64u << 20)	/* room for the file */
#define POLL_MS		5	/* an idle poll waits this long for a frame */

/* The device end: the TAP and where it is in the firmware's rings. */
struct tap_dev {
	struct tap tap;
	uint16_t rx_seen, tx_seen;
	uint64_t frames_in, frames_out, dropped;
	/* DATA block numbers from the server, to see them wrap. */
	uint64_t data_frames, wraps;
	uint16_t last_block;
	bool seen_block;
};

/* The wrapped vnet functions get no context: the one device is here. */
static struct tap_dev *the_dev;
static uint32_t mmio[0x200 / 4];

uint64_t timer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Every frame the firmware queued goes out on the TAP, virtio-net header
 * first (the TAP takes the same 12-byte header). */
static void dev_tx_all(struct tap_dev *d, struct vnet *v)
{
	struct vnet_queue *q = &v->txq;

	while (d->tx_seen != q->avail.idx) {
		uint16_t id = fake_fw_vnet_avail(q, d->tx_seen);
		struct vring_desc *desc = &q->desc[id];
		ssize_t n = write(d->tap.fd, (const void *)(uintptr_t)desc->addr,
				  desc->len);

		if (n != (ssize_t)desc->len) {
			fprintf(stderr, "fw_tap_get: write to %s: %s\n", d->tap.name,
				n < 0 ? strerror(errno) : "short write");
			exit(1);
		}
		d->frames_out++;
		fake_fw_vnet_used(q, id, 0);
		d->tx_seen++;
	}
}

/* Count the wraps of the server's DATA block numbers (65535 -> 0). */
static void dev_note_block(struct tap_dev *d, const uint8_t *frame, size_t len)
{
	struct fake_fw_tftp_head h;

	if (!fake_fw_parse_tftp_head(frame, len, &h) || h.opcode != TFTP_DATA)
		return;
	d->data_frames++;
	if (d->seen_block && d->last_block == 0xffff && h.block == 0)
		d->wraps++;
	d->last_block = h.block;
	d->seen_block = true;
}

/* One frame from the TAP into the next posted RX chain, if both are
 * there; with none waiting, wait up to POLL_MS for one. */
static void dev_rx(struct tap_dev *d, struct vnet *v)
{
	static uint8_t buf[TAP_VNET_HDR_LEN + ETH_FRAME_MAX];
	struct pollfd pfd = { .fd = d->tap.fd, .events = POLLIN };
	const uint8_t *frame = buf + TAP_VNET_HDR_LEN;
	ssize_t n;
	size_t len;

	if (d->rx_seen == v->rxq.avail.idx)
		return;
	n = read(d->tap.fd, buf, sizeof(buf));
	if (n < 0 && errno == EAGAIN && poll(&pfd, 1, POLL_MS) > 0)
		n = read(d->tap.fd, buf, sizeof(buf));
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		fprintf(stderr, "fw_tap_get: read from %s: %s\n", d->tap.name,
			strerror(errno));
		exit(1);
	}
	if (n < (ssize_t)(TAP_VNET_HDR_LEN + ETH_HLEN))
		return;
	len = (size_t)n - TAP_VNET_HDR_LEN;
	d->frames_in++;
	dev_note_block(d, frame, len);
	if (!fake_fw_vnet_rx(v, d->rx_seen, frame, len,
			     buf[0] & VIRTIO_NET_HDR_F_DATA_VALID)) {
		d->dropped++;	/* too big for the chain: a device drops it */
		return;
	}
	d->rx_seen++;
}

bool __real_vnet_rx_poll(struct vnet *v, struct vnet_packet *p);
bool __wrap_vnet_rx_poll(struct vnet *v, struct vnet_packet *p);
bool __wrap_vnet_rx_poll(struct vnet *v, struct vnet_packet *p)
{
	dev_tx_all(the_dev, v);
	dev_rx(the_dev, v);
	return __real_vnet_rx_poll(v, p);
}

/* The device is ours: a reset is fresh rings, as vnet_init() makes. */
int __wrap_vnet_init(struct vnet *v, uint64_t base, char *err, size_t errlen);
int __wrap_vnet_init(struct vnet *v, uint64_t base, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	fake_fw_vnet_reset(v, base);
	the_dev->rx_seen = the_dev->tx_seen = 0;
	return 0;
}

/* A dotted quad (<arpa/inet.h> cannot come: net/inet.h has its own
 * inet_ntoa). */
static bool parse_ip(const char *s, uint32_t *ip)
{
	unsigned int a, b, c, d;
	char end;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) != 4 ||
	    a > 255 || b > 255 || c > 255 || d > 255)
		return false;
	*ip = a << 24 | b << 16 | c << 8 | d;
	return true;
}

static int write_out(const char *path, const uint8_t *data, uint64_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "fw_tap_get: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static struct tap_dev dev;
	static struct vnet vnet;
	static struct net net;
	struct fw_file f;
	uint32_t client_ip, server_ip;
	char err[256] = "";

	if (argc != 7 || !parse_ip(argv[3], &client_ip) ||
	    !parse_ip(argv[4], &server_ip)) {
		fprintf(stderr, "usage: fw_tap_get TAP BRIDGE CLIENT_IP SERVER_IP FILE OUT\n");
		return 2;
	}
	the_dev = &dev;
	if (tap_open(&dev.tap, argv[1], argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "fw_tap_get: %s\n", err);
		return 1;
	}
	__wrap_vnet_init(&vnet, (uint64_t)(uintptr_t)mmio, NULL, 0);
	memcpy(vnet.mac, mac, sizeof(mac));
	net.vnet = &vnet;
	net.ip = client_ip;
	net.netmask = 0xffffff00u;

	memset(&f, 0, sizeof(f));
	f.name = argv[5];
	f.cap = FILE_CAP;
	f.base = malloc(f.cap);
	if (!f.base) {
		fprintf(stderr, "fw_tap_get: out of memory\n");
		return 1;
	}
	if (tftp_get(&net, server_ip, &f, err, sizeof(err)) < 0) {
		fprintf(stderr, "fw_tap_get: %s: %s (%llu DATA frames seen, last block %u)\n",
			f.name, err, (unsigned long long)dev.data_frames,
			dev.last_block);
		return 1;
	}
	printf("TFTP: %s: %llu bytes in %llu ms, blksize %u, window %u, "
	       "%llu DATA frames, block numbers wrapped %llu times, "
	       "%llu frames dropped\n",
	       f.name, (unsigned long long)f.size, (unsigned long long)f.ms,
	       f.blksize, f.window, (unsigned long long)dev.data_frames,
	       (unsigned long long)dev.wraps, (unsigned long long)dev.dropped);
	if (write_out(argv[6], f.base, f.size) < 0)
		return 1;
	tap_close(&dev.tap);
	free(f.base);
	return 0;
}
