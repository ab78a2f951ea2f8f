// SPDX-License-Identifier: MIT
/*
 * seccomp: the shape of every class's BPF program (arch check first, x32
 * refused, default TRAP), its verdicts run through a small BPF interpreter
 * for allowed, forbidden and hostile calls, and the real thing in a child:
 * installed, a forbidden call, the SIGSYS line and exit code 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/sockios.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/seccomp.h"
#include "tests/unit/unit_main.h"

/* Enough of classic BPF to run what seccomp_build() emits. */
static uint32_t bpf_run(const struct sock_filter *p, int len,
			const struct seccomp_data *d)
{
	uint32_t a = 0;
	int pc = 0, steps = 0;

	while (pc >= 0 && pc < len && steps++ < 10000) {
		const struct sock_filter *f = &p[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_uint_le(f->k + 4, sizeof(*d));
			ck_assert_uint_eq(f->k % 4, 0);
			memcpy(&a, (const uint8_t *)d + f->k, 4);
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((a & f->k) ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			ck_abort_msg("unexpected BPF opcode 0x%x at %d", f->code, pc);
		}
	}
	ck_abort_msg("BPF program ran off its end (pc %d)", pc);
	return 0;
}

/* The filters' verdict with options o (NULL: seccomp_build()'s). */
static uint32_t verdict_opts(enum seccomp_thread_class cls,
			     const struct seccomp_opts *o, uint32_t arch, int nr,
			     uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct sock_filter prog[SECCOMP_PROG_MAX];
	struct seccomp_data d = {
		.nr = nr, .arch = arch, .args = { a0, a1, a2 },
	};
	int n = o ? seccomp_build_opts(cls, o, prog, SECCOMP_PROG_MAX) :
		    seccomp_build(cls, prog, SECCOMP_PROG_MAX);

	ck_assert_int_gt(n, 0);
	return bpf_run(prog, n, &d);
}

/* main with an existing TAP to put back at exit */
static const struct seccomp_opts tap_opts = { .tgid = 4242, .tap_teardown = true };

static uint32_t main_tap(int nr, uint64_t a0, uint64_t a1)
{
	return verdict_opts(SECCOMP_THREAD_MAIN, &tap_opts, AUDIT_ARCH_X86_64,
			    nr, a0, a1, 0);
}

static uint32_t verdict(enum seccomp_thread_class cls, uint32_t arch, int nr,
			uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct sock_filter prog[SECCOMP_PROG_MAX];
	struct seccomp_data d = {
		.nr = nr, .arch = arch, .args = { a0, a1, a2 },
	};
	int n = seccomp_build(cls, prog, SECCOMP_PROG_MAX);

	ck_assert_int_gt(n, 0);
	return bpf_run(prog, n, &d);
}

static uint32_t call(enum seccomp_thread_class cls, int nr)
{
	return verdict(cls, AUDIT_ARCH_X86_64, nr, 0, 0, 0);
}

static uint32_t ioctl_v(enum seccomp_thread_class cls, uint64_t req)
{
	return verdict(cls, AUDIT_ARCH_X86_64, __NR_ioctl, 3, req, 0);
}

START_TEST(test_program_shape)
{
	for (int c = 0; c < SECCOMP_THREAD_NR; c++) {
		struct sock_filter p[SECCOMP_PROG_MAX];
		int n = seccomp_build(c, p, SECCOMP_PROG_MAX);

		ck_assert_int_gt(n, 6);
		/* The arch is checked before anything reads the number. */
		ck_assert_uint_eq(p[0].code, BPF_LD | BPF_W | BPF_ABS);
		ck_assert_uint_eq(p[0].k, offsetof(struct seccomp_data, arch));
		ck_assert_uint_eq(p[1].code, BPF_JMP | BPF_JEQ | BPF_K);
		ck_assert_uint_eq(p[1].k, AUDIT_ARCH_X86_64);
		ck_assert_uint_eq(p[2].code, BPF_RET | BPF_K);
		ck_assert_uint_eq(p[2].k, SECCOMP_RET_KILL_PROCESS);
		ck_assert_uint_eq(p[3].k, offsetof(struct seccomp_data, nr));
		/* Default: the last instruction traps. */
		ck_assert_uint_eq(p[n - 1].code, BPF_RET | BPF_K);
		ck_assert_uint_eq(p[n - 1].k, SECCOMP_RET_TRAP);
		/* Every jump lands inside the program. */
		for (int i = 0; i < n; i++)
			if (BPF_CLASS(p[i].code) == BPF_JMP) {
				ck_assert_int_lt(i + 1 + p[i].jt, n);
				ck_assert_int_lt(i + 1 + p[i].jf, n);
			}
	}
}
END_TEST

START_TEST(test_build_rejects_bad_input)
{
	struct sock_filter p[8];

	ck_assert_int_eq(seccomp_build(SECCOMP_THREAD_NR, p, 8), -EINVAL);
	ck_assert_int_eq(seccomp_build((enum seccomp_thread_class)-1, p, 8),
			 -EINVAL);
	ck_assert_int_eq(seccomp_build(SECCOMP_THREAD_MAIN, NULL, 8), -EINVAL);
	ck_assert_int_eq(seccomp_build(SECCOMP_THREAD_MAIN, p, 8), -ENOSPC);
	ck_assert_int_eq(seccomp_build(SECCOMP_THREAD_MAIN, p, 0), -ENOSPC);
}
END_TEST

START_TEST(test_wrong_arch_and_x32_killed)
{
	for (int c = 0; c < SECCOMP_THREAD_NR; c++) {
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_I386, __NR_write, 0, 0, 0),
				  SECCOMP_RET_KILL_PROCESS);
		ck_assert_uint_eq(verdict(c, 0, __NR_write, 0, 0, 0),
				  SECCOMP_RET_KILL_PROCESS);
		ck_assert_uint_eq(call(c, 0x40000000 | __NR_write),
				  SECCOMP_RET_KILL_PROCESS);
		ck_assert_uint_eq(call(c, -1), SECCOMP_RET_KILL_PROCESS);
	}
}
END_TEST

START_TEST(test_allowlists)
{
	const int forbidden[] = {
		__NR_socket, __NR_connect, __NR_execve, __NR_execveat,
		__NR_clone, __NR_clone3, __NR_fork,
		__NR_ptrace, __NR_kill, __NR_mount, __NR_setuid,
		__NR_prctl, __NR_seccomp, __NR_bpf, __NR_process_vm_writev,
		__NR_memfd_create, __NR_unlink, __NR_chmod, __NR_rt_sigaction,
		__NR_sigaltstack, __NR_dup2, __NR_fchdir, __NR_chroot, 448, 4000,
	};

	for (int c = 0; c < SECCOMP_THREAD_NR; c++) {
		ck_assert_uint_eq(call(c, __NR_write), SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(call(c, __NR_futex), SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(call(c, __NR_exit_group), SECCOMP_RET_ALLOW);
		for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
			ck_assert_msg(call(c, forbidden[i]) == SECCOMP_RET_TRAP,
				      "class %s allows syscall %d",
				      seccomp_class_name(c), forbidden[i]);
		/* opens by path are refused, not trapped (glibc copes);
		 * only QMP's x-minivmm-save creates its file (openat) */
		ck_assert_uint_eq(call(c, __NR_openat), c == SECCOMP_THREAD_QMP ?
				  SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | EACCES);
		ck_assert_uint_eq(call(c, __NR_open), SECCOMP_RET_ERRNO | EACCES);
	}
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_ftruncate), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_fsync), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_rename), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_rename), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_accept4), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_unlinkat), SECCOMP_RET_ALLOW);
	/* -serial unix's socket and -pidfile are removed by main at exit,
	 * in their directories (unlink by path stays forbidden). */
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_unlinkat), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_unlink), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_accept4), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_pwritev), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_QMP, __NR_ioctl), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_preadv), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_pwritev), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_fdatasync), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_fallocate), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_epoll_wait), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_VCPU, __NR_epoll_wait), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_VCPU, __NR_pwritev), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_VCPU, __NR_close), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_poll), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_close), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_pwritev), SECCOMP_RET_TRAP);
}
END_TEST

START_TEST(test_ioctl_requests)
{
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_RUN), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_IRQ_LINE),
			  SECCOMP_RET_ALLOW);
	/* The kernel truncates the request to 32 bits, so do we. */
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU,
				  0xffffffff00000000ULL | KVM_RUN),
			  SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_CREATE_VCPU),
			  SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_SET_USER_MEMORY_REGION),
			  SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, TCSETS), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_MAIN, TCSETS), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_MAIN, KVM_RUN), SECCOMP_RET_TRAP);
	/* snapshots: the VM's state on QMP's thread, a vCPU's on its own */
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_QMP, KVM_GET_IRQCHIP), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_QMP, KVM_SET_IRQCHIP), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_QMP, KVM_RUN), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_GET_XSAVE), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_SET_MSRS), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_MAIN, TIOCSTI), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_IO, KVM_RUN), SECCOMP_RET_TRAP);
	/* QMP stop/cont hold the guest's clock, nothing more. */
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_QMP, KVM_GET_CLOCK), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_QMP, KVM_SET_CLOCK), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_QMP, KVM_RUN), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_VCPU, KVM_KVMCLOCK_CTRL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_IO, 0), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_IO, 0x5401 /* TCGETS */),
			  SECCOMP_RET_TRAP);
}
END_TEST

START_TEST(test_ctl_socket_only_in_main)
{
	const uint64_t ok = SOCK_DGRAM | SOCK_CLOEXEC;

	/* With an existing TAP to put back: the socket, and only it. */
	ck_assert_uint_eq(main_tap(__NR_socket, AF_UNIX, ok), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(main_tap(__NR_socket, AF_INET, ok), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(main_tap(__NR_socket, AF_NETLINK, ok), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(main_tap(__NR_socket, AF_UNIX, SOCK_STREAM),
			  SECCOMP_RET_TRAP);
	/* Without one (issue 15, item 5): no socket, no interface ioctl. */
	ck_assert_uint_eq(verdict(SECCOMP_THREAD_MAIN, AUDIT_ARCH_X86_64,
				  __NR_socket, AF_UNIX, ok, 0), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_MAIN, SIOCSIFFLAGS), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_MAIN, SIOCBRDELIF), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_MAIN, TUNSETOFFLOAD), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict(SECCOMP_THREAD_VCPU, AUDIT_ARCH_X86_64,
				  __NR_socket, AF_UNIX, ok, 0), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(verdict(SECCOMP_THREAD_IO, AUDIT_ARCH_X86_64,
				  __NR_socket, AF_UNIX, ok, 0), SECCOMP_RET_TRAP);
	/* The socket is good for interface ioctls, not for talking. */
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_connect), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_MAIN, __NR_sendto), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(main_tap(__NR_ioctl, 3, SIOCSIFFLAGS), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(main_tap(__NR_ioctl, 3, SIOCBRDELIF), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(main_tap(__NR_ioctl, 3, SIOCSIFADDR), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(main_tap(__NR_ioctl, 3, SIOCBRADDIF), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(main_tap(__NR_ioctl, 3, TCSETS), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict_opts(SECCOMP_THREAD_IO, &tap_opts,
				       AUDIT_ARCH_X86_64, __NR_ioctl, 3,
				       SIOCSIFFLAGS, 0), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_IO, TUNSETOFFLOAD), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_IO, TUNSETIFF), SECCOMP_RET_TRAP);
	/* virtio-fs: *at calls and openat2 only; no ioctl at all. */
	ck_assert_uint_eq(call(SECCOMP_THREAD_FS, __NR_openat2), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_FS, __NR_renameat2), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_FS, __NR_getdents64), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_FS, __NR_rename), SECCOMP_RET_TRAP);
	/* Its event loop waits in epoll (devices/virtio_worker.c), not poll. */
	ck_assert_uint_eq(call(SECCOMP_THREAD_FS, __NR_epoll_wait), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(call(SECCOMP_THREAD_FS, __NR_poll), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(ioctl_v(SECCOMP_THREAD_FS, TUNSETOFFLOAD), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(call(SECCOMP_THREAD_IO, __NR_openat2), SECCOMP_RET_TRAP);
}
END_TEST

/* tgkill reaches minivmm's own threads only (issue 15, item 5). */
START_TEST(test_tgkill_own_process_only)
{
	const int kickers[] = { SECCOMP_THREAD_VCPU, SECCOMP_THREAD_MAIN,
				SECCOMP_THREAD_QMP, SECCOMP_THREAD_GDB };
	int self = getpid();

	for (size_t i = 0; i < sizeof(kickers) / sizeof(kickers[0]); i++) {
		int c = kickers[i];

		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_tgkill,
					  (uint64_t)self, 77, SIGUSR1),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_tgkill,
					  (uint64_t)self + 1, 77, SIGUSR1),
				  SECCOMP_RET_TRAP);
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_tgkill, 1,
					  1, SIGKILL), SECCOMP_RET_TRAP);
		ck_assert_uint_eq(verdict_opts(c, &tap_opts, AUDIT_ARCH_X86_64,
					       __NR_tgkill, 4242, 1, SIGUSR1),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(call(c, __NR_tkill), SECCOMP_RET_TRAP);
	}
	ck_assert_uint_eq(verdict(SECCOMP_THREAD_IO, AUDIT_ARCH_X86_64, __NR_tgkill,
				  (uint64_t)self, 77, SIGUSR1), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(verdict(SECCOMP_THREAD_FS, AUDIT_ARCH_X86_64, __NR_tgkill,
				  (uint64_t)self, 77, SIGUSR1), SECCOMP_RET_TRAP);
	{
		struct sock_filter p[SECCOMP_PROG_MAX];
		struct seccomp_opts bad = { .tgid = 0 };

		ck_assert_int_eq(seccomp_build_opts(SECCOMP_THREAD_MAIN, &bad, p,
						    SECCOMP_PROG_MAX), -EINVAL);
	}
}
END_TEST

START_TEST(test_no_executable_mappings)
{
	for (int c = 0; c < SECCOMP_THREAD_NR; c++) {
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_mmap, 0, 4096,
					  PROT_READ | PROT_WRITE),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_mmap, 0, 4096,
					  PROT_READ | PROT_EXEC),
				  SECCOMP_RET_TRAP);
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_mprotect, 0,
					  4096, PROT_NONE),
				  SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(verdict(c, AUDIT_ARCH_X86_64, __NR_mprotect, 0,
					  4096, PROT_EXEC),
				  SECCOMP_RET_TRAP);
	}
}
END_TEST

/*
 * The kernel's seccomp action cache (kernel/seccomp.c, since 5.11): at
 * each installation it emulates the program for every number of the
 * native and the compat ABI, following loads of nr and arch, jumps and
 * returns only; a load of an argument means "not constant".  The steps
 * it takes per number are the start-up cost the tree is for.
 */
static bool kernel_const_allow(const struct sock_filter *p, int len,
			       uint32_t arch, uint32_t nr, int *steps)
{
	uint32_t a = 0;

	*steps = 0;
	for (int pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &p[pc];
		bool res;

		++*steps;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, nr))
				a = nr;
			else if (f->k == offsetof(struct seccomp_data, arch))
				a = arch;
			else
				return false;
			continue;
		case BPF_RET | BPF_K:
			return f->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JEQ | BPF_K:
			res = a == f->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			res = a >= f->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			res = (a & f->k) != 0;
			break;
		default:
			return false;
		}
		pc += res ? f->jt : f->jf;
	}
	ck_abort_msg("the emulation ran off the program's end");
	return false;
}

START_TEST(test_kernel_action_cache)
{
	static const struct seccomp_opts opts[] = {
		{ .tgid = 4242 }, { .tgid = 4242, .tap_teardown = true },
	};
	/* Numbers whose verdict depends on their arguments. */
	static const int by_args[] = {
		__NR_mmap, __NR_mprotect, __NR_tgkill, __NR_socket, __NR_ioctl,
	};

	for (int c = 0; c < SECCOMP_THREAD_NR; c++) {
		for (size_t o = 0; o < 2; o++) {
			struct sock_filter p[SECCOMP_PROG_MAX];
			int n = seccomp_build_opts(c, &opts[o], p, SECCOMP_PROG_MAX);
			int most = 0, steps;

			ck_assert_int_gt(n, 0);
			for (uint32_t nr = 0; nr < 512; nr++) {
				bool args = false, allowed;

				for (size_t i = 0; i < sizeof(by_args) / sizeof(by_args[0]); i++)
					args |= nr == (uint32_t)by_args[i];
				allowed = kernel_const_allow(p, n, AUDIT_ARCH_X86_64,
							     nr, &steps);
				if (steps > most)
					most = steps;
				/* Cached as allowed exactly when the verdict is
				 * ALLOW whatever the arguments. */
				ck_assert_msg(allowed == (!args &&
					verdict_opts(c, &opts[o], AUDIT_ARCH_X86_64,
						     (int)nr, 0, 0, 0) == SECCOMP_RET_ALLOW),
					"class %s nr %u: cache says %d",
					seccomp_class_name(c), nr, allowed);
				if (allowed)
					ck_assert_uint_eq(verdict_opts(c, &opts[o],
						AUDIT_ARCH_X86_64, (int)nr, ~0ull,
						~0ull, ~0ull), SECCOMP_RET_ALLOW);
				/* The compat ABI is never allowed, at once. */
				ck_assert(!kernel_const_allow(p, n, AUDIT_ARCH_I386,
							      nr, &steps));
				ck_assert_int_le(steps, 3);
			}
			/* A chain of comparisons took up to ~90 steps. */
			ck_assert_msg(most <= 16, "class %s: %d steps for a number",
				      seccomp_class_name(c), most);
		}
	}
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(seccomp_syscall_name(__NR_read), "read");
	ck_assert_str_eq(seccomp_syscall_name(__NR_socket), "socket");
	ck_assert_str_eq(seccomp_syscall_name(__NR_ioctl), "ioctl");
	ck_assert_ptr_null(seccomp_syscall_name(-1));
	ck_assert_ptr_null(seccomp_syscall_name(100000));
	ck_assert_str_eq(seccomp_class_name(SECCOMP_THREAD_VCPU), "vcpu");
	ck_assert_str_eq(seccomp_class_name(SECCOMP_THREAD_IO), "io");
	ck_assert_str_eq(seccomp_class_name(SECCOMP_THREAD_MAIN), "main");
	ck_assert_str_eq(seccomp_class_name(SECCOMP_THREAD_FS), "fs");
	ck_assert_str_eq(seccomp_class_name(SECCOMP_THREAD_NR), "?");
}
END_TEST

/* Runs fn in a child with stderr captured; returns the wait status. */
static int run_child(void (*fn)(void), char *out, size_t outlen)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void child_forbidden_socket(void)
{
	char err[160];

	if (seccomp_install(SECCOMP_THREAD_MAIN, err, sizeof(err)))
		_exit(50);
	/* Allowed calls still work. */
	if (getpid() <= 0 || write(STDERR_FILENO, "", 0) < 0)
		_exit(51);
	socket(AF_INET, SOCK_STREAM, 0);
	_exit(52);
}

static void child_selftest_env(void)
{
	char err[160];

	setenv("MINIVMM_SECCOMP_SELFTEST", "1", 1);
	if (seccomp_install(SECCOMP_THREAD_VCPU, err, sizeof(err)))
		_exit(50);
	seccomp_selftest();
	_exit(53);
}

static void child_forbidden_ioctl(void)
{
	char err[160];
	struct termios t;

	if (seccomp_install(SECCOMP_THREAD_IO, err, sizeof(err)))
		_exit(50);
	ioctl(STDIN_FILENO, TCGETS, &t);
	_exit(52);
}

static void child_selftest_off(void)
{
	unsetenv("MINIVMM_SECCOMP_SELFTEST");
	seccomp_selftest();
	_exit(54);
}

START_TEST(test_installed_filter_traps)
{
	char out[512];
	int st;

	if (!seccomp_supported(NULL, 0))
		return;
	st = run_child(child_forbidden_socket, out, sizeof(out));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1,
		      "status 0x%x, stderr '%s'", st, out);
	ck_assert_str_eq(out,
		"minivmm: seccomp: thread main made forbidden syscall 41 (socket)\n");

	st = run_child(child_selftest_env, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_str_eq(out,
		"minivmm: seccomp: thread vcpu made forbidden syscall 41 (socket)\n");

	st = run_child(child_forbidden_ioctl, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_str_eq(out,
		"minivmm: seccomp: thread io made forbidden syscall 16 (ioctl 0x5401)\n");

	st = run_child(child_selftest_off, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 54);
}
END_TEST

static Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_program_shape);
	tcase_add_test(tc, test_build_rejects_bad_input);
	tcase_add_test(tc, test_wrong_arch_and_x32_killed);
	tcase_add_test(tc, test_allowlists);
	tcase_add_test(tc, test_ioctl_requests);
	tcase_add_test(tc, test_ctl_socket_only_in_main);
	tcase_add_test(tc, test_no_executable_mappings);
	tcase_add_test(tc, test_tgkill_own_process_only);
	tcase_add_test(tc, test_kernel_action_cache);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_installed_filter_traps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(seccomp_suite());
}
