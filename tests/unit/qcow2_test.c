// SPDX-License-Identifier: MIT
/*
 * The qcow2 back-end against images qemu-img makes at test time: every
 * variant is read through devices/disk_image.h in odd-sized, scattered
 * pieces and compared with qemu-img's own raw conversion of it.  Then
 * hostile images (patched headers and tables) must give one clear error
 * or an I/O error, never a crash or a read outside the image.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/disk_image.h"
#include "devices/inflate.h"
#include "vmm/seccomp.h"
#include "tests/unit/unit_main.h"

#define TEST_ERR_MAX 256

static char dir[64];

/* Run a shell command in the test directory; it must succeed. */
__attribute__((format(printf, 1, 2)))
static void sh(const char *fmt, ...)
{
	char cmd[2048], full[2200];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd %s && (%s) >/dev/null 2>&1", dir, cmd);
	ret = system(full);
	ck_assert_msg(ret == 0, "command failed: %s", cmd);
}

static char *path_of(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void setup(void)
{
	strcpy(dir, "/tmp/minivmm-qcow2-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* 3 MiB of patterns: text, random, zeroes. */
	sh("head -c 1048576 /dev/zero | tr '\\0' 'q' > base.raw && "
	   "head -c 1048576 /dev/urandom >> base.raw && "
	   "head -c 1048576 /dev/zero >> base.raw");
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int open_img(const char *name, enum drive_format fmt,
		    struct disk_image **img, char err[TEST_ERR_MAX])
{
	struct drive_config cfg = {
		.path = path_of(name), .format = fmt, .readonly = true,
	};

	return disk_image_open(&cfg, img, err, TEST_ERR_MAX);
}

/*
 * Read all of name through the back-end, in pieces of varying size that
 * straddle clusters, each scattered over three buffers, and compare with
 * qemu-img's raw conversion.
 */
static void check_same_as_qemu(const char *name, enum drive_format fmt)
{
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img;
	uint8_t *ref, *got;
	size_t ref_len;
	uint64_t off = 0, step = 512;
	int ret;

	sh("qemu-img convert -O raw %s ref.raw", name);
	ref = slurp(path_of("ref.raw"), &ref_len);
	ret = open_img(name, fmt, &img, err);
	ck_assert_msg(ret == 0, "%s: %s", name, err);
	ck_assert_uint_eq(img->size, ref_len);
	got = malloc(ref_len);
	ck_assert_ptr_nonnull(got);
	memset(got, 0xee, ref_len);
	while (off < ref_len) {
		uint64_t len = step < ref_len - off ? step : ref_len - off;
		uint64_t a = len / 3 & ~0ull, b = len / 2;
		struct iovec iov[3] = {
			{ got + off, a },
			{ got + off + a, b - a },
			{ got + off + b, len - b },
		};

		ret = disk_image_readv(img, iov, 3, off);
		ck_assert_msg(ret == 0, "%s: read at %llu: %d", name,
			      (unsigned long long)off, ret);
		off += len;
		step = step * 3 % 1300000 + 512;
	}
	ck_assert_msg(memcmp(ref, got, ref_len) == 0, "%s differs from qemu-img",
		      name);
	disk_image_close(img);
	free(ref);
	free(got);
}

START_TEST(test_v2_and_v3_cluster_sizes)
{
	static const char *const variants[] = {
		"-o compat=0.10,cluster_size=65536",
		"-o compat=1.1,cluster_size=512",
		"-o compat=1.1,cluster_size=65536",
		"-o compat=1.1,cluster_size=2M",
		"-o compat=0.10,cluster_size=4096,refcount_bits=16",
		"-o compat=1.1,refcount_bits=64",
	};

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		sh("rm -f v.qcow2 && qemu-img convert -O qcow2 %s base.raw "
		   "v.qcow2", variants[i]);
		/* Sparse, then some data over it. */
		sh("qemu-io -f qcow2 -c 'write -P 0x5a 1000k 300k' "
		   "-c 'write -z 0 64k' v.qcow2");
		check_same_as_qemu("v.qcow2", DRIVE_FORMAT_QCOW2);
	}
}
END_TEST

START_TEST(test_compressed)
{
	sh("qemu-img convert -c -O qcow2 base.raw c.qcow2");
	check_same_as_qemu("c.qcow2", DRIVE_FORMAT_QCOW2);
	sh("qemu-img convert -c -O qcow2 -o cluster_size=512 base.raw c512.qcow2");
	check_same_as_qemu("c512.qcow2", DRIVE_FORMAT_QCOW2);
	sh("qemu-img convert -c -O qcow2 -o cluster_size=2M base.raw c2m.qcow2");
	check_same_as_qemu("c2m.qcow2", DRIVE_FORMAT_QCOW2);
}
END_TEST

/* Patch len bytes at off of a file. */
static void patch(const char *name, uint64_t off, const void *bytes,
		  size_t len)
{
	int fd = open(path_of(name), O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, bytes, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void patch_be32(const char *name, uint64_t off, uint32_t v)
{
	v = htobe32(v);
	patch(name, off, &v, 4);
}

static void patch_be64(const char *name, uint64_t off, uint64_t v)
{
	v = htobe64(v);
	patch(name, off, &v, 8);
}

static uint32_t read_be32(const char *name, uint64_t off)
{
	uint32_t v;
	int fd = open(path_of(name), O_RDONLY);

	ck_assert_int_eq(pread(fd, &v, 4, (off_t)off), 4);
	close(fd);
	return be32toh(v);
}

START_TEST(test_backing_chains)
{
	/* raw <- qcow2 (relative path) <- qcow2 <- qcow2, writes at each. */
	sh("mkdir sub && cp base.raw sub/golden.raw");
	sh("qemu-img create -f qcow2 -b golden.raw -F raw sub/l1.qcow2 4M");
	sh("qemu-io -f qcow2 -c 'write -P 0x11 0 100k' sub/l1.qcow2");
	sh("qemu-img create -f qcow2 -b l1.qcow2 -F qcow2 "
	   "-o cluster_size=4096 sub/l2.qcow2");
	sh("qemu-io -f qcow2 -c 'write -P 0x22 50k 1M' -c 'write -z 2M 8k' "
	   "sub/l2.qcow2");
	sh("qemu-img create -f qcow2 -b sub/l2.qcow2 -F qcow2 top.qcow2");
	sh("qemu-io -f qcow2 -c 'write -P 0x33 3M 1000k' top.qcow2");
	check_same_as_qemu("sub/l1.qcow2", DRIVE_FORMAT_QCOW2);
	check_same_as_qemu("top.qcow2", DRIVE_FORMAT_PROBE);
	/* A backing image shorter than its overlay reads as zeroes past it. */
	sh("qemu-img create -f qcow2 -b base.raw -F raw big.qcow2 8M");
	check_same_as_qemu("big.qcow2", DRIVE_FORMAT_QCOW2);
	/* No backing format extension: the backing file is probed. */
	sh("qemu-img create -f qcow2 -b sub/l1.qcow2 -F qcow2 nofmt.qcow2");
	ck_assert_uint_eq(read_be32("nofmt.qcow2", read_be32("nofmt.qcow2", 100)),
			  0xe2792acau);
	patch_be32("nofmt.qcow2", read_be32("nofmt.qcow2", 100), 0x12345678u);
	check_same_as_qemu("nofmt.qcow2", DRIVE_FORMAT_QCOW2);
}
END_TEST

START_TEST(test_probing)
{
	char err[TEST_ERR_MAX];
	struct disk_image *img;
	uint8_t head[4];
	struct iovec iov = { head, 4 };

	sh("qemu-img convert -O qcow2 base.raw p.qcow2");
	/* format=raw: the qcow2 header is just the guest's bytes. */
	ck_assert_int_eq(open_img("p.qcow2", DRIVE_FORMAT_RAW, &img, err), 0);
	ck_assert_str_eq(img->format, "raw");
	ck_assert_int_eq(disk_image_readv(img, &iov, 1, 0), 0);
	ck_assert(memcmp(head, "QFI\xfb", 4) == 0);
	disk_image_close(img);
	ck_assert_int_eq(open_img("p.qcow2", DRIVE_FORMAT_PROBE, &img, err), 0);
	ck_assert_str_eq(img->format, "qcow2");
	disk_image_close(img);
	ck_assert_int_eq(open_img("base.raw", DRIVE_FORMAT_PROBE, &img, err), 0);
	ck_assert_str_eq(img->format, "raw");
	disk_image_close(img);
	ck_assert_int_eq(open_img("base.raw", DRIVE_FORMAT_QCOW2, &img, err),
			 -EINVAL);
	ck_assert_msg(strstr(err, "no qcow2 header"), "%s", err);
}
END_TEST

static void expect_refused(const char *name, const char *words)
{
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img = NULL;
	int ret = open_img(name, DRIVE_FORMAT_QCOW2, &img, err);

	ck_assert_msg(ret < 0, "%s opened, expected '%s'", name, words);
	ck_assert_msg(strstr(err, words), "%s: '%s' lacks '%s'", name, err,
		      words);
	ck_assert_msg(!strchr(err, '\n'), "one line: %s", err);
}

/* A fresh 64 KiB-cluster v3 image with data in its first 4 MiB. */
static void fresh(const char *name)
{
	sh("rm -f %s && qemu-img create -f qcow2 %s 4M && "
	   "qemu-io -f qcow2 -c 'write -P 0x77 0 4M' %s", name, name, name);
}

START_TEST(test_hostile_headers)
{
	fresh("h.qcow2");
	patch_be32("h.qcow2", 4, 4);
	expect_refused("h.qcow2", "version 4");
	fresh("h.qcow2");
	patch_be32("h.qcow2", 20, 30);
	expect_refused("h.qcow2", "cluster_bits 30");
	fresh("h.qcow2");
	patch_be32("h.qcow2", 32, 1);
	expect_refused("h.qcow2", "encryption");
	/* An L1 table that would need terabytes of memory. */
	fresh("h.qcow2");
	patch_be32("h.qcow2", 36, 0xffffffffu);
	expect_refused("h.qcow2", "larger than 32 MiB");
	/* An L1 table past the end of the file. */
	fresh("h.qcow2");
	patch_be64("h.qcow2", 40, 1ull << 40);
	expect_refused("h.qcow2", "past the end");
	/* A size the L1 table cannot cover. */
	fresh("h.qcow2");
	patch_be64("h.qcow2", 24, 1ull << 50);
	expect_refused("h.qcow2", "too small");
	fresh("h.qcow2");
	patch_be64("h.qcow2", 72, 1ull << 1);
	expect_refused("h.qcow2", "marked corrupt");
	fresh("h.qcow2");
	patch_be64("h.qcow2", 72, 1ull << 20);
	expect_refused("h.qcow2", "incompatible feature bit 20");
	fresh("h.qcow2");
	patch_be32("h.qcow2", 100, 12345);
	expect_refused("h.qcow2", "header_length");
	sh("qemu-img create -f qcow2 -o extended_l2=on x.qcow2 4M");
	expect_refused("x.qcow2", "extended L2");
	sh("qemu-img create -f qcow2 -o data_file=x.data d.qcow2 4M");
	expect_refused("d.qcow2", "external data file");
}
END_TEST

START_TEST(test_hostile_backing)
{
	/* An image that is its own backing file. */
	sh("qemu-img create -f qcow2 loop.qcow2 4M && "
	   "qemu-img rebase -u -f qcow2 -b loop.qcow2 -F qcow2 loop.qcow2");
	expect_refused("loop.qcow2", "loop");
	/* Two images backing each other. */
	sh("qemu-img create -f qcow2 a.qcow2 4M && "
	   "qemu-img create -f qcow2 b.qcow2 4M && "
	   "qemu-img rebase -u -b b.qcow2 -F qcow2 a.qcow2 && "
	   "qemu-img rebase -u -b a.qcow2 -F qcow2 b.qcow2");
	expect_refused("a.qcow2", "loop");
	sh("qemu-img create -f qcow2 proc.qcow2 4M && "
	   "qemu-img rebase -u -b /proc/self/environ -F raw proc.qcow2");
	expect_refused("proc.qcow2", "/proc");
	sh("mkfifo fifo && qemu-img create -f qcow2 fifo.qcow2 4M && "
	   "qemu-img rebase -u -b fifo -F raw fifo.qcow2");
	expect_refused("fifo.qcow2", "not a regular file");
	sh("qemu-img create -f qcow2 vmdk.qcow2 4M && "
	   "qemu-img rebase -u -b base.raw -F vmdk vmdk.qcow2");
	expect_refused("vmdk.qcow2", "backing format 'vmdk'");
	/* A chain deeper than the limit. */
	sh("qemu-img create -f qcow2 d0.qcow2 4M && for i in $(seq 1 20); do "
	   "qemu-img create -f qcow2 -b d$((i-1)).qcow2 -F qcow2 d$i.qcow2; "
	   "done");
	expect_refused("d20.qcow2", "deeper than");
}
END_TEST

/* A read of the first cluster of the guest must fail with -EIO. */
static void expect_eio(const char *name)
{
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img;
	static uint8_t buf[65536];
	struct iovec iov = { buf, sizeof(buf) };

	ck_assert_msg(open_img(name, DRIVE_FORMAT_QCOW2, &img, err) == 0,
		      "%s", err);
	ck_assert_int_eq(disk_image_readv(img, &iov, 1, 0), -EIO);
	disk_image_close(img);
}

static uint64_t read_be64(const char *name, uint64_t off)
{
	uint64_t v;
	int fd = open(path_of(name), O_RDONLY);

	ck_assert_int_eq(pread(fd, &v, 8, (off_t)off), 8);
	close(fd);
	return be64toh(v);
}

START_TEST(test_hostile_tables)
{
	uint64_t l1, l2;

	/* An L2 table past the end of the file. */
	fresh("t.qcow2");
	l1 = read_be64("t.qcow2", 40);
	patch_be64("t.qcow2", l1, (1ull << 63) | (1ull << 40));
	expect_eio("t.qcow2");
	/* An L2 table that is not cluster-aligned. */
	fresh("t.qcow2");
	l1 = read_be64("t.qcow2", 40);
	patch_be64("t.qcow2", l1, read_be64("t.qcow2", l1) + 512);
	expect_eio("t.qcow2");
	/* A data cluster past the end of the file. */
	fresh("t.qcow2");
	l1 = read_be64("t.qcow2", 40);
	l2 = read_be64("t.qcow2", l1) & 0x00fffffffffffe00ull;
	patch_be64("t.qcow2", l2, (1ull << 63) | (1ull << 45));
	expect_eio("t.qcow2");
	/* A compressed cluster of garbage. */
	sh("qemu-img convert -c -O qcow2 base.raw z.qcow2");
	l1 = read_be64("z.qcow2", 40);
	l2 = read_be64("z.qcow2", l1) & 0x00fffffffffffe00ull;
	patch("z.qcow2", read_be64("z.qcow2", l2) & ((1ull << 54) - 1),
	      "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	expect_eio("z.qcow2");
}
END_TEST

START_TEST(test_inflate_errors)
{
	uint8_t out[64];
	/* A stored block of 5 bytes, final. */
	static const uint8_t stored[] = { 0x01, 0x05, 0x00, 0xfa, 0xff,
					  'h', 'e', 'l', 'l', 'o' };
	/* Fixed block: a back reference at distance 1 with nothing before. */
	static const uint8_t far[] = { 0x03, 0x02 };
	static const uint8_t reserved[] = { 0x07 };

	ck_assert_int_eq(inflate_raw(out, 5, stored, sizeof(stored)), INFLATE_OK);
	ck_assert(memcmp(out, "hello", 5) == 0);
	ck_assert_int_eq(inflate_raw(out, 3, stored, sizeof(stored)), INFLATE_OK);
	ck_assert_int_eq(inflate_raw(out, 6, stored, sizeof(stored)),
			 INFLATE_SHORT_OUTPUT);
	ck_assert_int_eq(inflate_raw(out, 5, stored, 7), INFLATE_SHORT_INPUT);
	ck_assert_int_eq(inflate_raw(out, 5, reserved, 1), INFLATE_BAD_DATA);
	ck_assert_int_lt(inflate_raw(out, 64, far, sizeof(far)), 0);
}
END_TEST

/* ---- writes ------------------------------------------------------------ */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

/*
 * Random writes (scattered over two buffers), write-zeroes and discards
 * into name, the same bytes into a raw reference; then qemu-img check
 * must find no error and no leak, and qemu-img compare no difference.
 */
static void write_and_referee(const char *name, unsigned int ops,
			      uint64_t max_len, bool discard_zeroes)
{
	/* cache=unsafe: no fdatasync barriers (the crash test has them). */
	struct drive_config cfg = { .path = path_of(name),
				    .format = DRIVE_FORMAT_QCOW2,
				    .cache = DRIVE_CACHE_UNSAFE };
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img;
	uint8_t *buf = malloc(max_len);
	int ref, ret;

	ck_assert_ptr_nonnull(buf);
	sh("qemu-img convert -O raw %s wref.raw", name);
	ref = open(path_of("wref.raw"), O_RDWR);
	ck_assert_int_ge(ref, 0);
	ret = disk_image_open(&cfg, &img, err, TEST_ERR_MAX);
	ck_assert_msg(ret == 0, "%s: %s", name, err);
	for (unsigned int i = 0; i < ops; i++) {
		uint64_t len = (rnd(max_len / 512) + 1) * 512;
		uint64_t off = rnd(img->size / 512) * 512;
		unsigned int what = (unsigned int)rnd(10);

		if (len > img->size - off)
			len = img->size - off;
		if (what < 7) {
			struct iovec iov[2] = { { buf, len / 3 },
						{ buf + len / 3, len - len / 3 } };

			memset(buf, (int)(i * 37 + 1), len);
			buf[0] = (uint8_t)i;
			ret = disk_image_writev(img, iov, 2, off);
			ck_assert_msg(ret == 0, "%s: write %llu+%llu: %d", name,
				      (unsigned long long)off,
				      (unsigned long long)len, ret);
			ck_assert_int_eq(pwrite(ref, buf, len, (off_t)off),
					 (ssize_t)len);
		} else if (what < 9 || !discard_zeroes) {
			ret = disk_image_write_zeroes(img, off, len, what == 8);
			ck_assert_int_eq(ret, 0);
			memset(buf, 0, len);
			ck_assert_int_eq(pwrite(ref, buf, len, (off_t)off),
					 (ssize_t)len);
		} else {
			ret = disk_image_discard(img, off, len);
			ck_assert_int_eq(ret, 0);
			/* Whole clusters read as zeroes now; the rest is as it
			 * was: take what the image says for the edges. */
			{
				struct iovec iov = { buf, len };

				ck_assert_int_eq(disk_image_readv(img, &iov, 1,
								  off), 0);
			}
			ck_assert_int_eq(pwrite(ref, buf, len, (off_t)off),
					 (ssize_t)len);
		}
	}
	ck_assert_int_eq(disk_image_flush(img), 0);
	disk_image_close(img);
	close(ref);
	free(buf);
	sh("qemu-img check -f qcow2 %s", name);
	sh("qemu-img compare -f qcow2 -F raw %s wref.raw", name);
}

START_TEST(test_writes)
{
	static const char *const variants[] = {
		"-o compat=0.10,cluster_size=65536",
		"-o compat=1.1,cluster_size=512",
		"-o compat=1.1,cluster_size=2M",
		"-o compat=1.1,refcount_bits=1,cluster_size=4096",
		"-o compat=1.1,refcount_bits=64",
	};

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		sh("rm -f w.qcow2 && qemu-img create -f qcow2 %s w.qcow2 3M",
		   variants[i]);
		write_and_referee("w.qcow2", 200, 200000, true);
		/* Again on the now-populated image (in-place writes). */
		write_and_referee("w.qcow2", 100, 200000, true);
	}
}
END_TEST

START_TEST(test_writes_over_backing_and_compressed)
{
	sh("qemu-img convert -c -O qcow2 base.raw zc.qcow2");
	write_and_referee("zc.qcow2", 150, 300000, true);
	sh("sha256sum base.raw > sum");
	sh("qemu-img create -f qcow2 -b base.raw -F raw ov3.qcow2");
	write_and_referee("ov3.qcow2", 200, 300000, true);
	sh("qemu-img create -f qcow2 -o compat=0.10 -b base.raw -F raw "
	   "ov2.qcow2");
	write_and_referee("ov2.qcow2", 200, 300000, false);
	sh("qemu-img create -f qcow2 -o cluster_size=512 -b ov3.qcow2 "
	   "-F qcow2 ov4.qcow2");
	write_and_referee("ov4.qcow2", 200, 100000, true);
	/* The backing files were opened read-only and are unchanged. */
	sh("sha256sum -c sum");
}
END_TEST

/*
 * Over a sparse backing file, a partial write into a cluster whose old
 * contents are a hole writes only its own bytes (no copy); the rest of
 * the new cluster must still read as zeroes, through a qcow2 link of the
 * chain too, and the data clusters beside the holes must still be copied.
 */
START_TEST(test_writes_over_holes)
{
	sh("cp base.raw holes.raw && truncate -s 5M holes.raw && "
	   "fallocate -p -o 2097152 -l 1048576 holes.raw && "
	   "sha256sum holes.raw > sum");
	sh("qemu-img create -f qcow2 -b holes.raw -F raw oh.qcow2");
	write_and_referee("oh.qcow2", 300, 100000, true);
	sh("qemu-img create -f qcow2 -b holes.raw -F raw oh0.qcow2 && "
	   "qemu-img create -f qcow2 -o cluster_size=4096 -b oh0.qcow2 "
	   "-F qcow2 oh1.qcow2");
	write_and_referee("oh1.qcow2", 300, 20000, true);
	sh("sha256sum -c sum");
	/* Read a new cluster's zero tail before any flush (the file does
	 * not reach it yet under cache=writeback). */
	{
		struct drive_config cfg = { .path = path_of("oh2.qcow2"),
					    .format = DRIVE_FORMAT_QCOW2 };
		static uint8_t buf[4096], got[65536];
		struct iovec w = { buf, sizeof(buf) }, r = { got, sizeof(got) };
		char err[TEST_ERR_MAX] = "";
		struct disk_image *img;

		sh("qemu-img create -f qcow2 -b holes.raw -F raw oh2.qcow2");
		ck_assert_int_eq(disk_image_open(&cfg, &img, err,
						 TEST_ERR_MAX), 0);
		memset(buf, 0xa5, sizeof(buf));
		ck_assert_int_eq(disk_image_writev(img, &w, 1, 4194304 + 512), 0);
		ck_assert_int_eq(disk_image_readv(img, &r, 1, 4194304), 0);
		for (size_t i = 0; i < sizeof(got); i++)
			ck_assert_uint_eq(got[i], i >= 512 && i < 4608 ?
					  0xa5 : 0);
		disk_image_close(img);
		sh("qemu-img check oh2.qcow2");
	}
}
END_TEST

/*
 * A partial write into a new cluster goes out in one pwritev: the old
 * bytes around it from the copy, the guest's buffers as they are.  With
 * as many buffers as a writev takes (no room for the two old pieces) the
 * copy takes them in instead; either way the cluster reads back right.
 */
START_TEST(test_cow_many_buffers)
{
	struct drive_config cfg = { .path = path_of("om.qcow2"),
				    .format = DRIVE_FORMAT_QCOW2 };
	static struct iovec iov[IOV_MAX];
	static uint8_t buf[IOV_MAX * 8], got[65536];
	struct iovec r = { got, sizeof(got) };
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img;

	sh("qemu-img create -f qcow2 -b base.raw -F raw om.qcow2");
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	for (int i = 0; i < IOV_MAX; i++) {
		memset(buf + i * 8, 'a' + i % 26, 8);
		iov[i] = (struct iovec){ buf + i * 8, 8 };
	}
	/* 'q' below (base.raw's first MiB): in cluster 1 and cluster 2. */
	ck_assert_int_eq(disk_image_writev(img, iov, IOV_MAX, 65536 + 512), 0);
	ck_assert_int_eq(disk_image_writev(img, iov, 3, 131072 + 4096), 0);
	ck_assert_int_eq(disk_image_readv(img, &r, 1, 65536), 0);
	for (size_t i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], i >= 512 && i < 512 + sizeof(buf) ?
				  buf[i - 512] : 'q');
	ck_assert_int_eq(disk_image_readv(img, &r, 1, 131072), 0);
	for (size_t i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], i >= 4096 && i < 4096 + 24 ?
				  buf[i - 4096] : 'q');
	ck_assert_int_eq(disk_image_flush(img), 0);
	disk_image_close(img);
	sh("qemu-img check om.qcow2");
	sh("qemu-img convert -O raw om.qcow2 om.raw && "
	   "cmp -n 65536 base.raw om.raw");
}
END_TEST

START_TEST(test_write_refusals)
{
	struct drive_config cfg = { .format = DRIVE_FORMAT_QCOW2 };
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img;

	sh("qemu-img create -f qcow2 s.qcow2 4M && qemu-img snapshot -c s1 "
	   "s.qcow2");
	cfg.path = path_of("s.qcow2");
	ck_assert_int_lt(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	ck_assert_msg(strstr(err, "internal snapshots"), "%s", err);
	cfg.readonly = true;
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	disk_image_close(img);
}
END_TEST

/* The bytes the crash test writes at off: recognisable per position. */
static void crash_pattern(uint8_t *buf, uint64_t off, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v = (off + i) * 0x9e3779b97f4a7c15ull;

		memcpy(buf + i, &v, 8);
	}
}

/*
 * A child writes non-overlapping chunks into an overlay (cache=writeback,
 * so with fdatasync barriers), flushing after each and reporting the
 * flushed chunk on a pipe; it is SIGKILLed at a random moment.  Then
 * qemu-img check must find no corruption (leaks are allowed), and every
 * reported chunk must read back.
 */
static unsigned long crash_records;

static void crash_once(unsigned int round)
{
	struct drive_config cfg = { .path = path_of("crash.qcow2"),
				    .format = DRIVE_FORMAT_QCOW2,
				    .cache = DRIVE_CACHE_WRITEBACK };
	static uint8_t buf[131072], got[131072];
	char err[TEST_ERR_MAX];
	struct disk_image *img;
	uint64_t rec[2];
	int pfd[2], status, ret;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint64_t off = rnd(1 << 20) * 512;

		close(pfd[0]);
		rnd_state += round;
		if (disk_image_open(&cfg, &img, err, TEST_ERR_MAX))
			_exit(2);
		for (;;) {
			uint64_t len = (rnd(256) + 1) * 512;
			struct iovec iov = { buf, len };

			if (off + len > img->size)
				off = 0;	/* the parent kills us first */
			crash_pattern(buf, off, len);
			if (disk_image_writev(img, &iov, 1, off) ||
			    disk_image_flush(img))
				_exit(3);
			rec[0] = off;
			rec[1] = len;
			if (write(pfd[1], rec, sizeof(rec)) != sizeof(rec))
				_exit(4);
			off += len + rnd(64) * 512;
		}
	}
	close(pfd[1]);
	usleep((useconds_t)(20000 + rnd(200000)));
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status), "writer died early: %d", status);
	/* qemu-img check: 0 clean, 3 leaked clusters only; 2 corruption. */
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "qemu-img check -f qcow2 %s "
			 ">/dev/null 2>&1", path_of("crash.qcow2"));
		ret = system(cmd);
		ck_assert_msg(WIFEXITED(ret) && (WEXITSTATUS(ret) == 0 ||
						 WEXITSTATUS(ret) == 3),
			      "round %u: qemu-img check says %d", round,
			      WEXITSTATUS(ret));
	}
	cfg.readonly = true;
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	while (read(pfd[0], rec, sizeof(rec)) == sizeof(rec)) {
		struct iovec iov = { got, rec[1] };

		crash_records++;
		crash_pattern(buf, rec[0], rec[1]);
		ck_assert_int_eq(disk_image_readv(img, &iov, 1, rec[0]), 0);
		ck_assert_msg(memcmp(buf, got, rec[1]) == 0,
			      "round %u: flushed write at %llu lost", round,
			      (unsigned long long)rec[0]);
	}
	disk_image_close(img);
	close(pfd[0]);
}

START_TEST(test_crash_consistency)
{
	sh("qemu-img create -f qcow2 -o cluster_size=4096 -b base.raw -F raw "
	   "crash.qcow2 64M");
	for (unsigned int round = 0; round < 12; round++)
		crash_once(round);
	sh("qemu-img create -f qcow2 -o cluster_size=512 crash512.qcow2 64M && "
	   "mv crash512.qcow2 crash.qcow2");
	for (unsigned int round = 0; round < 6; round++)
		crash_once(100 + round);
	/* The kills landed in a stream of writes, not before it. */
	fprintf(stderr, "crash test: %lu flushed writes checked\n",
		crash_records);
	ck_assert_uint_ge(crash_records, 20);
}
END_TEST

START_TEST(test_snapshot_on)
{
	static const char *const images[] = { "snap.raw", "snap.qcow2" };
	static uint8_t buf[200000], got[200000];

	sh("cp base.raw snap.raw && qemu-img convert -O qcow2 base.raw "
	   "snap.qcow2 && mkdir tmp && sha256sum snap.raw snap.qcow2 > sum");
	setenv("TMPDIR", path_of("tmp"), 1);
	for (int i = 0; i < 2; i++) {
		struct drive_config cfg = { .path = path_of(images[i]),
					    .snapshot = true,
					    .format = i ? DRIVE_FORMAT_QCOW2 :
							  DRIVE_FORMAT_RAW };
		char err[TEST_ERR_MAX] = "";
		struct disk_image *img;
		struct iovec iov = { buf, sizeof(buf) };
		struct iovec back = { got, sizeof(got) };

		ck_assert_msg(disk_image_open(&cfg, &img, err, TEST_ERR_MAX) == 0, "%s", err);
		ck_assert_str_eq(img->format, "qcow2");
		ck_assert_uint_eq(img->size, 3 << 20);
		memset(buf, 0x42, sizeof(buf));
		ck_assert_int_eq(disk_image_writev(img, &iov, 1, 1000448), 0);
		ck_assert_int_eq(disk_image_discard(img, 0, 65536), 0);
		ck_assert_int_eq(disk_image_readv(img, &back, 1, 1000448), 0);
		ck_assert(memcmp(buf, got, sizeof(buf)) == 0);
		/* The image is locked for reading: no writer may come. */
		sh("! qemu-io -f %s -c 'write 0 512' %s", i ? "qcow2" : "raw",
		   images[i]);
		/* The overlay has no name anywhere. */
		sh("test -z \"$(ls -A tmp)\"");
		disk_image_close(img);
	}
	unsetenv("TMPDIR");
	sh("sha256sum -c sum");
}
END_TEST

START_TEST(test_qemu_locks)
{
	struct drive_config cfg = { .path = path_of("lk.qcow2"),
				    .format = DRIVE_FORMAT_QCOW2 };
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img, *img2;

	sh("qemu-img create -f qcow2 lk.qcow2 4M && cp base.raw lk.raw");
	/* minivmm writes: qemu-img refuses without -U, reads with it. */
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	sh("! qemu-img info lk.qcow2");
	sh("! qemu-img check lk.qcow2");
	sh("qemu-img info -U lk.qcow2");
	/* And a second minivmm, writer or reader, is refused. */
	ck_assert_int_eq(disk_image_open(&cfg, &img2, err, TEST_ERR_MAX), -EBUSY);
	ck_assert_msg(strstr(err, "in use by another process"), "%s", err);
	cfg.readonly = true;
	ck_assert_int_eq(disk_image_open(&cfg, &img2, err, TEST_ERR_MAX), -EBUSY);
	disk_image_close(img);
	/* Readers share; a reader keeps QEMU's writers out, not readers. */
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	ck_assert_int_eq(disk_image_open(&cfg, &img2, err, TEST_ERR_MAX), 0);
	sh("qemu-img info lk.qcow2");
	sh("! qemu-io -f qcow2 -c 'write 0 512' lk.qcow2");
	disk_image_close(img);
	disk_image_close(img2);
	sh("qemu-io -f qcow2 -c 'write 0 512' lk.qcow2");
	/* QEMU writes (qemu-io waiting): minivmm refuses, raw and qcow2. */
	sh("qemu-io -f raw -c 'sleep 60000' lk.raw & echo $! > q.pids; "
	   "qemu-io -f qcow2 -c 'sleep 60000' lk.qcow2 & echo $! >> q.pids");
	/* Their read+write permission bytes (100-101) show in /proc/locks. */
	sh("for i in $(seq 300); do "
	   "[ $(grep -cE \":($(stat -c %%i lk.raw)|$(stat -c %%i lk.qcow2)) "
	   "100 101\" /proc/locks) -ge 2 ] && exit 0; sleep 0.1; done; "
	   "exit 1");
	cfg.readonly = false;
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), -EBUSY);
	cfg.path = path_of("lk.raw");
	cfg.format = DRIVE_FORMAT_RAW;
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), -EBUSY);
	cfg.readonly = true;
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), -EBUSY);
	sh("kill $(cat q.pids); for i in $(seq 300); do "
	   "grep -q \":$(stat -c %%i lk.raw) 100 101\" /proc/locks || "
	   "exit 0; sleep 0.1; done; exit 1");
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	disk_image_close(img);
}
END_TEST

/*
 * The back-end's work on the I/O thread stays inside that thread's
 * seccomp allowlist: compressed reads, copy-on-write, refcount blocks
 * and a growing refcount table (512 B clusters), discard, write-zeroes,
 * flush.  A forbidden system call would kill the child.
 */
START_TEST(test_io_thread_seccomp)
{
	struct drive_config cfg = { .path = path_of("sc.qcow2"),
				    .format = DRIVE_FORMAT_QCOW2,
				    .cache = DRIVE_CACHE_WRITEBACK };
	struct drive_config ov_cfg = { .path = path_of("scov.qcow2"),
				       .format = DRIVE_FORMAT_QCOW2,
				       .cache = DRIVE_CACHE_WRITEBACK };
	char err[TEST_ERR_MAX] = "";
	struct disk_image *img, *ov;
	int status;
	pid_t pid;

	sh("qemu-img convert -c -O qcow2 -o cluster_size=512 base.raw sc.qcow2");
	ck_assert_int_eq(disk_image_open(&cfg, &img, err, TEST_ERR_MAX), 0);
	sh("truncate -s 4M sparse.raw && qemu-img create -f qcow2 -b sparse.raw "
	   "-F raw scov.qcow2");
	ck_assert_int_eq(disk_image_open(&ov_cfg, &ov, err, TEST_ERR_MAX), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static uint8_t buf[65536];
		struct iovec iov = { buf, sizeof(buf) };

		if (seccomp_install(SECCOMP_THREAD_IO, err, sizeof(err)))
			_exit(50);
		for (uint64_t off = 0; off < img->size; off += sizeof(buf)) {
			if (disk_image_readv(img, &iov, 1, off))
				_exit(51);
			buf[7] ^= 0xff;
			if (disk_image_writev(img, &iov, 1, off))
				_exit(52);
		}
		if (disk_image_discard(img, 0, 1 << 20) ||
		    disk_image_write_zeroes(img, 1 << 20, 1 << 20, false) ||
		    disk_image_flush(img))
			_exit(53);
		/* Partial writes over a backing file's holes (lseek,
		 * ftruncate), then the deferred entries written. */
		iov.iov_len = 4096;
		for (uint64_t off = 4096; off < ov->size; off += 69632)
			if (disk_image_writev(ov, &iov, 1, off))
				_exit(54);
		if (disk_image_settle(ov) || disk_image_flush(ov))
			_exit(55);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %#x", status);
	disk_image_close(img);
	disk_image_close(ov);
	sh("qemu-img check sc.qcow2 && qemu-img check scov.qcow2");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qcow2");
	TCase *tc = tcase_create("qcow2");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v2_and_v3_cluster_sizes);
	tcase_add_test(tc, test_compressed);
	tcase_add_test(tc, test_backing_chains);
	tcase_add_test(tc, test_probing);
	tcase_add_test(tc, test_hostile_headers);
	tcase_add_test(tc, test_hostile_backing);
	tcase_add_test(tc, test_hostile_tables);
	tcase_add_test(tc, test_inflate_errors);
	tcase_add_test(tc, test_writes);
	tcase_add_test(tc, test_writes_over_backing_and_compressed);
	tcase_add_test(tc, test_writes_over_holes);
	tcase_add_test(tc, test_cow_many_buffers);
	tcase_add_test(tc, test_write_refusals);
	tcase_add_test(tc, test_crash_consistency);
	tcase_add_test(tc, test_snapshot_on);
	tcase_add_test(tc, test_qemu_locks);
	tcase_add_test(tc, test_io_thread_seccomp);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
