/* SPDX-License-Identifier: MIT */
/*
 * The virsh-like front end in the minivmm binary: `minivmm list`,
 * `minivmm ctl NAME COMMAND [--json]` and `minivmm console NAME`, for the
 * named VMs whose sockets are in the runtime directory (vmm/rundir.h).
 * Each VM answers for itself over its QMP socket; there is no daemon.
 */
#ifndef MINIVMM_FRONTEND_H
#define MINIVMM_FRONTEND_H

#include <stdbool.h>

/* argv[0] is a front-end command word (list, ctl, console). */
bool frontend_is_command(const char *word);
/* Run it; argv[0] is the command word.  Returns the exit code. */
int frontend_main(int argc, char **argv);

#endif
