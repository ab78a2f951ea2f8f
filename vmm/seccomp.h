/* SPDX-License-Identifier: MIT */
/*
 * Per-thread seccomp-bpf allowlists, built from kernel headers only.
 * Each thread installs the filter of its class once its set-up is done
 * (no TSYNC: a thread inherits the filters of the thread that creates it,
 * so the main thread installs its own last, after every thread started).
 * A forbidden system call raises SIGSYS; the handler writes
 * "minivmm: seccomp: thread <class> made forbidden syscall <nr> (<name>)"
 * (for ioctl: "(ioctl 0x<request>)")
 * and ends the process with EXIT_VMM_ERROR.  docs/security.md has the
 * reasoning and the lists.
 */
#ifndef MINIVMM_SECCOMP_H
#define MINIVMM_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

struct sock_filter;

enum seccomp_thread_class {
	SECCOMP_THREAD_VCPU = 0,	/* KVM_RUN loop, register-level devices */
	SECCOMP_THREAD_IO,		/* virtio device threads (event loops) */
	SECCOMP_THREAD_MAIN,		/* signals, console input, shutdown */
	SECCOMP_THREAD_QMP,		/* QMP socket server (vmm/qmp_server.c) */
	SECCOMP_THREAD_FS,		/* virtio-fs: the FUSE server's file calls */
	SECCOMP_THREAD_GDB,		/* the GDB stub (-gdb) */
	SECCOMP_THREAD_NR,
};

/* What a filter depends on beyond its class. */
struct seccomp_opts {
	int tgid;		/* tgkill is allowed for this thread group only */
	bool tap_teardown;	/* main: an existing TAP is put back at exit */
	/* seccomp_prepare_process() ran on the thread that created this
	 * one (or on it): the SIGSYS handler is set, SIGSYS unblocked and
	 * PR_SET_NO_NEW_PRIVS on, so the install is the filter alone. */
	bool prepared;
};

/* Longest program seccomp_build() makes (instructions). */
#define SECCOMP_PROG_MAX 256

/*
 * Install the filter of class cls on the calling thread (after setting
 * PR_SET_NO_NEW_PRIVS and the SIGSYS handler).  Returns 0, or a negative
 * errno with a one-line reason in err.  In a sanitizer build it does
 * nothing and returns 0 (see seccomp_supported()).
 */
int seccomp_install(enum seccomp_thread_class cls, char *err, size_t errlen);
/*
 * What every filtered thread shares, done once on the main thread before
 * it creates any: the SIGSYS handler (process-wide), SIGSYS unblocked and
 * PR_SET_NO_NEW_PRIVS (both inherited by the threads it creates next).
 * Every system call counts in a short run (docs/benchmarks.md, exec ->
 * exit).  Not for a process that may still execve with privileges
 * (-reboot restart).  0, or a negative errno with one line in err.
 */
int seccomp_prepare_process(char *err, size_t errlen);
/* The same with explicit options (seccomp_install: own tgid, no TAP). */
int seccomp_install_opts(enum seccomp_thread_class cls,
			 const struct seccomp_opts *o, char *err, size_t errlen);

/*
 * False in builds with AddressSanitizer/UBSan: their run time (error
 * reports, LeakSanitizer's ptrace at exit) needs system calls no allowlist
 * should hold, so filters are off there.  err (may be NULL) gets the
 * reason.
 */
bool seccomp_supported(char *err, size_t errlen);

/*
 * Write the BPF program of class cls into prog (room for max
 * instructions).  Returns the number of instructions or -ENOSPC/-EINVAL.
 * Exposed for the unit test.
 */
int seccomp_build(enum seccomp_thread_class cls, struct sock_filter *prog,
		  size_t max);
/* seccomp_build() with options; -EINVAL also for tgid <= 0. */
int seccomp_build_opts(enum seccomp_thread_class cls,
		       const struct seccomp_opts *o, struct sock_filter *prog,
		       size_t max);

/* "vcpu", "io", "main", "qmp", "fs"; "?" when out of range. */
const char *seccomp_class_name(enum seccomp_thread_class cls);

/* x86-64 name of syscall nr, or NULL when unknown. */
const char *seccomp_syscall_name(long nr);

/*
 * Debug aid for the test suite: when MINIVMM_SECCOMP_SELFTEST=1 is in the
 * environment, make a forbidden call (socket()) so the test sees the
 * filter fire.  Call it right after the main thread's seccomp_install().
 */
void seccomp_selftest(void);
/* The same on a thread of class cls, when the variable names it ("vcpu",
 * "io", ...; "1" is "main"): the emergency exit from any thread. */
void seccomp_selftest_in(enum seccomp_thread_class cls);

#endif
