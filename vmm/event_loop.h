/* SPDX-License-Identifier: MIT */
/*
 * An epoll loop for one I/O thread.  Devices register file descriptors
 * (ioeventfds of their queues, TAP fds, image completion fds) with a
 * callback; the loop runs the callbacks on its own thread, never on a vCPU.
 */
#ifndef MINIVMM_EVENT_LOOP_H
#define MINIVMM_EVENT_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define EVENT_LOOP_MAX_FDS 32

typedef void (*event_fn)(void *opaque, uint32_t epoll_events);

struct event_source {
	int fd;
	event_fn fn;
	void *opaque;
};

struct event_loop {
	const char *name;
	int epoll_fd;
	int stop_fd; /* eventfd: wakes the loop to stop */
	struct event_source src[EVENT_LOOP_MAX_FDS];
	pthread_t thread;
	bool running;
	bool seccomp;	/* thread installs SECCOMP_THREAD_IO first */
	int start_fd;	/* eventfd: the thread's install result */
};

int event_loop_init(struct event_loop *loop, const char *name);
/* events: EPOLLIN / EPOLLOUT / EPOLLET ... */
int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_fn fn, void *opaque);
int event_loop_modify(struct event_loop *loop, int fd, uint32_t events);
int event_loop_remove(struct event_loop *loop, int fd);
/* Run in a new thread named after the loop. */
int event_loop_start(struct event_loop *loop);
/* Ask the loop to stop and join its thread (idempotent). */
void event_loop_stop(struct event_loop *loop);
void event_loop_destroy(struct event_loop *loop);

#endif
