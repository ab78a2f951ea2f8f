/* SPDX-License-Identifier: MIT */
/*
 * Raw disk image back-end: a regular file or a block device, opened for
 * -drive.  Apart from the virtio-blk device so that other formats or
 * devices can reuse it; it knows nothing about virtio.
 *
 * All transfers are vectored (preadv/pwritev) straight between the image
 * and the caller's buffers (guest memory), with no bounce buffer.
 */
#ifndef MINIVMM_DISK_H
#define MINIVMM_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define DISK_SECTOR_SIZE 512

/* QEMU's five cache modes (docs/disks.md says what each promises). */
enum drive_cache {
	DRIVE_CACHE_WRITEBACK = 0,	/* page cache; FLUSH is fdatasync */
	DRIVE_CACHE_NONE,		/* O_DIRECT; FLUSH is fdatasync */
	DRIVE_CACHE_UNSAFE,		/* page cache; FLUSH ignored */
	DRIVE_CACHE_WRITETHROUGH,	/* O_DSYNC: no write cache */
	DRIVE_CACHE_DIRECTSYNC,		/* O_DIRECT | O_DSYNC */
};

enum drive_discard {
	DRIVE_DISCARD_UNMAP = 0,	/* discard frees space */
	DRIVE_DISCARD_IGNORE,		/* not offered to the guest */
};

enum drive_format {
	DRIVE_FORMAT_PROBE = 0,		/* no format=: qcow2 magic => qcow2 */
	DRIVE_FORMAT_RAW,
	DRIVE_FORMAT_QCOW2,
};

/* The options of one -drive (vmm/config.c fills it; see docs/usage.md). */
struct drive_config {
	const char *path;
	enum drive_format format;
	bool readonly;
	enum drive_cache cache;
	enum drive_discard discard;
	bool snapshot;			/* writes go to a throwaway overlay */
	const char *serial;		/* GET_ID string, may be NULL */
};

struct disk {
	int fd;
	int fd_buffered;	/* cache=none: page-cache fd for unaligned I/O */
	const char *path;
	uint64_t size;		/* bytes, a multiple of DISK_SECTOR_SIZE */
	uint64_t file_bytes;	/* the file's exact size */
	bool readonly;
	bool is_blkdev;
	bool direct;		/* fd is O_DIRECT */
	enum drive_cache cache;
	uint32_t block_size;	/* logical block size (512 for files) */
};

/*
 * Open the image of cfg (O_DIRECT for cache=none|directsync, O_DSYNC for
 * cache=writethrough|directsync) and take QEMU's OFD lock bytes (a
 * writer refuses other writers; a reader, readonly=on, refuses writers),
 * so minivmm, QEMU and qemu-img keep out of each other's images.
 * Returns 0 or -errno with one line for the user in err (e.g. "disk.img
 * is in use by another process").  size is file_bytes rounded down to a
 * multiple of 512.
 */
int disk_open(struct disk *d, const struct drive_config *cfg,
	      char *err, size_t errlen);
/*
 * An empty, nameless read-write file in $TMPDIR (default /var/tmp) for a
 * snapshot=on overlay: O_TMPFILE, or a name unlinked at once.  Not
 * locked (nobody else can reach it); cache=unsafe (it dies with us).
 */
int disk_open_temp(struct disk *d, char *err, size_t errlen);
void disk_close(struct disk *d);

/*
 * Transfer exactly the iovec's bytes at byte offset off (short transfers
 * are continued).  The caller checks the range against d->size.
 * Returns 0 or -errno (-EIO, -ENOSPC, ...).
 */
int disk_read(struct disk *d, const struct iovec *iov, int cnt, uint64_t off);
int disk_write(struct disk *d, const struct iovec *iov, int cnt, uint64_t off);

/* fdatasync, or nothing for cache=unsafe. */
int disk_flush(struct disk *d);

/* Drop [off, off+len): hole punch or BLKDISCARD; 0 when unsupported. */
int disk_discard(struct disk *d, uint64_t off, uint64_t len);

/*
 * True when the file has no data in [off, off+len) (SEEK_DATA: a hole,
 * dirty page-cache pages count as data); false when it has or the file
 * system cannot tell.  Block devices: false.
 */
bool disk_known_zero(struct disk *d, uint64_t off, uint64_t len);

/* Make [off, off+len) read as zeroes (unmap: may deallocate). */
int disk_write_zeroes(struct disk *d, uint64_t off, uint64_t len, bool unmap);

#endif
