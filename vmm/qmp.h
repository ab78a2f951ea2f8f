/* SPDX-License-Identifier: MIT */
/*
 * The QMP protocol engine: one client session as a pure state machine.
 * Bytes in (any split), replies out through a callback; the VM is reached
 * only through struct qmp_backend, so the engine is tested without a VM.
 *
 * Framing follows QEMU: a message is one JSON object, found by tracking
 * brackets outside strings (no newline needed).  A message longer than
 * QMP_MAX_MESSAGE, nested deeper than QMP_MAX_FRAME_DEPTH, or a character
 * that cannot appear in JSON outside a string, is answered with an error
 * and skipped, without buffering it.
 */
#ifndef MINIVMM_QMP_H
#define MINIVMM_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/json.h"

#define QMP_MAX_MESSAGE		(64 * 1024)
#define QMP_MAX_FRAME_DEPTH	1024
#define QMP_MAX_REPLY		(1024 * 1024)

/* The run states QEMU reports in query-status that minivmm can be in. */
enum qmp_run_state {
	QMP_STATE_PRELAUNCH,	/* -S: created, waiting for cont */
	QMP_STATE_RUNNING,
	QMP_STATE_PAUSED,	/* stop */
	QMP_STATE_SHUTDOWN,	/* stopping, about to exit */
	QMP_STATE_INTERNAL_ERROR,
	QMP_STATE_GUEST_PANICKED,
};

const char *qmp_run_state_name(enum qmp_run_state st);

/*
 * What the engine needs from the VM.  Action callbacks return 0 or a
 * negative errno; on error they may fill err (one line, becomes "desc").
 * write_* callbacks write exactly one JSON value (the "return" value).
 */
struct qmp_backend {
	void *ctx;
	const char *name;	/* -name, or NULL */
	enum qmp_run_state (*run_state)(void *ctx);
	int (*stop)(void *ctx, char *err, size_t errlen);
	int (*cont)(void *ctx, char *err, size_t errlen);
	int (*powerdown)(void *ctx, char *err, size_t errlen);
	int (*reset)(void *ctx, char *err, size_t errlen);
	int (*quit)(void *ctx, char *err, size_t errlen);
	void (*write_cpus)(void *ctx, struct json_writer *w);
	void (*write_block)(void *ctx, struct json_writer *w);
	void (*write_blockstats)(void *ctx, struct json_writer *w);
	void (*write_memory)(void *ctx, struct json_writer *w);
	void (*write_netstats)(void *ctx, struct json_writer *w);
	void (*write_stats)(void *ctx, struct json_writer *w);
	/* x-minivmm-save: snapshot to file, then resume or (quit) stop. */
	int (*save)(void *ctx, const char *file, bool quit, char *err,
		    size_t errlen);
};

/* Bracket tracker that cuts a byte stream into candidate messages. */
struct qmp_framer {
	char *buf;
	size_t len;		/* bytes of the current message kept */
	size_t depth;		/* open brackets outside strings */
	bool in_string, escape, scalar;
	bool discarding;	/* over a limit: track, do not keep */
	bool garbage;		/* after a bad character: skip to a restart */
};

/* Where a session's output goes (a socket's queue; a test's buffer). */
typedef void (*qmp_send_fn)(void *opaque, const char *text, size_t len);

struct qmp_session {
	const struct qmp_backend *be;
	qmp_send_fn send;
	void *opaque;
	bool negotiated;
	struct qmp_framer fr;
	struct json_writer w;
};

void qmp_session_init(struct qmp_session *s, const struct qmp_backend *be,
		      qmp_send_fn send, void *opaque);
void qmp_session_destroy(struct qmp_session *s);
/* The greeting, sent once a client connects. */
void qmp_session_greet(struct qmp_session *s);
/* Feed bytes read from the client; replies go out through send. */
void qmp_session_input(struct qmp_session *s, const char *buf, size_t len);
/* Events reach a client only after it negotiated capabilities. */
static inline bool qmp_session_wants_events(const struct qmp_session *s)
{
	return s->negotiated;
}

/*
 * Format one event line ({"timestamp": ..., "event": NAME[, "data": ...]})
 * into w (reset first).  data_fn, if not NULL, writes the data object.
 * Returns false if it did not fit.
 */
bool qmp_format_event(struct json_writer *w, const char *name,
		      uint64_t seconds, uint32_t microseconds,
		      void (*data_fn)(struct json_writer *w, void *arg),
		      void *arg);

/* The i-th command name (0 is qmp_capabilities), NULL past the last. */
const char *qmp_command_name(size_t i);

#endif
