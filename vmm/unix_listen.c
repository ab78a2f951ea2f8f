// SPDX-License-Identifier: MIT
/* Listening UNIX sockets: see unix_listen.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/unix_listen.h"

bool unix_socket_alive(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	bool alive;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return false;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	/* A dead owner's socket refuses (ECONNREFUSED); a full backlog is alive. */
	alive = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 ||
		errno == EAGAIN;
	close(fd);
	return alive;
}

static void unix_listen_dir(struct unix_listener *l)
{
	char dir[sizeof(l->path)];
	char *slash = strrchr(l->path, '/');

	if (!slash) {
		l->dir_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		l->base = l->path;
		return;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - l->path), l->path);
	l->dir_fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	l->base = slash + 1;
}

/* What is at path may be replaced only if it is a socket nobody serves. */
static int unix_listen_clear(const char *path, const char *what, char *err,
			     size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: %s exists and is not a socket", what,
			 path);
		return -EEXIST;
	}
	if (unix_socket_alive(path)) {
		snprintf(err, errlen,
			 "%s: %s is in use by a running process (another VM with this name?)",
			 what, path);
		return -EADDRINUSE;
	}
	unlink(path);
	return 0;
}

/*
 * The socket appears at path already listening: it is bound under a
 * temporary name next to it and renamed into place, so a client never
 * finds it bound but refusing (which minivmm list takes for a dead VM's
 * socket, and removes).
 */
int unix_listen(struct unix_listener *l, const char *path, const char *what,
		char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old;
	int rc, e;

	l->fd = l->dir_fd = -1;
	l->path[0] = '\0';
	l->base = NULL;
	if (strlen(path) + 4 >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long: %s", what, path);
		return -ENAMETOOLONG;
	}
	rc = unix_listen_clear(path, what, err, errlen);
	if (rc)
		return rc;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.new", path);
	unlink(addr.sun_path);	/* a temporary name left by a crash */
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	/* Created 0600 from the start: no window where others may connect. */
	old = umask(0177);
	rc = bind(l->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc)
		goto fail;
	if (chmod(addr.sun_path, 0600) || listen(l->fd, 16) ||
	    rename(addr.sun_path, path)) {
		e = errno;
		unlink(addr.sun_path);
		errno = e;
		goto fail;
	}
	strcpy(l->path, path);
	unix_listen_dir(l);
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "%s: cannot listen on %s: %s", what, path,
		 strerror(e));
	unix_listen_close(l);
	return -e;
}

void unix_listen_close(struct unix_listener *l)
{
	if (l->path[0]) {
		if (l->dir_fd >= 0 && l->base)
			unlinkat(l->dir_fd, l->base, 0);
		else
			unlink(l->path);
		l->path[0] = '\0';
	}
	if (l->fd >= 0)
		close(l->fd);
	if (l->dir_fd >= 0)
		close(l->dir_fd);
	l->fd = l->dir_fd = -1;
}
