// SPDX-License-Identifier: MIT
/*
 * virtio-net: the TX header check on its own, then the device behind its
 * transport with the real I/O thread on a SOCK_SEQPACKET socketpair (the
 * "TAP"): fuzzed bring-up, RX and TX rings in guest RAM, and fuzzed frames
 * arriving from the network.  What the device sends must be a sane frame.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio_net.h"
#include "tests/fuzz/fuzz_virtio_driver.h"

#define FUZZ_FRAME_MAX	(65536 + 64)

static struct fake_virtio_host fuzz_h;
static struct virtio_net *fuzz_net;
static int fuzz_peer = -1;
static uint8_t fuzz_frame[FUZZ_FRAME_MAX];

static void fuzz_net_setup(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	char err[256];
	int sv[2];

	fake_virtio_host_init(&fuzz_h, FUZZ_RAM_SIZE, FUZZ_SLOT);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		abort();
	fuzz_peer = sv[1];
	if (virtio_net_create_on_fd(&fuzz_net, &fuzz_h.ops, &fuzz_h.mem,
				    FAKE_WINDOW(FUZZ_SLOT), sv[0], mac, err,
				    sizeof(err)) ||
	    virtio_net_start(fuzz_net, NULL)) {
		fprintf(stderr, "fuzz_virtio_net: %s\n", err);
		abort();
	}
}

static void fuzz_tx_hdr(struct fuzz_input *in)
{
	struct virtio_net_hdr_v1 h;
	uint64_t len = fuzz_u32(in);
	uint64_t features = fuzz_u64(in);

	fuzz_take(in, &h, sizeof(h));
	(void)virtio_net_tx_hdr_ok(&h, len, features);
	(void)virtio_net_tap_offloads(features);
}

/* Frames "from the network" for the RX queue. */
static void fuzz_rx_frames(struct fuzz_input *in)
{
	unsigned int n = fuzz_u8(in) & 3;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t len = fuzz_u16(in);

		if (len > in->left)
			len = (uint16_t)in->left;
		fuzz_take(in, fuzz_frame, len);
		if (send(fuzz_peer, fuzz_frame, len, MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			abort();
	}
}

/* What the device transmitted: header plus frame, never oversized. */
static void fuzz_drain_tx(void)
{
	ssize_t n;

	while ((n = recv(fuzz_peer, fuzz_frame, sizeof(fuzz_frame),
			 MSG_DONTWAIT | MSG_TRUNC)) >= 0)
		assert((size_t)n <= sizeof(fuzz_frame));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	if (!fuzz_net)
		fuzz_net_setup();
	fuzz_tx_hdr(&in);
	(void)fuzz_driver_up(&fuzz_h, &in, 2);
	fuzz_rx_frames(&in);
	fuzz_fill_ram(&fuzz_h, &in);
	fuzz_kick_and_reset(&fuzz_h, 2);
	fuzz_drain_tx();
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC);
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_STATUS) == 0);
	return 0;
}
