/* SPDX-License-Identifier: MIT */
/*
 * The host side of the serial console: where guest output goes, where
 * guest input comes from, the terminal's raw mode (always restored) and
 * the Ctrl-A escape keys (Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A).
 */
#ifndef MINIVMM_CONSOLE_H
#define MINIVMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "vmm/config.h"
#include "vmm/unix_listen.h"

#define CONSOLE_ESCAPE_CHAR	0x01	/* Ctrl-A */

/* Escape-key state machine; pure, so it is unit-tested on its own. */
struct console_escape {
	bool enabled;		/* only for a terminal: pipes pass through */
	bool prefix;		/* Ctrl-A seen, waiting for the command key */
	bool help;		/* Ctrl-A h seen; the caller prints help */
};

struct console {
	int out_fd;		/* guest output: stdout, a file, or -1 */
	int in_fd;		/* guest input: stdin, or -1 */
	bool out_owned;		/* we opened out_fd: close it */
	bool raw;		/* the terminal is in raw mode */
	bool in_eof;		/* stdin ended: stop reading */
	int log_fd;		/* -console-log file, or -1 */
	struct console_escape esc;
	bool detach_keys;	/* minivmm console: Ctrl-A x detaches (help text) */
	/*
	 * -serial unix: one client at a time.  out_fd keeps its number for
	 * the UART: it is /dev/null while nobody is attached, and the
	 * client's socket (dup3 over it) while somebody is; in_fd is the
	 * client, -1 while none.
	 */
	struct unix_listener ln;
	int null_fd;		/* /dev/null, put back over out_fd on detach */
	/* -serial pty: our own open slave keeps the master from hanging up
	 * while no terminal program is attached. */
	int pty_slave_fd;
	char pty_path[64];
};

void console_escape_init(struct console_escape *st, bool enabled);
/*
 * Filter n input bytes into out (room for n bytes; never more come out;
 * out may be in, for filtering in place).  Returns the bytes for the
 * guest.  *quit says whether Ctrl-A x came; processing stops there.
 * A disabled filter (stdin is not a terminal) copies bytes untouched.
 */
size_t console_filter_input(struct console_escape *st, const uint8_t *in,
			    size_t n, uint8_t *out, bool *quit);

/*
 * Set up the console for a -serial mode (path for SERIAL_FILE and
 * SERIAL_UNIX; the caller resolves the runtime directory's).  Returns 0,
 * or -errno with a one-line message in err.  A terminal stdin goes into raw
 * mode; it is restored by console_close(), at exit, and by
 * console_restore_terminal().
 */
int console_open(struct console *c, enum serial_mode mode, const char *path,
		 char *err, size_t errlen);
/*
 * Open (create, truncate) the -console-log file; call after console_open().
 * Returns 0, or -errno with a one-line message in err.
 */
int console_open_log(struct console *c, const char *path,
		     char *err, size_t errlen);
/*
 * Append a note that the log was cut (dropped bytes past its limit);
 * the guest's bytes themselves are written by the UART.
 */
void console_log_note_cut(struct console *c, uint64_t limit,
			  uint64_t dropped);
/* Restores the terminal; the log is made durable (fdatasync) and closed. */
void console_close(struct console *c);
/* Async-signal-safe: put the terminal back as it was (fatal signals). */
void console_restore_terminal(void);

/*
 * Read what in_fd has (call when it is readable) into out, at most cap
 * bytes, through the escape filter; Ctrl-A h prints the key help to
 * stderr.  Returns the bytes for the guest (0: nothing this time), or -1
 * when input ended (EOF or error): stop watching in_fd.
 */
ssize_t console_read_input(struct console *c, uint8_t *out, size_t cap,
			   bool *quit);

/* -serial unix: the listening fd to watch, or -1. */
int console_listen_fd(const struct console *c);
/* -serial unix: take a waiting client; while one is attached, others
 * are told the console is busy and closed. */
void console_accept(struct console *c);

#endif
