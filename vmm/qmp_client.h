/* SPDX-License-Identifier: MIT */
/*
 * A small QMP client for the front end (minivmm list/ctl): connect,
 * read the greeting, negotiate, run commands one at a time, skipping the
 * events that arrive in between.  Every wait is bounded (a VM that does
 * not answer is reported, never waited for forever) and so is every
 * line read (QMP_CLIENT_LINE_MAX); replies are parsed with vmm/json.
 */
#ifndef MINIVMM_QMP_CLIENT_H
#define MINIVMM_QMP_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "vmm/json.h"

#define QMP_CLIENT_LINE_MAX	(2 * 1024 * 1024)

struct qmp_client {
	int fd;
	pid_t peer_pid;			/* the VM's process (SO_PEERCRED) */
	int timeout_ms;			/* for each reply */
	char *buf;
	size_t len, cap;
	char *line;			/* the last reply as received */
};

/*
 * Connect and negotiate.  0, or a negative errno with one line in err:
 * -ENOENT (no socket) and -ECONNREFUSED (nobody listens: a stale entry)
 * say the VM is not running; -ETIMEDOUT that it did not answer.  After
 * a failure past connect(), peer_pid is still set.
 */
int qmp_client_open(struct qmp_client *c, const char *path, int timeout_ms,
		    char *err, size_t errlen);
/*
 * Execute a command without arguments.  On 0, *reply is the parsed
 * reply object (free with json_free) and c->line its text; a reply with
 * "error" is still 0 (the caller reads it).  -errno with err otherwise.
 */
int qmp_client_call(struct qmp_client *c, const char *command,
		    struct json_value *reply, char *err, size_t errlen);
/*
 * The same with arguments: args writes the members of the "arguments"
 * object into w (jw_kv_string and the like; strings are escaped there).
 */
int qmp_client_call_args(struct qmp_client *c, const char *command,
			 void (*args)(struct json_writer *w, void *opaque),
			 void *opaque, struct json_value *reply, char *err,
			 size_t errlen);
/* Wait until the VM closes the connection (it exits); 0 or -ETIMEDOUT. */
int qmp_client_wait_close(struct qmp_client *c, int timeout_ms);
void qmp_client_close(struct qmp_client *c);

#endif
