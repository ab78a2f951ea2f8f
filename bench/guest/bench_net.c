// SPDX-License-Identifier: MIT
/*
 * virtio-net device cost: n broadcast frames (our MAC as source, the IEEE
 * local experimental ethertype 0x88B5, 64 bytes of payload) through the
 * firmware's driver, one TX descriptor each, then a wait until the device
 * has returned every descriptor.  The guest's own work per frame is kept
 * to the driver's few ring writes: a TX slot's frame is built once, the
 * first time the slot is used, and sent as is ever after.
 */
#include "bench/guest/bench_net.h"

#include <stddef.h>

#include "bench/guest/bench_virtio.h"
#include "boot/error_line.h"
#include "boot/firmware/vnet.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_string.h"

/*
 * Where struct vnet lives: at 4 MiB of guest RAM.  It is 60 KiB with 4 KiB
 * aligned rings; in .bss the entry code would zero it with emulated
 * instructions on every start (shifting every start-up benchmark), and the
 * stack is too small for it.  4 MiB is RAM nobody uses under either boot
 * path: the image is linked and loaded at 16 MiB (tests/guest/lib/
 * guest.ld), so the guest always has RAM up to there; minivmm puts its boot
 * data below 1 MiB (boot/layout.h), and QEMU's PVH boot its start_info and
 * command line below 1 MiB too.  Only the command line is read after
 * start-up, and before this memory is cleared.
 */
#define BENCH_NET_VNET_ADDR	0x400000ULL
#define BENCH_NET_IMAGE_ADDR	0x1000000ULL	/* GUEST_LOAD_ADDR */
#define BENCH_NET_ETHERTYPE	0x88B5		/* IEEE 802 local experimental 1 */
#define BENCH_NET_PAYLOAD	64
#define BENCH_NET_FRAME		(14 + BENCH_NET_PAYLOAD)
#define BENCH_NET_POLL_MAX	10000000U	/* about 3 s emulated */

_Static_assert(BENCH_NET_VNET_ADDR % 4096 == 0, "vnet rings are 4 KiB aligned");
_Static_assert(BENCH_NET_VNET_ADDR + sizeof(struct vnet) <= BENCH_NET_IMAGE_ADDR,
	       "struct vnet must end below the guest image");

static void bench_net_build(uint8_t *f, const uint8_t mac[6])
{
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = BENCH_NET_ETHERTYPE >> 8;
	f[13] = BENCH_NET_ETHERTYPE & 0xff;
	memset(f + 14, 0x5a, BENCH_NET_PAYLOAD);
}

/* TX descriptors the device still holds (posted minus used, mod 2^16). */
static uint16_t bench_net_in_flight(struct vnet *v)
{
	return (uint16_t)(v->txq.avail.idx -
			  *(volatile uint16_t *)&v->txq.used.idx);
}

void bench_net_run(unsigned int n, struct bench_net_result *r)
{
	struct vnet *v = (struct vnet *)(uintptr_t)BENCH_NET_VNET_ADDR;
	uint64_t t0;
	unsigned int i;
	uint16_t left;

	memset(r, 0, sizeof(*r));
	r->errors = n ? n : 1;	/* until the device is up */
	r->base = bench_virtio_find(VIRTIO_ID_NET);
	if (!r->base) {
		error_line(r->why, sizeof(r->why), "no virtio-net device");
		return;
	}
	memset(v, 0, sizeof(*v));
	if (vnet_init(v, r->base, r->why, sizeof(r->why)))
		return;
	memcpy(r->mac, v->mac, sizeof(r->mac));
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		uint8_t *f = vnet_tx_frame(v);

		if (i < VNET_TX_SLOTS)
			bench_net_build(f, v->mac);
		vnet_tx_send(v, BENCH_NET_FRAME);
	}
	for (i = 0; i < BENCH_NET_POLL_MAX && bench_net_in_flight(v); i++)
		__asm__ volatile("pause");
	r->tsc = rdtsc() - t0;
	left = bench_net_in_flight(v);
	r->errors = left;
	r->done = left < n ? n - left : 0;
}
