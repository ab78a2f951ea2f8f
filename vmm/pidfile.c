// SPDX-License-Identifier: MIT
/*
 * -pidfile (see pidfile.h), the way QEMU does it: open or create, take
 * the lock without waiting, check that the file locked is still the one
 * the path names (another process may have removed it between our open
 * and our lock), then write the pid.  A stale file (its process is gone,
 * so nobody holds the lock) is simply reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/pidfile.h"

static int pidfile_fail(struct pidfile *p, const char *path, char *err,
			size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "-pidfile: %s %s: %s", what, path, strerror(e));
	pidfile_remove(p);
	return -e;
}

/* Who holds it, for the message (best effort: the file may be half written). */
static long pidfile_holder(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void pidfile_split(struct pidfile *p, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (!slash) {
		p->dir_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		snprintf(p->base, sizeof(p->base), "%s", path);
		return;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	p->dir_fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(p->base, sizeof(p->base), "%s", slash + 1);
}

int pidfile_create(struct pidfile *p, const char *path, char *err,
		   size_t errlen)
{
	struct stat a, b;
	char buf[32];
	int len;

	p->fd = p->dir_fd = -1;
	p->base[0] = '\0';
	if (strlen(strrchr(path, '/') ? strrchr(path, '/') + 1 : path) >=
	    sizeof(p->base)) {
		snprintf(err, errlen, "-pidfile: file name too long: %s", path);
		return -ENAMETOOLONG;
	}
	for (;;) {
		p->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			     0644);
		if (p->fd < 0)
			return pidfile_fail(p, path, err, errlen, "cannot open");
		if (flock(p->fd, LOCK_EX | LOCK_NB)) {
			if (errno != EWOULDBLOCK)
				return pidfile_fail(p, path, err, errlen,
						    "cannot lock");
			snprintf(err, errlen,
				 "-pidfile: %s is locked by a running process (pid %ld)",
				 path, pidfile_holder(p->fd));
			close(p->fd);
			p->fd = -1;
			return -EBUSY;
		}
		if (fstat(p->fd, &a))
			return pidfile_fail(p, path, err, errlen, "cannot stat");
		/* Still the file at path?  Else it was removed under us: again. */
		if (stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			break;
		close(p->fd);
	}
	pidfile_split(p, path);
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(p->fd, 0) || pwrite(p->fd, buf, len, 0) != len)
		return pidfile_fail(p, path, err, errlen, "cannot write");
	return 0;
}

void pidfile_remove(struct pidfile *p)
{
	struct stat a, b;

	if (p->fd < 0)
		goto out;
	/* Remove only our own file (its inode), never a successor's. */
	if (p->dir_fd >= 0 && p->base[0] && !fstat(p->fd, &a) &&
	    !fstatat(p->dir_fd, p->base, &b, AT_SYMLINK_NOFOLLOW) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlinkat(p->dir_fd, p->base, 0);
	close(p->fd);
out:
	if (p->dir_fd >= 0)
		close(p->dir_fd);
	p->fd = p->dir_fd = -1;
	p->base[0] = '\0';
}
