/* SPDX-License-Identifier: MIT */
/*
 * The QMP socket: a listening UNIX socket (mode 0600) served by its own
 * thread with epoll and its own seccomp class.  Clients are untrusted: each
 * one's input and queued output are bounded, a client that stops reading
 * is disconnected, and nothing a client does reaches a vCPU thread except
 * through the backend's calls.
 */
#ifndef MINIVMM_QMP_SERVER_H
#define MINIVMM_QMP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/qmp.h"

#define QMP_SERVER_MAX_CLIENTS	128
#define QMP_SERVER_OUT_MAX	(1024 * 1024)	/* queued replies per client */

struct qmp_server;

/*
 * Create the socket at path (replacing a stale socket, never another kind
 * of file); the thread starts with qmp_server_start.  err gets one line.
 */
int qmp_server_create(struct qmp_server **out, const char *path,
		      const struct qmp_backend *be, char *err, size_t errlen);
int qmp_server_start(struct qmp_server *srv, bool seccomp);
/*
 * Send an event to every negotiated client (from any thread).  data_fn
 * writes the "data" object, or is NULL.
 */
void qmp_server_event(struct qmp_server *srv, const char *name,
		      void (*data_fn)(struct json_writer *w, void *arg),
		      void *arg);
/* Flush what is queued (briefly), stop the thread, remove the socket. */
void qmp_server_destroy(struct qmp_server *srv);

#endif
