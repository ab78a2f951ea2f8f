// SPDX-License-Identifier: MIT
/* JSON: RFC 8259 acceptance and rejection, limits, the writer, round trips. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit_main.h"
#include "vmm/json.h"

static int parse(const char *s, struct json_value *v)
{
	struct json_error err;

	return json_parse(s, strlen(s), NULL, v, &err);
}

static void expect_ok(const char *s)
{
	struct json_value v;
	int rc = parse(s, &v);

	ck_assert_msg(rc == 0, "rejected: %s", s);
	json_free(&v);
}

static void expect_bad(const char *s, int want)
{
	struct json_value v;
	int rc = parse(s, &v);

	ck_assert_msg(rc == want, "'%s': got %d want %d", s, rc, want);
	ck_assert_int_eq(v.type, JSON_NULL);
}

/* Parse, write back, compare text. */
static void expect_roundtrip(const char *in, const char *out)
{
	struct json_value v;
	struct json_writer w;

	ck_assert_int_eq(parse(in, &v), 0);
	jw_init(&w, 1 << 20);
	jw_value(&w, &v);
	ck_assert(!w.failed);
	ck_assert_str_eq(w.buf, out);
	jw_free(&w);
	json_free(&v);
}

START_TEST(test_accepts_rfc8259)
{
	static const char *const ok[] = {
		"null", "true", "false", "0", "-0", "1", "-1", "12.5", "1e5",
		"1E+5", "1e-5", "0.0", "-0.25e-3", "\"\"", "\"a\"", "[]", "{}",
		" \t\r\n[1 , 2\n]\n", "{\"a\":{\"b\":[true,null]}}",
		"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u00e9\"",
		"\"\\ud83d\\ude00\"", "\"h\xc3\xa9\"", "\"\xf0\x9f\x98\x80\"",
		"\"\xe2\x82\xac\"", "9223372036854775807", "1e400",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		expect_ok(ok[i]);
}
END_TEST

START_TEST(test_rejects_invalid)
{
	static const char *const bad[] = {
		"", " ", "nul", "True", "NaN", "Infinity", "-Infinity", "+1",
		".5", "1.", "01", "-01", "1e", "1e+", "-", "0x10", "[1,]",
		"[,1]", "{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\" 1}", "[1 2]",
		"\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"\\ud800\\u0041\"", "\"a\tb\"", "\"\x01\"", "\"\xff\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"\"\xe2\x82\"", "1 2", "{} x", "[", "{", "{\"a\":1,\"a\":2}",
		"/* c */ 1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad(bad[i], -EINVAL);
	/* An embedded NUL is a character outside the grammar too. */
	{
		struct json_value v;

		ck_assert_int_eq(json_parse("[1]\0", 4, NULL, &v, NULL),
				 -EINVAL);
	}
}
END_TEST

START_TEST(test_error_offset)
{
	struct json_value v;
	struct json_error err;

	ck_assert_int_eq(json_parse("[1, 2, x]", 9, NULL, &v, &err), -EINVAL);
	ck_assert_uint_eq(err.offset, 7);
	ck_assert_ptr_nonnull(err.msg);
}
END_TEST

START_TEST(test_values)
{
	struct json_value v;
	const struct json_value *x;

	ck_assert_int_eq(parse("{\"n\": -42, \"f\": 2.5, \"s\": \"a\\u0000b\","
			       " \"big\": 18446744073709551616, \"l\": [1]}",
			       &v), 0);
	x = json_object_get(&v, "n");
	ck_assert_int_eq(x->type, JSON_NUMBER);
	ck_assert(x->num.is_int);
	ck_assert_int_eq(x->num.i, -42);
	x = json_object_get(&v, "f");
	ck_assert(!x->num.is_int);
	ck_assert(x->num.value == 2.5);
	x = json_object_get(&v, "s");
	ck_assert_uint_eq(x->str.len, 3);
	ck_assert_mem_eq(x->str.s, "a\0b", 3);
	x = json_object_get(&v, "big");
	ck_assert(!x->num.is_int);
	ck_assert_str_eq(x->num.text, "18446744073709551616");
	ck_assert_int_eq(json_object_get(&v, "l")->arr.n, 1);
	ck_assert_ptr_null(json_object_get(&v, "missing"));
	ck_assert(json_is_string(json_object_get(&v, "s"), "a") == false);
	json_free(&v);
}
END_TEST

START_TEST(test_depth_limit)
{
	struct json_limits lim = { 1 << 20, 32, 100000 };
	char buf[2100];
	struct json_value v;
	struct json_error err;
	size_t n;

	/* 32 levels pass, 33 do not. */
	for (int depth = 32; depth <= 33; depth++) {
		n = 0;
		for (int i = 0; i < depth; i++)
			buf[n++] = '[';
		for (int i = 0; i < depth; i++)
			buf[n++] = ']';
		ck_assert_int_eq(json_parse(buf, n, &lim, &v, &err),
				 depth == 32 ? 0 : -E2BIG);
		json_free(&v);
	}
	/* 1000-deep nesting: refused, not a stack overflow. */
	n = 0;
	for (int i = 0; i < 400; i++) {
		memcpy(buf + n, "{\"a\":", 5);
		n += 5;
	}
	ck_assert_int_eq(json_parse(buf, n, NULL, &v, &err), -E2BIG);
	/* A limit above the ceiling is held to the ceiling. */
	lim.max_depth = 100000;
	n = 0;
	for (int i = 0; i < 1000; i++)
		buf[n++] = '[';
	for (int i = 0; i < 1000; i++)
		buf[n++] = ']';
	ck_assert_int_eq(json_parse(buf, n, &lim, &v, &err), -E2BIG);
}
END_TEST

START_TEST(test_size_and_node_limits)
{
	struct json_limits lim = { 16, 8, 4 };
	struct json_value v;
	struct json_error err;

	ck_assert_int_eq(json_parse("\"0123456789abcdef\"", 18, &lim, &v, &err),
			 -E2BIG);
	ck_assert_int_eq(json_parse("[1,2,3]", 7, &lim, &v, &err), 0);
	json_free(&v);
	ck_assert_int_eq(json_parse("[1,2,3,4]", 9, &lim, &v, &err), -E2BIG);
}
END_TEST

START_TEST(test_writer_shapes)
{
	struct json_writer w;

	jw_init(&w, 4096);
	jw_object_begin(&w);
	jw_key(&w, "return");
	jw_object_begin(&w);
	jw_kv_bool(&w, "running", true);
	jw_kv_string(&w, "status", "running");
	jw_key(&w, "list");
	jw_array_begin(&w);
	jw_int(&w, -1);
	jw_uint(&w, 18446744073709551615ULL);
	jw_null(&w);
	jw_array_end(&w);
	jw_object_end(&w);
	jw_key(&w, "empty");
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_object_end(&w);
	ck_assert(!w.failed);
	ck_assert_str_eq(w.buf, "{\"return\": {\"running\": true, \"status\": "
				"\"running\", \"list\": [-1, "
				"18446744073709551615, null]}, \"empty\": {}}");
	jw_free(&w);
}
END_TEST

START_TEST(test_writer_escapes_and_limits)
{
	struct json_writer w;
	size_t len;
	char *s;

	jw_init(&w, 4096);
	jw_string_n(&w, "q\"b\\\n\x01\0z", 8);
	ck_assert_str_eq(w.buf, "\"q\\\"b\\\\\\n\\u0001\\u0000z\"");
	jw_free(&w);

	/* Overflow of max: failed, later calls harmless, take gives NULL. */
	jw_init(&w, 8);
	jw_string(&w, "far too long for eight bytes");
	jw_int(&w, 1);
	ck_assert(w.failed);
	ck_assert_ptr_null(jw_take(&w, &len));

	/* Misuse: a key outside an object, closing too much. */
	jw_init(&w, 64);
	jw_key(&w, "k");
	ck_assert(w.failed);
	jw_free(&w);
	jw_init(&w, 64);
	jw_array_end(&w);
	ck_assert(w.failed);
	jw_free(&w);

	/* Too deep for the writer. */
	jw_init(&w, 4096);
	for (int i = 0; i <= JSON_WRITER_DEPTH; i++)
		jw_array_begin(&w);
	ck_assert(w.failed);
	jw_free(&w);

	jw_init(&w, 64);
	jw_array_begin(&w);
	jw_array_end(&w);
	s = jw_take(&w, &len);
	ck_assert_str_eq(s, "[]");
	ck_assert_uint_eq(len, 2);
	free(s);
}
END_TEST

START_TEST(test_roundtrip)
{
	expect_roundtrip("{\"execute\":\"stop\",\"id\":[1,-2.5e3,{\"x\":null}]}",
			 "{\"execute\": \"stop\", \"id\": [1, -2.5e3, "
			 "{\"x\": null}]}");
	expect_roundtrip("\"\\u00e9\\ud83d\\ude00\\/\"",
			 "\"\xc3\xa9\xf0\x9f\x98\x80/\"");
	expect_roundtrip("{\"a\\u0000b\": true}", "{\"a\\u0000b\": true}");
}
END_TEST

START_TEST(test_equal)
{
	struct json_value a, b;

	ck_assert_int_eq(parse("{\"a\":1,\"b\":[true,\"x\"]}", &a), 0);
	ck_assert_int_eq(parse("{\"b\":[true,\"x\"],\"a\":1.0}", &b), 0);
	ck_assert(json_equal(&a, &b));
	json_free(&b);
	ck_assert_int_eq(parse("{\"b\":[true,\"y\"],\"a\":1}", &b), 0);
	ck_assert(!json_equal(&a, &b));
	json_free(&a);
	json_free(&b);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_accepts_rfc8259);
	tcase_add_test(tc, test_rejects_invalid);
	tcase_add_test(tc, test_error_offset);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_size_and_node_limits);
	tcase_add_test(tc, test_writer_shapes);
	tcase_add_test(tc, test_writer_escapes_and_limits);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(json_suite());
}
