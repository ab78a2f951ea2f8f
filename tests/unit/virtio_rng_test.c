// SPDX-License-Identifier: MIT
/*
 * virtio-rng end to end without KVM: a tiny driver brings the device up
 * through its MMIO registers (tests/lib/fake_virtio.h window), posts
 * device-writable buffers in malloc'd "guest memory" and kicks the queue;
 * the device fills them from getrandom() within the kick (on the
 * notifying vCPU's thread, here the test's).
 */
#include <check.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio_mmio.h"
#include "devices/virtio_rng.h"
#include "tests/lib/fake_virtio.h"
#include "tests/unit/unit_main.h"
#include "vmm/bus.h"

#define RAM_SIZE	0x400000ull
#define QSIZE		8
#define DESC_GPA	0x1000ull
#define AVAIL_GPA	0x2000ull
#define USED_GPA	0x3000ull
#define BUF_GPA		0x10000ull
#define BIG_GPA		0x100000ull
#define SLOT		2

static struct fake_virtio_host host;
static struct fake_vq vq;
static struct virtio_rng *rng;

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
	fake_vq_setup(&vq, &host, 0, QSIZE, DESC_GPA, AVAIL_GPA, USED_GPA);
	ck_assert_uint_eq(fake_virtio_driver_ok(&host), FAKE_VIRTIO_STATUS_LIVE);
}

static void setup(void)
{
	char err[256] = "";

	fake_virtio_host_init(&host, RAM_SIZE, SLOT);
	ck_assert_msg(virtio_rng_create(&rng, &host.ops, &host.mem, FAKE_WINDOW(SLOT),
					err, sizeof(err)) == 0, "%s", err);
	driver_init();
}

static void teardown(void)
{
	virtio_rng_destroy(rng);
	rng = NULL;
	fake_virtio_host_free(&host);
}

/* Post one chain of descriptors starting at descriptor first; kick. */
static void post(uint16_t first, const uint64_t *gpa, const uint32_t *len,
		 const uint16_t *flags, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		fake_vq_set_desc(&vq, first + i, gpa[i], len[i],
				 flags[i] | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
				 (uint16_t)(first + i + 1));
	fake_vq_post(&vq, first);
	fake_vq_kick(&vq);
}

/* Wait for used->idx to reach want; returns the last used element. */
static struct vring_used_elem wait_used(uint16_t want)
{
	if (!fake_vq_wait_used(&vq, (uint16_t)(want - vq.used_seen), 5000))
		ck_abort_msg("the device did not complete request %u", want);
	return fake_vq_used_elem(&vq, (uint16_t)(want - 1));
}

static unsigned int count_nonzero(const uint8_t *p, size_t n)
{
	unsigned int c = 0;

	for (size_t i = 0; i < n; i++)
		c += p[i] != 0;
	return c;
}

START_TEST(test_identity)
{
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), 4);
}
END_TEST

START_TEST(test_fills_buffers)
{
	uint64_t gpa[2] = { BUF_GPA, BUF_GPA + 0x1000 };
	uint32_t len[2] = { 64, 4000 };
	uint16_t fl[2] = { VRING_DESC_F_WRITE, VRING_DESC_F_WRITE };
	struct vring_used_elem e;

	post(0, gpa, len, fl, 2);
	e = wait_used(1);
	ck_assert_uint_eq(e.id, 0);
	ck_assert_uint_eq(e.len, 4064);
	/* Random bytes: a 4 KiB buffer of zeros has odds of 2^-32000. */
	ck_assert_uint_gt(count_nonzero(host.ram + BUF_GPA, 64), 32);
	ck_assert_uint_gt(count_nonzero(host.ram + BUF_GPA + 0x1000, 4000), 3800);
	ck_assert_uint_eq(count_nonzero(host.ram + BUF_GPA + 0x1000 + 4000, 96), 0);
	/* The interrupt was raised. */
	struct pollfd p = { .fd = host.irq_fd, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
}
END_TEST

START_TEST(test_bounded_request)
{
	uint64_t gpa[1] = { BIG_GPA };
	uint32_t len[1] = { 2 * VIRTIO_RNG_MAX_REQUEST };
	uint16_t fl[1] = { VRING_DESC_F_WRITE };
	struct vring_used_elem e;

	post(0, gpa, len, fl, 1);
	e = wait_used(1);
	ck_assert_uint_eq(e.len, VIRTIO_RNG_MAX_REQUEST);
	ck_assert_uint_eq(count_nonzero(host.ram + BIG_GPA + VIRTIO_RNG_MAX_REQUEST, 4096), 0);
}
END_TEST

START_TEST(test_read_only_buffer_returned_empty)
{
	uint64_t gpa[1] = { BUF_GPA };
	uint32_t len[1] = { 256 };
	uint16_t fl[1] = { 0 };
	struct vring_used_elem e;

	post(0, gpa, len, fl, 1);
	e = wait_used(1);
	ck_assert_uint_eq(e.len, 0);
	ck_assert_uint_eq(count_nonzero(host.ram + BUF_GPA, 256), 0);
}
END_TEST

START_TEST(test_buffer_outside_ram_needs_reset)
{
	uint64_t gpa[1] = { RAM_SIZE - 16 };
	uint32_t len[1] = { 64 };
	uint16_t fl[1] = { VRING_DESC_F_WRITE };

	post(0, gpa, len, fl, 1);
	for (int i = 0; i < 5000 && !(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET); i++)
		usleep(1000);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* A reset and a fresh start (with clean rings) work again. */
	wr(VIRTIO_MMIO_STATUS, 0);
	driver_init();		/* new rings, zeroed */
	gpa[0] = BUF_GPA;
	post(0, gpa, len, fl, 1);
	ck_assert_uint_eq(wait_used(1).len, 64);
}
END_TEST

/*
 * A guest that refills the queue from another vCPU as fast as the device
 * empties it: 256 requests of VIRTIO_RNG_MAX_REQUEST bytes each, every
 * completed one posted again at once, from another thread while the
 * kick's drain runs.  A notify always finds more.
 */
#define REFILL_QSIZE	256

struct refiller {
	pthread_t thread;
	atomic_bool stop;
	atomic_uint refilled;
};

static void *refill_thread(void *arg)
{
	struct refiller *r = arg;

	while (!atomic_load(&r->stop)) {
		uint16_t used = fake_vq_used_idx(&vq);

		if (vq.used_seen == used)
			continue;
		while (vq.used_seen != used) {
			fake_vq_post(&vq, fake_vq_used_elem(&vq, vq.used_seen).id);
			vq.used_seen++;
			atomic_fetch_add(&r->refilled, 1);
		}
		/* No kick: the device is serving (notifications are off
		 * while it drains), it must still stop after a ring. */
	}
	return NULL;
}

static void refill_start(struct refiller *r)
{
	ck_assert_uint_eq(fake_virtio_negotiate(&host, 1ull << VIRTIO_F_VERSION_1),
			  FAKE_VIRTIO_STATUS_FEATURES_OK);
	fake_vq_setup(&vq, &host, 0, REFILL_QSIZE, DESC_GPA, AVAIL_GPA, USED_GPA);
	ck_assert_uint_eq(fake_virtio_driver_ok(&host), FAKE_VIRTIO_STATUS_LIVE);
	for (uint16_t i = 0; i < REFILL_QSIZE; i++) {
		fake_vq_set_desc(&vq, i, BIG_GPA, VIRTIO_RNG_MAX_REQUEST,
				 VRING_DESC_F_WRITE, 0);
		fake_vq_post(&vq, i);
	}
	atomic_init(&r->stop, false);
	atomic_init(&r->refilled, 0);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, refill_thread, r), 0);
	fake_vq_kick(&vq);
	/* A full queue has been served. */
	for (int i = 0; i < 5000 && atomic_load(&r->refilled) < REFILL_QSIZE; i++)
		usleep(1000);
	ck_assert_uint_ge(atomic_load(&r->refilled), REFILL_QSIZE);
}

static void refill_stop(struct refiller *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
}

/* Run fn in a thread; true if it returned within ms. */
static bool returns_within(void *(*fn)(void *), int ms)
{
	struct timespec deadline;
	pthread_t t;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	ck_assert_int_eq(pthread_create(&t, NULL, fn, NULL), 0);
	if (pthread_timedjoin_np(t, NULL, &deadline) == 0)
		return true;
	pthread_detach(t);	/* it is stuck: the test fails, the process ends */
	return false;
}

static void *kick_rng(void *arg)
{
	(void)arg;
	fake_vq_kick(&vq);
	return NULL;
}

static void *reset_rng(void *arg)
{
	(void)arg;
	wr(VIRTIO_MMIO_STATUS, 0);
	return NULL;
}

/*
 * Without a bound per notify, the vCPU that notifies would serve the
 * refilling queue for ever, under the transport's lock: it would not get
 * back to KVM_RUN (a pause, SIGTERM and the VM's end wait for that), nor
 * would the lock be free for another vCPU's register access.  Each kick
 * returns, and serves.
 */
START_TEST(test_refilling_guest_cannot_hold_a_vcpu)
{
	struct refiller r;

	refill_start(&r);
	for (int round = 0; round < 5; round++) {
		uint16_t before = fake_vq_used_idx(&vq);
		bool back = returns_within(kick_rng, 3000);

		if (!back)
			atomic_store(&r.stop, true);
		ck_assert_msg(back, "a refilling guest held notify %d", round);
		ck_assert_uint_ne(fake_vq_used_idx(&vq), before);
	}
	refill_stop(&r);
}
END_TEST

/*
 * Likewise a reset (another vCPU's, or the VM's end) waiting for the
 * transport's lock gets it once the notify in progress is over.
 */
START_TEST(test_refilling_guest_cannot_hold_off_a_reset)
{
	struct refiller r;
	pthread_t kicker;
	bool reset;

	refill_start(&r);
	ck_assert_int_eq(pthread_create(&kicker, NULL, kick_rng, NULL), 0);
	usleep(1000);		/* most likely in the drain by now */
	reset = returns_within(reset_rng, 3000);
	atomic_store(&r.stop, true);
	ck_assert_msg(reset, "a refilling guest held off the reset");
	pthread_join(kicker, NULL);
	refill_stop(&r);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

/*
 * Rings laid over each other (used = avail + 2, hostile.c's alias case):
 * without EVENT_IDX the device's own notification flag is the avail
 * index, so every "enable and recheck" finds "more" that pops nothing.
 * The notify must still end, and the device stay resettable.
 */
START_TEST(test_overlaid_rings_do_not_spin)
{
	uint64_t avail = AVAIL_GPA + 2;
	bool back;

	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(fake_virtio_negotiate(&host, 1ull << VIRTIO_F_VERSION_1),
			  FAKE_VIRTIO_STATUS_FEATURES_OK);
	fake_vq_setup(&vq, &host, 0, QSIZE, DESC_GPA, avail, avail + 2);
	ck_assert_uint_eq(fake_virtio_driver_ok(&host), FAKE_VIRTIO_STATUS_LIVE);
	fake_vq_set_desc(&vq, 0, BUF_GPA, 64, VRING_DESC_F_WRITE, 0);
	fake_vq_post(&vq, 0);
	back = returns_within(kick_rng, 3000);
	ck_assert_msg(back, "a notify spun on overlaid rings");
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

static Suite *virtio_rng_suite(void)
{
	Suite *s = suite_create("virtio_rng");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_fills_buffers);
	tcase_add_test(tc, test_bounded_request);
	tcase_add_test(tc, test_read_only_buffer_returned_empty);
	tcase_add_test(tc, test_buffer_outside_ram_needs_reset);
	tcase_add_test(tc, test_refilling_guest_cannot_hold_a_vcpu);
	tcase_add_test(tc, test_overlaid_rings_do_not_spin);
	tcase_add_test(tc, test_refilling_guest_cannot_hold_off_a_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(virtio_rng_suite());
}
