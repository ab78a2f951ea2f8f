/* SPDX-License-Identifier: MIT */
/*
 * An epoll loop for one I/O thread.  Devices register file descriptors
 * (ioeventfds of their queues, TAP fds, image completion fds) with a
 * callback; the loop runs the callbacks on its own thread, never on a vCPU.
 *
 * It lives beside the devices (not in vmm/) because they build on it; the
 * VM core hands in what must run first on the new thread (its seccomp
 * filter) as a struct io_thread_hook, so the loop knows nothing of seccomp.
 */
#ifndef MINIVMM_EVENT_LOOP_H
#define MINIVMM_EVENT_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_LOOP_MAX_FDS 32

typedef void (*event_fn)(void *opaque, uint32_t epoll_events);

/*
 * Run first on a device's I/O thread, before any event (vmm/ installs the
 * thread's seccomp filter here).  Returns 0, or -errno with one line in
 * err: the thread then ends and event_loop_start() fails with that errno.
 */
struct io_thread_hook {
	int (*fn)(void *opaque, char *err, size_t errlen);
	void *opaque;
	/* Optional: run on the thread once start has its answer, before
	 * the first event (vmm/ runs its seccomp self-test there). */
	void (*ready)(void *opaque);
};

struct event_source {
	int fd;
	event_fn fn;
	void *opaque;
};

struct event_loop {
	const char *name;
	int epoll_fd;
	int stop_fd;	/* eventfd: wakes the loop to stop */
	int pause_fd;	/* eventfd: wakes the loop to park (event_loop_pause) */
	struct event_source src[EVENT_LOOP_MAX_FDS];
	pthread_t thread;
	bool running;
	struct io_thread_hook hook;	/* fn NULL: nothing to run first */
	int start_fd;	/* eventfd: the hook's result */

	/* Runs on the loop's thread when a pause comes, before it parks
	 * (event_loop_on_park); NULL: nothing. */
	void (*park_fn)(void *opaque);
	void *park_opaque;

	/* Pause handshake, under pause_lock. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_wanted;
	bool parked;
};

int event_loop_init(struct event_loop *loop, const char *name);
/* events: EPOLLIN / EPOLLOUT / EPOLLET ... */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_fn fn, void *opaque);
int event_loop_modify(struct event_loop *loop, int fd, uint32_t events);
int event_loop_remove(struct event_loop *loop, int fd);
/*
 * Run in a new thread named after the loop; hook (may be NULL) runs first
 * on it and its failure is returned here.  Returns 0 or -errno.
 */
int event_loop_start(struct event_loop *loop, const struct io_thread_hook *hook);
/*
 * Park the thread between two callbacks: when event_loop_pause() returns
 * no callback runs until event_loop_resume().  A loop that is not running
 * is trivially paused.  Call from any thread but the loop's own; pauses
 * do not nest (the device table's quiesce/resume pair them).
 */
void event_loop_pause(struct event_loop *loop);
void event_loop_resume(struct event_loop *loop);
/*
 * fn(opaque) runs on the loop's own thread (its seccomp filter) each time
 * a pause comes, before the thread parks, and once more when the loop
 * stops, as the thread's last act: e.g. to leave a disk image's file
 * complete while the VM is paused, and before the image is closed by a
 * thread that may not write it.  Set before event_loop_start().
 */
void event_loop_on_park(struct event_loop *loop, void (*fn)(void *opaque),
			void *opaque);
/* Ask the loop to stop and join its thread (idempotent; resumes a pause). */
void event_loop_stop(struct event_loop *loop);
void event_loop_destroy(struct event_loop *loop);

#endif
