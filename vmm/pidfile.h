/* SPDX-License-Identifier: MIT */
/*
 * -pidfile FILE: the process id of the running VM, in a file that stays
 * locked (flock) while it runs, so a second minivmm given the same file
 * refuses to start, and a tool can tell a live entry from a stale one by
 * trying the lock.  Removed at exit, if it is still ours.
 */
#ifndef MINIVMM_PIDFILE_H
#define MINIVMM_PIDFILE_H

#include <stddef.h>

struct pidfile {
	int fd;				/* open and locked; -1 if none */
	int dir_fd;			/* its directory (O_PATH), for unlinkat */
	char base[256];			/* its name there */
};

/* Create, lock and fill the file.  0, or -errno with one line in err. */
int pidfile_create(struct pidfile *p, const char *path, char *err,
		   size_t errlen);
/* Remove the file if it is still the one we locked, and close it. */
void pidfile_remove(struct pidfile *p);

#endif
