// SPDX-License-Identifier: MIT
/* -daemonize: see daemon.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/exit_code.h"
#include "vmm/daemon.h"

/* The parent: the child's "ready" byte, or its exit code. */
static void __attribute__((noreturn)) daemon_parent(pid_t child, int fd)
{
	char byte;
	ssize_t n;
	int status;

	do
		n = read(fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	/* The pipe closed without "ready": the child ended in set-up. */
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_VMM_ERROR);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(EXIT_VMM_ERROR);
}

int daemon_start(char *err, size_t errlen)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "-daemonize: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "-daemonize: cannot fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid > 0) {
		close(p[1]);
		daemon_parent(pid, p[0]);
	}
	close(p[0]);
	/* Out of the terminal's session: its hang-up and ^C are not ours. */
	setsid();
	return p[1];
}

void daemon_ready(int ready_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		fflush(NULL);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (write(ready_fd, "r", 1) != 1) {
		/* The parent is gone: nobody to tell. */
	}
	close(ready_fd);
}
