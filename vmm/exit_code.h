/* SPDX-License-Identifier: MIT */
/*
 * minivmm's process exit codes (docs/usage.md), and the one place that
 * turns a device's guest event into one of them.
 */
#ifndef MINIVMM_EXIT_CODE_H
#define MINIVMM_EXIT_CODE_H

#include "devices/guest_event.h"

#define EXIT_GUEST_POWEROFF	0	/* the guest powered off */
#define EXIT_VMM_ERROR		1	/* setup or runtime error of minivmm */
#define EXIT_USAGE		2	/* bad command line */
#define EXIT_GUEST_REBOOT	3	/* the guest rebooted (panic=N lands here) */
#define EXIT_GUEST_CRASH	4	/* triple fault, KVM internal error, failed entry */
#define EXIT_NETBOOT_FAILED	5	/* netboot firmware gave up */
#define EXIT_LOCALBOOT		6	/* netboot config chose LOCALBOOT */
#define EXIT_STOPPED		7	/* stopped from the host: Ctrl-A x, SIGINT, SIGTERM */
#define EXIT_GUEST_PANIC	8	/* the guest kernel panicked (pvpanic) */
#define EXIT_NETBOOT_DEADLINE	9	/* netboot ran past -netboot-timeout */
#define EXIT_TIMEOUT		124	/* -timeout expired (as timeout(1)) */

/* The exit code a guest event ends the run with. */
int exit_code_for_event(enum guest_event ev);

#endif
