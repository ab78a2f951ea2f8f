// SPDX-License-Identifier: MIT
/*
 * The virtio-fs test guest: a tiny polled virtio-mmio FUSE client.  For
 * every virtio-fs device in the minivmm windows it prints, one
 * "VFS <slot>.<key>=<value>" per line on COM1:
 *   <s>.tag                        config space
 *   <s>.init                       FUSE_INIT error (0) and the minor
 *   <s>.lookup, <s>.size           LOOKUP "hello.txt": error, attr.size
 *   <s>.open, <s>.read, <s>.sum    OPEN + READ of up to 64 KiB: error,
 *                                  bytes, Fletcher-64 sum (bootinfo_sum)
 *   <s>.text                       the first line of the file
 *   <s>.escape                     LOOKUP ".." from the root: error
 *   <s>.etc                        LOOKUP "etc" (a symlink to /etc in the
 *                                  share): its mode's file type in hex
 *   <s>.create                     vfs.write=1: CREATE "from-guest" +
 *                                  WRITE "written by the guest\n": error
 *                                  (-30 = EROFS on a read-only share)
 * then powers off.  Only the request queue (1) is set up; FORGET is
 * never sent.  Polling, no interrupts.
 */
#include <linux/fuse.h>

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

#define ID_FS		26
#define REQUEST_QUEUE	1
#define D_NEXT		1
#define D_WRITE		2
#define QSIZE		8
#define READ_MAX	65536
#define ERR_TIMEOUT	(-999)

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
static uint8_t req[512] __attribute__((aligned(8)));
static struct fuse_out_header rep_hdr;
static uint8_t rep[READ_MAX] __attribute__((aligned(4096)));
static uint16_t avail_next, used_seen;
static uint64_t unique;

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

static bool vfs_init(uint64_t base)
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
	wr(base, R_DRV_FEAT, 1);	/* VERSION_1 */
	wr(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(base, R_STATUS) & S_FEATURES_OK))
		return false;
	wr(base, R_QUEUE_SEL, REQUEST_QUEUE);
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
 * One FUSE request: header + arg1 + arg2 (readable), reply header and
 * reply payload (writable, up to rep_len bytes into rep).  Returns the
 * reply's error, ERR_TIMEOUT when the device never answered.
 */
static int vfs_call(uint64_t base, uint32_t op, uint64_t nodeid,
		    const void *a1, uint32_t l1, const void *a2, uint32_t l2,
		    uint32_t rep_len)
{
	struct fuse_in_header h = { .len = (uint32_t)sizeof(h) + l1 + l2,
				    .opcode = op, .unique = ++unique,
				    .nodeid = nodeid };
	volatile uint16_t *used_idx = &rings.used_idx;
	uint64_t t0 = rdtsc();

	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), a1, l1);
	memcpy(req + sizeof(h) + l1, a2, l2);
	rep_hdr.error = ERR_TIMEOUT;
	rings.desc[0] = (struct vq_desc){ phys(req), h.len, D_NEXT, 1 };
	rings.desc[1] = (struct vq_desc){ phys(&rep_hdr), sizeof(rep_hdr),
					  D_WRITE | D_NEXT, 2 };
	rings.desc[2] = (struct vq_desc){ phys(rep), rep_len, D_WRITE, 0 };
	rings.avail_ring[avail_next % QSIZE] = 0;
	avail_next++;
	__asm__ volatile("" ::: "memory");
	*(volatile uint16_t *)&rings.avail_idx = avail_next;
	__asm__ volatile("mfence" ::: "memory");
	wr(base, R_QUEUE_NOTIFY, REQUEST_QUEUE);
	while (*used_idx == used_seen) {
		if (rdtsc() - t0 > 20000000000ull)
			return ERR_TIMEOUT;
		__asm__ volatile("pause" ::: "memory");
	}
	used_seen++;
	wr(base, R_INT_ACK, rd(base, R_INT_STATUS));
	return rep_hdr.error;
}

static void vfs_print_tag(unsigned int slot, uint64_t base)
{
	char tag[37];

	for (unsigned int i = 0; i < 36; i += 4) {
		uint32_t v = rd(base, R_CONFIG + i);

		memcpy(tag + i, &v, 4);
	}
	tag[36] = 0;
	guest_printf("VFS %u.tag=%s" NL, slot, tag);
}

/* The first line of the bytes read (at most 60 characters). */
static void vfs_print_text(unsigned int slot, uint32_t n)
{
	char line[61];
	uint32_t i;

	for (i = 0; i < n && i < 60 && rep[i] != '\n'; i++)
		line[i] = (char)rep[i];
	line[i] = 0;
	guest_printf("VFS %u.text=%s" NL, slot, line);
}

static void vfs_read_file(unsigned int slot, uint64_t base)
{
	struct fuse_entry_out e;
	struct fuse_open_in oi = { .flags = 0 };
	struct fuse_open_out oo;
	struct fuse_read_in ri = { .size = READ_MAX };
	struct fletcher64 f = { 0, 0 };
	int err;
	uint32_t n;

	err = vfs_call(base, FUSE_LOOKUP, FUSE_ROOT_ID, "hello.txt", 10, 0, 0,
		       sizeof(e));
	guest_printf("VFS %u.lookup=%d" NL, slot, err);
	if (err)
		return;
	memcpy(&e, rep, sizeof(e));
	guest_printf("VFS %u.size=%llu" NL, slot, (unsigned long long)e.attr.size);
	err = vfs_call(base, FUSE_OPEN, e.nodeid, &oi, sizeof(oi), 0, 0,
		       sizeof(oo));
	guest_printf("VFS %u.open=%d" NL, slot, err);
	if (err)
		return;
	memcpy(&oo, rep, sizeof(oo));
	ri.fh = oo.fh;
	memset(rep, 0, READ_MAX);
	err = vfs_call(base, FUSE_READ, e.nodeid, &ri, sizeof(ri), 0, 0, READ_MAX);
	n = err ? 0 : rep_hdr.len - (uint32_t)sizeof(rep_hdr);
	guest_printf("VFS %u.read=%d,%u" NL, slot, err, n);
	/* The sum runs over whole 64 KiB, the file's tail zero-padded. */
	fletcher64_words(&f, rep, READ_MAX);
	guest_printf("VFS %u.sum=%016llx%016llx" NL, slot,
		     (unsigned long long)f.a, (unsigned long long)f.b);
	vfs_print_text(slot, n);
}

static void vfs_create_file(unsigned int slot, uint64_t base)
{
	static const char data[] = "written by the guest\n";
	struct fuse_create_in ci = { .flags = 1 /* O_WRONLY */, .mode = 0100644 };
	struct fuse_write_in wi = { .size = sizeof(data) - 1 };
	uint64_t fh;
	int err;

	err = vfs_call(base, FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci),
		       "from-guest", 11,
		       sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out));
	if (!err) {
		memcpy(&fh, rep + sizeof(struct fuse_entry_out), 8);
		wi.fh = fh;
		err = vfs_call(base, FUSE_WRITE, FUSE_ROOT_ID, &wi, sizeof(wi),
			       data, sizeof(data) - 1, sizeof(struct fuse_write_out));
	}
	guest_printf("VFS %u.create=%d" NL, slot, err);
}

static void vfs_test_device(unsigned int slot, uint64_t base, bool do_write)
{
	struct fuse_init_in ii = { .major = 7, .minor = 31 };
	struct fuse_init_out io;
	struct fuse_entry_out e;
	int err;

	vfs_print_tag(slot, base);
	if (!vfs_init(base)) {
		guest_printf("VFS %u.up=failed status=0x%x" NL, slot,
			     rd(base, R_STATUS));
		return;
	}
	err = vfs_call(base, FUSE_INIT, 0, &ii, sizeof(ii), 0, 0, sizeof(io));
	memcpy(&io, rep, sizeof(io));
	guest_printf("VFS %u.init=%d,%u" NL, slot, err, err ? 0 : io.minor);
	if (err)
		return;
	vfs_read_file(slot, base);
	err = vfs_call(base, FUSE_LOOKUP, FUSE_ROOT_ID, "..", 3, 0, 0, sizeof(e));
	guest_printf("VFS %u.escape=%d" NL, slot, err);
	err = vfs_call(base, FUSE_LOOKUP, FUSE_ROOT_ID, "etc", 4, 0, 0, sizeof(e));
	memcpy(&e, rep, sizeof(e));
	guest_printf("VFS %u.etc=%x" NL, slot, err ? 0 : e.attr.mode & 0170000);
	if (do_write)
		vfs_create_file(slot, base);
	wr(base, R_STATUS, 0);
}

void guest_main(const struct guest_boot *boot)
{
	const char *source;
	size_t vlen = 0;
	const char *v = boot->cmdline ?
		guest_cmdline_value(boot->cmdline, boot->cmdline_len,
				    "vfs.write", &vlen) : NULL;
	bool do_write = v && guest_word_eq(v, vlen, "1");
	unsigned int found = 0;

	guest_printf("VFS start" NL);
	for (unsigned int slot = 0; slot < LAYOUT_VIRTIO_MMIO_MAX; slot++) {
		uint64_t base = LAYOUT_VIRTIO_MMIO_BASE +
				slot * LAYOUT_VIRTIO_MMIO_SIZE;

		if (rd(base, R_MAGIC) != 0x74726976 || rd(base, R_VERSION) != 2 ||
		    rd(base, R_DEVICE_ID) != ID_FS)
			continue;
		found++;
		vfs_test_device(slot, base, do_write);
	}
	guest_printf("VFS devices=%u" NL, found);
	guest_printf("VFS end" NL);
	guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
}
