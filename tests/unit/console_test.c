// SPDX-License-Identifier: MIT
/*
 * Console: the Ctrl-A escape state machine, output targets, raw mode on a
 * pseudo-terminal and its restoration on every exit path, and input that
 * comes from a pipe (CI) and ends.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/log.h"
#include "tests/unit/unit_main.h"

static size_t filter(struct console_escape *st, const char *in, size_t n,
		     uint8_t *out, bool *quit)
{
	return console_filter_input(st, (const uint8_t *)in, n, out, quit);
}

START_TEST(test_filter_passthrough_when_disabled)
{
	struct console_escape st;
	uint8_t out[16];
	bool quit = true;

	console_escape_init(&st, false);
	ck_assert_uint_eq(filter(&st, "a\x01x\x01\x01z", 6, out, &quit), 6);
	ck_assert(!quit);
	ck_assert_int_eq(memcmp(out, "a\x01x\x01\x01z", 6), 0);
}
END_TEST

START_TEST(test_filter_quit)
{
	struct console_escape st;
	uint8_t out[16];
	bool quit = false;

	console_escape_init(&st, true);
	ck_assert_uint_eq(filter(&st, "ls\x01xrest", 8, out, &quit), 2);
	ck_assert(quit);
	ck_assert_int_eq(memcmp(out, "ls", 2), 0);
	console_escape_init(&st, true);
	ck_assert_uint_eq(filter(&st, "\x01X", 2, out, &quit), 0);
	ck_assert(quit);
}
END_TEST

START_TEST(test_filter_escaped_ctrl_a_and_unknown)
{
	struct console_escape st;
	uint8_t out[16];
	bool quit;

	console_escape_init(&st, true);
	ck_assert_uint_eq(filter(&st, "a\x01\x01" "b\x01" "cd", 7, out, &quit),
			  4);
	ck_assert(!quit);
	ck_assert_int_eq(memcmp(out, "a\x01" "bd", 4), 0);
	ck_assert(!st.prefix);
	ck_assert(!st.help);
}
END_TEST

/* Keys arrive one read() at a time on a terminal. */
START_TEST(test_filter_split_across_reads)
{
	struct console_escape st;
	uint8_t out[4];
	bool quit;

	console_escape_init(&st, true);
	ck_assert_uint_eq(filter(&st, "\x01", 1, out, &quit), 0);
	ck_assert(st.prefix);
	ck_assert(!quit);
	ck_assert_uint_eq(filter(&st, "\x01", 1, out, &quit), 1);
	ck_assert_uint_eq(out[0], 0x01);
	ck_assert_uint_eq(filter(&st, "\x01", 1, out, &quit), 0);
	ck_assert_uint_eq(filter(&st, "x", 1, out, &quit), 0);
	ck_assert(quit);
	ck_assert(!st.prefix);
}
END_TEST

START_TEST(test_filter_help_and_in_place)
{
	struct console_escape st;
	uint8_t buf[] = "ab\x01hcd\x01?e";
	bool quit;

	console_escape_init(&st, true);
	ck_assert_uint_eq(console_filter_input(&st, buf, 9, buf, &quit), 5);
	ck_assert(st.help);
	ck_assert(!quit);
	ck_assert_int_eq(memcmp(buf, "abcde", 5), 0);
	ck_assert_uint_eq(console_filter_input(&st, buf, 0, buf, &quit), 0);
}
END_TEST

/* Every byte value, every position: never more out than in. */
START_TEST(test_filter_all_bytes)
{
	struct console_escape st;
	uint8_t in[512], out[512];
	size_t i, n;
	bool quit;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	console_escape_init(&st, true);
	n = console_filter_input(&st, in, sizeof(in), out, &quit);
	ck_assert_uint_le(n, sizeof(in));
}
END_TEST

START_TEST(test_open_file_and_none)
{
	char path[] = "/tmp/console_test_XXXXXX", err[ERR_LINE_MAX];
	struct console c;
	struct stat stbuf;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old contents", 12), 12);
	close(fd);
	ck_assert_int_eq(console_open(&c, SERIAL_FILE, path, err, sizeof(err)), 0);
	ck_assert_int_ge(c.out_fd, 0);
	ck_assert_int_eq(c.in_fd, -1);
	ck_assert_int_ne(fcntl(c.out_fd, F_GETFL) & O_APPEND, 0);
	ck_assert_int_ne(fcntl(c.out_fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(write(c.out_fd, "new", 3), 3);
	console_close(&c);
	ck_assert_int_eq(c.out_fd, -1);
	console_close(&c);	/* idempotent */
	ck_assert_int_eq(stat(path, &stbuf), 0);
	ck_assert_int_eq(stbuf.st_size, 3);	/* truncated */
	unlink(path);

	ck_assert_int_lt(console_open(&c, SERIAL_FILE,
				      "/nonexistent/dir/console.log", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/console.log"));
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_int_lt(console_open(&c, SERIAL_FILE, "", err, sizeof(err)), 0);

	ck_assert_int_eq(console_open(&c, SERIAL_NONE, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(c.out_fd, -1);
	ck_assert_int_eq(c.in_fd, -1);
	console_close(&c);
}
END_TEST

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * stdout a blocking pipe: the guest's output goes to the same pipe through
 * a descriptor of its own that never blocks (the vCPU writes it), and the
 * shell's descriptor 1 keeps its flags.  A full pipe refuses a byte.
 */
START_TEST(test_stdout_pipe_reopened_nonblocking)
{
	char err[ERR_LINE_MAX], byte = 'x';
	struct console c;
	int p[2], saved = dup(STDOUT_FILENO), saved_in = dup(STDIN_FILENO);
	int devnull = open("/dev/null", O_RDONLY);

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	ck_assert_int_eq(dup2(p[1], STDOUT_FILENO), STDOUT_FILENO);
	ck_assert_int_eq(dup2(devnull, STDIN_FILENO), STDIN_FILENO);
	ck_assert_int_eq(console_open(&c, SERIAL_STDIO, NULL, err, sizeof(err)), 0);
	ck_assert_int_ne(c.out_fd, STDOUT_FILENO);
	ck_assert(same_file(c.out_fd, STDOUT_FILENO));
	ck_assert(fcntl(c.out_fd, F_GETFL) & O_NONBLOCK);
	ck_assert(!(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK));
	for (int i = 0; i < 4096; i++)
		ck_assert_int_eq(write(c.out_fd, &byte, 1), 1);
	ck_assert_int_eq(write(c.out_fd, &byte, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	console_close(&c);
	dup2(saved, STDOUT_FILENO);
	dup2(saved_in, STDIN_FILENO);
	close(saved);
	close(saved_in);
	close(devnull);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* stdin from a pipe: no escapes, EOF stops reading. */
START_TEST(test_stdio_pipe_input)
{
	char err[ERR_LINE_MAX];
	struct console c;
	uint8_t buf[64];
	int p[2], saved = dup(STDIN_FILENO);
	bool quit;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	ck_assert_int_eq(console_open(&c, SERIAL_STDIO, NULL, err, sizeof(err)), 0);
	ck_assert(same_file(c.out_fd, STDOUT_FILENO));
	ck_assert_int_eq(c.in_fd, STDIN_FILENO);
	ck_assert(!c.raw);
	ck_assert(!c.esc.enabled);
	ck_assert_int_eq(write(p[1], "echo hi\x01x\n", 10), 10);
	ck_assert_int_eq(console_read_input(&c, buf, sizeof(buf), &quit), 10);
	ck_assert(!quit);
	ck_assert_int_eq(memcmp(buf, "echo hi\x01x\n", 10), 0);
	ck_assert_int_eq(write(p[1], "abcdef", 6), 6);
	ck_assert_int_eq(console_read_input(&c, buf, 4, &quit), 4);
	ck_assert_int_eq(console_read_input(&c, buf, 0, &quit), 0);
	ck_assert_int_eq(console_read_input(&c, buf, 4, &quit), 2);
	close(p[1]);
	ck_assert_int_eq(console_read_input(&c, buf, 4, &quit), -1);
	ck_assert(c.in_eof);
	ck_assert_int_eq(console_read_input(&c, buf, 4, &quit), -1);
	console_close(&c);
	dup2(saved, STDIN_FILENO);
	close(saved);
}
END_TEST

static int open_pty_as_stdin(int *master, int *saved)
{
	int slave;

	if (openpty(master, &slave, NULL, NULL, NULL)) {
		/* containers without /dev/pts: nothing to test here */
		fprintf(stderr, "console_test: no pseudo-terminal, tty tests skipped\n");
		return -1;
	}
	*saved = dup(STDIN_FILENO);
	dup2(slave, STDIN_FILENO);
	close(slave);
	return 0;
}

/* Undo open_pty_as_stdin(): the real stdin back, the pty closed. */
static void close_pty_stdin(int master, int saved)
{
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(master);
}

/* A child that opens the console raw on the pty, then exits without
 * console_close() (atexit's work) or, with by_signal, dies of SIGABRT;
 * its wait status. */
static int raw_console_child(bool by_signal)
{
	char err[ERR_LINE_MAX];
	struct console c;
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		if (console_open(&c, SERIAL_STDIO, NULL, err, sizeof(err)) || !c.raw)
			_exit(10);
		if (by_signal)
			raise(SIGABRT);
		exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static bool stdin_is_canonical(void)
{
	struct termios t;

	ck_assert_int_eq(tcgetattr(STDIN_FILENO, &t), 0);
	return (t.c_lflag & ICANON) && (t.c_lflag & ECHO) &&
	       (t.c_lflag & ISIG);
}

START_TEST(test_tty_raw_mode_and_restore)
{
	char err[ERR_LINE_MAX];
	struct console c;
	struct termios t;
	uint8_t buf[16];
	int master, saved;
	bool quit;

	if (open_pty_as_stdin(&master, &saved))
		return;
	ck_assert(stdin_is_canonical());
	ck_assert_int_eq(console_open(&c, SERIAL_STDIO, NULL, err, sizeof(err)), 0);
	ck_assert(c.raw);
	ck_assert(c.esc.enabled);
	ck_assert_int_eq(tcgetattr(STDIN_FILENO, &t), 0);
	ck_assert_int_eq(t.c_lflag & (ICANON | ECHO | ISIG), 0);
	ck_assert_int_eq(t.c_iflag & (ICRNL | IXON), 0);
	ck_assert_int_eq(t.c_cc[VMIN], 1);

	/* Ctrl-C goes to the guest, Ctrl-A x quits */
	ck_assert_int_eq(write(master, "\x03" "a\x01" "x", 4), 4);
	ck_assert_int_eq(console_read_input(&c, buf, sizeof(buf), &quit), 2);
	ck_assert(quit);
	ck_assert_uint_eq(buf[0], 0x03);

	/* the fatal-signal path */
	console_restore_terminal();
	ck_assert(stdin_is_canonical());
	console_close(&c);
	ck_assert(stdin_is_canonical());
	close_pty_stdin(master, saved);
}
END_TEST

/* exit() without console_close(): the atexit handler restores. */
START_TEST(test_tty_restored_at_exit)
{
	int master, saved, status;

	if (open_pty_as_stdin(&master, &saved))
		return;
	status = raw_console_child(false);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert(stdin_is_canonical());
	close_pty_stdin(master, saved);
}
END_TEST

/* A fatal signal while raw: the terminal is restored before death. */
START_TEST(test_tty_restored_on_fatal_signal)
{
	int master, saved, status;

	if (open_pty_as_stdin(&master, &saved))
		return;
	status = raw_console_child(true);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGABRT);
	ck_assert(stdin_is_canonical());
	close_pty_stdin(master, saved);
}
END_TEST

/* `minivmm | head`: writes to a closed pipe fail, they do not kill. */
START_TEST(test_stdio_ignores_sigpipe)
{
	char err[ERR_LINE_MAX];
	struct console c;
	int p[2], saved = dup(STDOUT_FILENO);

	signal(SIGPIPE, SIG_DFL);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	ck_assert_int_eq(dup2(p[1], STDOUT_FILENO), STDOUT_FILENO);
	close(p[1]);
	ck_assert_int_eq(console_open(&c, SERIAL_STDIO, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(write(c.out_fd, "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	console_close(&c);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}
END_TEST

static int unix_client(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(a.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/*
 * -serial unix: output goes nowhere until a client attaches, then to it
 * (through the same out_fd the UART holds); its input reaches the guest
 * untouched; a second client is told it is busy; after the first leaves,
 * output goes nowhere again and a new client may attach.
 */
START_TEST(test_unix_console)
{
	struct console c;
	char err[ERR_LINE_MAX], path[108], buf[128];
	uint8_t in[16];
	bool quit;
	struct stat st;
	int a, b, out_fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/tmp/minivmm-console-test.%d", (int)getpid());
	ck_assert_msg(console_open(&c, SERIAL_UNIX, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	out_fd = c.out_fd;
	ck_assert_int_eq(write(c.out_fd, "lost", 4), 4);	/* /dev/null */
	ck_assert_int_eq(c.in_fd, -1);

	a = unix_client(path);
	console_accept(&c);
	ck_assert_int_ge(c.in_fd, 0);
	ck_assert_int_eq(c.out_fd, out_fd);
	ck_assert_int_eq(write(c.out_fd, "hello", 5), 5);
	ck_assert_int_eq(read(a, buf, sizeof(buf)), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(write(a, "\x01x", 2), 2);	/* no escape keys here */
	usleep(10000);
	ck_assert_int_eq(console_read_input(&c, in, sizeof(in), &quit), 2);
	ck_assert(!quit);
	ck_assert_int_eq(in[0], 1);

	b = unix_client(path);
	console_accept(&c);
	n = read(b, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "in use by another client"));
	close(b);

	close(a);
	usleep(10000);
	ck_assert_int_eq(console_read_input(&c, in, sizeof(in), &quit), 0);
	ck_assert_int_eq(c.in_fd, -1);
	ck_assert_int_eq(write(c.out_fd, "lost", 4), 4);	/* /dev/null again */
	a = unix_client(path);
	console_accept(&c);
	ck_assert_int_ge(c.in_fd, 0);
	close(a);
	console_close(&c);
	ck_assert_int_eq(stat(path, &st), -1);	/* removed */
}
END_TEST

/* -serial pty: a raw pseudo-terminal whose path is printed like QEMU's. */
START_TEST(test_pty_console)
{
	struct console c;
	char err[ERR_LINE_MAX], buf[16];
	uint8_t in[16];
	bool quit;
	int slave;

	ck_assert_msg(console_open(&c, SERIAL_PTY, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(strncmp(c.pty_path, "/dev/pts/", 9), 0);
	slave = open(c.pty_path, O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave, 0);
	ck_assert_int_eq(write(c.out_fd, "ab\n", 3), 3);
	ck_assert_int_eq(read(slave, buf, sizeof(buf)), 3);	/* raw: no CRLF */
	ck_assert_int_eq(write(slave, "q", 1), 1);
	usleep(10000);
	ck_assert_int_eq(console_read_input(&c, in, sizeof(in), &quit), 1);
	ck_assert_int_eq(in[0], 'q');
	close(slave);
	/* Nobody attached any more: the master does not hang up on us. */
	ck_assert_int_eq(console_read_input(&c, in, sizeof(in), &quit), 0);
	console_close(&c);
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_filter_passthrough_when_disabled);
	tcase_add_test(tc, test_filter_quit);
	tcase_add_test(tc, test_filter_escaped_ctrl_a_and_unknown);
	tcase_add_test(tc, test_filter_split_across_reads);
	tcase_add_test(tc, test_filter_help_and_in_place);
	tcase_add_test(tc, test_filter_all_bytes);
	tcase_add_test(tc, test_open_file_and_none);
	tcase_add_test(tc, test_stdio_pipe_input);
	tcase_add_test(tc, test_stdout_pipe_reopened_nonblocking);
	tcase_add_test(tc, test_tty_raw_mode_and_restore);
	tcase_add_test(tc, test_tty_restored_at_exit);
	tcase_add_test(tc, test_tty_restored_on_fatal_signal);
	tcase_add_test(tc, test_stdio_ignores_sigpipe);
	tcase_add_test(tc, test_unix_console);
	tcase_add_test(tc, test_pty_console);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(console_suite());
}
