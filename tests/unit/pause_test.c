// SPDX-License-Identifier: MIT
/*
 * Unit tests of the stop-the-world state machine (vmm/pause.c) with plain
 * threads standing in for vCPUs: each "runs" by bumping a counter between
 * checkpoints, as a vCPU calls pause_checkpoint() before every KVM_RUN.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "vmm/pause.h"
#include "tests/unit/unit_main.h"

#define NR_FAKE 3

struct fake_vcpu {
	struct fake_world *w;
	unsigned int index;
	pthread_t thread;
	atomic_ulong progress;
	atomic_bool leave;		/* like KVM_EXIT_HLT: leave the loop */
	bool joined;
};

struct fake_world {
	struct vm_pause p;
	struct fake_vcpu v[NR_FAKE];
	atomic_uint kicks;
};

static void fake_kick(void *ctx, unsigned int slot)
{
	struct fake_world *w = ctx;

	(void)slot;
	atomic_fetch_add(&w->kicks, 1);
}

static void *fake_vcpu_thread(void *arg)
{
	struct fake_vcpu *v = arg;

	while (!atomic_load(&v->leave)) {
		if (!pause_checkpoint(&v->w->p, v->index))
			break;
		atomic_fetch_add(&v->progress, 1);
		usleep(50);
	}
	pause_slot_exit(&v->w->p, v->index);
	return NULL;
}

static void world_start(struct fake_world *w)
{
	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(pause_init(&w->p, NR_FAKE, fake_kick, w), 0);
	for (unsigned int i = 0; i < NR_FAKE; i++) {
		w->v[i].w = w;
		w->v[i].index = i;
		pause_slot_start(&w->p, i);
		ck_assert_int_eq(pthread_create(&w->v[i].thread, NULL,
						fake_vcpu_thread, &w->v[i]), 0);
	}
}

static void world_end(struct fake_world *w)
{
	pause_stop(&w->p);
	for (unsigned int i = 0; i < NR_FAKE; i++) {
		atomic_store(&w->v[i].leave, true);
		if (!w->v[i].joined)
			pthread_join(w->v[i].thread, NULL);
	}
	pause_destroy(&w->p);
}

static unsigned long progress(struct fake_world *w, unsigned int i)
{
	return atomic_load(&w->v[i].progress);
}

static bool all_progress(struct fake_world *w)
{
	unsigned long before[NR_FAKE];

	for (unsigned int i = 0; i < NR_FAKE; i++)
		before[i] = progress(w, i);
	for (int tries = 0; tries < 2000; tries++) {
		bool all = true;

		for (unsigned int i = 0; i < NR_FAKE; i++)
			all &= progress(w, i) > before[i] + 2;
		if (all)
			return true;
		usleep(1000);
	}
	return false;
}

static bool none_progress(struct fake_world *w)
{
	unsigned long before[NR_FAKE];

	for (unsigned int i = 0; i < NR_FAKE; i++)
		before[i] = progress(w, i);
	usleep(20000);
	for (unsigned int i = 0; i < NR_FAKE; i++)
		if (progress(w, i) != before[i])
			return false;
	return true;
}

START_TEST(test_pause_resume)
{
	static struct fake_world w;

	world_start(&w);
	ck_assert(all_progress(&w));
	pause_request(&w.p, PAUSE_QMP);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	ck_assert(pause_is_held(&w.p));
	ck_assert_uint_eq(w.p.nr_parked, NR_FAKE);
	ck_assert(none_progress(&w));
	ck_assert(pause_release(&w.p, PAUSE_QMP));
	ck_assert(!pause_is_held(&w.p));
	ck_assert(all_progress(&w));
	world_end(&w);
}
END_TEST

/* Two reasons overlap: the world runs only when both have let go. */
START_TEST(test_pause_overlapping_holders)
{
	static struct fake_world w;

	world_start(&w);
	pause_request(&w.p, PAUSE_QMP);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	pause_request(&w.p, PAUSE_GDB);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	/* Same reason again: no second hold. */
	pause_request(&w.p, PAUSE_QMP);
	ck_assert(!pause_release(&w.p, PAUSE_QMP));
	ck_assert(pause_held_by(&w.p, PAUSE_GDB));
	ck_assert(!pause_held_by(&w.p, PAUSE_QMP));
	ck_assert(none_progress(&w));
	/* Releasing a reason that does not hold changes nothing. */
	ck_assert(!pause_release(&w.p, PAUSE_SNAPSHOT));
	ck_assert(none_progress(&w));
	ck_assert(pause_release(&w.p, PAUSE_GDB));
	ck_assert(all_progress(&w));
	world_end(&w);
}
END_TEST

/* Many pause/resume rounds: the parked count never drifts (generations). */
START_TEST(test_pause_generations)
{
	static struct fake_world w;

	world_start(&w);
	for (int round = 0; round < 200; round++) {
		pause_request(&w.p, PAUSE_GDB);
		ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
		ck_assert_uint_eq(w.p.nr_parked, NR_FAKE);
		/* A late kick and spurious wake-ups must not count twice. */
		pthread_mutex_lock(&w.p.lock);
		pthread_cond_broadcast(&w.p.vcpu_cond);
		pthread_mutex_unlock(&w.p.lock);
		usleep(100);
		ck_assert_uint_eq(w.p.nr_parked, NR_FAKE);
		pause_release(&w.p, PAUSE_GDB);
	}
	ck_assert_uint_gt(atomic_load(&w.kicks), 0);
	ck_assert(all_progress(&w));
	world_end(&w);
}
END_TEST

/* A stop request wins: parked threads leave, waiters return. */
START_TEST(test_pause_stop_wins)
{
	static struct fake_world w;

	world_start(&w);
	pause_request(&w.p, PAUSE_QMP);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	pause_stop(&w.p);
	for (unsigned int i = 0; i < NR_FAKE; i++)
		pthread_join(w.v[i].thread, NULL);	/* left the loop */
	ck_assert_uint_eq(w.p.nr_active, 0);
	ck_assert_int_eq(pause_wait(&w.p, 100), -ESHUTDOWN);
	pause_destroy(&w.p);
}
END_TEST

struct on_thread {
	pthread_t seen;
	unsigned int slot;
};

static void record_thread(unsigned int slot, void *arg)
{
	struct on_thread *o = arg;

	o->seen = pthread_self();
	o->slot = slot;
}

/* Work runs on the parked slot's own thread; a running slot refuses. */
START_TEST(test_pause_run_on)
{
	static struct fake_world w;
	struct on_thread o;

	world_start(&w);
	ck_assert_int_eq(pause_run_on(&w.p, 1, record_thread, &o), -EBUSY);
	pause_request(&w.p, PAUSE_GDB);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	for (unsigned int i = 0; i < NR_FAKE; i++) {
		ck_assert_int_eq(pause_run_on(&w.p, i, record_thread, &o), 0);
		ck_assert(pthread_equal(o.seen, w.v[i].thread));
		ck_assert_uint_eq(o.slot, i);
	}
	ck_assert_int_eq(pause_run_on(&w.p, NR_FAKE, record_thread, &o), -EINVAL);
	ck_assert(none_progress(&w));
	pause_release(&w.p, PAUSE_GDB);
	world_end(&w);
}
END_TEST

/* A slot whose thread has gone is touched on the caller's thread. */
START_TEST(test_pause_gone_slot)
{
	static struct fake_world w;
	struct on_thread o;

	world_start(&w);
	atomic_store(&w.v[2].leave, true);
	pthread_join(w.v[2].thread, NULL);
	w.v[2].joined = true;
	pause_request(&w.p, PAUSE_GDB);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	ck_assert_uint_eq(w.p.nr_active, NR_FAKE - 1);
	ck_assert_int_eq(pause_run_on(&w.p, 2, record_thread, &o), 0);
	ck_assert(pthread_equal(o.seen, pthread_self()));
	ck_assert_int_eq(pause_step(&w.p, 2), -ESRCH);
	pause_release(&w.p, PAUSE_GDB);
	world_end(&w);
}
END_TEST

/* Step mode: one slot runs, the others stay parked, a request ends it. */
START_TEST(test_pause_step_one)
{
	static struct fake_world w;
	unsigned long p0, p2;

	world_start(&w);
	ck_assert_int_eq(pause_step(&w.p, 1), -EAGAIN);	/* not held */
	pause_request(&w.p, PAUSE_GDB);
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	p0 = progress(&w, 0);
	p2 = progress(&w, 2);
	for (int round = 0; round < 20; round++) {
		unsigned long p1 = progress(&w, 1);

		ck_assert_int_eq(pause_step(&w.p, 1), 0);
		ck_assert_int_eq(pause_step(&w.p, 0), -EBUSY);
		while (progress(&w, 1) == p1)
			usleep(100);
		pause_request(&w.p, PAUSE_GDB);	/* as the debug exit does */
		ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
		ck_assert_uint_eq(w.p.nr_parked, NR_FAKE);
	}
	ck_assert_uint_eq(progress(&w, 0), p0);
	ck_assert_uint_eq(progress(&w, 2), p2);
	pause_release(&w.p, PAUSE_GDB);
	ck_assert(all_progress(&w));
	world_end(&w);
}
END_TEST

/* Held before any thread starts (-S): nothing ever runs until released. */
START_TEST(test_pause_before_start)
{
	static struct fake_world w;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(pause_init(&w.p, NR_FAKE, fake_kick, &w), 0);
	pause_request(&w.p, PAUSE_STARTUP);
	for (unsigned int i = 0; i < NR_FAKE; i++) {
		w.v[i].w = &w;
		w.v[i].index = i;
		pause_slot_start(&w.p, i);
		ck_assert_int_eq(pthread_create(&w.v[i].thread, NULL,
						fake_vcpu_thread, &w.v[i]), 0);
	}
	ck_assert_int_eq(pause_wait(&w.p, 5000), 0);
	ck_assert(none_progress(&w));
	for (unsigned int i = 0; i < NR_FAKE; i++)
		ck_assert_uint_eq(progress(&w, i), 0);
	pause_release(&w.p, PAUSE_STARTUP);
	ck_assert(all_progress(&w));
	world_end(&w);
}
END_TEST

/* A stop request made before pause_init (failed set-up) is harmless. */
START_TEST(test_pause_unready)
{
	struct vm_pause p;

	memset(&p, 0, sizeof(p));
	pause_stop(&p);
	pause_request(&p, PAUSE_QMP);
	ck_assert(!pause_is_held(&p));
	ck_assert(pause_checkpoint(&p, 0));
	ck_assert_int_eq(pause_wait(&p, 1), -ESHUTDOWN);
}
END_TEST

static Suite *pause_suite(void)
{
	Suite *s = suite_create("pause");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_pause_overlapping_holders);
	tcase_add_test(tc, test_pause_generations);
	tcase_add_test(tc, test_pause_stop_wins);
	tcase_add_test(tc, test_pause_run_on);
	tcase_add_test(tc, test_pause_gone_slot);
	tcase_add_test(tc, test_pause_step_one);
	tcase_add_test(tc, test_pause_before_start);
	tcase_add_test(tc, test_pause_unready);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(pause_suite());
}
