// SPDX-License-Identifier: MIT
/*
 * QMP engine against a fake machine: greeting, negotiation, every command,
 * QEMU's error texts, id echo, framing of split/joined/hostile input.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit_main.h"
#include "vmm/qmp.h"

struct fake {
	enum qmp_run_state state;
	int stops, conts, powerdowns, resets, quits, saves;
	char saved_file[64];
	bool saved_quit;
	int fail_next;
	char out[1 << 16];
	size_t out_len;
	size_t lines;
};

static enum qmp_run_state fake_state(void *ctx)
{
	return ((struct fake *)ctx)->state;
}

static int fake_action(struct fake *f, int *counter, char *err, size_t len)
{
	if (f->fail_next) {
		f->fail_next = 0;
		snprintf(err, len, "fake failure");
		return -EIO;
	}
	(*counter)++;
	return 0;
}

static int fake_stop(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;
	int rc = fake_action(f, &f->stops, err, len);

	if (!rc)
		f->state = QMP_STATE_PAUSED;
	return rc;
}

static int fake_cont(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;
	int rc = fake_action(f, &f->conts, err, len);

	if (!rc)
		f->state = QMP_STATE_RUNNING;
	return rc;
}

static int fake_powerdown(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	return fake_action(f, &f->powerdowns, err, len);
}

static int fake_reset(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	return fake_action(f, &f->resets, err, len);
}

static int fake_quit(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	return fake_action(f, &f->quits, err, len);
}

static int fake_save(void *ctx, const char *file, bool quit, char *err,
		     size_t len)
{
	struct fake *f = ctx;

	snprintf(f->saved_file, sizeof(f->saved_file), "%s", file);
	f->saved_quit = quit;
	return fake_action(f, &f->saves, err, len);
}

static void fake_cpus(void *ctx, struct json_writer *w)
{
	(void)ctx;
	jw_array_begin(w);
	jw_object_begin(w);
	jw_kv_int(w, "cpu-index", 0);
	jw_kv_int(w, "thread-id", 4242);
	jw_object_end(w);
	jw_array_end(w);
}

static void fake_send(void *opaque, const char *text, size_t len)
{
	struct fake *f = opaque;

	ck_assert_uint_lt(f->out_len + len, sizeof(f->out));
	memcpy(f->out + f->out_len, text, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
	if (len == 2 && !memcmp(text, "\r\n", 2))
		f->lines++;
}

static struct fake fk;
static struct qmp_session sess;
static const struct qmp_backend be = {
	.ctx = &fk,
	.name = "vm1",
	.run_state = fake_state,
	.stop = fake_stop,
	.cont = fake_cont,
	.powerdown = fake_powerdown,
	.reset = fake_reset,
	.quit = fake_quit,
	.write_cpus = fake_cpus,
	.save = fake_save,
};

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.state = QMP_STATE_RUNNING;
	qmp_session_init(&sess, &be, fake_send, &fk);
}

static void teardown(void)
{
	qmp_session_destroy(&sess);
}

static void clear(void)
{
	fk.out_len = 0;
	fk.out[0] = '\0';
	fk.lines = 0;
}

/* Send text, expect exactly one reply line equal to want. */
static void expect(const char *in, const char *want)
{
	char line[4096];

	clear();
	qmp_session_input(&sess, in, strlen(in));
	snprintf(line, sizeof(line), "%s\r\n", want);
	ck_assert_str_eq(fk.out, line);
	ck_assert_uint_eq(fk.lines, 1);
}

static void negotiate(void)
{
	expect("{\"execute\": \"qmp_capabilities\"}", "{\"return\": {}}");
}

START_TEST(test_greeting)
{
	clear();
	qmp_session_greet(&sess);
	ck_assert_str_eq(fk.out, "{\"QMP\": {\"version\": {\"qemu\": "
		"{\"micro\": 0, \"minor\": 1, \"major\": 0}, \"package\": "
		"\"minivmm\"}, \"capabilities\": []}}\r\n");
	ck_assert(!qmp_session_wants_events(&sess));
}
END_TEST

START_TEST(test_negotiation)
{
	expect("{\"execute\":\"query-status\"}",
	       "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
	       "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}");
	expect("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Capability 'oob' not available\"}}");
	ck_assert(!qmp_session_wants_events(&sess));
	expect("{\"execute\":\"qmp_capabilities\",\"id\":1}",
	       "{\"return\": {}, \"id\": 1}");
	ck_assert(qmp_session_wants_events(&sess));
	expect("{\"execute\":\"qmp_capabilities\"}",
	       "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
	       "\"Capabilities negotiation is already complete, command ignored\"}}");
}
END_TEST

START_TEST(test_actions)
{
	negotiate();
	expect("{\"execute\":\"stop\"}", "{\"return\": {}}");
	ck_assert_int_eq(fk.stops, 1);
	expect("{\"execute\":\"query-status\",\"id\":\"x\"}",
	       "{\"return\": {\"status\": \"paused\", \"singlestep\": false, "
	       "\"running\": false}, \"id\": \"x\"}");
	expect("{\"execute\":\"cont\"}", "{\"return\": {}}");
	expect("{\"execute\":\"query-status\"}",
	       "{\"return\": {\"status\": \"running\", \"singlestep\": false, "
	       "\"running\": true}}");
	expect("{\"execute\":\"system_powerdown\"}", "{\"return\": {}}");
	expect("{\"execute\":\"system_reset\"}", "{\"return\": {}}");
	expect("{\"execute\":\"quit\"}", "{\"return\": {}}");
	ck_assert_int_eq(fk.conts + fk.powerdowns + fk.resets + fk.quits, 4);
	fk.fail_next = 1;
	expect("{\"execute\":\"stop\",\"id\":7}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"fake failure\"}, \"id\": 7}");
}
END_TEST

START_TEST(test_queries)
{
	negotiate();
	expect("{\"execute\":\"query-name\"}", "{\"return\": {\"name\": \"vm1\"}}");
	expect("{\"execute\":\"query-version\"}",
	       "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 1, "
	       "\"major\": 0}, \"package\": \"minivmm\"}}");
	expect("{\"execute\":\"query-cpus-fast\"}",
	       "{\"return\": [{\"cpu-index\": 0, \"thread-id\": 4242}]}");
	/* No callback in the backend: the command does not exist. */
	expect("{\"execute\":\"query-blockstats\"}",
	       "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
	       "\"The command query-blockstats has not been found\"}}");

	clear();
	qmp_session_input(&sess, "{\"execute\":\"query-commands\"}", 28);
	for (size_t i = 0; qmp_command_name(i); i++) {
		const char *n = qmp_command_name(i);
		char name[64];
		bool absent = strstr(n, "block") || strstr(n, "stats") ||
			      strstr(n, "memory");

		snprintf(name, sizeof(name), "{\"name\": \"%s\"}", n);
		ck_assert_msg(!strstr(fk.out, name) == absent, "%s", name);
	}
}
END_TEST

/* x-minivmm-save: the one command with arguments, each one checked. */
START_TEST(test_save)
{
	negotiate();
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":\"/tmp/a.snap\"}}",
	       "{\"return\": {}}");
	ck_assert_int_eq(fk.saves, 1);
	ck_assert_str_eq(fk.saved_file, "/tmp/a.snap");
	ck_assert(!fk.saved_quit);
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":\"b\",\"quit\":true},\"id\":3}",
	       "{\"return\": {}, \"id\": 3}");
	ck_assert(fk.saved_quit);
	expect("{\"execute\":\"x-minivmm-save\"}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Parameter 'file' is missing or not a path\"}}");
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":7}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Parameter 'file' is missing or not a path\"}}");
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":\"a\\u0000b\"}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Parameter 'file' is missing or not a path\"}}");
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":\"a\",\"quit\":1}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Invalid parameter type for 'quit', expected: boolean\"}}");
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":\"a\",\"x\":1}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Parameter 'x' is unexpected\"}}");
	/* Other commands still take no arguments, not even save's. */
	expect("{\"execute\":\"stop\",\"arguments\":{\"file\":\"a\"}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Parameter 'file' is unexpected\"}}");
	ck_assert_int_eq(fk.saves, 2);
	fk.fail_next = 1;
	expect("{\"execute\":\"x-minivmm-save\",\"arguments\":{\"file\":\"a\"}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": \"fake failure\"}}");
}
END_TEST

START_TEST(test_bad_commands)
{
	negotiate();
	expect("[1]", "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"QMP input must be a JSON object\"}}");
	expect("{\"foo\":1}", "{\"error\": {\"class\": \"GenericError\", "
	       "\"desc\": \"QMP input member 'foo' is unexpected\"}}");
	expect("{\"id\":2}", "{\"error\": {\"class\": \"GenericError\", "
	       "\"desc\": \"QMP input lacks member 'execute'\"}, \"id\": 2}");
	expect("{\"execute\":1}", "{\"error\": {\"class\": \"GenericError\", "
	       "\"desc\": \"QMP input member 'execute' must be a string\"}}");
	expect("{\"execute\":\"stop\",\"arguments\":[]}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"QMP input member 'arguments' must be an object\"}}");
	expect("{\"execute\":\"stop\",\"arguments\":{\"a\":1}}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"Parameter 'a' is unexpected\"}}");
	expect("{\"execute\":\"nope\",\"id\":{\"a\":[1, \"\\u00e9\"]}}",
	       "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
	       "\"The command nope has not been found\"}, "
	       "\"id\": {\"a\": [1, \"\xc3\xa9\"]}}");
	expect("{\"execute\":\"stop\",\"execute\":\"cont\"}",
	       "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"JSON parse error, duplicate key\"}}");
	ck_assert_int_eq(fk.stops, 0);
}
END_TEST

START_TEST(test_framing_split_and_joined)
{
	const char *two = "{\"execute\":\"stop\"}{\"execute\":\"cont\"}\n";

	negotiate();
	clear();
	/* One byte at a time, including a '}' inside a string. */
	const char *msg = "{\"execute\":\"nope}\", \"id\": \"{[\\\"\"}";

	for (size_t i = 0; msg[i]; i++)
		qmp_session_input(&sess, msg + i, 1);
	ck_assert_uint_eq(fk.lines, 1);
	ck_assert_ptr_nonnull(strstr(fk.out, "The command nope} has not"));
	ck_assert_ptr_nonnull(strstr(fk.out, "\"id\": \"{[\\\"\""));
	clear();
	qmp_session_input(&sess, two, strlen(two));
	ck_assert_uint_eq(fk.lines, 2);
	ck_assert_int_eq(fk.stops, 1);
	ck_assert_int_eq(fk.conts, 1);
}
END_TEST

START_TEST(test_garbage)
{
	negotiate();
	/* Characters outside JSON: one error each run, then recovery. */
	expect("{bad\n", "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"JSON parse error, invalid character\"}}");
	expect("xyz\n", "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"JSON parse error, invalid character\"}}");
	/* A top-level scalar ends at whitespace. */
	expect("123 ", "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"QMP input must be a JSON object\"}}");
	expect("]", "{\"error\": {\"class\": \"GenericError\", \"desc\": "
	       "\"JSON parse error, value expected\"}}");
	expect("{\"execute\":\"stop\",}", "{\"error\": {\"class\": "
	       "\"GenericError\", \"desc\": \"JSON parse error, "
	       "string key expected\"}}");
	expect("{\"execute\":\"stop\"}", "{\"return\": {}}");
}
END_TEST

START_TEST(test_huge_message)
{
	size_t n = 10 * 1024 * 1024;
	char *big = malloc(n + 64);
	size_t len = 0;

	negotiate();
	clear();
	len += (size_t)sprintf(big, "{\"execute\":\"stop\",\"id\":\"");
	memset(big + len, 'a', n);
	len += n;
	len += (size_t)sprintf(big + len, "\"}{\"execute\":\"cont\"}");
	/* Fed in socket-sized pieces. */
	for (size_t off = 0; off < len; off += 4096)
		qmp_session_input(&sess, big + off,
				  len - off < 4096 ? len - off : 4096);
	ck_assert_uint_eq(fk.lines, 2);
	ck_assert_ptr_nonnull(strstr(fk.out, "message too long"));
	ck_assert_int_eq(fk.stops, 0);
	ck_assert_int_eq(fk.conts, 1);
	free(big);
}
END_TEST

START_TEST(test_deep_nesting)
{
	char buf[5000];
	size_t n = 0;

	negotiate();
	/* 2000 deep: the framer gives up past its limit, one error. */
	for (int i = 0; i < 2000; i++)
		buf[n++] = '[';
	for (int i = 0; i < 2000; i++)
		buf[n++] = ']';
	clear();
	qmp_session_input(&sess, buf, n);
	ck_assert_uint_eq(fk.lines, 1);
	ck_assert_ptr_nonnull(strstr(fk.out, "nesting too deep"));
	/* 100 deep: framed, refused by the parser's depth limit. */
	n = 0;
	for (int i = 0; i < 100; i++)
		buf[n++] = '[';
	for (int i = 0; i < 100; i++)
		buf[n++] = ']';
	clear();
	qmp_session_input(&sess, buf, n);
	ck_assert_uint_eq(fk.lines, 1);
	ck_assert_ptr_nonnull(strstr(fk.out, "JSON parse error, nesting too deep"));
	expect("{\"execute\":\"stop\"}", "{\"return\": {}}");
}
END_TEST

static void shutdown_data(struct json_writer *w, void *arg)
{
	(void)arg;
	jw_object_begin(w);
	jw_kv_bool(w, "guest", true);
	jw_kv_string(w, "reason", "guest-shutdown");
	jw_object_end(w);
}

START_TEST(test_events)
{
	struct json_writer w;

	jw_init(&w, 4096);
	ck_assert(qmp_format_event(&w, "STOP", 1267020223, 435656, NULL, NULL));
	ck_assert_str_eq(w.buf, "{\"timestamp\": {\"seconds\": 1267020223, "
				"\"microseconds\": 435656}, \"event\": \"STOP\"}");
	ck_assert(qmp_format_event(&w, "SHUTDOWN", 1, 2, shutdown_data, NULL));
	ck_assert_str_eq(w.buf, "{\"timestamp\": {\"seconds\": 1, "
				"\"microseconds\": 2}, \"event\": \"SHUTDOWN\", "
				"\"data\": {\"guest\": true, \"reason\": "
				"\"guest-shutdown\"}}");
	jw_free(&w);
}
END_TEST

static Suite *qmp_suite(void)
{
	Suite *s = suite_create("qmp");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_greeting);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_queries);
	tcase_add_test(tc, test_save);
	tcase_add_test(tc, test_bad_commands);
	tcase_add_test(tc, test_framing_split_and_joined);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_huge_message);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_events);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(qmp_suite());
}
