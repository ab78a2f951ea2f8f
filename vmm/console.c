// SPDX-License-Identifier: MIT
/*
 * Host side of the serial console.
 *
 * A terminal on stdin goes into raw mode so every key (Ctrl-C included)
 * reaches the guest; Ctrl-A is the escape key.  Output post-processing is
 * left as it was, so minivmm's own messages on stderr stay readable (the
 * guest's "\r\n" becomes "\r\r\n", which looks the same).  The saved
 * terminal state is restored by console_close(), at exit() and by
 * console_restore_terminal() from a fatal-signal handler.
 *
 * That last path is why the saved state lives in a static: signal
 * handlers and atexit() handlers take no argument.  It is the only
 * process-wide state here, and there is only one terminal.  While the
 * terminal is raw, fatal signals that still have their default action
 * restore it before the process dies.
 *
 * A console on stdout may be a pipe whose reader goes away (`| head`):
 * SIGPIPE is ignored so the UART's write fails with EPIPE instead of
 * killing the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/console.h"

#define CONSOLE_READ_MAX	4096

static struct termios console_saved_termios;
static volatile sig_atomic_t console_termios_saved;
static volatile sig_atomic_t console_tty_fd = -1;
static bool console_atexit_registered;

static const char console_help_text[] =
	"\r\nminivmm console keys:\r\n"
	"  Ctrl-A x       quit (minivmm exits with code 7)\r\n"
	"  Ctrl-A Ctrl-A  send Ctrl-A to the guest\r\n"
	"  Ctrl-A h       this help\r\n";

void console_escape_init(struct console_escape *st, bool enabled)
{
	memset(st, 0, sizeof(*st));
	st->enabled = enabled;
}

size_t console_filter_input(struct console_escape *st, const uint8_t *in,
			    size_t n, uint8_t *out, bool *quit)
{
	size_t i, j = 0;

	*quit = false;
	for (i = 0; i < n; i++) {
		uint8_t b = in[i];	/* read before out[j], j <= i */

		if (!st->enabled) {
			out[j++] = b;
			continue;
		}
		if (!st->prefix) {
			if (b == CONSOLE_ESCAPE_CHAR)
				st->prefix = true;
			else
				out[j++] = b;
			continue;
		}
		st->prefix = false;
		switch (b) {
		case 'x':
		case 'X':
			*quit = true;
			return j;
		case CONSOLE_ESCAPE_CHAR:
			out[j++] = CONSOLE_ESCAPE_CHAR;
			break;
		case 'h':
		case 'H':
		case '?':
			st->help = true;
			break;
		default:	/* unknown command: dropped */
			break;
		}
	}
	return j;
}

void console_restore_terminal(void)
{
	int fd = console_tty_fd;

	if (console_termios_saved && fd >= 0)
		tcsetattr(fd, TCSANOW, &console_saved_termios);
}

static void console_atexit(void)
{
	console_restore_terminal();
}

/* SA_RESETHAND put the default action back: die of the same signal. */
static void console_fatal_signal(int sig)
{
	console_restore_terminal();
	raise(sig);
}

static void console_catch_fatal_signals(void)
{
	static const int sigs[] = {
		SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGQUIT,
	};
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = console_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* Leave alone handlers others installed (sanitizers, ...). */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
			sigaction(sigs[i], &sa, NULL);
	}
}

static void console_ignore_sigpipe(void)
{
	struct sigaction old;

	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
	    !(old.sa_flags & SA_SIGINFO))
		signal(SIGPIPE, SIG_IGN);
}

/* cfmakeraw() minus the output flags. */
static void console_make_raw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
				  IGNCR | ICRNL | IXON);
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

/*
 * Raw mode for a terminal stdin.  In a background process group we leave
 * the terminal alone (tcsetattr would stop us with SIGTTOU) and do not
 * read it (SIGTTIN); the guest then simply gets no input.
 */
static int console_setup_tty(struct console *c, int fd,
			     char err[CONFIG_ERR_MAX])
{
	struct termios raw;
	pid_t fg = tcgetpgrp(fd);

	if (fg >= 0 && fg != getpgrp()) {
		c->in_fd = -1;
		return 0;
	}
	if (tcgetattr(fd, &console_saved_termios)) {
		snprintf(err, CONFIG_ERR_MAX,
			 "-serial stdio: cannot read terminal settings: %s",
			 strerror(errno));
		return -errno;
	}
	console_tty_fd = fd;
	console_termios_saved = 1;
	if (!console_atexit_registered && !atexit(console_atexit)) {
		console_atexit_registered = true;
		console_catch_fatal_signals();
	}
	raw = console_saved_termios;
	console_make_raw(&raw);
	if (tcsetattr(fd, TCSANOW, &raw)) {
		int e = errno;

		console_termios_saved = 0;
		snprintf(err, CONFIG_ERR_MAX,
			 "-serial stdio: cannot set raw mode: %s",
			 strerror(e));
		return -e;
	}
	c->raw = true;
	console_escape_init(&c->esc, true);
	return 0;
}

int console_open(struct console *c, enum serial_mode mode, const char *path,
		 char err[CONFIG_ERR_MAX])
{
	memset(c, 0, sizeof(*c));
	c->out_fd = -1;
	c->in_fd = -1;
	c->log_fd = -1;
	console_escape_init(&c->esc, false);

	switch (mode) {
	case SERIAL_STDIO:
		c->out_fd = STDOUT_FILENO;
		console_ignore_sigpipe();
		if (fcntl(STDIN_FILENO, F_GETFL) < 0)
			return 0;	/* stdin closed: output only */
		c->in_fd = STDIN_FILENO;
		if (isatty(STDIN_FILENO))
			return console_setup_tty(c, STDIN_FILENO, err);
		return 0;
	case SERIAL_FILE:
		if (!path || !*path) {
			snprintf(err, CONFIG_ERR_MAX, "-serial file: needs a path");
			return -EINVAL;
		}
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
				 O_CLOEXEC | O_NOCTTY, 0644);
		if (c->out_fd < 0) {
			int e = errno;

			snprintf(err, CONFIG_ERR_MAX,
				 "-serial: cannot open '%.200s': %s", path,
				 strerror(e));
			return -e;
		}
		c->out_owned = true;
		return 0;
	case SERIAL_NONE:
		return 0;
	}
	snprintf(err, CONFIG_ERR_MAX, "-serial: unknown mode %d", (int)mode);
	return -EINVAL;
}

int console_open_log(struct console *c, const char *path,
		     char err[CONFIG_ERR_MAX])
{
	c->log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
			 O_CLOEXEC | O_NOCTTY, 0644);
	if (c->log_fd < 0) {
		int e = errno;

		snprintf(err, CONFIG_ERR_MAX,
			 "-console-log: cannot open '%.200s': %s", path,
			 strerror(e));
		return -e;
	}
	return 0;
}

void console_log_note_cut(struct console *c, uint64_t limit,
			  uint64_t dropped)
{
	char note[160];
	int len;

	if (c->log_fd < 0 || dropped == 0)
		return;
	len = snprintf(note, sizeof(note),
		       "\r\n[minivmm: console log limit of %llu bytes reached; %llu later bytes not logged]\r\n",
		       (unsigned long long)limit, (unsigned long long)dropped);
	if (write(c->log_fd, note, (size_t)len) < 0) {
		/* the disk is full: the cut itself is the message */
	}
}

void console_close(struct console *c)
{
	if (c->log_fd >= 0) {
		/* Flush means durable: the boot log survives a host crash. */
		fdatasync(c->log_fd);
		close(c->log_fd);
		c->log_fd = -1;
	}
	if (c->raw) {
		console_restore_terminal();
		console_termios_saved = 0;
		c->raw = false;
	}
	if (c->out_owned && c->out_fd >= 0)
		close(c->out_fd);
	c->out_owned = false;
	c->out_fd = -1;
	c->in_fd = -1;
}

ssize_t console_read_input(struct console *c, uint8_t *out, size_t cap,
			   bool *quit)
{
	ssize_t n;
	size_t len;

	*quit = false;
	if (c->in_fd < 0 || c->in_eof)
		return -1;
	if (cap == 0)
		return 0;
	if (cap > CONSOLE_READ_MAX)
		cap = CONSOLE_READ_MAX;
	n = read(c->in_fd, out, cap);
	if (n < 0 && (errno == EINTR || errno == EAGAIN ||
		      errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		/* EOF or a dead terminal: stop reading, the VM goes on. */
		c->in_eof = true;
		return -1;
	}
	len = console_filter_input(&c->esc, out, (size_t)n, out, quit);
	if (c->esc.help) {
		c->esc.help = false;
		if (write(STDERR_FILENO, console_help_text,
			  sizeof(console_help_text) - 1) < 0) {
			/* nothing sensible to do about it */
		}
	}
	return (ssize_t)len;
}
