// SPDX-License-Identifier: MIT
#include "vmm/event_loop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/seccomp.h"

int event_loop_init(struct event_loop *loop, const char *name)
{
	memset(loop, 0, sizeof(*loop));
	loop->name = name;
	for (unsigned int i = 0; i < EVENT_LOOP_MAX_FDS; i++)
		loop->src[i].fd = -1;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0)
		return -errno;
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->stop_fd < 0) {
		int err = -errno;

		close(loop->epoll_fd);
		return err;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->stop_fd, &ev) < 0)
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

static void *event_loop_thread(void *arg)
{
	struct event_loop *loop = arg;
	struct epoll_event ev[16];

	if (loop->seccomp) {
		char err[160];
		int ret = seccomp_install(SECCOMP_THREAD_IO, err, sizeof(err));
		uint64_t v = ret ? (uint64_t)-ret : 0;

		v += 1;	/* never 0: an eventfd write of 0 wakes nobody */
		if (ret)
			log_error("%s", err);
		if (write(loop->start_fd, &v, sizeof(v)) < 0 || ret)
			return NULL;
	}
	for (;;) {
		int n = epoll_wait(loop->epoll_fd, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			struct event_source *s = ev[i].data.ptr;

			if (!s)
				return NULL; /* stop_fd */
			if (s->fd >= 0)
				s->fn(s->opaque, ev[i].events);
		}
	}
	return NULL;
}

int event_loop_start(struct event_loop *loop)
{
	int err;

	if (loop->seccomp) {
		loop->start_fd = eventfd(0, EFD_CLOEXEC);
		if (loop->start_fd < 0)
			return -errno;
	}
	err = pthread_create(&loop->thread, NULL, event_loop_thread, loop);
	if (err) {
		if (loop->seccomp)
			close(loop->start_fd);
		return -err;
	}
	/* The thread says whether its filter is in place. */
	if (loop->seccomp) {
		uint64_t v = 0;

		if (read(loop->start_fd, &v, sizeof(v)) != sizeof(v) || v != 1) {
			pthread_join(loop->thread, NULL);
			close(loop->start_fd);
			return v > 1 ? -(int)(v - 1) : -EIO;
		}
		close(loop->start_fd);
	}
	if (loop->name) {
		char name[16];

		strncpy(name, loop->name, sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		pthread_setname_np(loop->thread, name);
	}
	loop->running = true;
	return 0;
}

void event_loop_stop(struct event_loop *loop)
{
	uint64_t one = 1;

	if (!loop->running)
		return;
	if (write(loop->stop_fd, &one, sizeof(one)) < 0)
		return;
	pthread_join(loop->thread, NULL);
	loop->running = false;
}

void event_loop_destroy(struct event_loop *loop)
{
	event_loop_stop(loop);
	if (loop->epoll_fd >= 0)
		close(loop->epoll_fd);
	if (loop->stop_fd >= 0)
		close(loop->stop_fd);
	loop->epoll_fd = loop->stop_fd = -1;
}
