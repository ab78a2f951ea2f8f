// SPDX-License-Identifier: MIT
/*
 * seccomp-bpf allowlists per thread class, written with the kernel's
 * headers only (no libseccomp).  Program shape, the same for every class:
 *
 *   arch != AUDIT_ARCH_X86_64        -> KILL_PROCESS (numbers mean nothing)
 *   nr has the x32 bit               -> KILL_PROCESS
 *   nr == each allowed syscall       -> ALLOW
 *   nr == mmap/mprotect              -> ALLOW unless PROT_EXEC is asked for
 *   nr == ioctl                      -> ALLOW for the listed requests only
 *   nr == tgkill (classes that kick) -> ALLOW only for minivmm's own tgid
 *   nr == socket (main thread, only  -> ALLOW for AF_UNIX/SOCK_DGRAM only:
 *     when a TAP needs restoring)       net/tap.c's interface-ioctl socket
 *   anything else                    -> TRAP (SIGSYS: one line, exit 1)
 *
 * TRAP rather than KILL_PROCESS: the handler can name the thread class and
 * the call, so a user (or a test) learns what happened; the call itself is
 * never executed either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>

#include "vmm/emergency.h"
#include "vmm/exit_code.h"
#include "vmm/seccomp.h"

#ifndef X32_SYSCALL_BIT
#define X32_SYSCALL_BIT 0x40000000
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SECCOMP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
	__has_feature(thread_sanitizer)
#define SECCOMP_SANITIZED 1
#endif
#endif

/* ---- allowlists ---- */

/* What glibc does in any thread: locks, memory, time, thread exit. */
static const int seccomp_common[] = {
	__NR_futex, __NR_exit, __NR_exit_group, __NR_rt_sigreturn,
	__NR_rt_sigprocmask, __NR_restart_syscall, __NR_madvise,
	__NR_munmap, __NR_brk, __NR_clock_gettime, __NR_clock_nanosleep,
	__NR_nanosleep, __NR_gettid, __NR_getpid, __NR_sched_yield,
	__NR_write, __NR_getrandom,
};

/* vCPU: KVM_RUN, device registers, serial output, kicks to I/O threads. */
static const int seccomp_vcpu[] = {
	__NR_read, __NR_writev, __NR_fstat, __NR_newfstatat,
	/* + tgkill: a debug exit parks the other vCPUs (vmm/pause.h) */
};

/* I/O threads: epoll, eventfds, disk and TAP data path. */
static const int seccomp_io[] = {
	__NR_epoll_wait, __NR_epoll_pwait, __NR_epoll_ctl, __NR_read,
	__NR_readv, __NR_writev, __NR_preadv, __NR_pwritev, __NR_preadv2,
	__NR_pwritev2, __NR_pread64, __NR_pwrite64, __NR_fdatasync,
	__NR_fsync, __NR_fallocate, __NR_fstat, __NR_newfstatat,
	/* qcow2: lseek(SEEK_DATA) asks whether a backing range is a hole;
	 * ftruncate extends the image over a new cluster left unwritten */
	__NR_lseek, __NR_ftruncate,
};

/* Main thread: poll loop, console, signalfd, joining and tearing down. */
static const int seccomp_main[] = {
	__NR_poll, __NR_ppoll, __NR_read, __NR_writev, __NR_close,
	__NR_fcntl, __NR_epoll_ctl, __NR_fstat,
	__NR_newfstatat, __NR_lseek, __NR_fsync, __NR_fdatasync,
	__NR_getrusage,	/* -trace-boot's CPU time at exit */
	__NR_pread64,	/* -stats: KVM's per-vCPU counters */
	/* -serial unix: a client attaches (accept4, dup3 over the UART's
	 * fd); at exit the console socket and the -pidfile go (unlinkat in
	 * their directory, opened at start) */
	__NR_accept4, __NR_dup3, __NR_unlinkat,
};

/*
 * QMP server: epoll, accept and talk to clients, stop/stats requests on
 * the VM, and the removal of its own socket at exit (unlinkat in the
 * socket's directory, opened at start; plain unlink stays forbidden).
 * x-minivmm-save writes a snapshot: the one class that may create a file
 * by path (openat), write it, sync it and rename it into place.
 */
static const int seccomp_qmp[] = {
	__NR_epoll_wait, __NR_epoll_pwait, __NR_epoll_ctl, __NR_accept4,
	__NR_recvfrom, __NR_sendto, __NR_read, __NR_close, __NR_mremap,
	__NR_pread64, __NR_unlinkat, __NR_fstat, __NR_newfstatat,
	/* + tgkill: stop, the pause primitive kicks the vCPUs */
	/* x-minivmm-save: create, write, sync and rename the snapshot */
	__NR_openat, __NR_ftruncate, __NR_pwrite64, __NR_fsync,
	__NR_rename, __NR_renameat, __NR_renameat2,
	/* x-minivmm-save of a restored VM: the holes of its snapshot (vmm/ram.h) */
	__NR_lseek,
};

/* The setters and guest debug: a paused vCPU's registers are read and
 * written on its own thread (vmm/pause.h), for the GDB stub and QMP. */
/*
 * virtio-fs threads: their event loop (epoll, eventfds) and the FUSE
 * server's calls on descriptors it holds.  Every open is openat2
 * (RESOLVE_BENEATH, or the /proc/self/fd reopen); no openat, no path-based
 * call outside the *at family.
 */
static const int seccomp_fs[] = {
	__NR_epoll_wait, __NR_epoll_pwait, __NR_read, __NR_close, __NR_openat2,
	__NR_newfstatat, __NR_fstat, __NR_statx, __NR_fstatfs,
	__NR_getdents64, __NR_lseek, __NR_readlinkat, __NR_preadv,
	__NR_pwritev, __NR_fsync, __NR_fdatasync, __NR_fallocate,
	__NR_ftruncate, __NR_mkdirat, __NR_unlinkat, __NR_renameat2,
	__NR_symlinkat, __NR_linkat, __NR_fchmodat, __NR_fchownat,
	__NR_utimensat, __NR_faccessat, __NR_faccessat2,
};

static const unsigned int seccomp_ioctl_vcpu[] = {
	KVM_RUN, KVM_IRQ_LINE, KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE,
	KVM_SET_REGS, KVM_SET_SREGS, KVM_SET_GUEST_DEBUG, KVM_GET_FPU, KVM_SET_FPU,
	KVM_KVMCLOCK_CTRL,	/* resumed after a pause (vmm/pause.c) */
	/* a snapshot reads a parked vCPU's whole state on its own thread */
	KVM_GET_CPUID2, KVM_GET_XSAVE, KVM_GET_XCRS, KVM_GET_MSRS, KVM_GET_LAPIC,
	KVM_GET_VCPU_EVENTS, KVM_GET_MP_STATE, KVM_GET_DEBUGREGS,
};

/* GDB stub: one socket, its poll loop, the kicks of a pause. */
static const int seccomp_gdb[] = {
	__NR_poll, __NR_ppoll, __NR_read, __NR_recvfrom, __NR_sendto,
	__NR_accept4, __NR_close, __NR_setsockopt,
	/* + tgkill: the kicks of a pause */
};

/* A vCPU whose thread has ended is read and written from the stub. */
static const unsigned int seccomp_ioctl_gdb[] = {
	KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_FPU, KVM_SET_REGS, KVM_SET_SREGS,
	KVM_SET_FPU, KVM_SET_GUEST_DEBUG,
	/* a stop and a continue hold the guest's clock (vmm/pause.c) */
	KVM_GET_CLOCK, KVM_SET_CLOCK, KVM_KVMCLOCK_CTRL,
};

/* QMP stop/cont hold the guest's clock still (vmm/pause.c). */
static const unsigned int seccomp_ioctl_qmp[] = {
	KVM_GET_CLOCK, KVM_SET_CLOCK, KVM_KVMCLOCK_CTRL,
	/* x-minivmm-save: the VM's in-kernel devices and the MSR list */
	KVM_GET_IRQCHIP, KVM_GET_PIT2, KVM_CHECK_EXTENSION, KVM_GET_MSR_INDEX_LIST,
	KVM_IRQ_LINE,	/* system_powerdown: the GED's interrupt */
};

/*
 * Discard/write-zeroes on block devices; TAP offloads after negotiation;
 * the device's interrupt (vm_pulse_irq).
 */
static const unsigned int seccomp_ioctl_io[] = {
	BLKDISCARD, BLKZEROOUT, TUNSETOFFLOAD, KVM_IRQ_LINE,
};

/* virtio-fs threads: the device's interrupt. */
static const unsigned int seccomp_ioctl_fs[] = {
	KVM_IRQ_LINE,
};

/*
 * Terminal modes, serial input interrupts, ioeventfd teardown, and the
 * offloads of a TAP put back (on the TAP's own descriptor).
 */
static const unsigned int seccomp_ioctl_main[] = {
	TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, KVM_IRQ_LINE,
	KVM_IOEVENTFD, TUNSETOFFLOAD,
	KVM_GET_CLOCK, KVM_SET_CLOCK, KVM_KVMCLOCK_CTRL,	/* -timeout's pause */
};

/*
 * The main thread's list when an existing TAP must be put back at exit
 * (net/tap.c: interface down, off the bridge): the same plus the interface
 * ioctls, on a socket(AF_UNIX, SOCK_DGRAM) made for them.  Without such a
 * TAP neither the socket nor these requests are allowed.
 */
static const unsigned int seccomp_ioctl_main_tap[] = {
	TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, KVM_IRQ_LINE,
	KVM_IOEVENTFD, TUNSETOFFLOAD,
	KVM_GET_CLOCK, KVM_SET_CLOCK, KVM_KVMCLOCK_CTRL,
	SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCGIFINDEX, SIOCBRDELIF,
};

struct seccomp_class_def {
	const char *name;
	const int *calls;
	size_t nr_calls;
	const unsigned int *ioctls;
	size_t nr_ioctls;
	bool tgkill;		/* may signal threads (of its own process) */
};

#define SECCOMP_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct seccomp_class_def seccomp_classes[SECCOMP_THREAD_NR] = {
	[SECCOMP_THREAD_VCPU] = { "vcpu", seccomp_vcpu, SECCOMP_N(seccomp_vcpu),
		seccomp_ioctl_vcpu, SECCOMP_N(seccomp_ioctl_vcpu), true },
	[SECCOMP_THREAD_IO] = { "io", seccomp_io, SECCOMP_N(seccomp_io),
		seccomp_ioctl_io, SECCOMP_N(seccomp_ioctl_io), false },
	[SECCOMP_THREAD_GDB] = { "gdb", seccomp_gdb, SECCOMP_N(seccomp_gdb),
		seccomp_ioctl_gdb, SECCOMP_N(seccomp_ioctl_gdb), true },
	[SECCOMP_THREAD_MAIN] = { "main", seccomp_main, SECCOMP_N(seccomp_main),
		seccomp_ioctl_main, SECCOMP_N(seccomp_ioctl_main), true },
	[SECCOMP_THREAD_QMP] = { "qmp", seccomp_qmp, SECCOMP_N(seccomp_qmp),
		seccomp_ioctl_qmp, SECCOMP_N(seccomp_ioctl_qmp), true },
	[SECCOMP_THREAD_FS] = { "fs", seccomp_fs, SECCOMP_N(seccomp_fs),
		seccomp_ioctl_fs, SECCOMP_N(seccomp_ioctl_fs), false },
};

/* ---- syscall names, for the SIGSYS message ---- */

#define S(n) [__NR_##n] = #n
static const char *const seccomp_names[] = {
	S(read), S(write), S(open), S(close), S(stat), S(fstat), S(lstat), S(poll),
	S(lseek), S(mmap), S(mprotect), S(munmap), S(brk), S(rt_sigaction),
	S(rt_sigprocmask), S(rt_sigreturn), S(ioctl), S(pread64), S(pwrite64),
	S(readv), S(writev), S(access), S(pipe), S(select), S(sched_yield),
	S(mremap), S(msync), S(mincore), S(madvise), S(shmget), S(shmat), S(shmctl),
	S(dup), S(dup2), S(pause), S(nanosleep), S(getitimer), S(alarm),
	S(setitimer), S(getpid), S(sendfile), S(socket), S(connect), S(accept),
	S(sendto), S(recvfrom), S(sendmsg), S(recvmsg), S(shutdown), S(bind),
	S(listen), S(getsockname), S(getpeername), S(socketpair), S(setsockopt),
	S(getsockopt), S(clone), S(fork), S(vfork), S(execve), S(exit), S(wait4),
	S(kill), S(uname), S(semget), S(semop), S(semctl), S(shmdt), S(msgget),
	S(msgsnd), S(msgrcv), S(msgctl), S(fcntl), S(flock), S(fsync), S(fdatasync),
	S(truncate), S(ftruncate), S(getdents), S(getcwd), S(chdir), S(fchdir),
	S(rename), S(mkdir), S(rmdir), S(creat), S(link), S(unlink), S(symlink),
	S(readlink), S(chmod), S(fchmod), S(chown), S(fchown), S(lchown), S(umask),
	S(gettimeofday), S(getrlimit), S(getrusage), S(sysinfo), S(times), S(ptrace),
	S(getuid), S(syslog), S(getgid), S(setuid), S(setgid), S(geteuid),
	S(getegid), S(setpgid), S(getppid), S(getpgrp), S(setsid), S(setreuid),
	S(setregid), S(getgroups), S(setgroups), S(setresuid), S(getresuid),
	S(setresgid), S(getresgid), S(getpgid), S(setfsuid), S(setfsgid), S(getsid),
	S(capget), S(capset), S(rt_sigpending), S(rt_sigtimedwait),
	S(rt_sigqueueinfo), S(rt_sigsuspend), S(sigaltstack), S(utime), S(mknod),
	S(uselib), S(personality), S(ustat), S(statfs), S(fstatfs), S(sysfs),
	S(getpriority), S(setpriority), S(sched_setparam), S(sched_getparam),
	S(sched_setscheduler), S(sched_getscheduler), S(sched_get_priority_max),
	S(sched_get_priority_min), S(sched_rr_get_interval), S(mlock), S(munlock),
	S(mlockall), S(munlockall), S(vhangup), S(modify_ldt), S(pivot_root),
	S(_sysctl), S(prctl), S(arch_prctl), S(adjtimex), S(setrlimit), S(chroot),
	S(sync), S(acct), S(settimeofday), S(mount), S(umount2), S(swapon),
	S(swapoff), S(reboot), S(sethostname), S(setdomainname), S(iopl), S(ioperm),
	S(create_module), S(init_module), S(delete_module), S(get_kernel_syms),
	S(query_module), S(quotactl), S(nfsservctl), S(getpmsg), S(putpmsg),
	S(afs_syscall), S(tuxcall), S(security), S(gettid), S(readahead),
	S(setxattr), S(lsetxattr), S(fsetxattr), S(getxattr), S(lgetxattr),
	S(fgetxattr), S(listxattr), S(llistxattr), S(flistxattr), S(removexattr),
	S(lremovexattr), S(fremovexattr), S(tkill), S(time), S(futex),
	S(sched_setaffinity), S(sched_getaffinity), S(set_thread_area), S(io_setup),
	S(io_destroy), S(io_getevents), S(io_submit), S(io_cancel),
	S(get_thread_area), S(lookup_dcookie), S(epoll_create), S(epoll_ctl_old),
	S(epoll_wait_old), S(remap_file_pages), S(getdents64), S(set_tid_address),
	S(restart_syscall), S(semtimedop), S(fadvise64), S(timer_create),
	S(timer_settime), S(timer_gettime), S(timer_getoverrun), S(timer_delete),
	S(clock_settime), S(clock_gettime), S(clock_getres), S(clock_nanosleep),
	S(exit_group), S(epoll_wait), S(epoll_ctl), S(tgkill), S(utimes), S(vserver),
	S(mbind), S(set_mempolicy), S(get_mempolicy), S(mq_open), S(mq_unlink),
	S(mq_timedsend), S(mq_timedreceive), S(mq_notify), S(mq_getsetattr),
	S(kexec_load), S(waitid), S(add_key), S(request_key), S(keyctl),
	S(ioprio_set), S(ioprio_get), S(inotify_init), S(inotify_add_watch),
	S(inotify_rm_watch), S(migrate_pages), S(openat), S(mkdirat), S(mknodat),
	S(fchownat), S(futimesat), S(newfstatat), S(unlinkat), S(renameat),
	S(linkat), S(symlinkat), S(readlinkat), S(fchmodat), S(faccessat),
	S(pselect6), S(ppoll), S(unshare), S(set_robust_list), S(get_robust_list),
	S(splice), S(tee), S(sync_file_range), S(vmsplice), S(move_pages),
	S(utimensat), S(epoll_pwait), S(signalfd), S(timerfd_create), S(eventfd),
	S(fallocate), S(timerfd_settime), S(timerfd_gettime), S(accept4),
	S(signalfd4), S(eventfd2), S(epoll_create1), S(dup3), S(pipe2),
	S(inotify_init1), S(preadv), S(pwritev), S(rt_tgsigqueueinfo),
	S(perf_event_open), S(recvmmsg), S(fanotify_init), S(fanotify_mark),
	S(prlimit64), S(name_to_handle_at), S(open_by_handle_at), S(clock_adjtime),
	S(syncfs), S(sendmmsg), S(setns), S(getcpu), S(process_vm_readv),
	S(process_vm_writev), S(kcmp), S(finit_module), S(sched_setattr),
	S(sched_getattr), S(renameat2), S(seccomp), S(getrandom), S(memfd_create),
	S(kexec_file_load), S(bpf), S(execveat), S(userfaultfd), S(membarrier),
	S(mlock2), S(copy_file_range), S(preadv2), S(pwritev2), S(pkey_mprotect),
	S(pkey_alloc), S(pkey_free), S(statx), S(io_pgetevents), S(rseq),
	S(pidfd_send_signal), S(io_uring_setup), S(io_uring_enter),
	S(io_uring_register), S(open_tree), S(move_mount), S(fsopen), S(fsconfig),
	S(fsmount), S(fspick), S(pidfd_open), S(clone3), S(close_range), S(openat2),
	S(pidfd_getfd), S(faccessat2), S(process_madvise), S(epoll_pwait2),
	S(mount_setattr), S(quotactl_fd), S(landlock_create_ruleset),
	S(landlock_add_rule), S(landlock_restrict_self), S(memfd_secret),
	S(process_mrelease), S(futex_waitv), S(set_mempolicy_home_node),
};
#undef S

const char *seccomp_syscall_name(long nr)
{
	if (nr < 0 || (unsigned long)nr >= SECCOMP_N(seccomp_names))
		return NULL;
	return seccomp_names[nr];
}

const char *seccomp_class_name(enum seccomp_thread_class cls)
{
	if ((unsigned int)cls >= SECCOMP_THREAD_NR)
		return "?";
	return seccomp_classes[cls].name;
}

bool seccomp_supported(char *err, size_t errlen)
{
#ifdef SECCOMP_SANITIZED
	if (err && errlen)
		snprintf(err, errlen, "seccomp is off: built with sanitizers "
			 "(their run time needs more system calls)");
	return false;
#else
	(void)err;
	(void)errlen;
	return true;
#endif
}

/* ---- program builder ---- */

/*
 * The number is dispatched by a binary search tree, not a chain of
 * comparisons: each installation of a filter makes the kernel emulate it
 * for every system call number of both x86 ABIs (seccomp's action cache:
 * which numbers are allowed whatever the arguments), so a chain costs
 * numbers x chain length steps per thread, 1.4 ms of a short run's start
 * in the nested harness (docs/benchmarks.md).  The tree takes a dozen
 * steps per number, and as many at run time for every KVM_RUN ioctl.
 */
enum seccomp_rule {
	SECCOMP_RULE_TRAP,		/* the default */
	SECCOMP_RULE_ALLOW,
	SECCOMP_RULE_EACCES,		/* open, openat: refused */
	SECCOMP_RULE_NO_EXEC,		/* mmap, mprotect: no PROT_EXEC */
	SECCOMP_RULE_OWN_TGKILL,
	SECCOMP_RULE_CTL_SOCKET,
	SECCOMP_RULE_IOCTL,
	SECCOMP_RULE_NR,
};

#define SECCOMP_MAX_ENTRIES 96
/* Numbers a leaf of the tree compares one after the other. */
#define SECCOMP_LEAF 3

struct seccomp_entry {
	uint32_t nr;
	enum seccomp_rule rule;
};

/* The numbers a class names, each with its rule; the first rule wins. */
struct seccomp_table {
	struct seccomp_entry e[SECCOMP_MAX_ENTRIES];
	size_t n;
	bool overflow;
};

/* A jump to a rule's block, patched once the blocks are laid out. */
struct seccomp_fixup {
	uint16_t at;
	bool on_true;
	enum seccomp_rule rule;
};

struct seccomp_prog {
	struct sock_filter *insn;
	size_t len, max;
	bool overflow;
	struct seccomp_fixup fix[2 * SECCOMP_MAX_ENTRIES];
	size_t nr_fix;
	size_t block[SECCOMP_RULE_NR];	/* where each rule's block starts */
};

static void seccomp_table_add(struct seccomp_table *t, int nr,
			      enum seccomp_rule rule)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].nr == (uint32_t)nr)
			return;
	if (t->n == SECCOMP_MAX_ENTRIES) {
		t->overflow = true;
		return;
	}
	/* Kept sorted by number: insertion, the table is small. */
	for (i = t->n; i > 0 && t->e[i - 1].nr > (uint32_t)nr; i--)
		t->e[i] = t->e[i - 1];
	t->e[i] = (struct seccomp_entry){ (uint32_t)nr, rule };
	t->n++;
}

static void seccomp_table_fill(struct seccomp_table *t,
			       const struct seccomp_class_def *c, bool tap)
{
	for (size_t i = 0; i < SECCOMP_N(seccomp_common); i++)
		seccomp_table_add(t, seccomp_common[i], SECCOMP_RULE_ALLOW);
	for (size_t i = 0; i < c->nr_calls; i++)
		seccomp_table_add(t, c->calls[i], SECCOMP_RULE_ALLOW);
	/*
	 * open/openat fail with EACCES instead of trapping: glibc opens a
	 * file behind some calls and copes with a refusal - free() reads
	 * /proc/sys/vm/overcommit_memory the first time a thread's heap
	 * shrinks, which a teardown on the main thread met after an I/O
	 * thread's large allocations.  Either way the file is never opened;
	 * no class opens files by path after set-up (virtio-fs uses openat2
	 * beneath its share; QMP's save allows openat above).
	 */
	seccomp_table_add(t, __NR_openat, SECCOMP_RULE_EACCES);
	seccomp_table_add(t, __NR_open, SECCOMP_RULE_EACCES);
	seccomp_table_add(t, __NR_mmap, SECCOMP_RULE_NO_EXEC);
	seccomp_table_add(t, __NR_mprotect, SECCOMP_RULE_NO_EXEC);
	if (c->tgkill)
		seccomp_table_add(t, __NR_tgkill, SECCOMP_RULE_OWN_TGKILL);
	if (tap)
		seccomp_table_add(t, __NR_socket, SECCOMP_RULE_CTL_SOCKET);
	seccomp_table_add(t, __NR_ioctl, SECCOMP_RULE_IOCTL);
}

static void seccomp_emit(struct seccomp_prog *p, uint16_t code, uint8_t jt,
			 uint8_t jf, uint32_t k)
{
	if (p->len >= p->max) {
		p->overflow = true;
		return;
	}
	p->insn[p->len++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

static void seccomp_emit_ret(struct seccomp_prog *p, uint32_t action)
{
	seccomp_emit(p, BPF_RET | BPF_K, 0, 0, action);
}

static void seccomp_emit_load(struct seccomp_prog *p, uint32_t offset)
{
	seccomp_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offset);
}

/* The last instruction's jt (on_true) or jf goes to rule's block. */
static void seccomp_jump_to(struct seccomp_prog *p, bool on_true,
			    enum seccomp_rule rule)
{
	if (p->overflow || !p->len)
		return;
	p->fix[p->nr_fix++] = (struct seccomp_fixup){
		(uint16_t)(p->len - 1), on_true, rule };
}

/* "if (A == k) return ALLOW;" as two instructions: no long jumps. */
static void seccomp_emit_allow_if(struct seccomp_prog *p, uint32_t k)
{
	seccomp_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, k);
	seccomp_emit_ret(p, SECCOMP_RET_ALLOW);
}

/*
 * Entries [lo, hi) of the sorted table, A holding the number: a leaf
 * compares up to SECCOMP_LEAF numbers, an inner node splits at the middle
 * one ("A >= k" jumps over the left half).  No match: TRAP.
 */
static void seccomp_emit_tree(struct seccomp_prog *p,
			      const struct seccomp_table *t, size_t lo,
			      size_t hi)
{
	size_t mid, node;

	if (hi - lo <= SECCOMP_LEAF) {
		for (size_t i = lo; i < hi; i++) {
			seccomp_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, t->e[i].nr);
			seccomp_jump_to(p, true, t->e[i].rule);
		}
		seccomp_jump_to(p, false, SECCOMP_RULE_TRAP);
		return;
	}
	mid = lo + (hi - lo) / 2;
	node = p->len;
	seccomp_emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 0, t->e[mid].nr);
	seccomp_emit_tree(p, t, lo, mid);
	if (p->overflow)
		return;
	if (p->len - node - 1 > 255) {
		p->overflow = true;
		return;
	}
	p->insn[node].jt = (uint8_t)(p->len - node - 1);
	seccomp_emit_tree(p, t, mid, hi);
}

/* Low word of argument n (x86-64 is little-endian). */
static uint32_t seccomp_arg_lo(unsigned int n)
{
	return offsetof(struct seccomp_data, args) + n * sizeof(uint64_t);
}

/* mmap/mprotect: allowed unless the protection asks for PROT_EXEC. */
static void seccomp_emit_no_exec(struct seccomp_prog *p)
{
	seccomp_emit_load(p, seccomp_arg_lo(2));
	seccomp_emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, PROT_EXEC);
	seccomp_emit_ret(p, SECCOMP_RET_TRAP);
	seccomp_emit_ret(p, SECCOMP_RET_ALLOW);
}

/*
 * socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) only: the handle net/tap.c
 * needs for interface ioctls at teardown.  Such a socket reaches no
 * network, and connect/sendto stay forbidden.
 */
static void seccomp_emit_ctl_socket(struct seccomp_prog *p)
{
	seccomp_emit_load(p, seccomp_arg_lo(0));
	seccomp_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, AF_UNIX);
	seccomp_emit_load(p, seccomp_arg_lo(1));
	seccomp_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1,
		     SOCK_DGRAM | SOCK_CLOEXEC);
	seccomp_emit_ret(p, SECCOMP_RET_ALLOW);
	seccomp_emit_ret(p, SECCOMP_RET_TRAP);
}

/*
 * tgkill(tgid, tid, sig) with tgid == minivmm's own: the kicks between
 * its threads.  Any other process is out of reach (the kernel reads the
 * tgid as an int: the low word is all that counts).
 */
static void seccomp_emit_own_tgkill(struct seccomp_prog *p, uint32_t tgid)
{
	seccomp_emit_load(p, seccomp_arg_lo(0));
	seccomp_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, tgid);
	seccomp_emit_ret(p, SECCOMP_RET_ALLOW);
	seccomp_emit_ret(p, SECCOMP_RET_TRAP);
}

/*
 * ioctl: the request is an unsigned int in the kernel, so the low word of
 * argument 1 is all that counts.
 */
static void seccomp_emit_ioctls(struct seccomp_prog *p,
				const unsigned int *req, size_t n)
{
	seccomp_emit_load(p, seccomp_arg_lo(1));
	for (size_t i = 0; i < n; i++)
		seccomp_emit_allow_if(p, req[i]);
	seccomp_emit_ret(p, SECCOMP_RET_TRAP);
}

/* Each rule's block, where the tree's matches jump. */
static void seccomp_emit_blocks(struct seccomp_prog *p, const uint32_t tgid,
				const unsigned int *ioctls, size_t nr_ioctls)
{
	/* The short, common ones first: every jump must reach its block. */
	p->block[SECCOMP_RULE_ALLOW] = p->len;
	seccomp_emit_ret(p, SECCOMP_RET_ALLOW);
	p->block[SECCOMP_RULE_EACCES] = p->len;
	seccomp_emit_ret(p, SECCOMP_RET_ERRNO | EACCES);
	p->block[SECCOMP_RULE_NO_EXEC] = p->len;
	seccomp_emit_no_exec(p);
	p->block[SECCOMP_RULE_OWN_TGKILL] = p->len;
	seccomp_emit_own_tgkill(p, tgid);
	p->block[SECCOMP_RULE_CTL_SOCKET] = p->len;
	seccomp_emit_ctl_socket(p);
	p->block[SECCOMP_RULE_IOCTL] = p->len;
	seccomp_emit_ioctls(p, ioctls, nr_ioctls);
	/* Last: the default, also what every program ends with. */
	p->block[SECCOMP_RULE_TRAP] = p->len;
	seccomp_emit_ret(p, SECCOMP_RET_TRAP);
}

static void seccomp_patch_jumps(struct seccomp_prog *p)
{
	for (size_t i = 0; i < p->nr_fix && !p->overflow; i++) {
		const struct seccomp_fixup *f = &p->fix[i];
		size_t off = p->block[f->rule] - f->at - 1;

		if (off > 255) {
			p->overflow = true;
			break;
		}
		if (f->on_true)
			p->insn[f->at].jt = (uint8_t)off;
		else
			p->insn[f->at].jf = (uint8_t)off;
	}
}

int seccomp_build_opts(enum seccomp_thread_class cls,
		       const struct seccomp_opts *o, struct sock_filter *prog,
		       size_t max)
{
	struct seccomp_prog p = { .insn = prog, .max = max };
	struct seccomp_table t = { .n = 0 };
	const struct seccomp_class_def *c;
	const unsigned int *ioctls;
	size_t nr_ioctls;
	bool tap = cls == SECCOMP_THREAD_MAIN && o->tap_teardown;

	if ((unsigned int)cls >= SECCOMP_THREAD_NR || !prog || o->tgid <= 0)
		return -EINVAL;
	c = &seccomp_classes[cls];
	ioctls = tap ? seccomp_ioctl_main_tap : c->ioctls;
	nr_ioctls = tap ? SECCOMP_N(seccomp_ioctl_main_tap) : c->nr_ioctls;
	seccomp_table_fill(&t, c, tap);
	if (t.overflow)
		return -ENOSPC;
	seccomp_emit_load(&p, offsetof(struct seccomp_data, arch));
	seccomp_emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	seccomp_emit_ret(&p, SECCOMP_RET_KILL_PROCESS);
	seccomp_emit_load(&p, offsetof(struct seccomp_data, nr));
	seccomp_emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_SYSCALL_BIT);
	seccomp_emit_ret(&p, SECCOMP_RET_KILL_PROCESS);
	seccomp_emit_tree(&p, &t, 0, t.n);
	seccomp_emit_blocks(&p, (uint32_t)o->tgid, ioctls, nr_ioctls);
	seccomp_patch_jumps(&p);
	return p.overflow ? -ENOSPC : (int)p.len;
}

int seccomp_build(enum seccomp_thread_class cls, struct sock_filter *prog,
		  size_t max)
{
	struct seccomp_opts o = { .tgid = getpid(), .tap_teardown = false };

	return seccomp_build_opts(cls, &o, prog, max);
}

/* ---- SIGSYS: one line, then exit ---- */

/* The class of the calling thread, read by the signal handler only. */
static __thread int seccomp_thread_cls = -1;

static size_t seccomp_put(char *buf, size_t pos, size_t size, const char *s)
{
	while (*s && pos + 1 < size)
		buf[pos++] = *s++;
	return pos;
}

static size_t seccomp_put_uint(char *buf, size_t pos, size_t size,
			       unsigned long v, unsigned int base)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n && pos + 1 < size)
		buf[pos++] = tmp[--n];
	return pos;
}

/*
 * Async-signal-safe: no stdio, no locks, no allocation.  Then the
 * emergency exit: existing TAPs put back, terminal restored, exit 1.  For ioctl the
 * request (second argument, from the saved registers) is named too, since
 * that is what an allowlist change needs.
 */
static void seccomp_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[160];
	size_t n = 0;
	const char *name = seccomp_syscall_name(si->si_syscall);
	int cls = seccomp_thread_cls;
	ucontext_t *uc = ctx;

	(void)sig;
	n = seccomp_put(buf, n, sizeof(buf), "minivmm: seccomp: thread ");
	n = seccomp_put(buf, n, sizeof(buf),
			cls < 0 ? "?" : seccomp_class_name(cls));
	n = seccomp_put(buf, n, sizeof(buf), " made forbidden syscall ");
	n = seccomp_put_uint(buf, n, sizeof(buf), (unsigned int)si->si_syscall,
			     10);
	n = seccomp_put(buf, n, sizeof(buf), " (");
	n = seccomp_put(buf, n, sizeof(buf), name ? name : "unknown");
	if (si->si_syscall == __NR_ioctl && uc) {
		n = seccomp_put(buf, n, sizeof(buf), " 0x");
		n = seccomp_put_uint(buf, n, sizeof(buf),
				     (unsigned int)uc->uc_mcontext.gregs[REG_RSI],
				     16);
	}
	n = seccomp_put(buf, n, sizeof(buf), ")\n");
	if (write(STDERR_FILENO, buf, n) < 0)
		n = 0;
	/* TAPs put back before the end: here if this thread's class may,
	 * else by the main thread (vmm/emergency.h). */
	if (cls == SECCOMP_THREAD_MAIN || cls < 0)
		emergency_exit(EXIT_VMM_ERROR);
	emergency_request(EXIT_VMM_ERROR);
}

static int seccomp_set_handler(void)
{
	struct sigaction sa = {
		.sa_sigaction = seccomp_sigsys,
		.sa_flags = SA_SIGINFO,
	};
	sigset_t set;

	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	/* A blocked SIGSYS would turn the trap into a silent core dump. */
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int seccomp_install(enum seccomp_thread_class cls, char *err, size_t errlen)
{
	struct seccomp_opts o = { .tgid = getpid(), .tap_teardown = false };

	return seccomp_install_opts(cls, &o, err, errlen);
}

/* Handler, unmasked SIGSYS, no new privileges: see seccomp.h. */
static int seccomp_prepare_thread(char *err, size_t errlen)
{
	int ret = seccomp_set_handler();

	if (ret) {
		snprintf(err, errlen, "seccomp: cannot set the SIGSYS handler: %s",
			 strerror(-ret));
		return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ret = -errno;
		snprintf(err, errlen, "seccomp: PR_SET_NO_NEW_PRIVS: %s",
			 strerror(errno));
		return ret;
	}
	return 0;
}

int seccomp_prepare_process(char *err, size_t errlen)
{
	if (!seccomp_supported(NULL, 0))
		return 0;
	return seccomp_prepare_thread(err, errlen);
}

int seccomp_install_opts(enum seccomp_thread_class cls,
			 const struct seccomp_opts *o, char *err, size_t errlen)
{
	struct sock_filter insn[SECCOMP_PROG_MAX];
	struct sock_fprog prog;
	int n, ret;

	if (!seccomp_supported(NULL, 0))
		return 0;
	n = seccomp_build_opts(cls, o, insn, SECCOMP_PROG_MAX);
	if (n < 0) {
		snprintf(err, errlen, "seccomp: cannot build the %s filter: %s",
			 seccomp_class_name(cls), strerror(-n));
		return n;
	}
	if (!o->prepared) {
		ret = seccomp_prepare_thread(err, errlen);
		if (ret)
			return ret;
	}
	seccomp_thread_cls = cls;
	prog.len = (unsigned short)n;
	prog.filter = insn;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		ret = -errno;
		snprintf(err, errlen, "seccomp: cannot install the %s filter: %s",
			 seccomp_class_name(cls), strerror(errno));
		return ret;
	}
	return 0;
}

void seccomp_selftest(void)
{
	seccomp_selftest_in(SECCOMP_THREAD_MAIN);
}

void seccomp_selftest_in(enum seccomp_thread_class cls)
{
	const char *v = getenv("MINIVMM_SECCOMP_SELFTEST");
	int fd;

	if (!v)
		return;
	/* "tgkill": the main thread signals a thread of another process
	 * (init, with signal 0: nothing is sent even unfiltered); only its
	 * own thread group is allowed (issue 15, item 5). */
	if (cls == SECCOMP_THREAD_MAIN && !strcmp(v, "tgkill")) {
		(void)syscall(SYS_tgkill, 1, 1, 0);
		return;
	}
	if (strcmp(v, seccomp_class_name(cls)) &&
	    !(cls == SECCOMP_THREAD_MAIN && !strcmp(v, "1")))
		return;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* Reached only when no filter is installed. */
	if (fd >= 0)
		close(fd);
}
