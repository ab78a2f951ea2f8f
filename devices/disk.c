// SPDX-License-Identifier: MIT
/*
 * Raw image back-end: open + lock + size, vectored transfers, flush,
 * discard, write-zeroes.  See devices/disk.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "devices/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/log.h"

/*
 * QEMU-compatible image locking (as QEMU's file-posix driver does it):
 * shared OFD read locks on single bytes, one per permission: byte
 * 100 + p says "I use permission p", byte 200 + p says "I do not let
 * others use permission p".  Before taking its bytes an opener checks
 * that nobody refuses what it uses and nobody uses what it refuses.
 * The same bytes keep two minivmm writers apart, and a minivmm writer
 * apart from QEMU and qemu-img (which say "Failed to get ... lock").
 */
#define DISK_LOCK_PERM_BASE	100
#define DISK_LOCK_SHARED_BASE	200
#define DISK_PERM_CONSISTENT_READ	0	/* bit numbers, QEMU's order */
#define DISK_PERM_WRITE			1
#define DISK_PERM_WRITE_UNCHANGED	2
#define DISK_PERM_RESIZE		3

static int disk_lock_byte(int fd, int cmd, short type, off_t byte)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET, .l_start = byte,
		.l_len = 1,
	};

	if (fcntl(fd, cmd, &fl) < 0)
		return -errno;
	if (cmd == F_OFD_GETLK && fl.l_type != F_UNLCK)
		return -EAGAIN;		/* someone else holds it */
	return 0;
}

static int disk_lock(struct disk *d, char *err, size_t errlen)
{
	/*
	 * A writer uses read, write and resize (a qcow2 grows) and lets
	 * others only read.  A reader (readonly=on, a backing file) uses
	 * read and, as QEMU does for backing files, refuses writers.
	 */
	unsigned int use = 1u << DISK_PERM_CONSISTENT_READ;
	unsigned int refuse = 1u << DISK_PERM_WRITE | 1u << DISK_PERM_RESIZE;
	int ret = 0;

	if (!d->readonly)
		use |= 1u << DISK_PERM_WRITE | 1u << DISK_PERM_RESIZE;
	for (int p = 0; p <= DISK_PERM_RESIZE && !ret; p++) {
		if (use & (1u << p))
			ret = disk_lock_byte(d->fd, F_OFD_SETLK, F_RDLCK,
					     DISK_LOCK_PERM_BASE + p);
		if (!ret && (refuse & (1u << p)))
			ret = disk_lock_byte(d->fd, F_OFD_SETLK, F_RDLCK,
					     DISK_LOCK_SHARED_BASE + p);
	}
	for (int p = 0; p <= DISK_PERM_RESIZE && !ret; p++) {
		if (use & (1u << p))
			ret = disk_lock_byte(d->fd, F_OFD_GETLK, F_WRLCK,
					     DISK_LOCK_SHARED_BASE + p);
		if (!ret && (refuse & (1u << p)))
			ret = disk_lock_byte(d->fd, F_OFD_GETLK, F_WRLCK,
					     DISK_LOCK_PERM_BASE + p);
	}
	if (!ret)
		return 0;
	if (ret == -EAGAIN || ret == -EACCES) {
		snprintf(err, errlen, "%s is in use by another process",
			 d->path);
		return -EBUSY;
	}
	/* File systems without locks (some network ones): go on, warn. */
	log_warn("%s: cannot lock the image (%s), sharing is not detected",
		 d->path, strerror(-ret));
	return 0;
}

static int disk_get_size(struct disk *d, const struct stat *st,
			 char *err, size_t errlen)
{
	uint64_t size;

	d->block_size = DISK_SECTOR_SIZE;
	if (d->is_blkdev) {
		int bs = 0;

		if (ioctl(d->fd, BLKGETSIZE64, &size) < 0) {
			snprintf(err, errlen, "%s: cannot get size: %s",
				 d->path, strerror(errno));
			return -errno;
		}
		if (ioctl(d->fd, BLKSSZGET, &bs) == 0 && bs >= 512 &&
		    bs <= 65536 && !(bs & (bs - 1)))
			d->block_size = (uint32_t)bs;
	} else {
		size = (uint64_t)st->st_size;
	}
	d->file_bytes = size;
	d->size = size - size % DISK_SECTOR_SIZE;
	return 0;
}

static int disk_open_fd(struct disk *d, const struct drive_config *cfg,
			char *err, size_t errlen)
{
	int flags = O_CLOEXEC | (cfg->readonly ? O_RDONLY : O_RDWR);
	bool direct = cfg->cache == DRIVE_CACHE_NONE ||
		      cfg->cache == DRIVE_CACHE_DIRECTSYNC;

	/* writethrough, directsync: each write durable before it returns. */
	if (cfg->cache == DRIVE_CACHE_WRITETHROUGH ||
	    cfg->cache == DRIVE_CACHE_DIRECTSYNC)
		flags |= O_DSYNC;
	if (direct) {
		d->fd = open(cfg->path, flags | O_DIRECT);
		if (d->fd >= 0) {
			d->direct = true;
			/* Unaligned guest buffers take the page cache path. */
			d->fd_buffered = open(cfg->path, flags);
			if (d->fd_buffered >= 0)
				return 0;
			close(d->fd);
			d->fd = -1;
			d->direct = false;
		} else if (errno == EINVAL) {
			log_warn("%s: O_DIRECT not supported here, using "
				 "the page cache", cfg->path);
		}
	}
	if (d->fd < 0)
		d->fd = open(cfg->path, flags);
	if (d->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "-drive file=%s: %s%s", cfg->path,
			 strerror(e),
			 (!cfg->readonly && (e == EROFS || e == EACCES)) ?
			 " (readonly=on opens it read-only)" : "");
		return -e;
	}
	return 0;
}

int disk_open(struct disk *d, const struct drive_config *cfg,
	      char *err, size_t errlen)
{
	struct stat st;
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = d->fd_buffered = -1;
	d->path = cfg->path;
	d->readonly = cfg->readonly;
	d->cache = cfg->cache;
	if (!cfg->path || !*cfg->path) {
		snprintf(err, errlen, "-drive: no file= given");
		return -EINVAL;
	}
	ret = disk_open_fd(d, cfg, err, errlen);
	if (ret)
		return ret;
	if (fstat(d->fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", d->path, strerror(errno));
		goto fail;
	}
	d->is_blkdev = S_ISBLK(st.st_mode);
	if (!d->is_blkdev && !S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen,
			 "%s: not a regular file or block device", d->path);
		goto fail;
	}
	ret = disk_lock(d, err, errlen);
	if (ret)
		goto fail;
	ret = disk_get_size(d, &st, err, errlen);
	if (ret)
		goto fail;
	return 0;
fail:
	disk_close(d);
	return ret;
}

int disk_open_temp(struct disk *d, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;

	memset(d, 0, sizeof(*d));
	d->fd_buffered = -1;
	d->path = "(snapshot overlay)";
	d->cache = DRIVE_CACHE_UNSAFE;
	d->block_size = DISK_SECTOR_SIZE;
	if (!dir || !*dir)
		dir = "/var/tmp";	/* QEMU's choice too: often not tmpfs */
	/* A file without a name: nothing to clean up after any exit. */
	d->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (d->fd < 0 && asprintf(&path, "%s/minivmm-snapshot-XXXXXX", dir) > 0) {
		d->fd = mkostemp(path, O_CLOEXEC);
		if (d->fd >= 0)
			unlink(path);	/* at once: SIGKILL leaves nothing */
	}
	free(path);
	if (d->fd < 0) {
		snprintf(err, errlen, "snapshot=on: cannot create a "
			 "temporary overlay in %s: %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

void disk_close(struct disk *d)
{
	if (d->fd_buffered >= 0)
		close(d->fd_buffered);
	if (d->fd >= 0)
		close(d->fd);	/* drops the OFD lock */
	d->fd = d->fd_buffered = -1;
}

typedef ssize_t (*disk_xfer_fn)(int fd, const struct iovec *iov, int cnt,
				off_t off);

static uint64_t disk_iov_bytes(const struct iovec *iov, int cnt)
{
	uint64_t n = 0;

	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

/* The rare short transfer: continue from where it stopped. */
static int disk_xfer_rest(int fd, disk_xfer_fn fn, const struct iovec *iov,
			  int cnt, uint64_t off, uint64_t done)
{
	struct iovec *rest = malloc(sizeof(*rest) * (size_t)cnt);
	uint64_t total = disk_iov_bytes(iov, cnt);
	int ret = 0;

	if (!rest)
		return -ENOMEM;
	while (done < total) {
		int n = 0;
		uint64_t skip = done;
		ssize_t r;

		for (int i = 0; i < cnt; i++) {
			if (skip >= iov[i].iov_len) {
				skip -= iov[i].iov_len;
				continue;
			}
			rest[n].iov_base = (char *)iov[i].iov_base + skip;
			rest[n].iov_len = iov[i].iov_len - skip;
			skip = 0;
			n++;
		}
		r = fn(fd, rest, n, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			break;
		}
		if (r == 0) {
			ret = -EIO;	/* image shrank under us */
			break;
		}
		done += (uint64_t)r;
	}
	free(rest);
	return ret;
}

static int disk_xfer(struct disk *d, disk_xfer_fn fn, const struct iovec *iov,
		     int cnt, uint64_t off)
{
	uint64_t total = disk_iov_bytes(iov, cnt);
	int fd = d->fd;
	ssize_t r;

	if (cnt == 0 || total == 0)
		return 0;
	if (cnt > IOV_MAX)
		return -EINVAL;
	do {
		r = fn(fd, iov, cnt, (off_t)off);
		/* O_DIRECT refuses unaligned guest buffers: page cache. */
		if (r < 0 && errno == EINVAL && d->direct && fd == d->fd) {
			fd = d->fd_buffered;
			r = -1;
			errno = EINTR;
		}
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if ((uint64_t)r == total)
		return 0;
	return disk_xfer_rest(fd, fn, iov, cnt, off, (uint64_t)r);
}

static ssize_t disk_preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return preadv(fd, iov, cnt, off);
}

static ssize_t disk_pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return pwritev(fd, iov, cnt, off);
}

int disk_read(struct disk *d, const struct iovec *iov, int cnt, uint64_t off)
{
	return disk_xfer(d, disk_preadv, iov, cnt, off);
}

int disk_write(struct disk *d, const struct iovec *iov, int cnt, uint64_t off)
{
	if (d->readonly)
		return -EROFS;
	return disk_xfer(d, disk_pwritev, iov, cnt, off);
}

int disk_flush(struct disk *d)
{
	/* cache=unsafe: the user traded durability for speed. */
	if (d->cache == DRIVE_CACHE_UNSAFE || d->readonly)
		return 0;
	if (fdatasync(d->fd) < 0)
		return -errno;
	return 0;
}

bool disk_known_zero(struct disk *d, uint64_t off, uint64_t len)
{
	off_t data;

	if (d->is_blkdev || !len)
		return false;
	data = lseek(d->fd, (off_t)off, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO;	/* no data from off to the end */
	return (uint64_t)data >= off + len;
}

static bool disk_unsupported(int e)
{
	return e == EOPNOTSUPP || e == ENOTTY || e == ENOSYS || e == EINVAL;
}

int disk_discard(struct disk *d, uint64_t off, uint64_t len)
{
	if (d->readonly)
		return -EROFS;
	if (len == 0)
		return 0;
	if (d->is_blkdev) {
		uint64_t range[2] = { off, len };

		if (ioctl(d->fd, BLKDISCARD, range) < 0 &&
		    !disk_unsupported(errno))
			return -errno;
		return 0;
	}
	if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0 && !disk_unsupported(errno))
		return -errno;
	return 0;	/* discard is a hint: unsupported is fine */
}

/* Last resort: write zeroes from a static aligned page (O_DIRECT-safe). */
static int disk_write_zero_pages(struct disk *d, uint64_t off, uint64_t len)
{
	static const uint8_t zero[65536] __attribute__((aligned(4096)));

	while (len) {
		struct iovec iov = {
			.iov_base = (void *)zero,
			.iov_len = len < sizeof(zero) ? len : sizeof(zero),
		};
		int ret = disk_write(d, &iov, 1, off);

		if (ret)
			return ret;
		off += iov.iov_len;
		len -= iov.iov_len;
	}
	return 0;
}

int disk_write_zeroes(struct disk *d, uint64_t off, uint64_t len, bool unmap)
{
	if (d->readonly)
		return -EROFS;
	if (len == 0)
		return 0;
	if (d->is_blkdev) {
		uint64_t range[2] = { off, len };

		if (ioctl(d->fd, BLKZEROOUT, range) == 0)
			return 0;
		if (!disk_unsupported(errno))
			return -errno;
		return disk_write_zero_pages(d, off, len);
	}
	/* A punched hole reads as zeroes; ZERO_RANGE keeps the blocks. */
	if (unmap && fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       (off_t)off, (off_t)len) == 0)
		return 0;
	if (fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	if (!disk_unsupported(errno))
		return -errno;
	return disk_write_zero_pages(d, off, len);
}
