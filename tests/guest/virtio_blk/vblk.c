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
 * then powers off (with vblk.end=halt it halts instead, so the VM stays
 * for a QMP client to read the device's counters: qmp_session.sh).
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
#include <stddef.h>

#include <linux/virtio_blk.h>

#include "boot/layout.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_checksum.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"
#include "tests/guest/lib/guest_virtio.h"

#define NL "\r\n"

#define READ_BYTES	65536		/* first 128 sectors */
#define WRITE_SECTOR	16
#define WRITE_BYTES	4096		/* sectors 16..23 */
#define STATUS_TIMEOUT	0xff		/* printed when the device never answered */
#define STREAM_STRIDE	1021		/* odd: a permutation of the blocks */
#define STREAM_FLUSH_EVERY 8

static uint8_t ring_mem[GUEST_VQ_RING_BYTES] __attribute__((aligned(4096)));
static struct guest_vq vq;
static struct virtio_blk_outhdr req;
static volatile uint8_t status;
static struct virtio_blk_discard_write_zeroes range;
static uint8_t buf[READ_BYTES] __attribute__((aligned(4096)));
static uint8_t wbuf[WRITE_BYTES] __attribute__((aligned(4096)));

/* Bring the device up the way Linux does; false when it refuses. */
static bool vblk_init(uint64_t base, uint32_t *features_lo)
{
	uint32_t want = GUEST_VIRTIO_F(VIRTIO_BLK_F_RO) |
			GUEST_VIRTIO_F(VIRTIO_BLK_F_DISCARD) |
			GUEST_VIRTIO_F(VIRTIO_BLK_F_WRITE_ZEROES);

	return guest_virtio_negotiate(base, want, features_lo) &&
	       guest_vq_setup(&vq, base, 0, ring_mem) &&
	       guest_virtio_driver_ok(base);
}

/* One request: header, optional data, status. */
static uint8_t vblk_request(uint32_t type, uint64_t sector, void *data,
			    uint32_t len, bool dev_writes)
{
	struct guest_vq_buf bufs[3] = {
		{ &req, sizeof(req), false },
		{ data, len, dev_writes },
		{ &status, 1, true },
	};

	req = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	status = STATUS_TIMEOUT;
	if (!len)
		bufs[1] = bufs[2];
	if (!guest_vq_call(&vq, bufs, len ? 3 : 2))
		return STATUS_TIMEOUT;
	return status;
}

/* Config space: the capacity in 512-byte sectors. */
static uint64_t vblk_capacity(uint64_t base)
{
	uint32_t off = offsetof(struct virtio_blk_config, capacity);

	return (uint64_t)guest_virtio_config32(base, off + 4) << 32 |
	       guest_virtio_config32(base, off);
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
	uint32_t features;
	struct fletcher64 f = { 0, 0 };
	char id[VIRTIO_BLK_ID_BYTES + 1];
	uint64_t cap;
	uint8_t st;

	if (!vblk_init(base, &features)) {
		guest_printf("VBLK %u.init=failed status=0x%x" NL, slot,
			     guest_virtio_rd(base, VIRTIO_MMIO_STATUS));
		return;
	}
	cap = vblk_capacity(base);
	guest_printf("VBLK %u.capacity=%llu" NL, slot, (unsigned long long)cap);
	guest_printf("VBLK %u.ro=%u" NL, slot, (features >> VIRTIO_BLK_F_RO) & 1);

	memset(id, 0, sizeof(id));
	st = vblk_request(VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES,
			  true);
	guest_printf("VBLK %u.serial=%s" NL, slot, st == 0 ? id : "?");

	st = vblk_request(VIRTIO_BLK_T_IN, 0, buf, READ_BYTES, true);
	guest_printf("VBLK %u.read.status=%u" NL, slot, st);
	fletcher64_words(&f, buf, READ_BYTES);
	guest_printf("VBLK %u.read.sum=%016llx%016llx" NL, slot,
		     (unsigned long long)f.a, (unsigned long long)f.b);

	if (do_write) {
		vblk_fill_pattern();
		st = vblk_request(VIRTIO_BLK_T_OUT, WRITE_SECTOR, wbuf,
				  WRITE_BYTES, false);
		guest_printf("VBLK %u.write.status=%u" NL, slot, st);
		st = vblk_request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
		guest_printf("VBLK %u.flush.status=%u" NL, slot, st);
		memset(buf, 0, WRITE_BYTES);
		st = vblk_request(VIRTIO_BLK_T_IN, WRITE_SECTOR, buf,
				  WRITE_BYTES, true);
		guest_printf("VBLK %u.readback=%s" NL, slot,
			     st == 0 && !memcmp(buf, wbuf, WRITE_BYTES) ?
			     "pattern" : "other");
		range.sector = 32;
		range.num_sectors = 8;
		range.flags = 0;
		st = vblk_request(VIRTIO_BLK_T_DISCARD, 0, &range,
				  sizeof(range), false);
		guest_printf("VBLK %u.discard.status=%u" NL, slot, st);
		range.sector = 40;
		st = vblk_request(VIRTIO_BLK_T_WRITE_ZEROES, 0, &range,
				  sizeof(range), false);
		guest_printf("VBLK %u.wzeroes.status=%u" NL, slot, st);
	}
	st = vblk_request(VIRTIO_BLK_T_IN, cap, buf, 512, true);
	guest_printf("VBLK %u.oob.status=%u" NL, slot, st);
	st = vblk_request(0x77, 0, buf, 512, true);
	guest_printf("VBLK %u.unsupp.status=%u" NL, slot, st);
	guest_virtio_wr(base, VIRTIO_MMIO_STATUS, 0);
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
	blocks = vblk_capacity(base) / (WRITE_BYTES / 512);
	if (!blocks || (blocks & (blocks - 1)) || count > blocks) {
		guest_printf("VBLK 0.stream=bad-capacity" NL);
		return;
	}
	guest_printf("VBLK 0.stream=start" NL);
	for (uint32_t seq = 0; seq < count; seq++) {
		uint64_t block = (seq * (uint64_t)STREAM_STRIDE + seed) &
				 (blocks - 1);

		vblk_fill_stream(seq);
		st = vblk_request(VIRTIO_BLK_T_OUT, block * (WRITE_BYTES / 512),
				  wbuf, WRITE_BYTES, false);
		if (st) {
			guest_printf("VBLK 0.stream.write.status=%u" NL, st);
			return;
		}
		if ((seq + 1) % STREAM_FLUSH_EVERY)
			continue;
		st = vblk_request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
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
		uint64_t base = guest_virtio_window(slot);

		if (!guest_virtio_is(base, VIRTIO_ID_BLOCK))
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
	v = boot->cmdline ? guest_cmdline_value(boot->cmdline,
						boot->cmdline_len, "vblk.end",
						&vlen) : NULL;
	if (v && guest_word_eq(v, vlen, "halt"))
		guest_halt();
	guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
}
