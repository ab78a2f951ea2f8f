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
#include <stddef.h>

#include <linux/fuse.h>
#include <linux/virtio_fs.h>

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

#define REQUEST_QUEUE	1
#define READ_MAX	65536
#define ERR_TIMEOUT	(-999)

static uint8_t ring_mem[GUEST_VQ_RING_BYTES] __attribute__((aligned(4096)));
static struct guest_vq vq;
static uint8_t req[512] __attribute__((aligned(8)));
static struct fuse_out_header rep_hdr;
static uint8_t rep[READ_MAX] __attribute__((aligned(4096)));
static uint64_t unique;

/* Only the request queue; no feature beyond VERSION_1. */
static bool vfs_init(uint64_t base)
{
	return guest_virtio_negotiate(base, 0, NULL) &&
	       guest_vq_setup(&vq, base, REQUEST_QUEUE, ring_mem) &&
	       guest_virtio_driver_ok(base);
}

/*
 * One FUSE request: header + arg1 + arg2 (readable), reply header and
 * reply payload (writable, up to rep_len bytes into rep).  Returns the
 * reply's error, ERR_TIMEOUT when the device never answered.
 */
static int vfs_call(uint32_t op, uint64_t nodeid, const void *a1, uint32_t l1,
		    const void *a2, uint32_t l2, uint32_t rep_len)
{
	struct fuse_in_header h = { .len = (uint32_t)sizeof(h) + l1 + l2,
				    .opcode = op, .unique = ++unique,
				    .nodeid = nodeid };
	const struct guest_vq_buf bufs[] = {
		{ req, h.len, false },
		{ &rep_hdr, sizeof(rep_hdr), true },
		{ rep, rep_len, true },
	};

	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), a1, l1);
	memcpy(req + sizeof(h) + l1, a2, l2);
	rep_hdr.error = ERR_TIMEOUT;
	if (!guest_vq_call(&vq, bufs, 3))
		return ERR_TIMEOUT;
	return rep_hdr.error;
}

static void vfs_print_tag(unsigned int slot, uint64_t base)
{
	struct virtio_fs_config cfg;
	char tag[sizeof(cfg.tag) + 1];

	for (unsigned int i = 0; i < sizeof(cfg.tag); i += 4) {
		uint32_t v = guest_virtio_config32(base,
				offsetof(struct virtio_fs_config, tag) + i);

		memcpy(tag + i, &v, 4);
	}
	tag[sizeof(cfg.tag)] = 0;
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

static void vfs_read_file(unsigned int slot)
{
	struct fuse_entry_out e;
	struct fuse_open_in oi = { .flags = 0 };
	struct fuse_open_out oo;
	struct fuse_read_in ri = { .size = READ_MAX };
	struct fletcher64 f = { 0, 0 };
	int err;
	uint32_t n;

	err = vfs_call(FUSE_LOOKUP, FUSE_ROOT_ID, "hello.txt", 10, 0, 0,
		       sizeof(e));
	guest_printf("VFS %u.lookup=%d" NL, slot, err);
	if (err)
		return;
	memcpy(&e, rep, sizeof(e));
	guest_printf("VFS %u.size=%llu" NL, slot, (unsigned long long)e.attr.size);
	err = vfs_call(FUSE_OPEN, e.nodeid, &oi, sizeof(oi), 0, 0,
		       sizeof(oo));
	guest_printf("VFS %u.open=%d" NL, slot, err);
	if (err)
		return;
	memcpy(&oo, rep, sizeof(oo));
	ri.fh = oo.fh;
	memset(rep, 0, READ_MAX);
	err = vfs_call(FUSE_READ, e.nodeid, &ri, sizeof(ri), 0, 0, READ_MAX);
	n = err ? 0 : rep_hdr.len - (uint32_t)sizeof(rep_hdr);
	guest_printf("VFS %u.read=%d,%u" NL, slot, err, n);
	/* The sum runs over whole 64 KiB, the file's tail zero-padded. */
	fletcher64_words(&f, rep, READ_MAX);
	guest_printf("VFS %u.sum=%016llx%016llx" NL, slot,
		     (unsigned long long)f.a, (unsigned long long)f.b);
	vfs_print_text(slot, n);
}

static void vfs_create_file(unsigned int slot)
{
	static const char data[] = "written by the guest\n";
	struct fuse_create_in ci = { .flags = 1 /* O_WRONLY */, .mode = 0100644 };
	struct fuse_write_in wi = { .size = sizeof(data) - 1 };
	uint64_t fh;
	int err;

	err = vfs_call(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci),
		       "from-guest", 11,
		       sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out));
	if (!err) {
		memcpy(&fh, rep + sizeof(struct fuse_entry_out), 8);
		wi.fh = fh;
		err = vfs_call(FUSE_WRITE, FUSE_ROOT_ID, &wi, sizeof(wi),
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
			     guest_virtio_rd(base, VIRTIO_MMIO_STATUS));
		return;
	}
	err = vfs_call(FUSE_INIT, 0, &ii, sizeof(ii), 0, 0, sizeof(io));
	memcpy(&io, rep, sizeof(io));
	guest_printf("VFS %u.init=%d,%u" NL, slot, err, err ? 0 : io.minor);
	if (err)
		return;
	vfs_read_file(slot);
	err = vfs_call(FUSE_LOOKUP, FUSE_ROOT_ID, "..", 3, 0, 0, sizeof(e));
	guest_printf("VFS %u.escape=%d" NL, slot, err);
	err = vfs_call(FUSE_LOOKUP, FUSE_ROOT_ID, "etc", 4, 0, 0, sizeof(e));
	memcpy(&e, rep, sizeof(e));
	guest_printf("VFS %u.etc=%x" NL, slot, err ? 0 : e.attr.mode & 0170000);
	if (do_write)
		vfs_create_file(slot);
	guest_virtio_wr(base, VIRTIO_MMIO_STATUS, 0);
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
		uint64_t base = guest_virtio_window(slot);

		if (!guest_virtio_is(base, VIRTIO_ID_FS))
			continue;
		found++;
		vfs_test_device(slot, base, do_write);
	}
	guest_printf("VFS devices=%u" NL, found);
	guest_printf("VFS end" NL);
	guest_poweroff(acpi_find_rsdp(boot->rsdp_hint, &source));
}
