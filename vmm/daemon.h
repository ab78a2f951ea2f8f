/* SPDX-License-Identifier: MIT */
/*
 * -daemonize: detach only once set-up has succeeded.  The process forks
 * before set-up; the parent waits.  The child (in a new session) sets the
 * VM up with the terminal still on stderr, so every set-up error reaches
 * the caller; on success it says "ready" and lets go of the terminal, and
 * the parent exits 0.  If the child exits first, the parent exits with the
 * child's exit code.
 */
#ifndef MINIVMM_DAEMON_H
#define MINIVMM_DAEMON_H

#include <stddef.h>

/*
 * Fork.  Returns in the child only, with the fd to pass to daemon_ready()
 * (>= 0), or a negative errno (err says why) without forking.  The parent
 * never returns from here.
 */
int daemon_start(char *err, size_t errlen);
/* Set-up succeeded: stdin/stdout/stderr to /dev/null, release the parent. */
void daemon_ready(int ready_fd);

#endif
