// SPDX-License-Identifier: MIT
/*
 * bench_disk_format: the disk-format layer's own cost, without KVM.
 *
 *	bench_disk_format [-w] [-n N] [-s STEP] [-f raw|qcow2] IMAGE
 *	bench_disk_format -c OUT [-n N] [-s STEP] FILE
 *
 * Opens IMAGE through devices/disk_image.c exactly as virtio-blk does
 * (cache=writeback, discard=unmap, the backing chain included) and sends
 * N requests of 4 KiB, one at a time, the way virtio-blk's I/O thread
 * calls the back-end: request i reads (or with -w writes) block
 * i * STEP mod (size / 4096), STEP 40503 by default, the scattered
 * order of the benchmark guest (bench/guest/bench_blk.c).  The image is
 * opened for writing, as a -drive without readonly=on is, and ends with
 * the flush and close virtio-blk does when the VM stops.
 *
 * -c is the floor of an allocating write into a qcow2 overlay with 64 KiB
 * clusters, without any image format: request i reads the 64 KiB-aligned
 * 64 KiB of FILE around block i * STEP and writes it at i * 64 KiB of OUT
 * (a new file; the caller removes it before each run), then one
 * fdatasync of OUT: the copy on write's own reads, writes and block
 * allocation, nothing else.
 *
 * The caller measures the process (bench/format_cost.py: wait4's rusage,
 * minus a run with N = 0); this program only does the work and prints
 * one line, "disk_format op=read format=qcow2 n=N bytes=B size=S", or one
 * error line and exit status 1 (2 for bad usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/disk.h"
#include "devices/disk_image.h"

#define BLOCK_BYTES		4096u
#define DEFAULT_STEP		40503u
#define DEFAULT_REQUESTS	1000ul
#define COPY_BYTES		65536u	/* -c: one qcow2 cluster */

struct options {
	const char *path;
	const char *copy_to;		/* -c OUT */
	enum drive_format format;
	unsigned long requests;
	uint64_t step;
	int write;
};

static int usage(void)
{
	fprintf(stderr, "usage: bench_disk_format [-w] [-n N] [-s STEP] "
		"[-f raw|qcow2] IMAGE\n"
		"       bench_disk_format -c OUT [-n N] [-s STEP] FILE\n");
	return 2;
}

static int parse_number(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || !*s || *end || s[0] == '-' ? -1 : 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	uint64_t v;
	int c;

	o->format = DRIVE_FORMAT_PROBE;
	o->requests = DEFAULT_REQUESTS;
	o->step = DEFAULT_STEP;
	while ((c = getopt(argc, argv, "wn:s:f:c:")) != -1) {
		switch (c) {
		case 'c':
			o->copy_to = optarg;
			break;
		case 'w':
			o->write = 1;
			break;
		case 'n':
			if (parse_number(optarg, &v) || v > 1ul << 30)
				return -1;
			o->requests = (unsigned long)v;
			break;
		case 's':
			if (parse_number(optarg, &v) || !v)
				return -1;
			o->step = v;
			break;
		case 'f':
			if (!strcmp(optarg, "raw"))
				o->format = DRIVE_FORMAT_RAW;
			else if (!strcmp(optarg, "qcow2"))
				o->format = DRIVE_FORMAT_QCOW2;
			else
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1 || (o->copy_to && (o->write || o->format)))
		return -1;
	o->path = argv[optind];
	return 0;
}

/* The requests, one at a time, as virtio-blk's I/O thread sends them. */
static int run_requests(struct disk_image *img, const struct options *o,
			uint8_t *buf)
{
	uint64_t blocks = img->size / BLOCK_BYTES;
	struct iovec iov = { .iov_base = buf, .iov_len = BLOCK_BYTES };

	for (unsigned long i = 0; i < o->requests; i++) {
		uint64_t off = (i * o->step % blocks) * BLOCK_BYTES;
		int ret;

		if (o->write) {
			buf[0] = (uint8_t)i;	/* every block its own bytes */
			ret = disk_image_writev(img, &iov, 1, off);
		} else {
			ret = disk_image_readv(img, &iov, 1, off);
		}
		if (ret) {
			fprintf(stderr, "bench_disk_format: %s at %llu: %s\n",
				o->write ? "write" : "read",
				(unsigned long long)off, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/* -c: the copy on write's I/O alone (see the top of the file). */
static int run_copy_floor(const struct options *o)
{
	static uint8_t buf[COPY_BYTES] __attribute__((aligned(4096)));
	int in = open(o->path, O_RDONLY | O_CLOEXEC), out = -1;
	uint64_t clusters = 0;
	struct stat st;
	int ret = -1;

	if (in >= 0 && !fstat(in, &st))
		clusters = (uint64_t)st.st_size / COPY_BYTES;
	if (in >= 0 && clusters)
		out = open(o->copy_to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			   0600);
	if (out < 0) {
		fprintf(stderr, "bench_disk_format: %s: %s\n",
			in < 0 || !clusters ? o->path : o->copy_to,
			clusters || in < 0 ? strerror(errno) :
			"smaller than 64 KiB");
		goto out;
	}
	for (unsigned long i = 0; i < o->requests; i++) {
		uint64_t block = i * o->step % (clusters * (COPY_BYTES / BLOCK_BYTES));
		off_t from = (off_t)(block * BLOCK_BYTES / COPY_BYTES * COPY_BYTES);

		if (pread(in, buf, COPY_BYTES, from) != COPY_BYTES ||
		    pwrite(out, buf, COPY_BYTES, (off_t)(i * COPY_BYTES)) !=
		    COPY_BYTES) {
			fprintf(stderr, "bench_disk_format: copy %lu: %s\n", i,
				strerror(errno ? errno : EIO));
			goto out;
		}
	}
	if (fdatasync(out)) {
		fprintf(stderr, "bench_disk_format: fdatasync: %s\n",
			strerror(errno));
		goto out;
	}
	printf("disk_format op=copy format=none n=%lu bytes=%u size=%llu\n",
	       o->requests, COPY_BYTES, (unsigned long long)st.st_size);
	ret = 0;
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct drive_config cfg = { 0 };
	struct disk_image *img;
	char err[512];
	uint8_t *buf;
	int ret;

	if (parse_options(argc, argv, &o))
		return usage();
	if (o.copy_to)
		return run_copy_floor(&o) ? 1 : 0;
	cfg.path = o.path;
	cfg.format = o.format;
	cfg.cache = DRIVE_CACHE_WRITEBACK;
	cfg.discard = DRIVE_DISCARD_UNMAP;
	if (disk_image_open(&cfg, &img, err, sizeof(err))) {
		fprintf(stderr, "bench_disk_format: %s\n", err);
		return 1;
	}
	if (img->size < BLOCK_BYTES) {
		fprintf(stderr, "bench_disk_format: %s: smaller than 4 KiB\n",
			o.path);
		disk_image_close(img);
		return 1;
	}
	/* Guest memory is page-aligned; so is this buffer. */
	if (posix_memalign((void **)&buf, 4096, BLOCK_BYTES)) {
		fprintf(stderr, "bench_disk_format: out of memory\n");
		disk_image_close(img);
		return 1;
	}
	memset(buf, 0x5a, BLOCK_BYTES);
	ret = run_requests(img, &o, buf);
	/* virtio-blk flushes when the VM stops, after reads too. */
	if (!ret && disk_image_flush(img)) {
		fprintf(stderr, "bench_disk_format: flush failed\n");
		ret = -1;
	}
	if (!ret)
		printf("disk_format op=%s format=%s n=%lu bytes=%u size=%llu\n",
		       o.write ? "write" : "read", img->format, o.requests,
		       BLOCK_BYTES, (unsigned long long)img->size);
	disk_image_close(img);
	free(buf);
	return ret ? 1 : 0;
}
