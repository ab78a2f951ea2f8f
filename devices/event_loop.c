// SPDX-License-Identifier: MIT
#include "devices/event_loop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/log.h"

int event_loop_init(struct event_loop *loop, const char *name)
{
	memset(loop, 0, sizeof(*loop));
	loop->name = name;
	for (unsigned int i = 0; i < EVENT_LOOP_MAX_FDS; i++)
		loop->src[i].fd = -1;
	loop->stop_fd = loop->pause_fd = -1;
	pthread_mutex_init(&loop->pause_lock, NULL);
	pthread_cond_init(&loop->pause_cond, NULL);
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0)
		return -errno;
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	loop->pause_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->stop_fd < 0 || loop->pause_fd < 0)
		return -errno;	/* event_loop_destroy() closes what exists */

	/* Special sources: data.ptr NULL stops, &pause_fd parks. */
	struct epoll_event stop = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event pause = { .events = EPOLLIN, .data.ptr = &loop->pause_fd };

	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->stop_fd, &stop) < 0 ||
	    epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->pause_fd, &pause) < 0)
		return -errno;
	return 0;
}

static struct event_source *event_loop_find(struct event_loop *loop, int fd)
{
	for (unsigned int i = 0; i < EVENT_LOOP_MAX_FDS; i++)
		if (loop->src[i].fd == fd)
			return &loop->src[i];
	return NULL;
}

int event_loop_add(struct event_loop *loop, int fd, uint32_t events,
		   event_fn fn, void *opaque)
{
	struct event_source *s = event_loop_find(loop, -1);

	if (fd < 0 || !fn)
		return -EINVAL;
	if (!s)
		return -ENOSPC;
	s->fd = fd;
	s->fn = fn;
	s->opaque = opaque;
	struct epoll_event ev = { .events = events, .data.ptr = s };

	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		s->fd = -1;
		return -errno;
	}
	return 0;
}

int event_loop_modify(struct event_loop *loop, int fd, uint32_t events)
{
	struct event_source *s = event_loop_find(loop, fd);

	if (fd < 0 || !s)
		return -ENOENT;
	struct epoll_event ev = { .events = events, .data.ptr = s };

	return epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int event_loop_remove(struct event_loop *loop, int fd)
{
	struct event_source *s = event_loop_find(loop, fd);

	if (fd < 0 || !s)
		return -ENOENT;
	epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	s->fd = -1;
	return 0;
}

/* Between two callbacks: stay parked while a pause is wanted. */
static void event_loop_park(struct event_loop *loop)
{
	uint64_t count;

	bool wanted;

	if (read(loop->pause_fd, &count, sizeof(count)) < 0)
		count = 0;	/* already drained: the flag below decides */
	pthread_mutex_lock(&loop->pause_lock);
	wanted = loop->pause_wanted;
	pthread_mutex_unlock(&loop->pause_lock);
	/* The pauser waits for parked: this runs before it returns. */
	if (wanted && loop->park_fn)
		loop->park_fn(loop->park_opaque);
	pthread_mutex_lock(&loop->pause_lock);
	if (loop->pause_wanted) {
		loop->parked = true;
		pthread_cond_broadcast(&loop->pause_cond);
		while (loop->pause_wanted)
			pthread_cond_wait(&loop->pause_cond, &loop->pause_lock);
		loop->parked = false;
		pthread_cond_broadcast(&loop->pause_cond);
	}
	pthread_mutex_unlock(&loop->pause_lock);
}

/* The hook's result to event_loop_start(): 1 + errno, never 0 (an
 * eventfd write of 0 wakes nobody). */
static int event_loop_run_hook(struct event_loop *loop)
{
	char err[ERR_LINE_MAX];
	int ret = loop->hook.fn(loop->hook.opaque, err, sizeof(err));
	uint64_t v = (ret ? (uint64_t)-ret : 0) + 1;

	if (ret)
		log_error("%s", err);
	if (write(loop->start_fd, &v, sizeof(v)) < 0)
		return -EIO;
	return ret;
}

/*
 * The park hook runs once more as the stopping thread's last act: what it
 * leaves complete (qcow2's deferred metadata) is then written under this
 * thread's seccomp filter, not by the main thread that closes the image
 * after the join and may not write disks.
 */
static void event_loop_last_act(struct event_loop *loop)
{
	if (loop->park_fn)
		loop->park_fn(loop->park_opaque);
}

static void *event_loop_thread(void *arg)
{
	struct event_loop *loop = arg;
	struct epoll_event ev[16];

	/* Named by itself: one prctl, where naming it from another thread
	 * writes /proc/self/task/TID/comm (three system calls). */
	if (loop->name) {
		char name[16];

		strncpy(name, loop->name, sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		pthread_setname_np(pthread_self(), name);
	}
	if (loop->hook.fn && event_loop_run_hook(loop))
		return NULL;
	if (loop->hook.ready)
		loop->hook.ready(loop->hook.opaque);
	for (;;) {
		int n = epoll_wait(loop->epoll_fd, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			struct event_source *s = ev[i].data.ptr;

			if (!s) {	/* stop_fd */
				event_loop_last_act(loop);
				return NULL;
			}
			if (ev[i].data.ptr == &loop->pause_fd)
				event_loop_park(loop);
			else if (s->fd >= 0)
				s->fn(s->opaque, ev[i].events);
		}
	}
	return NULL;
}

int event_loop_start(struct event_loop *loop, const struct io_thread_hook *hook)
{
	int err;

	loop->hook = hook ? *hook : (struct io_thread_hook){ .fn = NULL };
	if (loop->hook.fn) {
		loop->start_fd = eventfd(0, EFD_CLOEXEC);
		if (loop->start_fd < 0)
			return -errno;
	}
	err = pthread_create(&loop->thread, NULL, event_loop_thread, loop);
	if (err) {
		if (loop->hook.fn)
			close(loop->start_fd);
		return -err;
	}
	/* The thread says whether its hook (seccomp filter) succeeded. */
	if (loop->hook.fn) {
		uint64_t v = 0;

		if (read(loop->start_fd, &v, sizeof(v)) != sizeof(v) || v != 1) {
			pthread_join(loop->thread, NULL);
			close(loop->start_fd);
			return v > 1 ? -(int)(v - 1) : -EIO;
		}
		close(loop->start_fd);
	}
	loop->running = true;
	return 0;
}

void event_loop_pause(struct event_loop *loop)
{
	uint64_t one = 1;

	if (!loop->running)
		return;
	pthread_mutex_lock(&loop->pause_lock);
	loop->pause_wanted = true;
	pthread_mutex_unlock(&loop->pause_lock);
	if (write(loop->pause_fd, &one, sizeof(one)) < 0)
		return;	/* the counter is full: a wake-up is pending anyway */
	pthread_mutex_lock(&loop->pause_lock);
	while (!loop->parked)
		pthread_cond_wait(&loop->pause_cond, &loop->pause_lock);
	pthread_mutex_unlock(&loop->pause_lock);
}

void event_loop_on_park(struct event_loop *loop, void (*fn)(void *opaque),
			void *opaque)
{
	loop->park_fn = fn;
	loop->park_opaque = opaque;
}

void event_loop_resume(struct event_loop *loop)
{
	pthread_mutex_lock(&loop->pause_lock);
	loop->pause_wanted = false;
	pthread_cond_broadcast(&loop->pause_cond);
	while (loop->parked)
		pthread_cond_wait(&loop->pause_cond, &loop->pause_lock);
	pthread_mutex_unlock(&loop->pause_lock);
}

void event_loop_stop(struct event_loop *loop)
{
	uint64_t one = 1;

	if (!loop->running)
		return;
	event_loop_resume(loop);	/* a parked thread cannot see stop_fd */
	if (write(loop->stop_fd, &one, sizeof(one)) < 0)
		return;
	pthread_join(loop->thread, NULL);
	loop->running = false;
}

void event_loop_destroy(struct event_loop *loop)
{
	event_loop_stop(loop);
	if (loop->epoll_fd >= 0) {
		close(loop->epoll_fd);
		pthread_cond_destroy(&loop->pause_cond);
		pthread_mutex_destroy(&loop->pause_lock);
	}
	if (loop->stop_fd >= 0)
		close(loop->stop_fd);
	if (loop->pause_fd >= 0)
		close(loop->pause_fd);
	loop->epoll_fd = loop->stop_fd = loop->pause_fd = -1;
}
