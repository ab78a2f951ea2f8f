/* SPDX-License-Identifier: MIT */
/*
 * The exits that cannot tear down in order - a seccomp trap (SIGSYS) and a
 * vCPU that does not stop - still put the host back: every existing TAP
 * is taken off its bridge and brought down again, the terminal leaves raw
 * mode, then the process ends with EXIT_VMM_ERROR (a TAP minivmm created
 * vanishes with its descriptor).
 *
 * A signal handler takes no argument, so the armed record is reached
 * through one process-wide pointer (set once by the machine, like the
 * console's saved terminal state); nothing else here is global.
 *
 * Only the main thread's seccomp class may issue the interface ioctls, so
 * a trap on another thread asks the main thread (emergency_request():
 * flag + the machine's wake-up eventfd) and waits; the main thread, seeing
 * emergency_requested(), calls emergency_exit().  If it does not within
 * EMERGENCY_WAIT_MS (it is itself stuck), the trapped thread exits alone.
 */
#ifndef MINIVMM_EMERGENCY_H
#define MINIVMM_EMERGENCY_H

#include <stdatomic.h>
#include <stdbool.h>

struct tap;

#define EMERGENCY_MAX_TAPS	16
#define EMERGENCY_WAIT_MS	3000

struct emergency {
	struct tap *taps[EMERGENCY_MAX_TAPS];
	unsigned int nr_taps;
	int wake_fd;		/* eventfd the main thread polls, or -1 */
	atomic_bool requested;
};

/* Make e the process's record (before any thread installs a filter). */
void emergency_arm(struct emergency *e, int wake_fd);
/* Forget it (before the TAPs it names are closed and freed). */
void emergency_disarm(void);
/* A TAP to put back on an emergency exit (tap_needs_restore() ones). */
void emergency_add_tap(struct emergency *e, struct tap *tap);
/* Does any armed TAP need restoring (the main filter must allow it)? */
bool emergency_has_taps(const struct emergency *e);

/* Async-signal-safe: restore, terminal, _exit(code).  Any thread whose
 * seccomp class allows the interface ioctls (the main thread). */
void emergency_exit(int code) __attribute__((noreturn));
/* Async-signal-safe, any thread: ask the main thread for emergency_exit()
 * and wait for it (at most EMERGENCY_WAIT_MS, then _exit(code)). */
void emergency_request(int code) __attribute__((noreturn));
/* Main thread: was an emergency exit asked for? */
bool emergency_requested(void);

#endif
