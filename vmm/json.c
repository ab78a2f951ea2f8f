// SPDX-License-Identifier: MIT
/*
 * Strict RFC 8259 JSON parser and writer (see json.h).  The parser is a
 * recursive descent bounded by json_limits.max_depth (itself capped), so a
 * hostile text cannot exhaust the stack, the heap or the CPU.  Rejected,
 * as RFC 8259 requires or recommends: invalid UTF-8, control characters in
 * strings, lone surrogates, leading zeros, "+1", ".5", "1.", NaN/Infinity,
 * trailing commas, duplicate object keys, anything after the text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/json.h"

const struct json_limits json_default_limits = {
	.max_bytes = JSON_DEFAULT_MAX_BYTES,
	.max_depth = JSON_DEFAULT_MAX_DEPTH,
	.max_nodes = JSON_DEFAULT_MAX_NODES,
};

struct json_parser {
	const char *p, *start, *end;
	struct json_limits lim;
	size_t nodes;
	int rc;
	const char *msg;
	const char *err_at;
};

static int parse_fail(struct json_parser *ps, int rc, const char *msg)
{
	if (!ps->rc) {
		ps->rc = rc;
		ps->msg = msg;
		ps->err_at = ps->p;
	}
	return rc;
}

static void skip_ws(struct json_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Skip white space, then consume c if it comes next. */
static bool accept(struct json_parser *ps, char c)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == c) {
		ps->p++;
		return true;
	}
	return false;
}

static int parse_value(struct json_parser *ps, struct json_value *v,
		       unsigned int depth);

static int parse_literal(struct json_parser *ps, const char *word,
			 enum json_type type, struct json_value *v)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return parse_fail(ps, -EINVAL, "invalid literal");
	ps->p += n;
	v->type = type;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* number = [ minus ] int [ frac ] [ exp ] (RFC 8259 section 6) */
static int parse_number(struct json_parser *ps, struct json_value *v)
{
	const char *s = ps->p, *p = ps->p;
	bool integral = true;
	size_t n;
	char *text, *endp;

	if (p < ps->end && *p == '-')
		p++;
	if (p >= ps->end || !is_digit(*p))
		return parse_fail(ps, -EINVAL, "invalid number");
	if (*p == '0') {
		p++;
		if (p < ps->end && is_digit(*p))
			return parse_fail(ps, -EINVAL, "leading zero in number");
	} else {
		while (p < ps->end && is_digit(*p))
			p++;
	}
	if (p < ps->end && *p == '.') {
		integral = false;
		p++;
		if (p >= ps->end || !is_digit(*p)) {
			ps->p = p;
			return parse_fail(ps, -EINVAL, "digit expected after '.'");
		}
		while (p < ps->end && is_digit(*p))
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		integral = false;
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || !is_digit(*p)) {
			ps->p = p;
			return parse_fail(ps, -EINVAL, "digit expected in exponent");
		}
		while (p < ps->end && is_digit(*p))
			p++;
	}
	n = (size_t)(p - s);
	text = malloc(n + 1);
	if (!text)
		return parse_fail(ps, -ENOMEM, "out of memory");
	memcpy(text, s, n);
	text[n] = '\0';
	v->type = JSON_NUMBER;
	v->num.text = text;
	v->num.value = strtod(text, NULL);
	v->num.is_int = false;
	v->num.i = 0;
	if (integral) {
		errno = 0;
		long long ll = strtoll(text, &endp, 10);

		if (!errno && *endp == '\0') {
			v->num.is_int = true;
			v->num.i = ll;
		}
	}
	ps->p = p;
	return 0;
}

static int hex4(const char *p, unsigned int *out)
{
	unsigned int u = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		u <<= 4;
		if (c >= '0' && c <= '9')
			u |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			u |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			u |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*out = u;
	return 0;
}

static size_t utf8_put(char *dst, unsigned int cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | (cp >> 6));
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | (cp >> 12));
		dst[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | (cp >> 18));
	dst[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	dst[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), or 0 if it is not one.
 */
static size_t utf8_valid_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* One escape after the backslash; appends its UTF-8 to dst. */
static int parse_escape(struct json_parser *ps, char *dst, size_t *dlen)
{
	unsigned int cp, lo;
	char c;

	if (ps->p >= ps->end)
		return parse_fail(ps, -EINVAL, "unterminated string");
	c = *ps->p++;
	switch (c) {
	case '"': case '\\': case '/':
		dst[(*dlen)++] = c;
		return 0;
	case 'b': dst[(*dlen)++] = '\b'; return 0;
	case 'f': dst[(*dlen)++] = '\f'; return 0;
	case 'n': dst[(*dlen)++] = '\n'; return 0;
	case 'r': dst[(*dlen)++] = '\r'; return 0;
	case 't': dst[(*dlen)++] = '\t'; return 0;
	case 'u':
		break;
	default:
		ps->p--;
		return parse_fail(ps, -EINVAL, "invalid escape");
	}
	if (ps->end - ps->p < 4 || hex4(ps->p, &cp))
		return parse_fail(ps, -EINVAL, "invalid \\u escape");
	ps->p += 4;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return parse_fail(ps, -EINVAL, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
		    hex4(ps->p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return parse_fail(ps, -EINVAL, "lone high surrogate");
		ps->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*dlen += utf8_put(dst + *dlen, cp);
	return 0;
}

/*
 * A string at ps->p (the opening quote).  The decoded text is never longer
 * than the source (an escape of n bytes yields at most n bytes of UTF-8),
 * so one buffer of the source's length is enough.
 */
static int parse_string_raw(struct json_parser *ps, char **out, size_t *olen)
{
	const char *q = ps->p + 1;
	char *buf;
	size_t dlen = 0;
	int rc;

	/* Find the closing quote first to size the buffer. */
	while (q < ps->end && *q != '"') {
		if (*q == '\\' && q + 1 < ps->end)
			q++;
		q++;
	}
	if (q >= ps->end) {
		ps->p = ps->end;
		return parse_fail(ps, -EINVAL, "unterminated string");
	}
	buf = malloc((size_t)(q - ps->p) + 1);
	if (!buf)
		return parse_fail(ps, -ENOMEM, "out of memory");
	ps->p++;
	for (;;) {
		unsigned char c;
		size_t n;

		if (ps->p >= ps->end) {
			rc = parse_fail(ps, -EINVAL, "unterminated string");
			goto fail;
		}
		c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			rc = parse_fail(ps, -EINVAL,
					"control character in string");
			goto fail;
		}
		if (c == '\\') {
			ps->p++;
			rc = parse_escape(ps, buf, &dlen);
			if (rc)
				goto fail;
			continue;
		}
		n = utf8_valid_len((const unsigned char *)ps->p,
				   (size_t)(ps->end - ps->p));
		if (!n) {
			rc = parse_fail(ps, -EINVAL, "invalid UTF-8");
			goto fail;
		}
		memcpy(buf + dlen, ps->p, n);
		dlen += n;
		ps->p += n;
	}
	buf[dlen] = '\0';
	*out = buf;
	*olen = dlen;
	return 0;
fail:
	free(buf);
	return rc;
}

static int grow(struct json_parser *ps, void **arr, size_t *cap, size_t n,
		size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return parse_fail(ps, -ENOMEM, "out of memory");
	*arr = p;
	*cap = ncap;
	return 0;
}

static int parse_array(struct json_parser *ps, struct json_value *v,
		       unsigned int depth)
{
	size_t cap = 0;
	int rc;

	v->type = JSON_ARRAY;
	v->arr.items = NULL;
	v->arr.n = 0;
	ps->p++;
	if (accept(ps, ']'))
		return 0;
	for (;;) {
		rc = grow(ps, (void **)&v->arr.items, &cap, v->arr.n,
			  sizeof(*v->arr.items));
		if (rc)
			return rc;
		/* Counted even when it fails: json_free() frees the part. */
		rc = parse_value(ps, &v->arr.items[v->arr.n++], depth + 1);
		if (rc)
			return rc;
		if (accept(ps, ','))
			continue;
		if (accept(ps, ']'))
			return 0;
		return parse_fail(ps, -EINVAL, "',' or ']' expected");
	}
}

static bool has_key(const struct json_value *obj, const char *key, size_t len)
{
	for (size_t i = 0; i < obj->obj.n; i++)
		if (obj->obj.members[i].key_len == len &&
		    !memcmp(obj->obj.members[i].key, key, len))
			return true;
	return false;
}

static int parse_member(struct json_parser *ps, struct json_value *obj,
			unsigned int depth)
{
	struct json_member *m = &obj->obj.members[obj->obj.n];
	int rc;

	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return parse_fail(ps, -EINVAL, "string key expected");
	rc = parse_string_raw(ps, &m->key, &m->key_len);
	if (rc)
		return rc;
	if (has_key(obj, m->key, m->key_len)) {
		free(m->key);
		return parse_fail(ps, -EINVAL, "duplicate key");
	}
	/* From here the tree owns the member, even a half-parsed one. */
	m->value.type = JSON_NULL;
	obj->obj.n++;
	if (!accept(ps, ':'))
		return parse_fail(ps, -EINVAL, "':' expected");
	return parse_value(ps, &m->value, depth + 1);
}

static int parse_object(struct json_parser *ps, struct json_value *v,
			unsigned int depth)
{
	size_t cap = 0;
	int rc;

	v->type = JSON_OBJECT;
	v->obj.members = NULL;
	v->obj.n = 0;
	ps->p++;
	if (accept(ps, '}'))
		return 0;
	for (;;) {
		rc = grow(ps, (void **)&v->obj.members, &cap, v->obj.n,
			  sizeof(*v->obj.members));
		if (rc)
			return rc;
		rc = parse_member(ps, v, depth);
		if (rc)
			return rc;
		if (accept(ps, ','))
			continue;
		if (accept(ps, '}'))
			return 0;
		return parse_fail(ps, -EINVAL, "',' or '}' expected");
	}
}

/* On failure v is left a valid (possibly partial) tree for json_free(). */
static int parse_value(struct json_parser *ps, struct json_value *v,
		       unsigned int depth)
{
	v->type = JSON_NULL;
	if (++ps->nodes > ps->lim.max_nodes)
		return parse_fail(ps, -E2BIG, "too many values");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return parse_fail(ps, -EINVAL, "value expected");
	switch (*ps->p) {
	case '{':
	case '[':
		if (depth >= ps->lim.max_depth)
			return parse_fail(ps, -E2BIG, "nesting too deep");
		return *ps->p == '{' ? parse_object(ps, v, depth) :
				       parse_array(ps, v, depth);
	case '"':
		v->type = JSON_STRING;
		v->str.s = NULL;
		return parse_string_raw(ps, &v->str.s, &v->str.len);
	case 't':
		return parse_literal(ps, "true", JSON_TRUE, v);
	case 'f':
		return parse_literal(ps, "false", JSON_FALSE, v);
	case 'n':
		return parse_literal(ps, "null", JSON_NULL, v);
	default:
		if (*ps->p != '-' && !is_digit(*ps->p))
			return parse_fail(ps, -EINVAL, "value expected");
		return parse_number(ps, v);
	}
}

int json_parse(const char *text, size_t len, const struct json_limits *limits,
	       struct json_value *out, struct json_error *err)
{
	struct json_parser ps = {
		.p = text, .start = text, .end = text + len,
		.lim = limits ? *limits : json_default_limits,
	};
	struct json_error dummy;

	if (!err)
		err = &dummy;
	if (ps.lim.max_depth > JSON_MAX_DEPTH_LIMIT)
		ps.lim.max_depth = JSON_MAX_DEPTH_LIMIT;
	out->type = JSON_NULL;
	if (len > ps.lim.max_bytes) {
		err->offset = 0;
		err->msg = "text too long";
		return -E2BIG;
	}
	if (!parse_value(&ps, out, 0)) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			parse_fail(&ps, -EINVAL, "trailing characters");
	}
	if (ps.rc) {
		json_free(out);
		out->type = JSON_NULL;
		err->offset = (size_t)(ps.err_at - ps.start);
		err->msg = ps.msg;
		return ps.rc;
	}
	return 0;
}

void json_free(struct json_value *v)
{
	switch (v->type) {
	case JSON_NUMBER:
		free(v->num.text);
		break;
	case JSON_STRING:
		free(v->str.s);
		break;
	case JSON_ARRAY:
		for (size_t i = 0; i < v->arr.n; i++)
			json_free(&v->arr.items[i]);
		free(v->arr.items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < v->obj.n; i++) {
			free(v->obj.members[i].key);
			json_free(&v->obj.members[i].value);
		}
		free(v->obj.members);
		break;
	default:
		break;
	}
	v->type = JSON_NULL;
}

const struct json_value *json_object_get(const struct json_value *obj,
					 const char *key)
{
	size_t len = strlen(key);

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->obj.n; i++)
		if (obj->obj.members[i].key_len == len &&
		    !memcmp(obj->obj.members[i].key, key, len))
			return &obj->obj.members[i].value;
	return NULL;
}

bool json_is_string(const struct json_value *v, const char *s)
{
	return v && v->type == JSON_STRING && v->str.len == strlen(s) &&
	       !memcmp(v->str.s, s, v->str.len);
}

/* Structural equality; object members compared regardless of order. */
bool json_equal(const struct json_value *a, const struct json_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NUMBER:
		return a->num.value == b->num.value;
	case JSON_STRING:
		return a->str.len == b->str.len &&
		       !memcmp(a->str.s, b->str.s, a->str.len);
	case JSON_ARRAY:
		if (a->arr.n != b->arr.n)
			return false;
		for (size_t i = 0; i < a->arr.n; i++)
			if (!json_equal(&a->arr.items[i], &b->arr.items[i]))
				return false;
		return true;
	case JSON_OBJECT:
		if (a->obj.n != b->obj.n)
			return false;
		for (size_t i = 0; i < a->obj.n; i++) {
			const struct json_member *m = &a->obj.members[i];
			const struct json_value *o = NULL;

			for (size_t j = 0; j < b->obj.n && !o; j++)
				if (b->obj.members[j].key_len == m->key_len &&
				    !memcmp(b->obj.members[j].key, m->key,
					    m->key_len))
					o = &b->obj.members[j].value;
			if (!o || !json_equal(&m->value, o))
				return false;
		}
		return true;
	default:
		return true;
	}
}

/* ---- writer ---- */

void jw_init(struct json_writer *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void jw_free(struct json_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void jw_reset(struct json_writer *w)
{
	w->len = 0;
	w->failed = false;
	w->depth = 0;
	w->after_key = false;
	w->need_comma[0] = false;
	if (w->buf)
		w->buf[0] = '\0';
}

char *jw_take(struct json_writer *w, size_t *len)
{
	char *s = w->failed ? NULL : w->buf;

	if (s && len)
		*len = w->len;
	if (!s)
		free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	return s;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	size_t need;

	if (w->failed)
		return;
	need = w->len + n + 1;
	if (need > w->max || need < n) {
		w->failed = true;
		return;
	}
	if (need > w->cap) {
		size_t ncap = w->cap ? w->cap : 256;
		char *p;

		while (ncap < need)
			ncap *= 2;
		if (ncap > w->max)
			ncap = w->max;
		p = realloc(w->buf, ncap);
		if (!p) {
			w->failed = true;
			return;
		}
		w->buf = p;
		w->cap = ncap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Before any value: a comma if a sibling came before (not after a key). */
static void before_value(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		put(w, ", ", 2);
	w->need_comma[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	before_value(w);
	if (w->depth >= JSON_WRITER_DEPTH) {
		w->failed = true;
		return;
	}
	put(w, &c, 1);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	if (!w->depth || w->after_key) {
		w->failed = true;
		return;
	}
	w->depth--;
	put(w, &c, 1);
}

void jw_object_begin(struct json_writer *w) { open_container(w, '{'); }
void jw_object_end(struct json_writer *w) { close_container(w, '}'); }
void jw_array_begin(struct json_writer *w) { open_container(w, '['); }
void jw_array_end(struct json_writer *w) { close_container(w, ']'); }

static void put_escaped(struct json_writer *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	put(w, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		put(w, s + i - run, run);
		run = 0;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		put(w, esc, n);
	}
	put(w, s + len - run, run);
	put(w, "\"", 1);
}

void jw_key(struct json_writer *w, const char *key)
{
	if (!w->depth || w->after_key) {
		w->failed = true;
		return;
	}
	before_value(w);
	put_escaped(w, key, strlen(key));
	put(w, ": ", 2);
	w->after_key = true;
}

void jw_string_n(struct json_writer *w, const char *s, size_t len)
{
	before_value(w);
	put_escaped(w, s, len);
}

void jw_string(struct json_writer *w, const char *s)
{
	jw_string_n(w, s, strlen(s));
}

void jw_int(struct json_writer *w, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	before_value(w);
	put(w, tmp, (size_t)n);
}

void jw_uint(struct json_writer *w, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	before_value(w);
	put(w, tmp, (size_t)n);
}

void jw_bool(struct json_writer *w, bool v)
{
	before_value(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct json_writer *w)
{
	before_value(w);
	put(w, "null", 4);
}

void jw_value(struct json_writer *w, const struct json_value *v)
{
	switch (v->type) {
	case JSON_NULL:
		jw_null(w);
		break;
	case JSON_FALSE:
	case JSON_TRUE:
		jw_bool(w, v->type == JSON_TRUE);
		break;
	case JSON_NUMBER:
		/* The parser validated the text: write it back unchanged. */
		before_value(w);
		put(w, v->num.text, strlen(v->num.text));
		break;
	case JSON_STRING:
		jw_string_n(w, v->str.s, v->str.len);
		break;
	case JSON_ARRAY:
		jw_array_begin(w);
		for (size_t i = 0; i < v->arr.n; i++)
			jw_value(w, &v->arr.items[i]);
		jw_array_end(w);
		break;
	case JSON_OBJECT:
		jw_object_begin(w);
		for (size_t i = 0; i < v->obj.n; i++) {
			const struct json_member *m = &v->obj.members[i];

			if (w->failed)
				return;
			/* Keys may hold NUL (\u0000): write them whole. */
			before_value(w);
			put_escaped(w, m->key, m->key_len);
			put(w, ": ", 2);
			w->after_key = true;
			jw_value(w, &m->value);
		}
		jw_object_end(w);
		break;
	}
}

void jw_kv_string(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kv_bool(struct json_writer *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
