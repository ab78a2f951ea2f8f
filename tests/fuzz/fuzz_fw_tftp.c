// SPDX-License-Identifier: MIT
/*
 * The netboot firmware's own TFTP receive path against a hostile network:
 * boot/firmware/tftp_get.c, net.c and vnet.c, built for the host in this
 * one translation unit (as unit/fw_block_cost builds them), fetch a file
 * while a fake virtio-net device feeds them the input's frames.  That is
 * the firmware's code the shared parsers (net/tftp.c, net/inet.c, fuzzed
 * on their own) do not cover: RX buffers aimed at the file's room
 * (zero-copy), the header/payload split, the split checksum, the copies
 * into place, the re-aiming after stray packets, ARP answers, timeouts.
 *
 * Input: records of (kind byte, 2-byte length, bytes).  Kind 0: a TFTP
 * packet from the server's transfer port to the firmware's port (checksum
 * right, DATA_VALID set, as a local server's frames come); 1: the same
 * without DATA_VALID; 2: the same from another port; 3: a raw frame, any
 * bytes.  One record per poll while the ring has a buffer; then silence,
 * and the firmware's timeouts end the transfer (the clock is fake: one
 * millisecond per poll).  Oracles: the sanitizers (the file's room is a
 * heap block of exactly its size), the result within the room.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_input.h"

/* The device side is this file's: the firmware's vnet_init (MMIO
 * negotiation) and vnet_rx_poll are renamed, and net.c/tftp_get.c call
 * the versions below instead. */
#define vnet_init vnet_init_hw
#define vnet_rx_poll vnet_rx_poll_ring
#include "boot/firmware/vnet.c"
#undef vnet_init
#undef vnet_rx_poll
int vnet_init(struct vnet *v, uint64_t mmio_base, char *err, size_t errlen);
bool vnet_rx_poll(struct vnet *v, struct vnet_packet *p);
#include "boot/firmware/net.c"
#include "boot/firmware/tftp_get.c"
#include "tests/lib/fake_fw_vnet.h"

#define SERVER_IP	0x0a4d0001u
#define CLIENT_IP	0x0a4d002au
#define SERVER_PORT	50000
#define ROOM_MAX	(64 * 1024)
#define RECORDS_MAX	256

static const uint8_t server_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t client_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static uint32_t mmio[0x200 / 4];
static struct fuzz_input input;
static unsigned int records;
static uint64_t fake_ms;
static uint16_t rx_seen, tx_seen, client_port;

uint64_t timer_now_ms(void)
{
	return fake_ms;
}

/* Frames the firmware sent: the RRQ tells its port. */
static void device_tx_all(struct vnet *v)
{
	struct vnet_queue *q = &v->txq;

	while (tx_seen != q->avail.idx) {
		uint16_t id = fake_fw_vnet_avail(q, tx_seen);
		struct vring_desc *d = &q->desc[id];
		struct fake_fw_tftp_head h;
		const uint8_t *f = (const uint8_t *)(uintptr_t)d->addr + VNET_HDR_LEN;
		size_t len = d->len - VNET_HDR_LEN;

		assert(d->len >= VNET_HDR_LEN && len <= ETH_FRAME_MAX);
		if (fake_fw_parse_tftp_head(f, len, &h) && h.opcode == TFTP_RRQ)
			client_port = h.src_port;
		fake_fw_vnet_used(q, id, 0);
		tx_seen++;
	}
}

/* The next record as a frame in buf; its length (0: none left). */
static size_t device_frame(uint8_t *buf, size_t cap, bool *valid)
{
	uint8_t kind, payload[ETH_FRAME_MAX];
	uint16_t len;
	struct inet_udp_addr a = {
		.src_mac = server_mac, .dst_mac = client_mac,
		.src_ip = SERVER_IP, .dst_ip = CLIENT_IP,
		.src_port = SERVER_PORT, .dst_port = client_port,
	};

	if (!input.left || records >= RECORDS_MAX)
		return 0;
	records++;
	kind = fuzz_u8(&input) % 4;
	len = fuzz_u16(&input) % (ETH_FRAME_MAX + 1);
	if (len > input.left)
		len = (uint16_t)input.left;
	*valid = kind == 0;
	if (kind == 3) {
		fuzz_take(&input, buf, len);
		return len;
	}
	if (len > ETH_FRAME_MAX - INET_UDP_HLEN)
		len = ETH_FRAME_MAX - INET_UDP_HLEN;
	fuzz_take(&input, payload, len);
	if (kind == 2)
		a.src_port = SERVER_PORT + 1;
	memcpy(buf + INET_UDP_HLEN, payload, len);
	return inet_udp_build(buf, cap, &a, len);
}

/* One frame into the next posted chain; a frame that does not fit is
 * dropped (and the chain waits for the next one). */
static void device_rx(struct vnet *v)
{
	static uint8_t frame[ETH_FRAME_MAX];
	bool valid = false;
	size_t len;

	if (rx_seen == v->rxq.avail.idx)
		return;
	len = device_frame(frame, sizeof(frame), &valid);
	if (len && fake_fw_vnet_rx(v, rx_seen, frame, len, valid))
		rx_seen++;
}

bool vnet_rx_poll(struct vnet *v, struct vnet_packet *p)
{
	fake_ms++;
	device_tx_all(v);
	device_rx(v);
	return vnet_rx_poll_ring(v, p);
}

/* Fresh rings, as the real vnet_init() leaves them after a reset. */
int vnet_init(struct vnet *v, uint64_t mmio_base, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	rx_seen = tx_seen = 0;
	fake_fw_vnet_reset(v, mmio_base);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vnet vnet;
	static struct net net;
	struct fw_file f = { .name = "pxelinux.cfg/default" };
	char err[128] = "";
	int rc;

	input = (struct fuzz_input){ data, size };
	records = 0;
	fake_ms = 0;
	client_port = 0;
	f.cap = 1 + fuzz_u16(&input) % ROOM_MAX;
	f.base = malloc(f.cap);
	memset(&vnet, 0, sizeof(vnet));
	vnet_init(&vnet, (uint64_t)(uintptr_t)mmio, err, sizeof(err));
	fake_fw_net_up(&net, &vnet, client_mac, CLIENT_IP, SERVER_IP, server_mac);
	rc = tftp_get(&net, SERVER_IP, &f, err, sizeof(err));
	assert(memchr(err, 0, sizeof(err)));
	if (rc == 0)
		assert(f.size <= f.cap);
	free(f.base);
	return 0;
}
