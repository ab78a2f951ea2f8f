// SPDX-License-Identifier: MIT
/*
 * The QMP socket server over a real UNIX socket, with a fake machine:
 * socket mode, greeting, events to negotiated clients only, and hostile
 * clients (garbage, a 10 MB line, 1000-deep nesting, 100 connections, one
 * that never reads) while a well-behaved client keeps being served.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit_main.h"
#include "vmm/qmp_client.h"
#include "vmm/qmp_server.h"

static atomic_int quits;

static enum qmp_run_state fake_state(void *ctx)
{
	(void)ctx;
	return QMP_STATE_RUNNING;
}

static int fake_quit(void *ctx, char *err, size_t len)
{
	(void)ctx;
	(void)err;
	(void)len;
	atomic_fetch_add(&quits, 1);
	return 0;
}

static const struct qmp_backend be = {
	.name = "srv", .run_state = fake_state, .quit = fake_quit,
};

static char sock_path[108];
static struct qmp_server *srv;

static void setup(void)
{
	char err[256];

	snprintf(sock_path, sizeof(sock_path), "/tmp/minivmm-qmp-test.%d",
		 (int)getpid());
	ck_assert_msg(qmp_server_create(&srv, sock_path, &be, err,
					sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(qmp_server_start(srv, false), 0);
}

static void teardown(void)
{
	qmp_server_destroy(srv);
	srv = NULL;
}

static int client_connect(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(a.sun_path, sock_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* One CRLF-ended line within 5 s; "" on EOF. */
static void read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		ck_assert_msg(poll(&p, 1, 5000) == 1, "no reply within 5 s");
		r = read(fd, buf + n, 1);
		if (r <= 0)
			break;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
}

static void send_str(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void expect_line(int fd, const char *needle)
{
	char line[4096];

	read_line(fd, line, sizeof(line));
	ck_assert_msg(strstr(line, needle), "'%s' not in '%s'", needle, line);
}

static int negotiated_client(void)
{
	int fd = client_connect();

	expect_line(fd, "{\"QMP\": {\"version\"");
	send_str(fd, "{\"execute\": \"qmp_capabilities\"}\n");
	expect_line(fd, "{\"return\": {}}");
	return fd;
}

/* The good client still gets answers (events it has not read skipped). */
static void still_served(int good)
{
	char line[4096];

	send_str(good, "{\"execute\": \"query-status\", \"id\": 9}\n");
	do
		read_line(good, line, sizeof(line));
	while (strstr(line, "\"event\""));
	ck_assert_msg(strstr(line, "\"status\": \"running\""), "%s", line);
}

START_TEST(test_socket_mode_and_session)
{
	struct stat st;
	int fd;

	ck_assert_int_eq(stat(sock_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	fd = negotiated_client();
	send_str(fd, "{\"execute\": \"query-name\"}");
	expect_line(fd, "{\"return\": {\"name\": \"srv\"}}");
	send_str(fd, "{\"execute\": \"quit\"}");
	expect_line(fd, "{\"return\": {}}");
	ck_assert_int_eq(atomic_load(&quits), 1);
	close(fd);
}
END_TEST

START_TEST(test_events_after_negotiation_only)
{
	int fresh = client_connect(), neg = negotiated_client();
	char line[4096];

	expect_line(fresh, "{\"QMP\"");
	qmp_server_event(srv, "STOP", NULL, NULL);
	expect_line(neg, "\"event\": \"STOP\"");
	send_str(fresh, "{\"execute\": \"qmp_capabilities\"}");
	/* The event came before negotiation: the fresh client never sees it. */
	read_line(fresh, line, sizeof(line));
	ck_assert_str_eq(line, "{\"return\": {}}\r\n");
	close(fresh);
	close(neg);
}
END_TEST

START_TEST(test_hostile_garbage_huge_deep)
{
	int good = negotiated_client(), bad = negotiated_client();
	size_t big = 10 * 1024 * 1024;
	char *buf = malloc(big);

	send_str(bad, "\x01\x02garbage}}]]\n");
	expect_line(bad, "invalid character");
	still_served(good);

	/* 10 MB without a newline, inside a string: one error, no memory. */
	send_str(bad, "{\"execute\": \"");
	memset(buf, 'A', big);
	for (size_t off = 0; off < big;) {
		ssize_t n = write(bad, buf + off, big - off);

		ck_assert_int_gt(n, 0);
		off += (size_t)n;
	}
	send_str(bad, "\"}\n");
	expect_line(bad, "message too long");
	still_served(good);

	memset(buf, '[', 1000);
	ck_assert_int_eq(write(bad, buf, 1000), 1000);
	memset(buf, ']', 1000);
	ck_assert_int_eq(write(bad, buf, 1000), 1000);
	expect_line(bad, "nesting too deep");
	send_str(bad, "{\"execute\": \"query-status\"}");
	expect_line(bad, "\"running\": true");
	still_served(good);
	free(buf);
	close(bad);
	close(good);
}
END_TEST

START_TEST(test_many_connections)
{
	int fds[100], good = negotiated_client();

	for (int i = 0; i < 100; i++)
		fds[i] = client_connect();
	still_served(good);
	for (int i = 0; i < 100; i++)
		close(fds[i]);
	/* Slots come back: a new client is greeted. */
	close(good);
	good = negotiated_client();
	still_served(good);
	close(good);
}
END_TEST

START_TEST(test_client_that_never_reads)
{
	int good = negotiated_client(), lazy = negotiated_client();
	const char *cmd = "{\"execute\": \"query-commands\"}";
	char junk[4096];
	ssize_t n;
	int sent = 0;

	/* Ask for far more than it will ever read; do not block doing so. */
	for (int i = 0; i < 20000; i++) {
		struct pollfd p = { .fd = lazy, .events = POLLOUT };

		if (poll(&p, 1, 300) != 1 || !(p.revents & POLLOUT))
			break;
		if (send(lazy, cmd, strlen(cmd), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			break;
		sent++;
	}
	ck_assert_int_gt(sent, 100);
	still_served(good);
	/*
	 * Events pile up on top (2.8 MB of them; the good client steps out
	 * meanwhile); past QMP_SERVER_OUT_MAX the server drops the lazy one,
	 * and a new client is served at once.
	 */
	close(good);
	for (int i = 0; i < 30000; i++)
		qmp_server_event(srv, "RESET", NULL, NULL);
	good = negotiated_client();
	still_served(good);
	/* Drain: the stream ends (disconnected), it does not go on forever. */
	for (;;) {
		struct pollfd p = { .fd = lazy, .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		n = read(lazy, junk, sizeof(junk));
		if (n <= 0)
			break;
	}
	close(lazy);
	close(good);
}
END_TEST

START_TEST(test_refuses_other_files)
{
	char err[256], path[128];
	struct qmp_server *s2 = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/minivmm-qmp-test-file.%d", (int)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(qmp_server_create(&s2, path, &be, err, sizeof(err)),
			 -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "is not a socket"));
	unlink(path);
}
END_TEST

/* A second server on a live socket is refused; the first is untouched. */
START_TEST(test_refuses_a_live_socket)
{
	char err[256];
	struct qmp_server *s2 = NULL;
	int fd;

	ck_assert_int_eq(qmp_server_create(&s2, sock_path, &be, err, sizeof(err)),
			 -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "in use by a running process"));
	fd = client_connect();
	close(fd);
}
END_TEST

/* The front end's client: negotiation, a command, events skipped, the
 * server's pid, and the wait for the VM to go away. */
START_TEST(test_front_end_client)
{
	struct qmp_client c;
	struct json_value v;
	const struct json_value *r;
	char err[256];

	ck_assert_msg(qmp_client_open(&c, sock_path, 5000, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(c.peer_pid, getpid());
	qmp_server_event(srv, "STOP", NULL, NULL);
	ck_assert_int_eq(qmp_client_call(&c, "query-status", &v, err,
					 sizeof(err)), 0);
	r = json_object_get(json_object_get(&v, "return"), "status");
	ck_assert(json_is_string(r, "running"));
	json_free(&v);
	ck_assert_int_eq(qmp_client_call(&c, "no-such", &v, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(json_object_get(&v, "error"));
	json_free(&v);
	/* Nothing closes yet: bounded wait; then the server goes away. */
	ck_assert_int_eq(qmp_client_wait_close(&c, 100), -ETIMEDOUT);
	qmp_server_destroy(srv);
	srv = NULL;
	ck_assert_int_eq(qmp_client_wait_close(&c, 5000), 0);
	qmp_client_close(&c);
	/* Gone: the socket was removed with it. */
	ck_assert_int_eq(qmp_client_open(&c, sock_path, 1000, err, sizeof(err)),
			 -ENOENT);
	qmp_client_close(&c);
}
END_TEST

static Suite *qmp_server_suite(void)
{
	Suite *s = suite_create("qmp_server");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_socket_mode_and_session);
	tcase_add_test(tc, test_events_after_negotiation_only);
	tcase_add_test(tc, test_hostile_garbage_huge_deep);
	tcase_add_test(tc, test_many_connections);
	tcase_add_test(tc, test_client_that_never_reads);
	tcase_add_test(tc, test_refuses_other_files);
	tcase_add_test(tc, test_refuses_a_live_socket);
	tcase_add_test(tc, test_front_end_client);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(qmp_server_suite());
}
