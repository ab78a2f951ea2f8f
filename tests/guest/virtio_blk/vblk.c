// SPDX-License-Identifier: MIT
/*
 * The virtio-blk test guest: a tiny polled virtio-mmio/virtio-blk driver.
 * For every virtio-blk device in the 16 minivmm windows it prints, one
 * "VBLK <slot>.<key>=<value>" per line on COM1, what the device offers and
 * what a few requests return, so the host-side cases can compare with the
 * image:
 *   <s>.capacity, <s>.ro, <s>.serial       config space, features, GET_ID
 *   <s>.read.status, <s>.read.sum          first 64 KiB, Fletcher-64 sum
 *                                          (the host computes it with
 *                                          bootinfo_sum)
 *   <s>.write.status, <s>.flush.status     vblk.write=1: sectors 16..23
 *   <s>.readback                           get "MVT-S%04u-BLOCK\n" x 32
 *   <s>.discard.status, <s>.wzeroes.status vblk.write=1: DISCARD sectors
 *                                          32..39, WRITE_ZEROES 40..47
 *   <s>.oob.status, <s>.unsupp.status      read past the end, type 0x77
 * then powers off.
 *
 * With vblk.stream=N (the crash-consistency case, vblk_crash.sh) it
 * instead writes N numbered 4 KiB blocks to the first device, scattered
 * over the disk (block seq goes to (seq * STREAM_STRIDE + vblk.seed) mod
 * the number of blocks, a power of two), FLUSHes after every
 * STREAM_FLUSH_EVERY writes and then prints "VBLK 0.flushed=<count>": the
 * first <count> blocks are durable.  The host kills minivmm somewhere in
 * the stream.  Polling, no interrupts, no per-byte loops over big
 * buffers (the guest may run emulated at a few M instructions/s).
 */
#include "boot/layout.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_checksum.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"

#define NL "\r\n"

/* virtio-mmio registers and bits (see devices/virtio_mmio.h). */
#define R_MAGIC		0x000
#define R_VERSION	0x004
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
#define R_CONFIG	0x100

#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8

#define F_RO		5		/* VIRTIO_BLK_F_RO */
#define F_DISCARD	13
#define F_WRITE_ZEROES	14
#define F_VERSION_1_HI	1		/* bit 32: bit 0 of the high half */

#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8
#define T_DISCARD	11
#define T_WRITE_ZEROES	13

#define D_NEXT		1
#define D_WRITE		2

#define QSIZE		8
#define READ_BYTES	65536		/* first 128 sectors */
#define WRITE_SECTOR	16
#define WRITE_BYTES	4096		/* sectors 16..23 */
#define STATUS_TIMEOUT	0xff		/* printed when the device never answered */
#define STREAM_STRIDE	1021		/* odd: a permutation of the blocks */
#define STREAM_FLUSH_EVERY 8

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_rings {
	struct vq_desc desc[QSIZE];			/* 16-byte aligned */
	uint16_t avail_flags, avail_idx, avail_ring[QSIZE], used_event;
	uint32_t pad;
	uint16_t used_flags, used_idx;			/* 4-byte aligned */
	struct { uint32_t id, len; } used_ring[QSIZE];
	uint16_t avail_event;
} __attribute__((aligned(4096)));

struct vblk_req {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct vq_rings rings;
static struct vblk_req req;
static volatile uint8_t status;
static struct {
	uint64_t sector;
	uint32_t num_sectors, flags;
} range;
static uint8_t buf[READ_BYTES] __attribute__((aligned(4096)));
static uint8_t wbuf[WRITE_BYTES] __attribute__((aligned(4096)));
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

/* Bring the device up the way Linux does; false when it refuses. */
static bool vblk_init(uint64_t base, uint32_t *features_lo)
{
	wr(base, R_STATUS, 0);
	wr(base, R_STATUS, S_ACK);
	wr(base, R_STATUS, S_ACK | S_DRIVER);
	wr(base, R_DEV_FEAT_SEL, 0);
	*features_lo = rd(base, R_DEV_FEAT);
	wr(base, R_DEV_FEAT_SEL, 1);
	if (!(rd(base, R_DEV_FEAT) & (1u << 0)))
		return false;
	wr(base, R_DRV_FEAT_SEL, 0);
	wr(base, R_DRV_FEAT, *features_lo & ((1u << F_RO) | (1u << F_DISCARD) |
					     (1u << F_WRITE_ZEROES)));
	wr(base, R_DRV_FEAT_SEL, 1);
	wr(base, R_DRV_FEAT, 1u << (32 - 32));	/* VERSION_1 */
	wr(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(base, R_STATUS) & S_FEATURES_OK))
		return false;
	wr(base, R_QUEUE_SEL, 0);
	if (rd(base, R_QUEUE_READY) || rd(base, R_QUEUE_NUM_MAX) < QSIZE)
		return false;
	memset(&rings, 0, sizeof(rings));
	avail_next = used_seen = 0;
	wr(base, R_QUEUE_NUM, QSIZE);
	wr(base, R_DESC_LO, (uint32_t)phys(rings.desc));
	wr(base, R_DESC_HI, (uint32_t)(phys(rings.desc) >> 32));
	wr(base, R_DRIVER_LO, (uint32_t)phys(&rings.avail_flags));
	wr(base, R_DRIVER_HI, (uint32_t)(phys(&rings.avail_flags) >> 32));
	wr(base, R_DEVICE_LO, (uint32_t)phys(&rings.used_flags));
	wr(base, R_DEVICE_HI, (uint32_t)(phys(&rings.used_flags) >> 32));
	wr(base, R_QUEUE_READY, 1);
	wr(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(base, R_STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK |
				      S_DRIVER_OK);
}

/*
 * One request: header, optional data, status.  Polls the used ring,
 * bounded by the TSC (a few seconds on any machine).
 */
static uint8_t vblk_request(uint64_t base, uint32_t type, uint64_t sector,
			    void *data, uint32_t len, bool dev_writes)
{
	volatile uint16_t *used_idx = &rings.used_idx;
	uint64_t t0 = rdtsc();
	unsigned int d = 0;

	req.type = type;
	req.reserved = 0;
	req.sector = sector;
	status = STATUS_TIMEOUT;
	rings.desc[0] = (struct vq_desc){ phys(&req), sizeof(req), D_NEXT, 1 };
	if (len) {
		rings.desc[1] = (struct vq_desc){ phys(data), len,
			D_NEXT | (dev_writes ? D_WRITE : 0), 2 };
		d = 2;
	} else {
		rings.desc[0].next = 2;
		d = 2;
	}
	rings.desc[d] = (struct vq_desc){ phys(&status), 1, D_WRITE, 0 };
	rings.avail_ring[avail_next % QSIZE] = 0;
	avail_next++;
	/* x86 keeps stores in order; the compiler must too. */
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

static void vblk_fill_pattern(void)
{
	char line[17];

	for (unsigned int s = 0; s < WRITE_BYTES / 512; s++) {
		/* "MVT-S%04u-BLOCK\n": 16 bytes, 32 per sector. */
		unsigned int n = WRITE_SECTOR + s;

		memcpy(line, "MVT-S0000-BLOCK\n", 17);
		line[5] = (char)('0' + n / 1000 % 10);
		line[6] = (char)('0' + n / 100 % 10);
		line[7] = (char)('0' + n / 10 % 10);
		line[8] = (char)('0' + n % 10);
		for (unsigned int i = 0; i < 32; i++)
			memcpy(wbuf + s * 512 + i * 16, line, 16);
	}
}

static void vblk_test_device(unsigned int slot, uint64_t base, bool do_write)
{
	uint32_t features, cap_lo, cap_hi;
	struct fletcher64 f = { 0, 0 };
	char id[21];
	uint64_t cap;
	uint8_t st;

	if (!vblk_init(base, &features)) {
		guest_printf("VBLK %u.init=failed status=0x%x" NL, slot,
			     rd(base, R_STATUS));
		return;
	}
	cap_lo = rd(base, R_CONFIG);
	cap_hi = rd(base, R_CONFIG + 4);
	cap = (uint64_t)cap_hi << 32 | cap_lo;
	guest_printf("VBLK %u.capacity=%llu" NL, slot, (unsigned long long)cap);
	guest_printf("VBLK %u.ro=%u" NL, slot, (features >> F_RO) & 1);

	memset(id, 0, sizeof(id));
	st = vblk_request(base, T_GET_ID, 0, id, 20, true);
	guest_printf("VBLK %u.serial=%s" NL, slot, st == 0 ? id : "?");

	st = vblk_request(base, T_IN, 0, buf, READ_BYTES, true);
	guest_printf("VBLK %u.read.status=%u" NL, slot, st);
	fletcher64_words(&f, buf, READ_BYTES);
	guest_printf("VBLK %u.read.sum=%016llx%016llx" NL, slot,
		     (unsigned long long)f.a, (unsigned long long)f.b);

	if (do_write) {
		vblk_fill_pattern();
		st = vblk_request(base, T_OUT, WRITE_SECTOR, wbuf, WRITE_BYTES,
				  false);
		guest_printf("VBLK %u.write.status=%u" NL, slot, st);
		st = vblk_request(base, T_FLUSH, 0, 0, 0, false);
		guest_printf("VBLK %u.flush.status=%u" NL, slot, st);
		memset(buf, 0, WRITE_BYTES);
		st = vblk_request(base, T_IN, WRITE_SECTOR, buf, WRITE_BYTES,
				  true);
		guest_printf("VBLK %u.readback=%s" NL, slot,
			     st == 0 && !memcmp(buf, wbuf, WRITE_BYTES) ?
			     "pattern" : "other");
		range.sector = 32;
		range.num_sectors = 8;
		range.flags = 0;
		st = vblk_request(base, T_DISCARD, 0, &range, sizeof(range),
				  false);
		guest_printf("VBLK %u.discard.status=%u" NL, slot, st);
		range.sector = 40;
		st = vblk_request(base, T_WRITE_ZEROES, 0, &range, sizeof(range),
				  false);
		guest_printf("VBLK %u.wzeroes.status=%u" NL, slot, st);
	}
	st = vblk_request(base, T_IN, cap, buf, 512, true);
	guest_printf("VBLK %u.oob.status=%u" NL, slot, st);
	st = vblk_request(base, 0x77, 0, buf, 512, true);
	guest_printf("VBLK %u.unsupp.status=%u" NL, slot, st);
	wr(base, R_STATUS, 0);
}

/* Block seq of the stream: "MVTW%08u-BK\n" x 256 (the host rebuilds it). */
static void vblk_fill_stream(uint32_t seq)
{
	char line[17];

	memcpy(line, "MVTW00000000-BK\n", 17);
	for (int i = 11; i >= 4; i--, seq /= 10)
		line[i] = (char)('0' + seq % 10);
	for (unsigned int i = 0; i < WRITE_BYTES / 16; i++)
		memcpy(wbuf + i * 16, line, 16);
}

static uint64_t vblk_cmdline_u64(const struct guest_boot *boot,
				 const char *key)
{
	size_t len = 0;
	const char *v = boot->cmdline ?
		guest_cmdline_value(boot->cmdline, boot->cmdline_len, key,
				    &len) : NULL;
	uint64_t n = 0;

	for (size_t i = 0; v && i < len && v[i] >= '0' && v[i] <= '9'; i++)
		n = n * 10 + (uint64_t)(v[i] - '0');
	return n;
}

/* The write stream of vblk.stream=N on the device at base. */
static void vblk_stream(uint64_t base, uint32_t count, uint64_t seed)
{
	uint32_t features;
	uint64_t blocks;
	uint8_t st;

	if (!vblk_init(base, &features)) {
		guest_printf("VBLK 0.init=failed" NL);
		return;
	}
	blocks = ((uint64_t)rd(base, R_CONFIG + 4) << 32 | rd(base, R_CONFIG)) /
		 (WRITE_BYTES / 512);
	if (!blocks || (blocks & (blocks - 1)) || count > blocks) {
		guest_printf("VBLK 0.stream=bad-capacity" NL);
		return;
	}
	guest_printf("VBLK 0.stream=start" NL);
	for (uint32_t seq = 0; seq < count; seq++) {
		uint64_t block = (seq * (uint64_t)STREAM_STRIDE + seed) &
				 (blocks - 1);

		vblk_fill_stream(seq);
		st = vblk_request(base, T_OUT, block * (WRITE_BYTES / 512),
				  wbuf, WRITE_BYTES, false);
		if (st) {
			guest_printf("VBLK 0.stream.write.status=%u" NL, st);
			return;
		}
		if ((seq + 1) % STREAM_FLUSH_EVERY)
			continue;
		st = vblk_request(base, T_FLUSH, 0, 0, 0, false);
		if (st) {
			guest_printf("VBLK 0.stream.flush.status=%u" NL, st);
			return;
		}
		guest_printf("VBLK 0.flushed=%u" NL, seq + 1);
	}
	guest_printf("VBLK 0.stream=end" NL);
}

void guest_main(const struct guest_boot *boot)
{
	const char *source;
	size_t vlen = 0;
	const char *v = boot->cmdline ?
		guest_cmdline_value(boot->cmdline, boot->cmdline_len,
				    "vblk.write", &vlen) : NULL;
	bool do_write = v && guest_word_eq(v, vlen, "1");
	uint64_t stream = vblk_cmdline_u64(boot, "vblk.stream");
	unsigned int found = 0;

	guest_printf("VBLK start" NL);
	for (unsigned int slot = 0; slot < LAYOUT_VIRTIO_MMIO_MAX; slot++) {
		uint64_t base = LAYOUT_VIRTIO_MMIO_BASE +
				slot * LAYOUT_VIRTIO_MMIO_SIZE;

		if (rd(base, R_MAGIC) != 0x74726976 || rd(base, R_VERSION) != 2 ||
		    rd(base, R_DEVICE_ID) != 2)
			continue;
		found++;
		if (stream) {
			vblk_stream(base, (uint32_t)stream,
				    vblk_cmdline_u64(boot, "vblk.seed"));
			break;
		}
		vblk_test_device(slot, base, do_write);
	}
	guest_printf("VBLK devices=%u" NL, found);
	guest_printf("VBLK end" NL);
	guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
}
