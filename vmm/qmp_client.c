// SPDX-License-Identifier: MIT
/* The front end's QMP client: see qmp_client.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/qmp_client.h"

static long long client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One more chunk from the socket, waiting until deadline.  0 at EOF. */
static ssize_t client_fill(struct qmp_client *c, long long deadline)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	long long left = deadline - client_now_ms();
	ssize_t n;

	if (c->cap - c->len < 4096) {
		size_t cap = c->cap ? c->cap * 2 : 16384;
		char *b;

		if (cap > QMP_CLIENT_LINE_MAX + 4096)
			return -E2BIG;
		b = realloc(c->buf, cap);
		if (!b)
			return -ENOMEM;
		c->buf = b;
		c->cap = cap;
	}
	if (left <= 0)
		return -ETIMEDOUT;
	n = poll(&pfd, 1, (int)left);
	if (n == 0)
		return -ETIMEDOUT;
	if (n < 0)
		return errno == EINTR ? client_fill(c, deadline) : -errno;
	n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
	if (n < 0)
		return errno == EINTR ? client_fill(c, deadline) : -errno;
	c->len += n;
	return n;
}

/* The next line (without CRLF) into c->line; the buffer keeps the rest. */
static int client_read_line(struct qmp_client *c, long long deadline)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		ssize_t n;

		if (nl) {
			size_t linelen = nl - c->buf;

			free(c->line);
			c->line = malloc(linelen + 1);
			if (!c->line)
				return -ENOMEM;
			memcpy(c->line, c->buf, linelen);
			if (linelen && c->line[linelen - 1] == '\r')
				linelen--;
			c->line[linelen] = '\0';
			memmove(c->buf, nl + 1, c->len - (nl + 1 - c->buf));
			c->len -= nl + 1 - c->buf;
			return 0;
		}
		if (c->len > QMP_CLIENT_LINE_MAX)
			return -E2BIG;
		n = client_fill(c, deadline);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return (int)n;
	}
}

static int client_parse(struct qmp_client *c, struct json_value *v)
{
	static const struct json_limits lim = {
		.max_bytes = QMP_CLIENT_LINE_MAX,
		.max_depth = JSON_DEFAULT_MAX_DEPTH,
		.max_nodes = 1u << 20,
	};
	struct json_error jerr;

	if (json_parse(c->line, strlen(c->line), &lim, v, &jerr))
		return -EPROTO;
	if (v->type != JSON_OBJECT) {
		json_free(v);
		return -EPROTO;
	}
	return 0;
}

/* Read until a line that is not an event: the reply to what was sent. */
static int client_reply(struct qmp_client *c, struct json_value *reply)
{
	long long deadline = client_now_ms() + c->timeout_ms;
	int rc;

	for (;;) {
		rc = client_read_line(c, deadline);
		if (rc)
			return rc;
		if (!c->line[0])
			continue;
		rc = client_parse(c, reply);
		if (rc)
			return rc;
		if (!json_object_get(reply, "event"))
			return 0;
		json_free(reply);
	}
}

static int client_send(struct qmp_client *c, const char *text)
{
	size_t len = strlen(text), off = 0;

	while (off < len) {
		ssize_t n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

/*
 * The command and its newline in one write: the server acts on a complete
 * object, so after "quit" it may reply and close before a second write,
 * which would then fail with EPIPE although the command was carried out.
 */
static int client_send_line(struct qmp_client *c, const char *text)
{
	size_t len = strlen(text);
	char *line = malloc(len + 2);
	int rc;

	if (!line)
		return -ENOMEM;
	memcpy(line, text, len);
	memcpy(line + len, "\n", 2);
	rc = client_send(c, line);
	free(line);
	return rc;
}

static int client_fail(char *err, size_t errlen, const char *path, int rc)
{
	snprintf(err, errlen, "%s: %s", path,
		 rc == -EPROTO ? "not a QMP reply" : strerror(-rc));
	return rc;
}

int qmp_client_open(struct qmp_client *c, const char *path, int timeout_ms,
		    char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t credlen = sizeof(cred);
	struct json_value v;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(addr.sun_path))
		return client_fail(err, errlen, path, -ENAMETOOLONG);
	strcpy(addr.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return client_fail(err, errlen, path, -errno);
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)))
		return client_fail(err, errlen, path, -errno);
	if (!getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen))
		c->peer_pid = cred.pid;
	/* The greeting, then negotiation. */
	rc = client_reply(c, &v);
	if (rc)
		return client_fail(err, errlen, path, rc);
	rc = json_object_get(&v, "QMP") ? 0 : -EPROTO;
	json_free(&v);
	if (rc)
		return client_fail(err, errlen, path, rc);
	rc = qmp_client_call(c, "qmp_capabilities", &v, err, errlen);
	if (rc)
		return rc;
	rc = json_object_get(&v, "return") ? 0 : -EPROTO;
	json_free(&v);
	return rc ? client_fail(err, errlen, path, rc) : 0;
}

int qmp_client_call(struct qmp_client *c, const char *command,
		    struct json_value *reply, char *err, size_t errlen)
{
	return qmp_client_call_args(c, command, NULL, NULL, reply, err, errlen);
}

int qmp_client_call_args(struct qmp_client *c, const char *command,
			 void (*args)(struct json_writer *w, void *opaque),
			 void *opaque, struct json_value *reply, char *err,
			 size_t errlen)
{
	struct json_writer w;
	int rc;

	/* Bounded like a reply line: a path argument cannot be longer. */
	jw_init(&w, QMP_CLIENT_LINE_MAX);
	jw_object_begin(&w);
	jw_kv_string(&w, "execute", command);
	if (args) {
		jw_key(&w, "arguments");
		jw_object_begin(&w);
		args(&w, opaque);
		jw_object_end(&w);
	}
	jw_object_end(&w);
	rc = w.failed ? -ENOMEM : 0;
	if (!rc)
		rc = client_send_line(c, w.buf);
	jw_free(&w);
	if (!rc)
		rc = client_reply(c, reply);
	if (rc)
		snprintf(err, errlen, "%s: %s", command,
			 rc == -EPROTO ? "not a QMP reply" : strerror(-rc));
	return rc;
}

int qmp_client_wait_close(struct qmp_client *c, int timeout_ms)
{
	long long deadline = client_now_ms() + timeout_ms;

	for (;;) {
		ssize_t n;

		c->len = 0;	/* events are not kept */
		n = client_fill(c, deadline);
		if (n == 0 || n == -ECONNRESET)
			return 0;
		if (n < 0)
			return (int)n;
	}
}

void qmp_client_close(struct qmp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->line);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}
