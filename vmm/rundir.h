/* SPDX-License-Identifier: MIT */
/*
 * The runtime directory where named VMs leave their sockets for the
 * front end (minivmm list/ctl/console): $XDG_RUNTIME_DIR/minivmm/, or
 * /run/minivmm/ for root (and when XDG_RUNTIME_DIR is not set:
 * /tmp/minivmm-UID/); $MINIVMM_RUNTIME_DIR, if set, overrides all
 * three (tests, containers).  A VM started with -name NAME and no -qmp listens
 * on NAME.qmp there; -serial unix without a path on NAME.console.  The
 * directory is created mode 0700.
 */
#ifndef MINIVMM_RUNDIR_H
#define MINIVMM_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/config.h"

#define RUNDIR_PATH_MAX 108	/* sun_path */

struct rundir_paths {
	char qmp[RUNDIR_PATH_MAX];
	char console[RUNDIR_PATH_MAX];
};

/* The directory's path into buf.  0, or -ENAMETOOLONG. */
int rundir_path(char *buf, size_t len);
/* Create the directory (0700) if needed.  0, or -errno with err. */
int rundir_create(char *err, size_t errlen);
/* NAME.SUFFIX in the directory into buf.  0, or -ENAMETOOLONG. */
int rundir_file(char *buf, size_t len, const char *name, const char *suffix);

/*
 * Point cfg's unset socket paths of a named VM into the runtime
 * directory (creating it): the QMP socket without -qmp, the console
 * with -serial unix.  paths must outlive cfg.  0, or -1 with err.
 */
int rundir_apply(struct config *cfg, struct rundir_paths *paths,
		 char *err, size_t errlen);

#endif
