// SPDX-License-Identifier: MIT
/*
 * virtio-fs end to end without KVM: a tiny driver in the test brings the
 * device up through its MMIO registers (both queues), posts FUSE requests
 * in malloc'd "guest memory", kicks and waits for the I/O thread, and
 * checks the replies against a temporary shared directory.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/virtio_fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio_fs.h"
#include "devices/virtio_mmio.h"
#include "vmm/bus.h"
#include "tests/lib/fake_virtio.h"
#include "tests/unit/unit_main.h"
#include "vmm/seccomp.h"

#define RAM_SIZE	0x100000ull
#define QSIZE		16
#define REQ_GPA		0x10000ull
#define REP_GPA		0x20000ull
#define REP2_GPA	0x30000ull
#define SLOT		2
#define BASE		(LAYOUT_VIRTIO_MMIO_BASE + SLOT * LAYOUT_VIRTIO_MMIO_SIZE)

/* Rings of queue q. */
#define DESC_GPA(q)	(0x1000ull + (q) * 0x4000ull)
#define AVAIL_GPA(q)	(0x2000ull + (q) * 0x4000ull)
#define USED_GPA(q)	(0x3000ull + (q) * 0x4000ull)

static struct fake_virtio_host host;
static struct fake_vq vq[2];
static struct virtio_fs *fs;
static char dir[64];
static uint64_t unique;

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

static void driver_init(void)
{
	ck_assert_uint_eq(fake_virtio_negotiate(&host, 1ull << VIRTIO_F_VERSION_1),
			  FAKE_VIRTIO_STATUS_FEATURES_OK);
	for (unsigned int q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		ck_assert_uint_ge(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSIZE);
		fake_vq_setup(&vq[q], &host, q, QSIZE, DESC_GPA(q), AVAIL_GPA(q),
			      USED_GPA(q));
	}
	ck_assert_uint_eq(fake_virtio_driver_ok(&host), FAKE_VIRTIO_STATUS_LIVE);
}

static int thread_init_ok(void *opaque, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	(*(int *)opaque)++;
	return 0;
}

static int thread_init_fail(void *opaque, char *err, size_t errlen)
{
	(void)opaque;
	snprintf(err, errlen, "test: refused");
	return -EPERM;
}

/* The device table's hook: the fs class's real filter on the I/O thread. */
static int thread_init_seccomp(void *opaque, char *err, size_t errlen)
{
	(*(int *)opaque)++;
	return seccomp_install(SECCOMP_THREAD_FS, err, errlen);
}

static void setup_started_by(int (*hook)(void *, char *, size_t))
{
	struct virtio_fs_share share = { .tag = "hostshare", .readonly = true };
	char err[256] = "", p[128];
	int calls = 0, fd;

	fake_virtio_host_init(&host, RAM_SIZE, SLOT);
	snprintf(dir, sizeof(dir), "/tmp/mvt-fs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/greeting", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_eq(write(fd, "0123456789abcdef", 16), 16);
	close(fd);
	share.path = dir;
	ck_assert_msg(virtio_fs_create(&fs, &host.ops, &host.mem, FAKE_WINDOW(SLOT), &share,
				       err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(virtio_fs_start(fs, &(struct io_thread_hook){ .fn = hook, .opaque = &calls }), 0);
	ck_assert_int_eq(calls, 1);
	driver_init();
}

static void setup(void)
{
	setup_started_by(thread_init_ok);
}

/*
 * Under the fs seccomp class, as minivmm runs it: a call the event loop or
 * the FUSE server makes outside the allowlist kills the test (SIGSYS).
 */
static void setup_seccomp(void)
{
	setup_started_by(seccomp_supported(NULL, 0) ? thread_init_seccomp :
			 thread_init_ok);
}

static void teardown(void)
{
	char cmd[128];

	virtio_fs_destroy(fs);
	fs = NULL;
	fake_virtio_host_free(&host);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void set_desc(unsigned int q, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	fake_vq_set_desc(&vq[q], i, addr, len, flags, next);
}

static void post(unsigned int q, uint16_t head)
{
	fake_vq_post(&vq[q], head);
}

/* Kick queue q, wait (bounded) for one used entry; its length. */
static uint32_t kick_and_wait(unsigned int q)
{
	fake_vq_kick(&vq[q]);
	if (fake_vq_wait_used(&vq[q], 1, 5000))
		return fake_vq_last_used_len(&vq[q]);
	ck_abort_msg("no completion on queue %u", q);
	return 0;
}

/*
 * One FUSE request on the request queue: header + arg in one readable
 * descriptor, the reply split over two writable ones (rep1 bytes at
 * REP_GPA, the rest at REP2_GPA).  Returns the reply's error.
 */
static int request(uint32_t op, uint64_t nodeid, const void *arg,
		   uint32_t alen, uint32_t rep1, uint32_t rep2, uint32_t *used)
{
	struct fuse_in_header h = { .len = (uint32_t)sizeof(h) + alen,
				    .opcode = op, .unique = ++unique,
				    .nodeid = nodeid };
	struct fuse_out_header oh;

	memcpy(g(REQ_GPA), &h, sizeof(h));
	if (alen)	/* arg may be NULL with no argument */
		memcpy(g(REQ_GPA + sizeof(h)), arg, alen);
	memset(g(REP_GPA), 0xee, 0x10000);
	set_desc(1, 0, REQ_GPA, h.len, VRING_DESC_F_NEXT, 1);
	set_desc(1, 1, REP_GPA, rep1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	set_desc(1, 2, REP2_GPA, rep2, VRING_DESC_F_WRITE, 0);
	post(1, 0);
	*used = kick_and_wait(1);
	ck_assert_uint_ge(*used, sizeof(oh));
	memcpy(&oh, g(REP_GPA), sizeof(oh));
	ck_assert_uint_eq(oh.len, *used);
	ck_assert_uint_eq(oh.unique, unique);
	return oh.error;
}

/* Paused (the device table's quiesce), the device serves nothing; resumed,
 * it serves what was queued meanwhile. */
START_TEST(test_quiesce_holds_requests)
{
	struct fuse_init_in ii = { .major = 7, .minor = 31, .max_readahead = 4096 };
	struct fuse_in_header h = { .len = (uint32_t)(sizeof(h) + sizeof(ii)),
				    .opcode = FUSE_INIT, .unique = ++unique };

	memcpy(g(REQ_GPA), &h, sizeof(h));
	memcpy(g(REQ_GPA + sizeof(h)), &ii, sizeof(ii));
	set_desc(1, 0, REQ_GPA, h.len, VRING_DESC_F_NEXT, 1);
	set_desc(1, 1, REP_GPA, 4096, VRING_DESC_F_WRITE, 0);
	virtio_fs_quiesce(fs);
	post(1, 0);
	fake_vq_kick(&vq[1]);
	ck_assert(!fake_vq_wait_used(&vq[1], 1, 100));
	virtio_fs_resume(fs);
	ck_assert(fake_vq_wait_used(&vq[1], 1, 5000));
	ck_assert_uint_ge(fake_vq_last_used_len(&vq[1]),
			  sizeof(struct fuse_out_header));
}
END_TEST

START_TEST(test_config_space)
{
	struct virtio_fs_config c;

	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), 26);
	for (unsigned int i = 0; i < sizeof(c); i += 4)
		bus_read(&host.bus, BASE + VIRTIO_MMIO_CONFIG + i,
			 (uint8_t *)&c + i, i + 4 <= sizeof(c) ? 4 : sizeof(c) - i);
	ck_assert_mem_eq(c.tag, "hostshare\0", 10);
	ck_assert_uint_eq(c.num_request_queues, 1);
}
END_TEST

START_TEST(test_init_lookup_read)
{
	struct fuse_init_in ii = { .major = 7, .minor = 31, .max_readahead = 4096 };
	struct fuse_open_in oi = { .flags = O_RDONLY };
	struct fuse_read_in ri = { .offset = 2, .size = 10 };
	struct fuse_entry_out e;
	struct fuse_open_out oo;
	uint32_t used;

	ck_assert_int_eq(request(FUSE_INIT, 0, &ii, sizeof(ii), 4096, 4096, &used), 0);
	ck_assert_int_eq(request(FUSE_LOOKUP, 1, "greeting", 9, 4096, 4096, &used), 0);
	memcpy(&e, g(REP_GPA + sizeof(struct fuse_out_header)), sizeof(e));
	ck_assert_uint_eq(e.attr.size, 16);
	ck_assert_int_eq(request(FUSE_OPEN, e.nodeid, &oi, sizeof(oi), 4096, 4096,
				 &used), 0);
	memcpy(&oo, g(REP_GPA + sizeof(struct fuse_out_header)), sizeof(oo));
	ri.fh = oo.fh;
	/* The data straddles the two reply descriptors: 4 bytes + 6 bytes. */
	ck_assert_int_eq(request(FUSE_READ, e.nodeid, &ri, sizeof(ri),
				 sizeof(struct fuse_out_header) + 4, 4096, &used), 0);
	ck_assert_uint_eq(used, sizeof(struct fuse_out_header) + 10);
	ck_assert_mem_eq(g(REP_GPA + sizeof(struct fuse_out_header)), "2345", 4);
	ck_assert_mem_eq(g(REP2_GPA), "6789ab", 6);

	/* FORGET on the high-priority queue: consumed, no reply bytes. */
	{
		struct {
			struct fuse_in_header h;
			struct fuse_forget_in f;
		} fr = { { .len = sizeof(fr), .opcode = FUSE_FORGET,
			   .unique = ++unique, .nodeid = e.nodeid }, { 1 } };

		memcpy(g(REQ_GPA), &fr, sizeof(fr));
		set_desc(0, 0, REQ_GPA, sizeof(fr), 0, 0);
		post(0, 0);
		ck_assert_uint_eq(kick_and_wait(0), 0);
	}
	ck_assert_int_eq(request(FUSE_GETATTR, e.nodeid, NULL, 0, 4096, 4096, &used),
			 -ESTALE);
}
END_TEST

START_TEST(test_malformed_chain_needs_reset)
{
	struct vring_used *u = g(USED_GPA(1));
	struct timespec ts = { 0, 1000000 };

	set_desc(1, 0, RAM_SIZE - 8, 64, 0, 0);	/* runs past guest RAM */
	post(1, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	for (int i = 0; i < 5000 && !(rd(VIRTIO_MMIO_STATUS) & 64); i++)
		nanosleep(&ts, NULL);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & 64, 64);
	ck_assert_uint_eq(u->idx, 0);
	/* A reset and a new bring-up make the device usable again. */
	memset(g(0x1000), 0, 0x8000);
	driver_init();
	{
		struct fuse_init_in ii = { .major = 7, .minor = 31 };
		uint32_t used;

		ck_assert_int_eq(request(FUSE_INIT, 0, &ii, sizeof(ii), 4096, 4096,
					 &used), 0);
	}
}
END_TEST

START_TEST(test_start_hook_failure)
{
	struct virtio_fs_share share = { .path = "/tmp", .tag = "t" };
	struct fake_virtio_host h2;
	struct virtio_fs *f2;
	char err[256];

	fake_virtio_host_init(&h2, 0, SLOT);
	ck_assert_int_eq(virtio_fs_create(&f2, &h2.ops, &host.mem, FAKE_WINDOW(SLOT), &share, err,
					  sizeof(err)), 0);
	ck_assert_int_eq(virtio_fs_start(f2, &(struct io_thread_hook){ .fn = thread_init_fail }), -EPERM);
	virtio_fs_destroy(f2);
	share.path = "/nonexistent/share";
	ck_assert_int_eq(virtio_fs_create(&f2, &h2.ops, &host.mem, FAKE_WINDOW(SLOT), &share, err,
					  sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "-share /nonexistent/share: No such file or directory");
}
END_TEST

static Suite *virtio_fs_suite(void)
{
	Suite *s = suite_create("virtio_fs");
	TCase *tc = tcase_create("device");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_space);
	tcase_add_test(tc, test_quiesce_holds_requests);
	tcase_add_test(tc, test_init_lookup_read);
	tcase_add_test(tc, test_malformed_chain_needs_reset);
	tcase_add_test(tc, test_start_hook_failure);
	suite_add_tcase(s, tc);
	/* The same requests and pause with the I/O thread under its filter. */
	tc = tcase_create("seccomp");
	tcase_add_checked_fixture(tc, setup_seccomp, teardown);
	tcase_add_test(tc, test_init_lookup_read);
	tcase_add_test(tc, test_quiesce_holds_requests);
	tcase_add_test(tc, test_malformed_chain_needs_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(virtio_fs_suite());
}
