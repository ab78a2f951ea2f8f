// SPDX-License-Identifier: MIT
/*
 * The devices' I/O thread loop: callbacks run on the loop's thread, the
 * start hook runs first and its failure fails the start, and a pause holds
 * every callback back until resume (the device table's quiesce contract).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/event_loop.h"
#include "tests/unit/unit_main.h"

struct counter {
	int fd;
	atomic_int calls;
};

static void on_event(void *opaque, uint32_t events)
{
	struct counter *c = opaque;
	uint64_t v;

	(void)events;
	if (read(c->fd, &v, sizeof(v)) == sizeof(v))
		atomic_fetch_add(&c->calls, 1);
}

static void kick(int fd)
{
	uint64_t one = 1;

	ck_assert_int_eq(write(fd, &one, sizeof(one)), sizeof(one));
}

/* Wait up to ~2 s for calls to reach n. */
static bool wait_calls(struct counter *c, int n)
{
	for (int i = 0; i < 2000 && atomic_load(&c->calls) < n; i++)
		usleep(1000);
	return atomic_load(&c->calls) >= n;
}

static int hook_ok_calls;

static int hook_ok(void *opaque, char *err, size_t errlen)
{
	(void)opaque;
	(void)err;
	(void)errlen;
	hook_ok_calls++;
	return 0;
}

static int hook_fails(void *opaque, char *err, size_t errlen)
{
	(void)opaque;
	snprintf(err, errlen, "test hook refuses");
	return -EPERM;
}

START_TEST(test_pause_holds_callbacks)
{
	struct event_loop loop;
	struct counter c = { .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
	struct io_thread_hook hook = { .fn = hook_ok };

	ck_assert_int_ge(c.fd, 0);
	ck_assert_int_eq(event_loop_init(&loop, "test-loop"), 0);
	ck_assert_int_eq(event_loop_add(&loop, c.fd, EPOLLIN, on_event, &c), 0);
	event_loop_pause(&loop);	/* not running: returns at once */
	event_loop_resume(&loop);
	ck_assert_int_eq(event_loop_start(&loop, &hook), 0);
	ck_assert_int_eq(hook_ok_calls, 1);
	kick(c.fd);
	ck_assert(wait_calls(&c, 1));

	event_loop_pause(&loop);
	kick(c.fd);
	usleep(100000);
	ck_assert_int_eq(atomic_load(&c.calls), 1);	/* held back */
	event_loop_resume(&loop);
	ck_assert(wait_calls(&c, 2));

	/* Pause twice in a row, and stop while paused. */
	event_loop_pause(&loop);
	event_loop_resume(&loop);
	event_loop_pause(&loop);
	kick(c.fd);
	event_loop_destroy(&loop);
	close(c.fd);
}
END_TEST

struct park_seen {
	pthread_t loop_thread;
	atomic_int calls;
	atomic_bool on_loop_thread;
};

static void on_park(void *opaque)
{
	struct park_seen *p = opaque;

	atomic_store(&p->on_loop_thread,
		     pthread_equal(pthread_self(), p->loop_thread));
	atomic_fetch_add(&p->calls, 1);
}

/* A running loop whose park hook counts its calls in p. */
static void start_park_loop(struct event_loop *loop, struct park_seen *p)
{
	ck_assert_int_eq(event_loop_init(loop, "test-park"), 0);
	event_loop_on_park(loop, on_park, p);
	ck_assert_int_eq(event_loop_start(loop, NULL), 0);
	p->loop_thread = loop->thread;
}

/* The park hook (virtio-blk writes qcow2's deferred metadata there) runs
 * on the loop's thread once per pause, before event_loop_pause() returns. */
START_TEST(test_park_hook_runs_before_pause_returns)
{
	struct event_loop loop;
	struct park_seen p = { 0 };

	start_park_loop(&loop, &p);
	event_loop_pause(&loop);
	ck_assert_int_eq(atomic_load(&p.calls), 1);
	ck_assert(atomic_load(&p.on_loop_thread));
	event_loop_resume(&loop);
	event_loop_pause(&loop);
	ck_assert_int_eq(atomic_load(&p.calls), 2);
	event_loop_resume(&loop);
	event_loop_destroy(&loop);
	/* ... and once more as the stopping thread's last act. */
	ck_assert_int_eq(atomic_load(&p.calls), 3);
}
END_TEST

/* A loop stopped without a pause still runs the hook on its own thread
 * (virtio-blk: qcow2's metadata is written before the main thread, which
 * may not write disks, closes the image). */
START_TEST(test_park_hook_runs_at_stop)
{
	struct event_loop loop;
	struct park_seen p = { 0 };

	start_park_loop(&loop, &p);
	event_loop_stop(&loop);
	ck_assert_int_eq(atomic_load(&p.calls), 1);
	ck_assert(atomic_load(&p.on_loop_thread));
	event_loop_destroy(&loop);
	ck_assert_int_eq(atomic_load(&p.calls), 1);
}
END_TEST

START_TEST(test_hook_failure_fails_start)
{
	struct event_loop loop;
	struct io_thread_hook hook = { .fn = hook_fails };

	ck_assert_int_eq(event_loop_init(&loop, "test-loop"), 0);
	ck_assert_int_eq(event_loop_start(&loop, &hook), -EPERM);
	ck_assert(!loop.running);
	event_loop_destroy(&loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("event_loop");
	TCase *tc = tcase_create("loop");

	tcase_add_test(tc, test_pause_holds_callbacks);
	tcase_add_test(tc, test_hook_failure_fails_start);
	tcase_add_test(tc, test_park_hook_runs_before_pause_returns);
	tcase_add_test(tc, test_park_hook_runs_at_stop);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
