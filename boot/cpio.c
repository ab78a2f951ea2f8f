// SPDX-License-Identifier: MIT
/*
 * newc cpio writer: a 110-byte ASCII header, the NUL-terminated name,
 * padding to 4 bytes, the data, padding to 4 bytes.  Freestanding.
 */
#include "boot/cpio.h"

#define CPIO_S_IFMT	0170000u
#define CPIO_MAGIC	"070701"
#define CPIO_TRAILER	"TRAILER!!!"

static size_t cpio_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Append n bytes (src NULL: zeros); counting only when there is no buf. */
static void cpio_put(struct cpio_writer *w, const void *src, size_t n)
{
	const uint8_t *s = src;

	if (w->overflow)
		return;
	if (w->buf && n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	if (w->buf)
		for (size_t i = 0; i < n; i++)
			w->buf[w->len + i] = s ? s[i] : 0;
	w->len += n;
}

static void cpio_pad4(struct cpio_writer *w)
{
	cpio_put(w, NULL, (4 - (w->len & 3)) & 3);
}

static void cpio_hex8(char *out, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 7; i >= 0; i--) {
		out[i] = digits[v & 0xf];
		v >>= 4;
	}
}

static void cpio_header(struct cpio_writer *w, uint32_t ino, uint32_t mode,
			uint32_t nlink, uint32_t filesize, uint32_t rmaj,
			uint32_t rmin, uint32_t namesize)
{
	/* ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj
	 * rdevmin namesize check */
	const uint32_t field[13] = {
		ino, mode, 0, 0, nlink, 0, filesize, 0, 0, rmaj, rmin,
		namesize, 0,
	};
	char hdr[CPIO_NEWC_HEADER_SIZE];

	for (int i = 0; i < 6; i++)
		hdr[i] = CPIO_MAGIC[i];
	for (int i = 0; i < 13; i++)
		cpio_hex8(hdr + 6 + 8 * i, field[i]);
	cpio_put(w, hdr, sizeof(hdr));
}

static void cpio_entry(struct cpio_writer *w, const char *name, uint32_t ino,
		       uint32_t mode, uint32_t nlink, const void *data,
		       size_t size, uint32_t rmaj, uint32_t rmin)
{
	size_t namelen = cpio_strlen(name);

	cpio_header(w, ino, mode, nlink, (uint32_t)size, rmaj, rmin,
		    (uint32_t)namelen + 1);
	cpio_put(w, name, namelen + 1);
	cpio_pad4(w);
	if (size) {
		cpio_put(w, data, size);
		cpio_pad4(w);
	}
}

void cpio_add(struct cpio_writer *w, const char *name, uint32_t mode,
	      const void *data, size_t size, uint32_t rdev_major,
	      uint32_t rdev_minor)
{
	size_t namelen = name ? cpio_strlen(name) : 0;

	/* The size field has 8 hex digits; an empty or absolute name, or
	 * data promised but missing, is the caller's bug: refuse it. */
	if (!namelen || namelen >= CPIO_NAME_MAX || name[0] == '/' ||
	    size > 0xffffffffu || (size && !data) || !(mode & CPIO_S_IFMT)) {
		w->bad_entry = true;
		return;
	}
	cpio_entry(w, name, w->next_ino++, mode,
		   (mode & CPIO_S_IFMT) == 0040000u ? 2 : 1, data, size,
		   rdev_major, rdev_minor);
}

void cpio_add_dir(struct cpio_writer *w, const char *name, uint32_t perm)
{
	cpio_add(w, name, 0040000u | (perm & 07777), NULL, 0, 0, 0);
}

void cpio_add_file(struct cpio_writer *w, const char *name, uint32_t perm,
		   const void *data, size_t size)
{
	cpio_add(w, name, 0100000u | (perm & 07777), data, size, 0, 0);
}

void cpio_add_chardev(struct cpio_writer *w, const char *name, uint32_t perm,
		      uint32_t major, uint32_t minor)
{
	cpio_add(w, name, 0020000u | (perm & 07777), NULL, 0, major, minor);
}

void cpio_finish(struct cpio_writer *w)
{
	cpio_entry(w, CPIO_TRAILER, 0, 0, 1, NULL, 0, 0, 0);
}

bool cpio_ok(const struct cpio_writer *w)
{
	return !w->overflow && !w->bad_entry;
}
