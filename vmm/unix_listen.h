/* SPDX-License-Identifier: MIT */
/*
 * A listening UNIX socket owned by one minivmm: created mode 0600 (owner
 * only, with no window where others may connect), a socket left behind
 * by a dead process replaced, a live one (another VM answers there)
 * refused, and removed at exit through a directory fd, so a thread whose
 * seccomp filter refuses path-based calls can still remove it.
 * Used by the QMP socket and the -serial unix: console.
 */
#ifndef MINIVMM_UNIX_LISTEN_H
#define MINIVMM_UNIX_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

struct unix_listener {
	int fd;				/* listening, non-blocking; -1 if none */
	int dir_fd;			/* the socket's directory (O_PATH) */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *base;		/* the socket's name in dir_fd */
};

/*
 * Listen on path (what names the option in messages: "-qmp", "-serial").
 * Returns 0, or -errno with one line in err.  l->fd is -1 on failure.
 */
int unix_listen(struct unix_listener *l, const char *path, const char *what,
		char *err, size_t errlen);
/* True if a process accepts connections on path (a live socket). */
bool unix_socket_alive(const char *path);
/* Remove the socket file (once) and close everything. */
void unix_listen_close(struct unix_listener *l);

#endif
