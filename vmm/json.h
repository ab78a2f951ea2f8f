/* SPDX-License-Identifier: MIT */
/*
 * Strict RFC 8259 JSON: a parser that turns one text into a tree and a
 * writer that builds one text.  Both are bounded (input size, nesting depth,
 * node count, output size) because their input comes from control-socket
 * clients, which are untrusted.  Pure code: no I/O, no global state.
 */
#ifndef MINIVMM_JSON_H
#define MINIVMM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	union {
		struct {
			char *text;	/* the number as written, NUL-ended */
			double value;
			bool is_int;	/* fits int64 exactly, no fraction/exponent */
			int64_t i;
		} num;
		struct {
			char *s;	/* UTF-8, NUL-ended (may hold \u0000 inside) */
			size_t len;
		} str;
		struct {
			struct json_value *items;
			size_t n;
		} arr;
		struct {
			struct json_member *members;
			size_t n;
		} obj;
	};
};

struct json_member {
	char *key;
	size_t key_len;
	struct json_value value;
};

struct json_limits {
	size_t max_bytes;	/* longest text accepted */
	unsigned int max_depth;	/* deepest nesting of arrays/objects */
	size_t max_nodes;	/* most values in one text */
};

/* What QMP uses; tests may pass their own. */
#define JSON_DEFAULT_MAX_BYTES	(64 * 1024)
#define JSON_DEFAULT_MAX_DEPTH	32
#define JSON_DEFAULT_MAX_NODES	4096
#define JSON_MAX_DEPTH_LIMIT	256	/* the parser recurses: a hard ceiling */

extern const struct json_limits json_default_limits;

struct json_error {
	size_t offset;		/* byte where the text went wrong */
	const char *msg;	/* static text, e.g. "unterminated string" */
};

/*
 * Parse exactly one JSON text (whitespace around it allowed) of len bytes.
 * On success *out is the tree (free with json_free) and 0 is returned; on
 * failure, a negative errno (-EINVAL bad text, -E2BIG over a limit,
 * -ENOMEM) and *err says where and why.  limits may be NULL (defaults).
 */
int json_parse(const char *text, size_t len, const struct json_limits *limits,
	       struct json_value *out, struct json_error *err);
void json_free(struct json_value *v);

/* Lookup helpers: NULL when absent or not of that shape. */
const struct json_value *json_object_get(const struct json_value *obj,
					 const char *key);
bool json_is_string(const struct json_value *v, const char *s);
bool json_equal(const struct json_value *a, const struct json_value *b);

/*
 * The writer.  Calls append; commas and ": " are placed automatically, in
 * QEMU's spacing ({"a": 1, "b": [2, 3]}).  Overflowing max or nesting too
 * deep sets failed and later calls do nothing, so a caller checks once.
 */
#define JSON_WRITER_DEPTH 32

struct json_writer {
	char *buf;		/* NUL-ended while !failed */
	size_t len, cap, max;
	bool failed;
	unsigned int depth;
	bool need_comma[JSON_WRITER_DEPTH + 1];
	bool after_key;
};

void jw_init(struct json_writer *w, size_t max);
void jw_free(struct json_writer *w);
void jw_reset(struct json_writer *w);	/* keep the buffer, empty the text */
/* Hand the text over (caller frees); NULL if failed. */
char *jw_take(struct json_writer *w, size_t *len);

void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_string(struct json_writer *w, const char *s);
void jw_string_n(struct json_writer *w, const char *s, size_t len);
void jw_int(struct json_writer *w, int64_t v);
void jw_uint(struct json_writer *w, uint64_t v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
void jw_value(struct json_writer *w, const struct json_value *v);

/* Shorthands for one member: jw_key() then the value. */
void jw_kv_string(struct json_writer *w, const char *key, const char *s);
void jw_kv_int(struct json_writer *w, const char *key, int64_t v);
void jw_kv_uint(struct json_writer *w, const char *key, uint64_t v);
void jw_kv_bool(struct json_writer *w, const char *key, bool v);

#endif
