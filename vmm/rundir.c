// SPDX-License-Identifier: MIT
/* The front end's runtime directory: see rundir.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/rundir.h"

int rundir_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *own = getenv("MINIVMM_RUNTIME_DIR");
	int n;

	if (own && own[0] == '/')
		n = snprintf(buf, len, "%s", own);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/minivmm");
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/minivmm", xdg);
	else
		n = snprintf(buf, len, "/tmp/minivmm-%u", (unsigned int)geteuid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int rundir_create(char *err, size_t errlen)
{
	char dir[RUNDIR_PATH_MAX];
	struct stat st;

	if (rundir_path(dir, sizeof(dir))) {
		snprintf(err, errlen, "the runtime directory's path is too long");
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		int e = errno;

		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	/* Another user's directory (a shared /tmp) is not ours to use. */
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s is not a directory owned by this user",
			 dir);
		return -EPERM;
	}
	return 0;
}

int rundir_file(char *buf, size_t len, const char *name, const char *suffix)
{
	char dir[RUNDIR_PATH_MAX];
	int n;

	if (rundir_path(dir, sizeof(dir)))
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/%s.%s", dir, name, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int rundir_apply(struct config *cfg, struct rundir_paths *paths,
		 char *err, size_t errlen)
{
	bool want_qmp = cfg->name && !cfg->qmp_path;
	bool want_console = cfg->serial == SERIAL_UNIX && !cfg->serial_path;

	if (!want_qmp && !want_console)
		return 0;
	if (rundir_create(err, errlen))
		return -1;
	if (want_qmp) {
		if (rundir_file(paths->qmp, sizeof(paths->qmp), cfg->name, "qmp")) {
			snprintf(err, errlen, "-name: the socket path is too long");
			return -1;
		}
		cfg->qmp_path = paths->qmp;
	}
	if (want_console) {
		if (rundir_file(paths->console, sizeof(paths->console), cfg->name,
				"console")) {
			snprintf(err, errlen, "-name: the socket path is too long");
			return -1;
		}
		cfg->serial_path = paths->console;
	}
	return 0;
}
