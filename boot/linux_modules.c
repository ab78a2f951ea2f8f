// SPDX-License-Identifier: MIT
/*
 * modules.dep and modules.builtin: bounded line scanning over untrusted
 * text, no allocation.  Freestanding.
 */
#include "boot/linux_modules.h"

#include "boot/error_line.h"

#define LINUX_MODULES_VISITS	1024	/* dependency visits per resolve */

struct lm_line {
	const char *start;	/* the module's path */
	size_t path_len;
	const char *deps;	/* after the ':' */
	size_t deps_len;	/* up to the end of the line */
};

static const char *lm_memchr(const char *s, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

static bool lm_same_char(char a, char b)
{
	return a == b || (a == '-' && b == '_') || (a == '_' && b == '-');
}

size_t linux_module_name(const char *path, size_t len, char *out, size_t cap)
{
	size_t base = 0, n = 0;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			base = i + 1;
	/* The name ends at ".ko" (".ko", ".ko.xz", ".ko.zst", ...). */
	for (size_t i = base; i + 3 <= len; i++) {
		if (path[i] == '.' && path[i + 1] == 'k' && path[i + 2] == 'o' &&
		    (i + 3 == len || path[i + 3] == '.')) {
			n = i - base;
			break;
		}
	}
	if (!n || n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = path[base + i] == '-' ? '_' : path[base + i];
	out[n] = 0;
	return n;
}

static bool lm_name_is(const char *path, size_t len, const char *name)
{
	char got[64];
	size_t n = linux_module_name(path, len, got, sizeof(got));
	size_t i;

	for (i = 0; i < n && name[i]; i++)
		if (!lm_same_char(got[i], name[i]))
			return false;
	return n && i == n && !name[i];
}

/* Split the line at *pos into l; advance *pos.  False at the end. */
static bool lm_next_line(const char *text, size_t len, size_t *pos,
			 struct lm_line *l)
{
	while (*pos < len) {
		const char *s = text + *pos;
		const char *nl = lm_memchr(s, len - *pos, '\n');
		size_t line_len = nl ? (size_t)(nl - s) : len - *pos;
		const char *colon = lm_memchr(s, line_len, ':');

		*pos += line_len + (nl ? 1 : 0);
		if (!colon || colon == s)
			continue;	/* not a module line */
		l->start = s;
		l->path_len = (size_t)(colon - s);
		l->deps = colon + 1;
		l->deps_len = line_len - l->path_len - 1;
		return true;
	}
	return false;
}

static bool lm_slice_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The line of the module at exactly this path. */
static bool lm_find_path(const char *text, size_t len, const char *path,
			 size_t plen, struct lm_line *l)
{
	size_t pos = 0;

	while (lm_next_line(text, len, &pos, l))
		if (lm_slice_eq(l->start, l->path_len, path, plen))
			return true;
	return false;
}

static bool lm_find_name(const char *text, size_t len, const char *name,
			 struct lm_line *l)
{
	size_t pos = 0;

	while (lm_next_line(text, len, &pos, l))
		if (lm_name_is(l->start, l->path_len, name))
			return true;
	return false;
}

static bool lm_have(const struct linux_modules *out, const struct lm_line *l)
{
	for (unsigned int i = 0; i < out->nr; i++)
		if (out->mod[i].path == l->start)
			return true;
	return false;
}

static int lm_fail(char *err, size_t errlen, const char *reason)
{
	return error_line(err, errlen, reason);
}

/*
 * Add l after what it needs (depth first).  budget bounds the visits: a
 * hostile file whose lines name themselves many times cannot make the
 * walk exponential.
 */
static int lm_add(const char *text, size_t len, const struct lm_line *l,
		  unsigned int depth, unsigned int *budget,
		  struct linux_modules *out, char *err, size_t errlen)
{
	size_t i = 0;

	if (lm_have(out, l))
		return 1;
	if (!*budget)
		return lm_fail(err, errlen, "modules.dep: too many dependencies");
	--*budget;
	if (depth > LINUX_MODULES_DEPTH)
		return lm_fail(err, errlen, "modules.dep: dependency chain too deep (or a cycle)");
	while (i < l->deps_len) {
		struct lm_line dep;
		size_t start;

		while (i < l->deps_len && (l->deps[i] == ' ' || l->deps[i] == '\t'))
			i++;
		start = i;
		while (i < l->deps_len && l->deps[i] != ' ' && l->deps[i] != '\t')
			i++;
		if (i == start)
			break;
		if (!lm_find_path(text, len, l->deps + start, i - start, &dep))
			return lm_fail(err, errlen, "modules.dep: a dependency has no line of its own");
		if (lm_add(text, len, &dep, depth + 1, budget, out, err, errlen) < 0)
			return -1;
	}
	if (lm_have(out, l))
		return 1;	/* a cycle closed through a dependency */
	if (out->nr >= LINUX_MODULES_MAX)
		return lm_fail(err, errlen, "modules.dep: too many modules needed");
	out->mod[out->nr++] = (struct linux_module_ref){ l->start, l->path_len };
	return 1;
}

int linux_modules_resolve(const char *dep, size_t len, const char *name,
			  struct linux_modules *out, char *err, size_t errlen)
{
	unsigned int budget = LINUX_MODULES_VISITS;
	struct lm_line l;

	if (!dep || !name || !out)
		return lm_fail(err, errlen, "modules.dep: nothing to read");
	if (!lm_find_name(dep, len, name, &l))
		return 0;
	return lm_add(dep, len, &l, 0, &budget, out, err, errlen);
}

bool linux_modules_builtin(const char *builtin, size_t len, const char *name)
{
	size_t pos = 0;

	if (!builtin || !name)
		return false;
	while (pos < len) {
		const char *s = builtin + pos;
		const char *nl = lm_memchr(s, len - pos, '\n');
		size_t line_len = nl ? (size_t)(nl - s) : len - pos;

		pos += line_len + (nl ? 1 : 0);
		if (lm_name_is(s, line_len, name))
			return true;
	}
	return false;
}
