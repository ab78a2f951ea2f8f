// SPDX-License-Identifier: MIT
/*
 * QMP session on a hostile client: the input is a chunk size byte and a
 * byte stream fed in chunks of that size.  Nothing crashes or leaks, and
 * every line the session sends back is one valid JSON object.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_input.h"
#include "vmm/qmp.h"

struct sink {
	char line[QMP_MAX_REPLY + 2];
	size_t len;
};

static void check_line(struct sink *k)
{
	struct json_limits lim = { QMP_MAX_REPLY, 64, 1 << 20 };
	struct json_value v;

	assert(json_parse(k->line, k->len, &lim, &v, NULL) == 0);
	assert(v.type == JSON_OBJECT);
	json_free(&v);
	k->len = 0;
}

static void sink_send(void *opaque, const char *text, size_t len)
{
	struct sink *k = opaque;

	if (len == 2 && !memcmp(text, "\r\n", 2)) {
		check_line(k);
		return;
	}
	assert(k->len + len <= sizeof(k->line));
	memcpy(k->line + k->len, text, len);
	k->len += len;
}

static enum qmp_run_state state(void *ctx)
{
	(void)ctx;
	return QMP_STATE_PAUSED;
}

static int action(void *ctx, char *err, size_t len)
{
	(void)ctx;
	(void)err;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct qmp_backend be = {
		.name = "fuzz", .run_state = state, .stop = action,
		.cont = action, .powerdown = action, .reset = action,
		.quit = action,
	};
	struct fuzz_input in = { data, size };
	size_t chunk = 1 + fuzz_u8(&in);
	static struct sink sink;
	struct sink *k = &sink;
	struct qmp_session s;

	k->len = 0;
	qmp_session_init(&s, &be, sink_send, k);
	qmp_session_greet(&s);
	while (in.left) {
		size_t n = in.left < chunk ? in.left : chunk;

		qmp_session_input(&s, (const char *)in.p, n);
		in.p += n;
		in.left -= n;
	}
	assert(k->len == 0);
	qmp_session_destroy(&s);
	return 0;
}
