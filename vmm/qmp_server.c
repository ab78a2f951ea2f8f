// SPDX-License-Identifier: MIT
/*
 * QMP socket server (see qmp_server.h).  One thread owns the clients; the
 * lock (recursive, because a command may raise an event on the same
 * thread) lets other threads queue events.  Writes never block: what the
 * socket does not take is queued, and a queue above QMP_SERVER_OUT_MAX
 * ends that client.  While a client's queue is above a quarter of that,
 * its input is not read, so a client that sends but never reads is slowed
 * down, not served into memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/qmp_server.h"
#include "vmm/seccomp.h"
#include "vmm/unix_listen.h"

#define QMP_READ_CHUNK	4096
#define QMP_OUT_PAUSE	(QMP_SERVER_OUT_MAX / 4)
#define TAG_LISTEN	((uint64_t)-1)
#define TAG_WAKE	((uint64_t)-2)

struct qmp_client {
	int fd;
	bool in_use, dead, reading;
	struct qmp_session s;
	char *out;
	size_t out_len, out_cap;
	struct qmp_server *srv;
};

struct qmp_server {
	int epoll_fd, wake_fd;
	struct unix_listener ln;
	const struct qmp_backend *be;
	pthread_t thread;
	bool started;
	bool seccomp;
	bool stopping;
	pthread_mutex_t lock;
	struct json_writer ev;		/* event text, under lock */
	struct qmp_client clients[QMP_SERVER_MAX_CLIENTS];
};

/* ---- output ---- */

static void client_update_events(struct qmp_client *c)
{
	struct epoll_event e = { .data.u64 = (uint64_t)(c - c->srv->clients) };
	bool want_in = c->out_len < QMP_OUT_PAUSE;

	e.events = (want_in ? EPOLLIN : 0) | (c->out_len ? EPOLLOUT : 0);
	c->reading = want_in;
	epoll_ctl(c->srv->epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
}

static void client_flush(struct qmp_client *c)
{
	size_t off = 0;

	while (off < c->out_len) {
		ssize_t n = send(c->fd, c->out + off, c->out_len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->dead = true;
			break;
		}
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->out_len - off);
	c->out_len -= off;
}

/* Queue text for a client; a client that lets too much pile up ends. */
static void client_queue(struct qmp_client *c, const char *text, size_t len)
{
	if (c->dead)
		return;
	if (c->out_len + len > QMP_SERVER_OUT_MAX) {
		log_warn("qmp: a client does not read its replies, disconnecting it");
		c->dead = true;
		return;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			c->dead = true;
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, len);
	c->out_len += len;
}

static void client_send(void *opaque, const char *text, size_t len)
{
	client_queue(opaque, text, len);
}

/* ---- clients ---- */

static void client_close(struct qmp_client *c)
{
	epoll_ctl(c->srv->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	qmp_session_destroy(&c->s);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void server_accept(struct qmp_server *srv)
{
	int fd = accept4(srv->ln.fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct qmp_client *c = NULL;

	if (fd < 0)
		return;
	for (size_t i = 0; i < QMP_SERVER_MAX_CLIENTS && !c; i++)
		if (!srv->clients[i].in_use)
			c = &srv->clients[i];
	if (!c) {
		/* Full: refuse this one, keep serving the others. */
		close(fd);
		return;
	}
	c->fd = fd;
	c->in_use = true;
	c->srv = srv;
	qmp_session_init(&c->s, srv->be, client_send, c);
	struct epoll_event e = { .events = EPOLLIN,
				 .data.u64 = (uint64_t)(c - srv->clients) };
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &e)) {
		qmp_session_destroy(&c->s);
		close(fd);
		memset(c, 0, sizeof(*c));
		return;
	}
	qmp_session_greet(&c->s);
}

static void client_read(struct qmp_client *c)
{
	char buf[QMP_READ_CHUNK];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		c->dead = true;
		return;
	}
	if (n > 0)
		qmp_session_input(&c->s, buf, (size_t)n);
}

static void client_service(struct qmp_client *c, uint32_t events)
{
	if ((events & EPOLLIN) && c->reading)
		client_read(c);
	if (events & (EPOLLHUP | EPOLLERR))
		c->dead = !(events & EPOLLIN) || c->dead;
}

/* After any activity: push queued output, then drop or re-arm clients. */
static void server_tidy(struct qmp_server *srv)
{
	for (size_t i = 0; i < QMP_SERVER_MAX_CLIENTS; i++) {
		struct qmp_client *c = &srv->clients[i];

		if (!c->in_use)
			continue;
		if (!c->dead && c->out_len)
			client_flush(c);
		if (c->dead)
			client_close(c);
		else
			client_update_events(c);
	}
}

/* ---- the thread ---- */

static void server_flush_all(struct qmp_server *srv)
{
	/* Best effort for the last events: a short while, never blocking. */
	for (int tries = 0; tries < 50; tries++) {
		bool pending = false;

		pthread_mutex_lock(&srv->lock);
		for (size_t i = 0; i < QMP_SERVER_MAX_CLIENTS; i++) {
			struct qmp_client *c = &srv->clients[i];

			if (c->in_use && !c->dead && c->out_len) {
				client_flush(c);
				pending |= c->out_len && !c->dead;
			}
		}
		pthread_mutex_unlock(&srv->lock);
		if (!pending)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
}

static void *server_thread(void *arg)
{
	struct qmp_server *srv = arg;
	struct epoll_event evs[16];
	char err[ERR_LINE_MAX];

	if (srv->seccomp &&
	    seccomp_install(SECCOMP_THREAD_QMP, err, sizeof(err))) {
		log_error("%s", err);
		return NULL;
	}
	for (;;) {
		int n = epoll_wait(srv->epoll_fd, evs, 16, -1);

		if (n < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&srv->lock);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64, v;

			if (tag == TAG_LISTEN) {
				server_accept(srv);
			} else if (tag == TAG_WAKE) {
				if (read(srv->wake_fd, &v, sizeof(v)) < 0)
					v = 0;
			} else if (tag < QMP_SERVER_MAX_CLIENTS &&
				   srv->clients[tag].in_use) {
				client_service(&srv->clients[tag], evs[i].events);
			}
		}
		server_tidy(srv);
		bool stop = srv->stopping;

		pthread_mutex_unlock(&srv->lock);
		if (stop)
			break;
	}
	server_flush_all(srv);
	/* The socket goes with the thread (main may no longer unlink). */
	unix_listen_close(&srv->ln);
	return NULL;
}

/* ---- set-up and events ---- */

int qmp_server_create(struct qmp_server **out, const char *path,
		      const struct qmp_backend *be, char *err, size_t errlen)
{
	struct qmp_server *srv = calloc(1, sizeof(*srv));
	pthread_mutexattr_t attr;
	struct epoll_event e = { .events = EPOLLIN };
	int rc;

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	srv->ln.fd = srv->ln.dir_fd = srv->wake_fd = srv->epoll_fd = -1;
	srv->be = be;
	for (size_t i = 0; i < QMP_SERVER_MAX_CLIENTS; i++)
		srv->clients[i].fd = -1;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&srv->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	jw_init(&srv->ev, QMP_MAX_REPLY);
	srv->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->epoll_fd < 0 || srv->wake_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "-qmp: %s", strerror(errno));
		goto fail;
	}
	rc = unix_listen(&srv->ln, path, "-qmp", err, errlen);
	if (rc)
		goto fail;
	e.data.u64 = TAG_LISTEN;
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, srv->ln.fd, &e))
		goto fail_errno;
	e.data.u64 = TAG_WAKE;
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, srv->wake_fd, &e))
		goto fail_errno;
	*out = srv;
	return 0;
fail_errno:
	rc = -errno;
	snprintf(err, errlen, "-qmp: %s", strerror(errno));
fail:
	qmp_server_destroy(srv);
	return rc;
}

int qmp_server_start(struct qmp_server *srv, bool seccomp)
{
	int rc;

	srv->seccomp = seccomp;
	rc = pthread_create(&srv->thread, NULL, server_thread, srv);
	if (rc)
		return -rc;
	pthread_setname_np(srv->thread, "qmp");
	srv->started = true;
	return 0;
}

static void server_wake(struct qmp_server *srv)
{
	uint64_t one = 1;

	if (write(srv->wake_fd, &one, sizeof(one)) < 0)
		return;	/* the counter is full: the thread is awake anyway */
}

void qmp_server_event(struct qmp_server *srv, const char *name,
		      void (*data_fn)(struct json_writer *w, void *arg),
		      void *arg)
{
	struct timespec now;

	if (!srv)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_lock(&srv->lock);
	if (qmp_format_event(&srv->ev, name, (uint64_t)now.tv_sec,
			     (uint32_t)(now.tv_nsec / 1000), data_fn, arg)) {
		for (size_t i = 0; i < QMP_SERVER_MAX_CLIENTS; i++) {
			struct qmp_client *c = &srv->clients[i];

			if (!c->in_use || !qmp_session_wants_events(&c->s))
				continue;
			client_queue(c, srv->ev.buf, srv->ev.len);
			client_queue(c, "\r\n", 2);
		}
	}
	pthread_mutex_unlock(&srv->lock);
	server_wake(srv);
}

void qmp_server_destroy(struct qmp_server *srv)
{
	if (!srv)
		return;
	if (srv->started) {
		pthread_mutex_lock(&srv->lock);
		srv->stopping = true;
		pthread_mutex_unlock(&srv->lock);
		server_wake(srv);
		pthread_join(srv->thread, NULL);
	}
	for (size_t i = 0; i < QMP_SERVER_MAX_CLIENTS; i++)
		if (srv->clients[i].in_use)
			client_close(&srv->clients[i]);
	/* The thread removed the socket already, if it ran. */
	unix_listen_close(&srv->ln);
	if (srv->wake_fd >= 0)
		close(srv->wake_fd);
	if (srv->epoll_fd >= 0)
		close(srv->epoll_fd);
	jw_free(&srv->ev);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}
