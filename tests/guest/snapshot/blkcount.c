// SPDX-License-Identifier: MIT
/*
 * The snapshot tests' disk guest: a polled virtio-blk driver (as in
 * tests/guest/virtio_blk/vblk.c) on the first virtio-mmio slot.  For
 * n = 0..BLK_COUNT it writes sector n with "BLKSEQ <n>" repeated, reads it
 * back, prints "BLK n ok" (or "BLK n BAD"), waits about 40 ms (TSC), and
 * finally reads every sector again ("BLK final ok" when all hold their
 * own number) and powers off.  A save lands between or inside requests;
 * a restored guest must see every request completed exactly once.
 */
#include "boot/layout.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"

#define NL "\r\n"

#define R_MAGIC		0x000
#define R_DEVICE_ID	0x008
#define R_DEV_FEAT	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEAT	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM_MAX	0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_READY	0x044
#define R_QUEUE_NOTIFY	0x050
#define R_INT_STATUS	0x060
#define R_INT_ACK	0x064
#define R_STATUS	0x070
#define R_DESC_LO	0x080
#define R_DESC_HI	0x084
#define R_DRIVER_LO	0x090
#define R_DRIVER_HI	0x094
#define R_DEVICE_LO	0x0a0
#define R_DEVICE_HI	0x0a4

#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8
#define T_IN		0
#define T_OUT		1
#define D_NEXT		1
#define D_WRITE		2

#define QSIZE		8
#define BLK_COUNT	150
/*
 * ~40 ms at 2 GHz: the 130 sectors after the 20th take seconds, so the
 * case's save (a Python QMP client started once 20 are done) lands before
 * the end even in a busy nested harness (at 10 ms it once came too late).
 */
#define BLK_DELAY_CYCLES 80000000ull
#define STATUS_TIMEOUT	0xff

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_rings {
	struct vq_desc desc[QSIZE];
	uint16_t avail_flags, avail_idx, avail_ring[QSIZE], used_event;
	uint32_t pad;
	uint16_t used_flags, used_idx;
	struct { uint32_t id, len; } used_ring[QSIZE];
	uint16_t avail_event;
} __attribute__((aligned(4096)));

static struct vq_rings rings;
static struct { uint32_t type, reserved; uint64_t sector; } req;
static volatile uint8_t status;
static uint8_t wbuf[512] __attribute__((aligned(512)));
static uint8_t rbuf[512] __attribute__((aligned(512)));
static uint16_t avail_next, used_seen;

static uint32_t rd(uint64_t base, uint32_t off)
{
	return mmio_read32(base + off);
}

static void wr(uint64_t base, uint32_t off, uint32_t v)
{
	mmio_write32(base + off, v);
}

static uint64_t phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;	/* identity map */
}

static void wr64(uint64_t base, uint32_t lo, const volatile void *p)
{
	wr(base, lo, (uint32_t)phys(p));
	wr(base, lo + 4, (uint32_t)(phys(p) >> 32));
}

static bool blk_init(uint64_t base)
{
	wr(base, R_STATUS, 0);
	wr(base, R_STATUS, S_ACK);
	wr(base, R_STATUS, S_ACK | S_DRIVER);
	wr(base, R_DEV_FEAT_SEL, 1);
	if (!(rd(base, R_DEV_FEAT) & 1))
		return false;
	wr(base, R_DRV_FEAT_SEL, 0);
	wr(base, R_DRV_FEAT, 0);
	wr(base, R_DRV_FEAT_SEL, 1);
	wr(base, R_DRV_FEAT, 1);		/* VERSION_1 */
	wr(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(base, R_QUEUE_SEL, 0);
	if (rd(base, R_QUEUE_NUM_MAX) < QSIZE)
		return false;
	wr(base, R_QUEUE_NUM, QSIZE);
	wr64(base, R_DESC_LO, rings.desc);
	wr64(base, R_DRIVER_LO, &rings.avail_flags);
	wr64(base, R_DEVICE_LO, &rings.used_flags);
	wr(base, R_QUEUE_READY, 1);
	wr(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(base, R_STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* One request of one sector; polls the used ring (no interrupts). */
static uint8_t blk_request(uint64_t base, uint32_t type, uint64_t sector,
			   void *data)
{
	volatile uint16_t *used_idx = &rings.used_idx;
	uint64_t t0 = rdtsc();

	req.type = type;
	req.reserved = 0;
	req.sector = sector;
	status = STATUS_TIMEOUT;
	rings.desc[0] = (struct vq_desc){ phys(&req), sizeof(req), D_NEXT, 1 };
	rings.desc[1] = (struct vq_desc){ phys(data), 512,
		D_NEXT | (type == T_IN ? D_WRITE : 0), 2 };
	rings.desc[2] = (struct vq_desc){ phys(&status), 1, D_WRITE, 0 };
	rings.avail_ring[avail_next % QSIZE] = 0;
	avail_next++;
	__asm__ volatile("" ::: "memory");
	*(volatile uint16_t *)&rings.avail_idx = avail_next;
	__asm__ volatile("mfence" ::: "memory");
	wr(base, R_QUEUE_NOTIFY, 0);
	while (*used_idx == used_seen) {
		if (rdtsc() - t0 > 20000000000ull)
			return STATUS_TIMEOUT;
		__asm__ volatile("pause" ::: "memory");
	}
	used_seen++;
	wr(base, R_INT_ACK, rd(base, R_INT_STATUS));
	return status;
}

static void blk_pattern(uint8_t *b, unsigned int n)
{
	char text[16];

	memcpy(text, "BLKSEQ 0000    ", 16);
	text[7] = (char)('0' + n / 1000 % 10);
	text[8] = (char)('0' + n / 100 % 10);
	text[9] = (char)('0' + n / 10 % 10);
	text[10] = (char)('0' + n % 10);
	for (unsigned int i = 0; i < 512; i += 16)
		memcpy(b + i, text, 16);
}

static void blk_delay(void)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < BLK_DELAY_CYCLES)
		__asm__ volatile("pause");
}

void guest_main(const struct guest_boot *boot)
{
	const char *source;
	uint64_t base = LAYOUT_VIRTIO_MMIO_BASE;
	bool all = true;

	guest_printf("BLK start" NL);
	if (rd(base, R_MAGIC) != 0x74726976 || rd(base, R_DEVICE_ID) != 2 ||
	    !blk_init(base)) {
		guest_printf("BLK no device" NL);
		guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
	}
	for (unsigned int n = 0; n <= BLK_COUNT; n++) {
		uint8_t ws, rs;

		blk_pattern(wbuf, n);
		ws = blk_request(base, T_OUT, n, wbuf);
		memset(rbuf, 0, sizeof(rbuf));
		rs = blk_request(base, T_IN, n, rbuf);
		guest_printf("BLK %u %s" NL, n, ws == 0 && rs == 0 &&
			     !memcmp(rbuf, wbuf, 512) ? "ok" : "BAD");
		blk_delay();
	}
	for (unsigned int n = 0; n <= BLK_COUNT; n++) {
		blk_pattern(wbuf, n);
		if (blk_request(base, T_IN, n, rbuf) || memcmp(rbuf, wbuf, 512))
			all = false;
	}
	guest_printf("BLK final %s" NL, all ? "ok" : "BAD");
	guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
}
