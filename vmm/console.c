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
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static const char console_detach_help_text[] =
	"\r\nminivmm console keys:\r\n"
	"  Ctrl-A x       detach (the VM keeps running)\r\n"
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
			     char *err, size_t errlen)
{
	struct termios raw;
	pid_t fg = tcgetpgrp(fd);

	if (fg >= 0 && fg != getpgrp()) {
		c->in_fd = -1;
		return 0;
	}
	if (tcgetattr(fd, &console_saved_termios)) {
		snprintf(err, errlen,
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
		snprintf(err, errlen,
			 "-serial stdio: cannot set raw mode: %s",
			 strerror(e));
		return -e;
	}
	c->raw = true;
	console_escape_init(&c->esc, true);
	return 0;
}

/*
 * -serial pty: a new pseudo-terminal in raw mode (no echo, no line
 * editing: the guest's own tty does that), its path printed as QEMU
 * prints it, on stdout.  The guest reads and writes the master.
 */
static int console_open_pty(struct console *c, char *err, size_t errlen)
{
	struct termios t;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	int e;

	if (m < 0 || grantpt(m) || unlockpt(m) ||
	    ptsname_r(m, c->pty_path, sizeof(c->pty_path)))
		goto fail;
	c->pty_slave_fd = open(c->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->pty_slave_fd < 0 || tcgetattr(c->pty_slave_fd, &t))
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(c->pty_slave_fd, TCSANOW, &t))
		goto fail;
	c->out_fd = c->in_fd = m;
	c->out_owned = true;
	console_ignore_sigpipe();
	printf("char device redirected to %s (label serial0)\n", c->pty_path);
	fflush(stdout);
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "-serial pty: cannot create a pseudo-terminal: %s",
		 strerror(e));
	if (m >= 0)
		close(m);
	if (c->pty_slave_fd >= 0)
		close(c->pty_slave_fd);
	c->pty_slave_fd = -1;
	return -e;
}

/* -serial unix: listen; output goes nowhere until a client attaches. */
static int console_open_unix(struct console *c, const char *path,
			     char *err, size_t errlen)
{
	int ret;

	c->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (c->null_fd < 0 || (c->out_fd = fcntl(c->null_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "-serial unix: /dev/null: %s",
			 strerror(errno));
		return ret;
	}
	c->out_owned = true;
	console_ignore_sigpipe();
	return unix_listen(&c->ln, path, "-serial", err, errlen);
}

int console_listen_fd(const struct console *c)
{
	return c->ln.fd;
}

void console_accept(struct console *c)
{
	int fd;

	static const char busy[] =
		"minivmm: this console is in use by another client\r\n";

	if (c->ln.fd < 0)
		return;
	fd = accept4(c->ln.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* One client at a time: a second one is told so, not left waiting. */
	if (c->in_fd >= 0) {
		/* write, not send: SIGPIPE is ignored, main may not sendto */
		if (write(fd, busy, sizeof(busy) - 1) < 0) {
			/* it left already */
		}
		close(fd);
		return;
	}
	/* The UART writes to out_fd: from now on that is the client. */
	if (dup3(fd, c->out_fd, O_CLOEXEC) < 0) {
		close(fd);
		return;
	}
	c->in_fd = fd;
	c->in_eof = false;
}

/* The client left: output goes nowhere again, the next one may come. */
static void console_detach(struct console *c)
{
	if (dup3(c->null_fd, c->out_fd, O_CLOEXEC) < 0) {
		/* out_fd still names the dead socket: writes fail, harmless */
	}
	close(c->in_fd);
	c->in_fd = -1;
}

/*
 * The guest's stdout, opened anew with O_NONBLOCK when it is a pipe, FIFO
 * or terminal: a full one then refuses a byte instead of blocking the
 * vCPU (devices/serial.c never waits).  Setting O_NONBLOCK on descriptor 1
 * itself would change the open file the shell shares with us; a reopen
 * through /proc/self/fd gives our own.  A regular file never blocks;
 * anything else (a socket, no /proc) keeps descriptor 1.
 */
static void console_nonblocking_stdout(struct console *c)
{
	struct stat st;
	int fd;

	c->out_fd = STDOUT_FILENO;
	if (fstat(STDOUT_FILENO, &st) < 0 ||
	    !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return;
	if (fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK)
		return;
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC |
		  O_NOCTTY);
	if (fd < 0)
		return;
	c->out_fd = fd;
	c->out_owned = true;
}

int console_open(struct console *c, enum serial_mode mode, const char *path,
		 char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = -1;
	c->in_fd = -1;
	c->log_fd = -1;
	c->null_fd = -1;
	c->pty_slave_fd = -1;
	c->ln.fd = c->ln.dir_fd = -1;
	console_escape_init(&c->esc, false);

	switch (mode) {
	case SERIAL_STDIO:
		console_nonblocking_stdout(c);
		console_ignore_sigpipe();
		if (fcntl(STDIN_FILENO, F_GETFL) < 0)
			return 0;	/* stdin closed: output only */
		c->in_fd = STDIN_FILENO;
		if (isatty(STDIN_FILENO))
			return console_setup_tty(c, STDIN_FILENO, err, errlen);
		return 0;
	case SERIAL_FILE:
		if (!path || !*path) {
			snprintf(err, errlen, "-serial file: needs a path");
			return -EINVAL;
		}
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
				 O_CLOEXEC | O_NOCTTY, 0644);
		if (c->out_fd < 0) {
			int e = errno;

			snprintf(err, errlen,
				 "-serial: cannot open '%.200s': %s", path,
				 strerror(e));
			return -e;
		}
		c->out_owned = true;
		return 0;
	case SERIAL_NONE:
		return 0;
	case SERIAL_PTY:
		return console_open_pty(c, err, errlen);
	case SERIAL_UNIX:
		if (!path || !*path) {
			snprintf(err, errlen, "-serial unix: needs a path");
			return -EINVAL;
		}
		return console_open_unix(c, path, err, errlen);
	}
	snprintf(err, errlen, "-serial: unknown mode %d", (int)mode);
	return -EINVAL;
}

int console_open_log(struct console *c, const char *path,
		     char *err, size_t errlen)
{
	c->log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
			 O_CLOEXEC | O_NOCTTY, 0644);
	if (c->log_fd < 0) {
		int e = errno;

		snprintf(err, errlen,
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
	if (c->ln.fd >= 0 && c->in_fd >= 0)
		close(c->in_fd);
	unix_listen_close(&c->ln);
	if (c->out_owned && c->out_fd >= 0)
		close(c->out_fd);
	if (c->null_fd >= 0)
		close(c->null_fd);
	if (c->pty_slave_fd >= 0)
		close(c->pty_slave_fd);
	c->null_fd = c->pty_slave_fd = -1;
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
	if (n <= 0 && c->ln.fd >= 0) {
		console_detach(c);
		return 0;
	}
	if (n <= 0) {
		/* EOF or a dead terminal: stop reading, the VM goes on. */
		c->in_eof = true;
		return -1;
	}
	len = console_filter_input(&c->esc, out, (size_t)n, out, quit);
	if (c->esc.help) {
		c->esc.help = false;
		const char *text = c->detach_keys ? console_detach_help_text :
				   console_help_text;

		if (write(STDERR_FILENO, text, strlen(text)) < 0) {
			/* nothing sensible to do about it */
		}
	}
	return (ssize_t)len;
}
