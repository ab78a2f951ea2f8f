// SPDX-License-Identifier: MIT
/*
 * QMP engine (see qmp.h): framing, capabilities negotiation, command
 * dispatch and the reply/error/event shapes of QEMU's QMP specification
 * (docs/interop/qmp-spec in QEMU), checked against QEMU 7.2 by
 * tests/cli/qmp_shapes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/log.h"
#include "vmm/qmp.h"

/* The version query-version reports: minivmm's own, not QEMU's. */
#define QMP_VERSION_MAJOR 0
#define QMP_VERSION_MINOR 1
#define QMP_VERSION_MICRO 0
#define QMP_PACKAGE "minivmm"

static const char *const run_state_names[] = {
	[QMP_STATE_PRELAUNCH] = "prelaunch",
	[QMP_STATE_RUNNING] = "running",
	[QMP_STATE_PAUSED] = "paused",
	[QMP_STATE_SHUTDOWN] = "shutdown",
	[QMP_STATE_INTERNAL_ERROR] = "internal-error",
	[QMP_STATE_GUEST_PANICKED] = "guest-panicked",
};

const char *qmp_run_state_name(enum qmp_run_state st)
{
	if ((size_t)st >= sizeof(run_state_names) / sizeof(run_state_names[0]))
		return "internal-error";
	return run_state_names[st];
}

/* ---- replies ---- */

static void send_line(struct qmp_session *s, struct json_writer *w)
{
	/* QEMU ends every line with CRLF; clients split on either. */
	w->after_key = false;
	if (w->failed)
		return;
	s->send(s->opaque, w->buf, w->len);
	s->send(s->opaque, "\r\n", 2);
}

static void send_error(struct qmp_session *s, const struct json_value *id,
		       const char *cls, const char *desc)
{
	struct json_writer *w = &s->w;

	jw_reset(w);
	jw_object_begin(w);
	jw_key(w, "error");
	jw_object_begin(w);
	jw_kv_string(w, "class", cls);
	jw_kv_string(w, "desc", desc);
	jw_object_end(w);
	if (id) {
		jw_key(w, "id");
		jw_value(w, id);
	}
	jw_object_end(w);
	if (w->failed && id) {
		/* An id too large to echo: answer without it. */
		send_error(s, NULL, cls, desc);
		return;
	}
	send_line(s, w);
}

__attribute__((format(printf, 4, 5)))
static void send_errorf(struct qmp_session *s, const struct json_value *id,
			const char *cls, const char *fmt, ...)
{
	char desc[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	send_error(s, id, cls, desc);
}

/* ---- commands ---- */

/*
 * One call of a command: args is its "arguments" object (NULL if none),
 * already checked to hold only the names the table lists for it; the
 * handler checks their types and writes the "return" value into w.
 */
struct qmp_call {
	const struct qmp_backend *be;
	const struct json_value *args;
	struct json_writer *w;
	char *err;		/* one line for a GenericError reply */
	size_t errlen;
};

/* A command's handler: 0, or a negative errno with c->err filled. */
typedef int (*qmp_handler)(struct qmp_call *c);

static void write_empty_object(struct json_writer *w)
{
	jw_object_begin(w);
	jw_object_end(w);
}

/* The table offers a command only with its callback; this is the guard. */
static int not_supported(struct qmp_call *c)
{
	snprintf(c->err, c->errlen, "not supported by this machine");
	return -ENOTSUP;
}

/* The {} of a command that has nothing to return, once rc says it worked. */
static int empty_unless_failed(struct qmp_call *c, int rc)
{
	if (rc)
		return rc;
	write_empty_object(c->w);
	return 0;
}

/* A command that runs a backend action and returns {}. */
static int run_action(struct qmp_call *c, int (*fn)(void *, char *, size_t))
{
	if (!fn)
		return not_supported(c);
	return empty_unless_failed(c, fn(c->be->ctx, c->err, c->errlen));
}

/* A query whose whole return value the backend writes. */
static int write_value(struct qmp_call *c,
		       void (*fn)(void *, struct json_writer *))
{
	if (!fn)
		return not_supported(c);
	fn(c->be->ctx, c->w);
	return 0;
}

static int cmd_stop(struct qmp_call *c)
{
	return run_action(c, c->be->stop);
}

static int cmd_cont(struct qmp_call *c)
{
	return run_action(c, c->be->cont);
}

static int cmd_powerdown(struct qmp_call *c)
{
	return run_action(c, c->be->powerdown);
}

static int cmd_reset(struct qmp_call *c)
{
	return run_action(c, c->be->reset);
}

static int cmd_quit(struct qmp_call *c)
{
	return run_action(c, c->be->quit);
}

static int cmd_query_status(struct qmp_call *c)
{
	enum qmp_run_state st = c->be->run_state ?
		c->be->run_state(c->be->ctx) : QMP_STATE_RUNNING;

	jw_object_begin(c->w);
	jw_kv_string(c->w, "status", qmp_run_state_name(st));
	/* Always false; QEMU 7.2 still reports the member. */
	jw_kv_bool(c->w, "singlestep", false);
	jw_kv_bool(c->w, "running", st == QMP_STATE_RUNNING);
	jw_object_end(c->w);
	return 0;
}

static int cmd_query_cpus_fast(struct qmp_call *c)
{
	return write_value(c, c->be->write_cpus);
}

static int cmd_query_block(struct qmp_call *c)
{
	return write_value(c, c->be->write_block);
}

static int cmd_query_blockstats(struct qmp_call *c)
{
	return write_value(c, c->be->write_blockstats);
}

static int cmd_query_netstats(struct qmp_call *c)
{
	return write_value(c, c->be->write_netstats);
}

static int cmd_query_stats(struct qmp_call *c)
{
	return write_value(c, c->be->write_stats);
}

static int cmd_query_memory(struct qmp_call *c)
{
	return write_value(c, c->be->write_memory);
}

static int cmd_query_name(struct qmp_call *c)
{
	jw_object_begin(c->w);
	if (c->be->name)
		jw_kv_string(c->w, "name", c->be->name);
	jw_object_end(c->w);
	return 0;
}

static void write_version(struct json_writer *w)
{
	jw_object_begin(w);
	jw_key(w, "qemu");
	jw_object_begin(w);
	jw_kv_int(w, "micro", QMP_VERSION_MICRO);
	jw_kv_int(w, "minor", QMP_VERSION_MINOR);
	jw_kv_int(w, "major", QMP_VERSION_MAJOR);
	jw_object_end(w);
	jw_kv_string(w, "package", QMP_PACKAGE);
	jw_object_end(w);
}

static int cmd_query_version(struct qmp_call *c)
{
	write_version(c->w);
	return 0;
}

/*
 * x-minivmm-save {"file": PATH, "quit": BOOL}: "file" is required,
 * "quit" (default false) stops the VM after the save instead of letting
 * it run on.
 */
static const char *const save_params[] = { "file", "quit", NULL };

static int cmd_save(struct qmp_call *c)
{
	const struct json_value *file = json_object_get(c->args, "file");
	const struct json_value *quit = json_object_get(c->args, "quit");

	if (!file || file->type != JSON_STRING || !file->str.len ||
	    strlen(file->str.s) != file->str.len) {
		snprintf(c->err, c->errlen, "Parameter 'file' is missing or not a path");
		return -EINVAL;
	}
	if (quit && quit->type != JSON_TRUE && quit->type != JSON_FALSE) {
		snprintf(c->err, c->errlen, "Invalid parameter type for 'quit', expected: boolean");
		return -EINVAL;
	}
	return empty_unless_failed(c, c->be->save(c->be->ctx, file->str.s,
						  quit && quit->type == JSON_TRUE,
						  c->err, c->errlen));
}

/*
 * The command table.  To add a command: a handler above, one line here
 * (with the backend callback it needs, if any, so that a machine
 * without it does not offer the command), and the backend side.
 * params lists the argument names it accepts (NULL: none); anything
 * else is refused before the handler runs, as QEMU does.
 */
struct qmp_command {
	const char *name;
	qmp_handler fn;
	size_t hook;	/* offset of the backend callback it needs, or 0 */
	const char *const *params;
};

#define HOOK(f) offsetof(struct qmp_backend, f)

/* qmp_capabilities is handled by the session itself. */
static int cmd_query_commands(struct qmp_call *c);

static const struct qmp_command commands[] = {
	{ "query-status", cmd_query_status, 0, NULL },
	{ "stop", cmd_stop, HOOK(stop), NULL },
	{ "cont", cmd_cont, HOOK(cont), NULL },
	{ "system_powerdown", cmd_powerdown, HOOK(powerdown), NULL },
	{ "system_reset", cmd_reset, HOOK(reset), NULL },
	{ "quit", cmd_quit, HOOK(quit), NULL },
	{ "query-cpus-fast", cmd_query_cpus_fast, HOOK(write_cpus), NULL },
	{ "query-block", cmd_query_block, HOOK(write_block), NULL },
	{ "query-blockstats", cmd_query_blockstats, HOOK(write_blockstats), NULL },
	{ "query-memory-size-summary", cmd_query_memory, HOOK(write_memory), NULL },
	{ "query-name", cmd_query_name, 0, NULL },
	{ "query-version", cmd_query_version, 0, NULL },
	{ "query-commands", cmd_query_commands, 0, NULL },
	{ "x-minivmm-query-netstats", cmd_query_netstats, HOOK(write_netstats), NULL },
	{ "x-minivmm-query-stats", cmd_query_stats, HOOK(write_stats), NULL },
	{ "x-minivmm-save", cmd_save, HOOK(save), save_params },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *qmp_command_name(size_t i)
{
	if (i == 0)
		return "qmp_capabilities";
	return i <= NR_COMMANDS ? commands[i - 1].name : NULL;
}

/* A command whose backend callback is missing does not exist here. */
static bool command_available(const struct qmp_backend *be,
			      const struct qmp_command *c)
{
	void (*fn)(void);

	if (!c->hook)
		return true;
	memcpy(&fn, (const char *)be + c->hook, sizeof(fn));
	return fn != NULL;
}

static const struct qmp_command *find_command(const struct qmp_backend *be,
					      const struct json_value *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (json_is_string(name, commands[i].name))
			return command_available(be, &commands[i]) ?
			       &commands[i] : NULL;
	return NULL;
}

static int cmd_query_commands(struct qmp_call *c)
{
	struct json_writer *w = c->w;

	jw_array_begin(w);
	jw_object_begin(w);
	jw_kv_string(w, "name", "qmp_capabilities");
	jw_object_end(w);
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (!command_available(c->be, &commands[i]))
			continue;
		jw_object_begin(w);
		jw_kv_string(w, "name", commands[i].name);
		jw_object_end(w);
	}
	jw_array_end(w);
	return 0;
}

/* ---- one message ---- */

/* Members QEMU accepts at the top level of a command. */
static const char *unexpected_member(const struct json_value *msg)
{
	for (size_t i = 0; i < msg->obj.n; i++) {
		const char *k = msg->obj.members[i].key;

		if (strcmp(k, "execute") && strcmp(k, "arguments") &&
		    strcmp(k, "id"))
			return k;
	}
	return NULL;
}

static bool command_takes(const struct qmp_command *cmd, const char *name)
{
	for (const char *const *p = cmd->params; p && *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/* Only the arguments the command lists; QEMU's error for the first other. */
static bool check_arguments(struct qmp_session *s, const struct qmp_command *cmd,
			    const struct json_value *args,
			    const struct json_value *id)
{
	for (size_t i = 0; args && i < args->obj.n; i++) {
		if (command_takes(cmd, args->obj.members[i].key))
			continue;
		send_errorf(s, id, "GenericError", "Parameter '%s' is unexpected",
			    args->obj.members[i].key);
		return false;
	}
	return true;
}

static void negotiate(struct qmp_session *s, const struct json_value *args,
		      const struct json_value *id)
{
	const struct json_value *enable = json_object_get(args, "enable");
	struct json_writer *w = &s->w;

	if (args) {
		for (size_t i = 0; i < args->obj.n; i++)
			if (strcmp(args->obj.members[i].key, "enable")) {
				send_errorf(s, id, "GenericError",
					    "Parameter '%s' is unexpected",
					    args->obj.members[i].key);
				return;
			}
	}
	if (enable) {
		if (enable->type != JSON_ARRAY) {
			send_error(s, id, "GenericError",
				   "Invalid parameter type for 'enable', expected: array");
			return;
		}
		/* minivmm offers no capability (no out-of-band execution). */
		if (enable->arr.n) {
			const struct json_value *c = &enable->arr.items[0];

			send_errorf(s, id, "GenericError",
				    "Capability '%s' not available",
				    c->type == JSON_STRING ? c->str.s : "?");
			return;
		}
	}
	s->negotiated = true;
	jw_reset(w);
	jw_object_begin(w);
	jw_key(w, "return");
	write_empty_object(w);
	if (id) {
		jw_key(w, "id");
		jw_value(w, id);
	}
	jw_object_end(w);
	if (w->failed)
		send_error(s, NULL, "GenericError", "reply too large");
	else
		send_line(s, w);
}

static void execute(struct qmp_session *s, const struct qmp_command *cmd,
		    const struct json_value *args, const struct json_value *id)
{
	struct json_writer *w = &s->w;
	char err[ERR_LINE_MAX] = "";
	struct qmp_call call = {
		.be = s->be, .args = args, .w = w,
		.err = err, .errlen = sizeof(err),
	};
	int rc;

	jw_reset(w);
	jw_object_begin(w);
	jw_key(w, "return");
	rc = cmd->fn(&call);
	if (rc) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s failed: %s", cmd->name,
				 strerror(-rc));
		send_error(s, id, "GenericError", err);
		return;
	}
	if (id) {
		jw_key(w, "id");
		jw_value(w, id);
	}
	jw_object_end(w);
	if (w->failed)
		send_error(s, NULL, "GenericError", "reply too large");
	else
		send_line(s, w);
}

static void dispatch(struct qmp_session *s, const struct json_value *msg)
{
	const struct json_value *id = json_object_get(msg, "id");
	const struct json_value *exec = json_object_get(msg, "execute");
	const struct json_value *args = json_object_get(msg, "arguments");
	const struct qmp_command *cmd;
	const char *extra;

	if (msg->type != JSON_OBJECT) {
		send_error(s, NULL, "GenericError",
			   "QMP input must be a JSON object");
		return;
	}
	extra = unexpected_member(msg);
	if (extra) {
		send_errorf(s, id, "GenericError",
			    "QMP input member '%s' is unexpected", extra);
		return;
	}
	if (!exec) {
		send_error(s, id, "GenericError",
			   "QMP input lacks member 'execute'");
		return;
	}
	if (exec->type != JSON_STRING) {
		send_error(s, id, "GenericError",
			   "QMP input member 'execute' must be a string");
		return;
	}
	if (args && args->type != JSON_OBJECT) {
		send_error(s, id, "GenericError",
			   "QMP input member 'arguments' must be an object");
		return;
	}
	if (json_is_string(exec, "qmp_capabilities")) {
		if (s->negotiated)
			send_error(s, id, "CommandNotFound",
				   "Capabilities negotiation is already complete, command ignored");
		else
			negotiate(s, args, id);
		return;
	}
	if (!s->negotiated) {
		send_error(s, id, "CommandNotFound",
			   "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	cmd = find_command(s->be, exec);
	if (!cmd) {
		/* A name with NUL inside prints up to the NUL: harmless. */
		send_errorf(s, id, "CommandNotFound",
			    "The command %s has not been found", exec->str.s);
		return;
	}
	if (check_arguments(s, cmd, args, id))
		execute(s, cmd, args, id);
}

static void handle_message(struct qmp_session *s, const char *text,
			   size_t len)
{
	static const struct json_limits lim = {
		.max_bytes = QMP_MAX_MESSAGE,
		.max_depth = JSON_DEFAULT_MAX_DEPTH,
		.max_nodes = JSON_DEFAULT_MAX_NODES,
	};
	struct json_value msg;
	struct json_error err;

	if (json_parse(text, len, &lim, &msg, &err)) {
		send_errorf(s, NULL, "GenericError", "JSON parse error, %s",
			    err.msg);
		return;
	}
	dispatch(s, &msg);
	json_free(&msg);
}

/* ---- framing ---- */

static bool framer_keep(struct qmp_session *s, char c)
{
	struct qmp_framer *f = &s->fr;

	if (f->discarding)
		return true;
	if (f->len >= QMP_MAX_MESSAGE) {
		send_error(s, NULL, "GenericError",
			   "JSON parse error, message too long");
		f->discarding = true;
		f->len = 0;
		return true;
	}
	if (!f->buf) {
		f->buf = malloc(QMP_MAX_MESSAGE);
		if (!f->buf) {
			f->discarding = true;
			return false;
		}
	}
	f->buf[f->len++] = c;
	return true;
}

static void framer_end(struct qmp_session *s)
{
	struct qmp_framer *f = &s->fr;

	if (!f->discarding && f->len)
		handle_message(s, f->buf, f->len);
	f->len = 0;
	f->depth = 0;
	f->in_string = f->escape = f->scalar = f->discarding = false;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters of numbers and of true/false/null, and separators. */
static bool is_token_char(char c)
{
	return (c >= '0' && c <= '9') || strchr("-+.eEtrufalsn,:", c);
}

static void framer_string_byte(struct qmp_session *s, char c)
{
	struct qmp_framer *f = &s->fr;

	framer_keep(s, c);
	if (f->escape) {
		f->escape = false;
	} else if (c == '\\') {
		f->escape = true;
	} else if (c == '"') {
		f->in_string = false;
		if (!f->depth)
			framer_end(s);
	}
}

static void framer_byte(struct qmp_session *s, char c)
{
	struct qmp_framer *f = &s->fr;

	if (f->in_string) {
		framer_string_byte(s, c);
		return;
	}
	if (f->garbage) {
		/* Skip the rest of a bad run up to a plausible restart. */
		if (!is_ws(c) && c != '{')
			return;
		f->garbage = false;
	}
	if (f->scalar && (is_ws(c) || strchr("{}[]\"", c))) {
		/* A top-level scalar ends here; c starts what follows. */
		framer_end(s);
	}
	if (c == '\0' || !(is_ws(c) || strchr("{}[]\"", c) ||
			   is_token_char(c))) {
		/*
		 * Not JSON outside a string: drop what was gathered, answer
		 * once for the whole bad run, like QEMU's lexer.
		 */
		f->discarding = true;
		framer_end(s);
		f->garbage = true;
		send_error(s, NULL, "GenericError",
			   "JSON parse error, invalid character");
		return;
	}
	if (is_ws(c)) {
		if (f->depth)
			framer_keep(s, c);
		return;
	}
	framer_keep(s, c);
	switch (c) {
	case '"':
		f->in_string = true;
		break;
	case '{':
	case '[':
		if (++f->depth > QMP_MAX_FRAME_DEPTH && !f->discarding) {
			send_error(s, NULL, "GenericError",
				   "JSON parse error, nesting too deep");
			f->discarding = true;
			f->len = 0;
		}
		break;
	case '}':
	case ']':
		if (f->depth)
			f->depth--;
		if (!f->depth)
			framer_end(s);
		break;
	default:
		if (!f->depth)
			f->scalar = true;
		break;
	}
}

/* ---- session ---- */

void qmp_session_init(struct qmp_session *s, const struct qmp_backend *be,
		      qmp_send_fn send, void *opaque)
{
	memset(s, 0, sizeof(*s));
	s->be = be;
	s->send = send;
	s->opaque = opaque;
	jw_init(&s->w, QMP_MAX_REPLY);
}

void qmp_session_destroy(struct qmp_session *s)
{
	free(s->fr.buf);
	s->fr.buf = NULL;
	jw_free(&s->w);
}

void qmp_session_greet(struct qmp_session *s)
{
	struct json_writer *w = &s->w;

	jw_reset(w);
	jw_object_begin(w);
	jw_key(w, "QMP");
	jw_object_begin(w);
	jw_key(w, "version");
	write_version(w);
	jw_key(w, "capabilities");
	jw_array_begin(w);
	jw_array_end(w);
	jw_object_end(w);
	jw_object_end(w);
	send_line(s, w);
}

void qmp_session_input(struct qmp_session *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		framer_byte(s, buf[i]);
	/* A scalar at the very end may continue in the next read. */
}

bool qmp_format_event(struct json_writer *w, const char *name,
		      uint64_t seconds, uint32_t microseconds,
		      void (*data_fn)(struct json_writer *w, void *arg),
		      void *arg)
{
	jw_reset(w);
	jw_object_begin(w);
	jw_key(w, "timestamp");
	jw_object_begin(w);
	jw_kv_uint(w, "seconds", seconds);
	jw_kv_uint(w, "microseconds", microseconds);
	jw_object_end(w);
	jw_kv_string(w, "event", name);
	if (data_fn) {
		jw_key(w, "data");
		data_fn(w, arg);
	}
	jw_object_end(w);
	return !w->failed;
}
