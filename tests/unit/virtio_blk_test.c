// SPDX-License-Identifier: MIT
/*
 * virtio-blk end to end without KVM: a tiny driver in the test brings the
 * device up through its MMIO registers, posts requests in malloc'd "guest
 * memory", kicks the queue and waits for the I/O thread to complete them
 * against a temporary image file.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "vmm/bus.h"
#include "tests/lib/fake_virtio.h"
#include "tests/unit/unit_main.h"

#define RAM_SIZE	0x100000ull
#define QSIZE		16
#define DESC_GPA	0x1000ull
#define AVAIL_GPA	0x2000ull
#define USED_GPA	0x3000ull
#define IND_GPA		0x4000ull
#define HDR_GPA		0x5000ull
#define STATUS_GPA	0x5800ull
#define DATA_GPA	0x10000ull
#define DATA2_GPA	0x40000ull
#define SLOT		1
#define BASE		(LAYOUT_VIRTIO_MMIO_BASE + SLOT * LAYOUT_VIRTIO_MMIO_SIZE)
#define IMG_SIZE	(1024 * 1024 + 100)	/* not a multiple of 512 */

static struct fake_virtio_host host;
static struct fake_vq vq;
static struct virtio_blk *blk;
static char img[64];

static void *g(uint64_t gpa)
{
	return fake_virtio_gpa(&host, gpa);
}

static uint32_t rd(uint64_t off)
{
	return fake_virtio_rd(&host, off);
}

static void wr(uint64_t off, uint32_t v)
{
	fake_virtio_wr(&host, off, v);
}

/* Offset of a field in the device's config space. */
#define CFG(field) offsetof(struct virtio_blk_config, field)

static uint64_t cfg64(unsigned int off)
{
	uint64_t v = 0;

	bus_read(&host.bus, BASE + VIRTIO_MMIO_CONFIG + off, &v, 8);
	return v;
}

static uint32_t cfg32(unsigned int off)
{
	uint32_t v = 0;

	bus_read(&host.bus, BASE + VIRTIO_MMIO_CONFIG + off, &v, 4);
	return v;
}

static uint64_t device_features(void)
{
	return fake_virtio_device_features(&host);
}

/* The Linux order: reset, ACK, DRIVER, features, FEATURES_OK, queue, OK. */
static void driver_init_masked(uint64_t drop)
{
	uint64_t f = device_features() & ~drop;

	wr(VIRTIO_MMIO_STATUS, 0);	/* first stop the device, then */
	memset(g(DESC_GPA), 0, 0x4000);	/* clear the rings it used */
	ck_assert_uint_eq(fake_virtio_negotiate(&host, f),
			  FAKE_VIRTIO_STATUS_FEATURES_OK);
	fake_vq_setup(&vq, &host, 0, QSIZE, DESC_GPA, AVAIL_GPA, USED_GPA);
	ck_assert_uint_eq(fake_virtio_driver_ok(&host), FAKE_VIRTIO_STATUS_LIVE);
}

static void driver_init(void)
{
	driver_init_masked(0);
}

static void make_image(void)
{
	int fd;

	strcpy(img, "/tmp/mvt-blk-XXXXXX");
	fd = mkstemp(img);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, IMG_SIZE), 0);
	/* A recognisable pattern: byte i of sector s = s + i. */
	for (unsigned int s = 0; s < IMG_SIZE / 512; s++) {
		uint8_t sec[512];

		for (unsigned int i = 0; i < 512; i++)
			sec[i] = (uint8_t)(s + i);
		ck_assert_int_eq(pwrite(fd, sec, 512, s * 512), 512);
	}
	close(fd);
}

static void start_blk(const struct drive_config *dc)
{
	char err[256] = "";

	ck_assert_msg(virtio_blk_create(&blk, &host.ops, &host.mem, FAKE_WINDOW(SLOT), dc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(virtio_blk_start(blk, NULL), 0);
	driver_init();
}

static void setup_with(bool readonly, enum drive_cache cache)
{
	struct drive_config dc = { .readonly = readonly, .cache = cache,
				   .serial = "disk-serial-1" };

	fake_virtio_host_init(&host, RAM_SIZE, SLOT);
	make_image();
	dc.path = img;
	start_blk(&dc);
}

static void setup(void)
{
	setup_with(false, DRIVE_CACHE_WRITEBACK);
}

static void setup_ro(void)
{
	setup_with(true, DRIVE_CACHE_WRITEBACK);
}

static void setup_direct(void)
{
	setup_with(false, DRIVE_CACHE_NONE);
}

/* cache=writethrough, discard=ignore */
static void setup_writethrough(void)
{
	struct drive_config dc = { .cache = DRIVE_CACHE_WRITETHROUGH,
				   .discard = DRIVE_DISCARD_IGNORE };

	fake_virtio_host_init(&host, RAM_SIZE, SLOT);
	make_image();
	dc.path = img;
	start_blk(&dc);
}

static void teardown(void)
{
	virtio_blk_destroy(blk);
	blk = NULL;
	unlink(img);
	fake_virtio_host_free(&host);
}

static void set_desc(uint64_t table, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = (struct vring_desc *)g(table) + i;

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static void post(uint16_t head)
{
	fake_vq_post(&vq, head);
}

/* Kick, then wait (bounded) for n more used entries. */
static bool kick_and_wait(unsigned int n)
{
	fake_vq_kick(&vq);
	return fake_vq_wait_used(&vq, n, 5000);
}

static uint32_t last_used_len(void)
{
	return fake_vq_last_used_len(&vq);
}

static void set_hdr(uint64_t gpa, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr *h = g(gpa);

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
}

/* header / data / status chain with descriptors 0, 1, 2. */
static uint8_t request(uint32_t type, uint64_t sector, uint64_t data_gpa,
		       uint32_t len, uint32_t *used_len)
{
	bool dev_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;

	set_hdr(HDR_GPA, type, sector);
	*(uint8_t *)g(STATUS_GPA) = 0xee;
	set_desc(DESC_GPA, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	if (len) {
		set_desc(DESC_GPA, 1, data_gpa, len, VRING_DESC_F_NEXT |
			 (dev_writes ? VRING_DESC_F_WRITE : 0), 2);
		set_desc(DESC_GPA, 2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	} else {
		set_desc(DESC_GPA, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 2);
		set_desc(DESC_GPA, 2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	}
	post(0);
	ck_assert(kick_and_wait(1));
	if (used_len)
		*used_len = last_used_len();
	return *(uint8_t *)g(STATUS_GPA);
}

static void file_read(uint64_t off, void *buf, size_t len)
{
	int fd = open(img, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

START_TEST(test_config_and_features)
{
	uint64_t f = device_features();

	/* 1 MiB + 100 bytes: rounded down to 2048 sectors. */
	ck_assert_uint_eq(cfg64(CFG(capacity)), 2048);
	ck_assert_uint_eq(cfg32(CFG(size_max)), VIRTIO_BLK_SIZE_MAX);
	ck_assert_uint_eq(cfg32(CFG(seg_max)), VIRTIO_BLK_SEG_MAX);
	ck_assert_uint_eq(cfg32(CFG(blk_size)), 512);
	ck_assert_uint_eq(cfg32(CFG(max_discard_seg)), VIRTIO_BLK_MAX_DISCARD_SEG);
	/* The guest sees the fields up to write_zeroes_may_unmap. */
	ck_assert_uint_eq(VIRTIO_BLK_CONFIG_SIZE, 60);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	ck_assert(f & (1ull << VIRTIO_BLK_F_FLUSH));
	ck_assert(f & (1ull << VIRTIO_BLK_F_SEG_MAX));
	ck_assert(f & (1ull << VIRTIO_BLK_F_SIZE_MAX));
	ck_assert(f & (1ull << VIRTIO_BLK_F_BLK_SIZE));
	ck_assert(f & (1ull << VIRTIO_BLK_F_DISCARD));
	ck_assert(f & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	ck_assert(!(f & (1ull << VIRTIO_BLK_F_RO)));
	ck_assert(f & (1ull << VIRTIO_F_VERSION_1));
}
END_TEST

START_TEST(test_write_read_roundtrip)
{
	uint8_t *data = g(DATA_GPA), back[4096];
	uint32_t ul;

	for (int i = 0; i < 4096; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 8, DATA_GPA, 4096, &ul),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ul, 1);
	file_read(8 * 512, back, 4096);
	ck_assert_int_eq(memcmp(back, data, 4096), 0);

	memset(g(DATA2_GPA), 0, 4096);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 8, DATA2_GPA, 4096, &ul),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ul, 4097);
	ck_assert_int_eq(memcmp(g(DATA2_GPA), data, 4096), 0);
	/* Untouched sectors keep the pattern. */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 2047, DATA2_GPA, 512, &ul),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(((uint8_t *)g(DATA2_GPA))[5], (uint8_t)(2047 + 5));
}
END_TEST

START_TEST(test_indirect_multi_segment)
{
	uint8_t expect[1536];

	/* Header, three 512-byte pieces scattered in RAM, status byte. */
	set_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 100);
	set_desc(IND_GPA, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(IND_GPA, 1, DATA_GPA + 0x3000, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(IND_GPA, 2, DATA_GPA + 0x1000, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3);
	/* The last data piece and the status share one descriptor. */
	set_desc(IND_GPA, 3, DATA_GPA + 0x5000, 513, VRING_DESC_F_WRITE, 0);
	set_desc(DESC_GPA, 5, IND_GPA, 4 * 16, VRING_DESC_F_INDIRECT, 0);
	post(5);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(last_used_len(), 1537);
	ck_assert_uint_eq(*(uint8_t *)g(DATA_GPA + 0x5000 + 512), VIRTIO_BLK_S_OK);
	file_read(100 * 512, expect, sizeof(expect));
	ck_assert_int_eq(memcmp(g(DATA_GPA + 0x3000), expect, 512), 0);
	ck_assert_int_eq(memcmp(g(DATA_GPA + 0x1000), expect + 512, 512), 0);
	ck_assert_int_eq(memcmp(g(DATA_GPA + 0x5000), expect + 1024, 512), 0);
}
END_TEST

START_TEST(test_many_in_flight)
{
	/* Fill the ring with 5 reads (3 descriptors each), one kick. */
	for (unsigned int r = 0; r < 5; r++) {
		unsigned int d = r * 3;

		set_hdr(HDR_GPA + r * 16, VIRTIO_BLK_T_IN, r);
		set_desc(DESC_GPA, d, HDR_GPA + r * 16, 16, VRING_DESC_F_NEXT,
			 d + 1);
		set_desc(DESC_GPA, d + 1, DATA_GPA + r * 512, 512,
			 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, d + 2);
		set_desc(DESC_GPA, d + 2, STATUS_GPA + r, 1,
			 VRING_DESC_F_WRITE, 0);
		post(d);
	}
	ck_assert(kick_and_wait(5));
	for (unsigned int r = 0; r < 5; r++) {
		ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA + r), 0);
		ck_assert_uint_eq(((uint8_t *)g(DATA_GPA + r * 512))[9],
				  (uint8_t)(r + 9));
	}
	/* One interrupt (or a few) for the batch, and it was raised. */
	uint64_t n = 0;

	ck_assert_int_eq(read(host.irq_fd, &n, 8), 8);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & 1, 1);
}
END_TEST

START_TEST(test_out_of_range)
{
	uint32_t ul;

	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 2048, DATA_GPA, 512, &ul),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(ul, 1);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 2047, DATA_GPA, 1024, NULL),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 1ull << 63, DATA_GPA, 512,
				  NULL), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, UINT64_MAX, DATA_GPA, 512,
				  NULL), VIRTIO_BLK_S_IOERR);
	/* The last sector is fine. */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 2047, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	/* Not whole sectors. */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, DATA_GPA, 100, NULL),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 0, DATA_GPA, 513, NULL),
			  VIRTIO_BLK_S_IOERR);
}
END_TEST

START_TEST(test_unsupported_and_get_id)
{
	uint32_t ul;

	ck_assert_uint_eq(request(99, 0, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(request(10 /* GET_LIFETIME */, 0, DATA_GPA, 512,
				  NULL), VIRTIO_BLK_S_UNSUPP);
	memset(g(DATA_GPA), 0xaa, 20);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_GET_ID, 0, DATA_GPA, 20, &ul),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ul, 21);
	ck_assert_int_eq(memcmp(g(DATA_GPA), "disk-serial-1\0\0\0\0\0\0\0", 20),
			 0);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, &ul),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ul, 1);
}
END_TEST

static uint8_t ranges(uint32_t type, uint64_t sector, uint32_t n,
		      uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes *seg = g(DATA_GPA);

	seg->sector = sector;
	seg->num_sectors = n;
	seg->flags = flags;
	return request(type, 0, DATA_GPA, sizeof(*seg), NULL);
}

START_TEST(test_discard_write_zeroes)
{
	uint8_t buf[4096];

	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 16, 8, 0),
			  VIRTIO_BLK_S_OK);
	file_read(16 * 512, buf, 4096);
	ck_assert(all_bytes(buf, 4096, 0));	/* a hole reads as zeroes */
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 40, 3, 0),
			  VIRTIO_BLK_S_OK);
	file_read(40 * 512, buf, 1536);
	ck_assert(all_bytes(buf, 1536, 0));
	file_read(43 * 512, buf, 1);
	ck_assert_uint_eq(buf[0], 43);		/* neighbour untouched */
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 50, 1,
				 VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP), VIRTIO_BLK_S_OK);
	file_read(50 * 512, buf, 512);
	ck_assert(all_bytes(buf, 512, 0));
	/* Unmap on discard, unknown flags, out of range, bad sizes. */
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 0, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
			  VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 0, 1, 2),
			  VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 2047, 2, 0),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, UINT64_MAX, 1, 0),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_DISCARD, 0, DATA_GPA, 8, NULL),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_DISCARD, 0, DATA_GPA,
				  16 * (VIRTIO_BLK_MAX_DISCARD_SEG + 1), NULL),
			  VIRTIO_BLK_S_IOERR);
}
END_TEST

/*
 * query-blockstats' latency counters: each kind of request adds its own
 * count, bytes and time; the times are positive, together no longer than
 * the test took, and the last request's time lies within it.
 */
START_TEST(test_stats_latency)
{
	struct virtio_blk_stats st;
	uint64_t before = virtio_blk_clock_ns(), after;

	virtio_blk_get_stats(blk, &st);
	ck_assert_uint_eq(st.last_done_ns, 0);
	ck_assert_uint_eq(st.read_ns + st.write_ns + st.flush_ns + st.discard_ns, 0);
	memset(g(DATA_GPA), 0x5a, 4096);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 8, DATA_GPA, 4096, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 8, DATA2_GPA, 2048, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 16, DATA2_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 16, 8, 0),
			  VIRTIO_BLK_S_OK);
	/* A failed read is not a counted one: no time for it either. */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 2047, DATA2_GPA, 1024, NULL),
			  VIRTIO_BLK_S_IOERR);
	after = virtio_blk_clock_ns();
	virtio_blk_get_stats(blk, &st);
	ck_assert_uint_eq(st.reads, 2);
	ck_assert_uint_eq(st.read_bytes, 2560);
	ck_assert_uint_eq(st.writes, 1);
	ck_assert_uint_eq(st.write_bytes, 4096);
	ck_assert_uint_eq(st.flushes, 1);
	ck_assert_uint_eq(st.discards, 1);
	ck_assert_uint_eq(st.discard_bytes, 8 * 512);
	ck_assert_uint_gt(st.read_ns, 0);
	ck_assert_uint_gt(st.write_ns, 0);
	ck_assert_uint_gt(st.flush_ns, 0);
	ck_assert_uint_gt(st.discard_ns, 0);
	ck_assert_uint_le(st.read_ns + st.write_ns + st.flush_ns + st.discard_ns,
			  after - before);
	ck_assert_uint_ge(st.last_done_ns, before);
	ck_assert_uint_le(st.last_done_ns, after);
	/* The bad read is an invalid one; the highest write ends at 12 KiB. */
	ck_assert_uint_eq(st.invalid_reads, 1);
	ck_assert_uint_eq(st.invalid_writes + st.invalid_discards, 0);
	ck_assert_uint_eq(st.failed_reads + st.failed_writes +
			  st.failed_flushes + st.failed_discards, 0);
	ck_assert_uint_eq(st.wr_highest_offset, 8 * 512 + 4096);
	/* A discard beyond the end and one with the unmap flag: invalid. */
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 2047, 2, 0),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 0, 1,
				 VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
			  VIRTIO_BLK_S_UNSUPP);
	/* Zeroes written up to sector 100 raise the highest offset. */
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 96, 4, 0),
			  VIRTIO_BLK_S_OK);
	virtio_blk_get_stats(blk, &st);
	ck_assert_uint_eq(st.invalid_discards, 2);
	ck_assert_uint_eq(st.discards, 1);
	ck_assert_uint_eq(st.wr_highest_offset, 100 * 512);
}
END_TEST

START_TEST(test_missing_status_and_short_header)
{
	uint32_t ul;

	/* Only a readable header: nothing to write a status into. */
	set_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 0);
	set_desc(DESC_GPA, 0, HDR_GPA, 16, 0, 0);
	post(0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(last_used_len(), 0);
	/* Header of 8 bytes: IOERR. */
	set_desc(DESC_GPA, 0, HDR_GPA, 8, VRING_DESC_F_NEXT, 2);
	set_desc(DESC_GPA, 2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	post(0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	/* Header written by the device (wrong direction): IOERR. */
	set_desc(DESC_GPA, 0, HDR_GPA, 16, VRING_DESC_F_WRITE |
		 VRING_DESC_F_NEXT, 2);
	post(0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	/* IN whose data is readable instead of writable: no data room. */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 0, DATA_GPA, 512, &ul),
			  VIRTIO_BLK_S_OK);
	/* The device is still fine. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 15);
}
END_TEST

START_TEST(test_malformed_chain_needs_reset)
{
	set_desc(DESC_GPA, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, DATA_GPA, 16, VRING_DESC_F_NEXT, 0);	/* loop */
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && !(rd(VIRTIO_MMIO_STATUS) & 64); i++)
		usleep(1000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 15 | 64);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & 2, 2);
	/* The driver resets and starts over: all good again. */
	driver_init();
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 3, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(((uint8_t *)g(DATA_GPA))[1], 4);
}
END_TEST

START_TEST(test_bad_buffer_address)
{
	/* Data pointing outside guest RAM: the chain is refused. */
	set_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 0);
	set_desc(DESC_GPA, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, RAM_SIZE - 256, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(DESC_GPA, 2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && !(rd(VIRTIO_MMIO_STATUS) & 64); i++)
		usleep(1000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & 64, 64);
}
END_TEST

START_TEST(test_host_write_error)
{
	struct rlimit old, lim = { 512 * 1024, 512 * 1024 };

	/* Writes past 512 KiB now fail on the host (EFBIG). */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim.rlim_max = old.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 1500, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 10, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 15);
	/* query-blockstats: one failed write (no time), one good one. */
	struct virtio_blk_stats st;

	virtio_blk_get_stats(blk, &st);
	ck_assert_uint_eq(st.failed_writes, 1);
	ck_assert_uint_eq(st.invalid_writes, 0);
	ck_assert_uint_eq(st.writes, 1);
	ck_assert_uint_eq(st.wr_highest_offset, 11 * 512);
}
END_TEST

START_TEST(test_image_locking)
{
	struct drive_config dc = { .path = img };
	struct virtio_blk *b2 = NULL;
	char err[256] = "";
	struct fake_virtio_host h2;

	fake_virtio_host_init(&h2, 0, 2);
	ck_assert_int_eq(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)),
			 -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "is in use by another process"));
	ck_assert_ptr_nonnull(strstr(err, img));
	/* A reader is refused too while a writer holds it. */
	dc.readonly = true;
	ck_assert_int_eq(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)),
			 -EBUSY);
	ck_assert_uint_eq(h2.bus.nr, 0);	/* refused before the transport */
	fake_virtio_host_free(&h2);
}
END_TEST

START_TEST(test_open_errors)
{
	struct drive_config dc = { .path = "/nonexistent/disk.img" };
	struct virtio_blk *b2 = NULL;
	char err[256] = "";
	struct fake_virtio_host h2;

	fake_virtio_host_init(&h2, 0, 2);
	ck_assert_int_eq(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/disk.img"));
	dc.path = "/dev/null";
	ck_assert_int_eq(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file or block device"));
	/* Slot of the running device is taken: clean failure. */
	dc.path = img;
	dc.readonly = false;
	virtio_blk_destroy(blk);
	blk = NULL;
	ck_assert_int_eq(virtio_blk_create(&b2, &host.ops, &host.mem, FAKE_WINDOW(SLOT), &dc, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "virtio-mmio"));
	/* ... and the lock was released on that failure path. */
	fake_virtio_host_init(&h2, 0, 2);
	ck_assert_int_eq(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)), 0);
	virtio_blk_destroy(b2);
}
END_TEST

/* No volatile cache: no FLUSH (as QEMU); discard=ignore: no DISCARD. */
START_TEST(test_writethrough_no_discard)
{
	uint64_t f = device_features();

	ck_assert(!(f & (1ull << VIRTIO_BLK_F_FLUSH)));
	ck_assert(!(f & (1ull << VIRTIO_BLK_F_DISCARD)));
	ck_assert(f & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 0, 1, 0),
			  VIRTIO_BLK_S_UNSUPP);
	memset(g(DATA_GPA), 0x55, 512);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 3, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 3, 1,
				 VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_readonly)
{
	uint64_t f = device_features();
	uint8_t before[512], after[512];

	ck_assert(f & (1ull << VIRTIO_BLK_F_RO));
	ck_assert(!(f & (1ull << VIRTIO_BLK_F_DISCARD)));
	file_read(0, before, 512);
	memset(g(DATA_GPA), 0x55, 512);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 0, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 0, 1, 0),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(ranges(VIRTIO_BLK_T_DISCARD, 0, 1, 0),
			  VIRTIO_BLK_S_IOERR);
	file_read(0, after, 512);
	ck_assert_int_eq(memcmp(before, after, 512), 0);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 1, DATA_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL),
			  VIRTIO_BLK_S_OK);
	/* query-blockstats: the write failed (QEMU's view of read-only). */
	struct virtio_blk_stats st;

	virtio_blk_get_stats(blk, &st);
	ck_assert_uint_eq(st.failed_writes, 1);
	ck_assert_uint_eq(st.invalid_discards, 1);
	ck_assert_uint_eq(st.wr_highest_offset, 0);

	/* Two readers may share an image. */
	struct drive_config dc = { .path = img, .readonly = true };
	struct virtio_blk *b2 = NULL;
	char err[256] = "";
	struct fake_virtio_host h2;

	fake_virtio_host_init(&h2, 0, 2);
	ck_assert_msg(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)) == 0,
		      "%s", err);
	virtio_blk_destroy(b2);
	/* But no writer. */
	dc.readonly = false;
	fake_virtio_host_init(&h2, 0, 2);
	ck_assert_int_eq(virtio_blk_create(&b2, &h2.ops, &host.mem, FAKE_WINDOW(2), &dc, err, sizeof(err)),
			 -EBUSY);
	ck_assert_uint_eq(h2.bus.nr, 0);	/* refused before the transport */
	fake_virtio_host_free(&h2);
}
END_TEST

START_TEST(test_direct_io)
{
	uint8_t back[1024];

	/* Page-aligned buffers go O_DIRECT, odd ones through the page cache. */
	memset(g(DATA_GPA), 0x11, 1024);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 4, DATA_GPA, 1024, NULL),
			  VIRTIO_BLK_S_OK);
	memset(g(DATA_GPA + 3), 0x22, 512);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 6, DATA_GPA + 3, 512, NULL),
			  VIRTIO_BLK_S_OK);
	file_read(4 * 512, back, 1024);
	ck_assert(all_bytes(back, 512, 0x11));
	ck_assert(all_bytes(back + 512, 512, 0x11));
	file_read(6 * 512, back, 512);
	ck_assert(all_bytes(back, 512, 0x22));
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 6, DATA_GPA + 0x801, 512,
				  NULL), VIRTIO_BLK_S_OK);
	ck_assert(all_bytes(g(DATA_GPA + 0x801), 512, 0x22));
	ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL),
			  VIRTIO_BLK_S_OK);
}
END_TEST

static uint64_t elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000 +
	       (uint64_t)(t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The double-fetch race of issue 15 on the host: a second "vCPU" thread
 * rewrites descriptors (address, length, flags, next), avail ring entries
 * and the avail index at random while the device's I/O thread walks and
 * serves them.  The device must neither crash nor touch memory outside
 * guest RAM (the sanitizer build checks that), must answer a reset at
 * once and serve normally afterwards; the image must not grow.
 */
struct scribbler {
	pthread_t thread;
	atomic_bool stop;
	atomic_bool hold;	/* the driver re-initialises the device */
	atomic_bool holding;
	uint64_t rounds;
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	volatile struct vring_desc *desc = g(DESC_GPA);
	volatile uint16_t *avail = g(AVAIL_GPA);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	while (!atomic_load(&s->stop)) {
		unsigned int i;

		atomic_store(&s->holding, atomic_load(&s->hold));
		if (atomic_load(&s->holding))
			continue;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (unsigned int)(x % QSIZE);
		switch ((x >> 8) % 6) {
		case 0:
			desc[i].addr = (x >> 16) % (RAM_SIZE + 0x10000);
			break;
		case 1:
			desc[i].len = (uint32_t)((x >> 20) % 0x30000);
			break;
		case 2:
			desc[i].flags = (uint16_t)((x >> 24) & 7);
			break;
		case 3:
			desc[i].next = (uint16_t)((x >> 28) % (QSIZE + 2));
			break;
		case 4:
			avail[2 + i] = (uint16_t)((x >> 32) % (QSIZE + 1));
			break;
		case 5:
			avail[1] = (uint16_t)(avail[1] + ((x >> 40) & 3));
			break;
		}
		s->rounds++;
	}
	return NULL;
}

START_TEST(test_concurrent_rewrite)
{
	struct scribbler s = { .rounds = 0 };
	struct stat st0, st1;
	struct timespec t0;

	ck_assert_int_eq(stat(img, &st0), 0);
	atomic_init(&s.stop, false);
	atomic_init(&s.hold, false);
	atomic_init(&s.holding, false);
	ck_assert_int_eq(pthread_create(&s.thread, NULL, scribble, &s), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < 1000) {
		/* Valid requests into the storm, and kicks. */
		set_hdr(HDR_GPA, VIRTIO_BLK_T_OUT, 1);
		set_desc(DESC_GPA, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
		set_desc(DESC_GPA, 1, DATA_GPA, 4096, VRING_DESC_F_NEXT, 2);
		set_desc(DESC_GPA, 2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
		post(0);
		fake_vq_kick(&vq);
		if (rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) {
			/* Clean rings for the bring-up, then the storm again. */
			atomic_store(&s.hold, true);
			while (!atomic_load(&s.holding))
				sched_yield();
			driver_init();
			atomic_store(&s.hold, false);
		}
		usleep(500);
	}
	atomic_store(&s.stop, true);
	pthread_join(s.thread, NULL);
	ck_assert_uint_gt(s.rounds, 1000);
	/* A reset returns at once and the device serves again. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_lt(elapsed_ms(&t0), 300);
	driver_init();
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 5, DATA2_GPA, 512, NULL),
			  VIRTIO_BLK_S_OK);
	ck_assert_int_eq(stat(img, &st1), 0);
	ck_assert_int_eq(st1.st_size, st0.st_size);
}
END_TEST

START_TEST(test_reset_under_load)
{
	struct vring_used *u = g(USED_GPA);

	for (int round = 0; round < 20; round++) {
		/* Five 64 KiB reads in flight, then an immediate reset. */
		for (unsigned int r = 0; r < 5; r++) {
			unsigned int d = r * 3;

			set_hdr(HDR_GPA + r * 16, VIRTIO_BLK_T_IN, r * 128);
			set_desc(DESC_GPA, d, HDR_GPA + r * 16, 16,
				 VRING_DESC_F_NEXT, d + 1);
			set_desc(DESC_GPA, d + 1, DATA_GPA + r * 65536, 65536,
				 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, d + 2);
			set_desc(DESC_GPA, d + 2, STATUS_GPA + r, 1,
				 VRING_DESC_F_WRITE, 0);
			post((uint16_t)d);
		}
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		if (round & 1)
			usleep(100);
		wr(VIRTIO_MMIO_STATUS, 0);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
		/* Once the reset returned, the device leaves memory alone. */
		uint16_t idx = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);

		memset(g(STATUS_GPA), 0xee, 8);
		usleep(2000);
		ck_assert_uint_eq(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE), idx);
		ck_assert(all_bytes(g(STATUS_GPA), 8, 0xee));
		/* And it comes back as new. */
		driver_init();
		ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 5, DATA_GPA, 512, NULL),
				  VIRTIO_BLK_S_OK);
		ck_assert_uint_eq(((uint8_t *)g(DATA_GPA))[0], 5);
	}
}
END_TEST

static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/*
 * A driver that behaves like Linux's: up to 5 requests in flight in the
 * 16-entry ring, kicks only when the device asks for it (avail_event, or
 * used->flags without EVENT_IDX).  Thousands of requests must complete: a
 * notification lost to a race shows up as a stall.
 */
static void stream(bool event_idx)
{
	struct vring_avail *a = g(AVAIL_GPA);
	struct vring_used *u = g(USED_GPA);
	volatile uint16_t *avail_event = (uint16_t *)&u->ring[QSIZE];
	volatile uint16_t *used_flags = &u->flags;
	const unsigned int total = 3000, slots = 5;
	unsigned int submitted = 0, completed = 0, kicks = 0;
	bool busy[5] = { false };
	uint64_t sector[5] = { 0 };

	driver_init_masked(event_idx ? 0 : 1ull << VIRTIO_RING_F_EVENT_IDX);
	while (completed < total) {
		uint16_t old = vq.avail_idx;
		bool kick;

		for (unsigned int sl = 0; sl < slots && submitted < total; sl++) {
			unsigned int d = sl * 3;

			if (busy[sl])
				continue;
			sector[sl] = (submitted * 7) % 2048;
			set_hdr(HDR_GPA + sl * 16, VIRTIO_BLK_T_IN, sector[sl]);
			set_desc(DESC_GPA, d, HDR_GPA + sl * 16, 16,
				 VRING_DESC_F_NEXT, d + 1);
			set_desc(DESC_GPA, d + 1, DATA_GPA + sl * 512, 512,
				 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, d + 2);
			set_desc(DESC_GPA, d + 2, STATUS_GPA + sl, 1,
				 VRING_DESC_F_WRITE, 0);
			*(volatile uint8_t *)g(STATUS_GPA + sl) = 0xee;
			a->ring[vq.avail_idx % QSIZE] = (uint16_t)d;
			vq.avail_idx++;
			busy[sl] = true;
			submitted++;
		}
		__atomic_store_n(&a->idx, vq.avail_idx, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		kick = event_idx ?
		       need_event(__atomic_load_n(avail_event, __ATOMIC_RELAXED),
				  vq.avail_idx, old) :
		       !(__atomic_load_n(used_flags, __ATOMIC_RELAXED) &
			 VRING_USED_F_NO_NOTIFY);
		if (kick && vq.avail_idx != old) {
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
			kicks++;
		}
		/* Wait for completions without relying on interrupts. */
		for (int i = 0; __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) ==
				vq.used_seen; i++) {
			ck_assert_msg(i < 5000000, "stalled after %u of %u (%u kicks)",
				      completed, total, kicks);
			if (i > 1000)
				usleep(10);
		}
		while (vq.used_seen != __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE)) {
			struct vring_used_elem e = u->ring[vq.used_seen % QSIZE];
			unsigned int sl = e.id / 3;

			ck_assert_uint_lt(sl, slots);
			ck_assert(busy[sl]);
			ck_assert_uint_eq(e.len, 513);
			ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA + sl), 0);
			ck_assert_uint_eq(((uint8_t *)g(DATA_GPA + sl * 512))[3],
					  (uint8_t)(sector[sl] + 3));
			busy[sl] = false;
			completed++;
			vq.used_seen++;
		}
		/* Interrupt me at the next completion (EVENT_IDX). */
		__atomic_store_n(&a->ring[QSIZE], vq.used_seen, __ATOMIC_RELAXED);
	}
	ck_assert_uint_gt(kicks, 0);
}

START_TEST(test_stream_event_idx)
{
	stream(true);
}
END_TEST

START_TEST(test_stream_flags)
{
	stream(false);
}
END_TEST

/* ---- the advertised limits and the bounded loop (issue 15, item 1) ---- */

#define BIG_RAM		(8ull << 20)	/* a 4 MiB segment and more + the rings */
#define BIG_DATA_GPA	(2ull << 20)
#define BIG_IMG		(64ull << 30)	/* sparse */
#define BIG_IND_GPA	0x80000ull	/* indirect tables, 4 KiB each */

static void setup_big(void)
{
	struct drive_config dc = { .cache = DRIVE_CACHE_WRITEBACK };
	int fd;

	fake_virtio_host_init(&host, BIG_RAM, SLOT);
	strcpy(img, "/tmp/mvt-blk-XXXXXX");
	fd = mkstemp(img);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)BIG_IMG), 0);
	ck_assert_int_eq(pwrite(fd, "SECTOR0", 7, 0), 7);
	close(fd);
	dc.path = img;
	start_blk(&dc);
}

/*
 * Indirect read request r (table at BIG_IND_GPA + r * 4 KiB): a header,
 * segs data segments of seg_len bytes all over the same guest RAM, and the
 * status byte in its own descriptor.  Posted on descriptor r.
 */
static void post_big_read(unsigned int r, unsigned int segs, uint32_t seg_len,
			  uint64_t sector)
{
	uint64_t table = BIG_IND_GPA + r * 0x1000ull;
	unsigned int i;

	set_hdr(HDR_GPA + r * 16, VIRTIO_BLK_T_IN, sector);
	*(uint8_t *)g(STATUS_GPA + r) = 0xee;
	set_desc(table, 0, HDR_GPA + r * 16, 16, VRING_DESC_F_NEXT, 1);
	for (i = 1; i <= segs; i++)
		set_desc(table, i, BIG_DATA_GPA, seg_len,
			 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, (uint16_t)(i + 1));
	set_desc(table, i, STATUS_GPA + r, 1, VRING_DESC_F_WRITE, 0);
	set_desc(DESC_GPA, r, table, (i + 1) * 16, VRING_DESC_F_INDIRECT, 0);
	post((uint16_t)r);
}

START_TEST(test_size_max_enforced)
{
	/* One sector over 4 MiB in one segment: refused. */
	post_big_read(0, 1, VIRTIO_BLK_SIZE_MAX + 512, 0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA), VIRTIO_BLK_S_IOERR);
	/* Exactly 4 MiB: served. */
	post_big_read(1, 1, VIRTIO_BLK_SIZE_MAX, 0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA + 1), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(g(BIG_DATA_GPA), "SECTOR0", 7), 0);
}
END_TEST

START_TEST(test_seg_max_enforced)
{
	uint64_t table = BIG_IND_GPA;
	unsigned int i;

	/* 255 data segments: the last one also holds the status byte, so
	 * the chain still fits the 256 descriptors of an indirect table. */
	set_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 0);
	set_desc(table, 0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	for (i = 1; i < 255; i++)
		set_desc(table, i, BIG_DATA_GPA + i * 512, 512,
			 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, (uint16_t)(i + 1));
	set_desc(table, 255, BIG_DATA_GPA + 255 * 512, 513, VRING_DESC_F_WRITE, 0);
	*(uint8_t *)g(BIG_DATA_GPA + 256 * 512) = 0xee;
	set_desc(DESC_GPA, 0, table, 256 * 16, VRING_DESC_F_INDIRECT, 0);
	post(0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(BIG_DATA_GPA + 256 * 512),
			  VIRTIO_BLK_S_IOERR);
	/* 254 of them (seg_max) are fine. */
	post_big_read(1, VIRTIO_BLK_SEG_MAX, 512, 0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA + 1), VIRTIO_BLK_S_OK);
}
END_TEST

/* A full queue of the largest legal reads: 16 x 254 x 4 MiB ~ 16 GiB. */
static void queue_max_reads(void)
{
	for (unsigned int r = 0; r < QSIZE; r++)
		post_big_read(r, VIRTIO_BLK_SEG_MAX, VIRTIO_BLK_SIZE_MAX,
			      (uint64_t)r << 21);
	fake_vq_kick(&vq);
	usleep(20000);	/* well into the first request */
}

START_TEST(test_reset_does_not_wait_for_io)
{
	struct timespec t0;

	queue_max_reads();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_lt(elapsed_ms(&t0), 300);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	/* It comes back as new and serves a plain read. */
	driver_init();
	post_big_read(0, 1, 512, 0);
	ck_assert(kick_and_wait(1));
	ck_assert_uint_eq(*(uint8_t *)g(STATUS_GPA), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_stop_does_not_wait_for_io)
{
	struct timespec t0;

	queue_max_reads();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	virtio_blk_stop(blk);
	ck_assert_uint_lt(elapsed_ms(&t0), 300);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("rw");
	TCase *ro = tcase_create("readonly");
	TCase *dio = tcase_create("direct");
	TCase *wt = tcase_create("writethrough");
	TCase *big = tcase_create("limits");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_and_features);
	tcase_add_test(tc, test_write_read_roundtrip);
	tcase_add_test(tc, test_indirect_multi_segment);
	tcase_add_test(tc, test_many_in_flight);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_unsupported_and_get_id);
	tcase_add_test(tc, test_discard_write_zeroes);
	tcase_add_test(tc, test_stats_latency);
	tcase_add_test(tc, test_missing_status_and_short_header);
	tcase_add_test(tc, test_malformed_chain_needs_reset);
	tcase_add_test(tc, test_bad_buffer_address);
	tcase_add_test(tc, test_host_write_error);
	tcase_add_test(tc, test_image_locking);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_reset_under_load);
	tcase_add_test(tc, test_concurrent_rewrite);
	tcase_add_test(tc, test_stream_event_idx);
	tcase_add_test(tc, test_stream_flags);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ro, setup_ro, teardown);
	tcase_add_test(ro, test_readonly);
	suite_add_tcase(s, ro);
	tcase_add_checked_fixture(dio, setup_direct, teardown);
	tcase_add_test(dio, test_direct_io);
	suite_add_tcase(s, dio);
	tcase_add_checked_fixture(wt, setup_writethrough, teardown);
	tcase_add_test(wt, test_writethrough_no_discard);
	suite_add_tcase(s, wt);
	tcase_add_checked_fixture(big, setup_big, teardown);
	tcase_set_timeout(big, 60);
	tcase_add_test(big, test_size_max_enforced);
	tcase_add_test(big, test_seg_max_enforced);
	tcase_add_test(big, test_reset_does_not_wait_for_io);
	tcase_add_test(big, test_stop_does_not_wait_for_io);
	suite_add_tcase(s, big);
	return unit_run_suite(s);
}
