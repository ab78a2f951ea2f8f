/* SPDX-License-Identifier: MIT */
/*
 * A writer of "newc" cpio archives (the initramfs format the Linux kernel
 * unpacks, Documentation/driver-api/early-userspace/buffer-format.rst) into
 * a caller's buffer.  Freestanding: no libc, no allocation.
 *
 * Size first, then write: a writer with buf == NULL only counts, so
 *
 *	struct cpio_writer w = CPIO_WRITER_INIT(NULL, 0);
 *	build(&w);  // cpio_add_*() ... cpio_finish()
 *	buf = malloc(w.len); w = CPIO_WRITER_INIT(buf, w.len); build(&w);
 *
 * A write past cap marks the writer overflowed (cpio_ok() false) and
 * writes nothing more.
 */
#ifndef MINIVMM_CPIO_H
#define MINIVMM_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* newc header: the magic "070701" and 13 fields of 8 hex digits. */
#define CPIO_NEWC_HEADER_SIZE	110
#define CPIO_NAME_MAX		4096	/* PATH_MAX, with the NUL */

struct cpio_writer {
	uint8_t *buf;		/* NULL: count only */
	size_t cap;
	size_t len;		/* bytes written (or counted) so far */
	uint32_t next_ino;
	bool overflow;		/* a write did not fit in cap */
	bool bad_entry;		/* an entry was refused (name, size) */
};

#define CPIO_WRITER_INIT(b, c) \
	((struct cpio_writer){ .buf = (b), .cap = (c), .next_ino = 1 })

/*
 * One entry: name without a leading '/' ("init", "dev/console"), mode with
 * its type bits (S_IFREG 0100000, S_IFDIR 0040000, S_IFCHR 0020000,
 * S_IFLNK 0120000), data of size bytes (a symlink's target, a file's
 * contents; NULL when size is 0), rdev for device nodes.  Owner root.
 */
void cpio_add(struct cpio_writer *w, const char *name, uint32_t mode,
	      const void *data, size_t size, uint32_t rdev_major,
	      uint32_t rdev_minor);
void cpio_add_dir(struct cpio_writer *w, const char *name, uint32_t perm);
void cpio_add_file(struct cpio_writer *w, const char *name, uint32_t perm,
		   const void *data, size_t size);
void cpio_add_chardev(struct cpio_writer *w, const char *name, uint32_t perm,
		      uint32_t major, uint32_t minor);
/* The "TRAILER!!!" entry that ends the archive. */
void cpio_finish(struct cpio_writer *w);
/* Every entry was taken and the archive fits in cap. */
bool cpio_ok(const struct cpio_writer *w);

#endif
