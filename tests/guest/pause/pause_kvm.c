// SPDX-License-Identifier: MIT
/*
 * vm_pause()/vm_resume() on a real KVM.  Three vCPUs: 0 and 1 count in
 * RAX and RBX (`inc; jmp .`), 2 stays in the LAPIC's wait-for-SIPI (a
 * vCPU blocked inside the kernel must park as well).  Exit 0 on success,
 * 77 without /dev/kvm, 1 with a line saying what failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "boot/layout.h"
#include "boot/long_mode.h"
#include "vmm/config.h"
#include "vmm/pause.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CODE_ADDR 0x100000ULL
#define COUNTING_VCPUS 2

static const uint8_t count_rax[] = { 0x48, 0xff, 0xc0, 0xeb, 0xfb };
static const uint8_t count_rbx[] = { 0x48, 0xff, 0xc3, 0xeb, 0xfb };

#define FAIL(...) do { fprintf(stderr, "pause_kvm: " __VA_ARGS__); \
	fputc('\n', stderr); exit(1); } while (0)

struct counters {
	uint64_t v[COUNTING_VCPUS];
	bool on_own_thread[COUNTING_VCPUS];
};

static void read_counter(struct vcpu *vcpu, void *arg)
{
	struct counters *c = arg;
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0)
		FAIL("KVM_GET_REGS: %s", strerror(errno));
	c->v[vcpu->index] = vcpu->index ? r.rbx : r.rax;
	c->on_own_thread[vcpu->index] = pthread_equal(pthread_self(), vcpu->self);
}

static void set_counter(struct vcpu *vcpu, void *arg)
{
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0)
		FAIL("KVM_GET_REGS: %s", strerror(errno));
	r.rax = *(uint64_t *)arg;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &r) < 0)
		FAIL("KVM_SET_REGS: %s", strerror(errno));
}

static void read_all(struct vm *vm, struct counters *c)
{
	for (unsigned int i = 0; i < COUNTING_VCPUS; i++) {
		int ret = vm_pause_run_on(vm, i, read_counter, c);

		if (ret)
			FAIL("vm_pause_run_on(%u): %s", i, strerror(-ret));
	}
}

static void sleep_ms(unsigned int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static void setup_guest(struct vm *vm)
{
	uint8_t *low = guest_mem_ptr(&vm->mem, 0, LAYOUT_PAGE_TABLES_END);
	char err[160];

	if (!low || !guest_mem_write(&vm->mem, CODE_ADDR, count_rax, sizeof(count_rax)) ||
	    !guest_mem_write(&vm->mem, CODE_ADDR + 16, count_rbx, sizeof(count_rbx)))
		FAIL("guest memory");
	boot_write_long_mode_tables(low);
	for (unsigned int i = 0; i < COUNTING_VCPUS; i++) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (vcpu_setup_long_mode(&vm->vcpus[i], CODE_ADDR + 16 * i, 0,
					 LAYOUT_BOOT_STACK_TOP, err, sizeof(err)))
			FAIL("%s", err);
		if (i && ioctl(vm->vcpus[i].fd, KVM_SET_MP_STATE, &mp) < 0)
			FAIL("KVM_SET_MP_STATE: %s", strerror(errno));
	}
}

static void check_frozen(struct vm *vm, const char *when)
{
	struct counters a, b;

	read_all(vm, &a);
	sleep_ms(100);
	read_all(vm, &b);
	for (unsigned int i = 0; i < COUNTING_VCPUS; i++) {
		if (a.v[i] != b.v[i])
			FAIL("%s: vCPU %u counted while paused (%llu -> %llu)", when, i,
			     (unsigned long long)a.v[i], (unsigned long long)b.v[i]);
		if (!a.on_own_thread[i])
			FAIL("vCPU %u's registers were not read on its own thread", i);
	}
}

static void check_running(struct vm *vm, const char *when)
{
	struct counters a, b;

	if (vm_pause(vm, PAUSE_GDB))
		FAIL("%s: vm_pause", when);
	read_all(vm, &a);
	vm_resume(vm, PAUSE_GDB);
	sleep_ms(200);
	if (vm_pause(vm, PAUSE_GDB))
		FAIL("%s: vm_pause", when);
	read_all(vm, &b);
	vm_resume(vm, PAUSE_GDB);
	for (unsigned int i = 0; i < COUNTING_VCPUS; i++)
		if (b.v[i] == a.v[i])
			FAIL("%s: vCPU %u did not run", when, i);
}

static uint64_t kvm_clock_ns(struct vm *vm)
{
	struct kvm_clock_data d = { .flags = 0 };

	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &d) < 0)
		FAIL("KVM_GET_CLOCK: %s", strerror(errno));
	return d.clock;
}

/*
 * The guest's kvmclock does not count the paused time: a pause of 600 ms
 * moves it by far less (without the freeze it would move by 600 ms).
 */
static void check_clock_held(struct vm *vm)
{
	uint64_t before = kvm_clock_ns(vm), after;

	if (vm_pause(vm, PAUSE_QMP))
		FAIL("vm_pause (clock)");
	sleep_ms(600);
	vm_resume(vm, PAUSE_QMP);
	after = kvm_clock_ns(vm);
	if (after - before > 300ull * 1000 * 1000)
		FAIL("kvmclock moved %llu ms across a 600 ms pause",
		     (unsigned long long)((after - before) / 1000000));
	printf("pause_kvm: kvmclock moved %llu ms across a 600 ms pause\n",
	       (unsigned long long)((after - before) / 1000000));
}

int main(void)
{
	struct config cfg = { .mem_bytes = 64ULL << 20, .vcpus = 3, .sockets = 1,
			      .cores = 3, .threads = 1, .no_seccomp = false };
	struct cpu_topology topo = { 1, 3, 1 };
	struct vm vm = { .vm_fd = -1 };
	char err[200];
	uint64_t zero = 0;
	struct timespec t0, t1;

	if (access("/dev/kvm", R_OK | W_OK)) {
		fprintf(stderr, "pause_kvm: no usable /dev/kvm, skipped\n");
		return 77;
	}
	{
		sigset_t s;

		/* As machine_run: vCPU threads must not take SIGTERM & co. */
		sigemptyset(&s);
		sigaddset(&s, SIGINT);
		sigaddset(&s, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &s, NULL);
	}
	if (vm_create(&vm, &cfg, err, sizeof(err)) ||
	    vcpus_create(&vm, &topo, err, sizeof(err)))
		FAIL("%s", err);
	setup_guest(&vm);

	/* -S: held before the threads exist; nothing may run. */
	vm_pause_request(&vm, PAUSE_STARTUP);
	if (vcpus_start(&vm, err, sizeof(err)))
		FAIL("%s", err);
	if (vm_pause(&vm, PAUSE_GDB))
		FAIL("vm_pause at start-up");
	check_frozen(&vm, "start-up");
	struct counters c;

	read_all(&vm, &c);
	if (c.v[0] || c.v[1])
		FAIL("a vCPU ran before the start-up hold was released");
	vm_resume(&vm, PAUSE_GDB);
	if (!vm_is_paused(&vm))
		FAIL("the start-up hold alone must keep the VM paused");
	vm_resume(&vm, PAUSE_STARTUP);
	check_running(&vm, "after start-up");

	/* Pause and resume many times, two overlapping reasons. */
	for (int round = 0; round < 20; round++) {
		if (vm_pause(&vm, PAUSE_QMP) || vm_pause(&vm, PAUSE_GDB))
			FAIL("vm_pause round %d", round);
		if (round == 0)
			check_frozen(&vm, "paused");
		vm_resume(&vm, PAUSE_QMP);
		if (!vm_is_paused(&vm))
			FAIL("released while gdb still holds it");
		if (round == 0)
			check_frozen(&vm, "half released");
		vm_resume(&vm, PAUSE_GDB);
	}
	check_running(&vm, "after the rounds");
	check_clock_held(&vm);
	check_running(&vm, "after the clock check");

	/* Registers written while parked are what the guest continues from. */
	if (vm_pause(&vm, PAUSE_QMP))
		FAIL("vm_pause");
	if (vm_pause_run_on(&vm, 0, set_counter, &zero))
		FAIL("vm_pause_run_on(set)");
	read_all(&vm, &c);
	if (c.v[0] != 0)
		FAIL("RAX written while parked reads back as %llu",
		     (unsigned long long)c.v[0]);

	/* Stop wins: a paused VM ends promptly. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vm_request_stop(&vm, 0);
	if (!vcpus_stop(&vm))
		FAIL("a parked vCPU did not stop");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;

	if (ms > 1000)
		FAIL("stopping a paused VM took %ld ms", ms);
	vcpus_destroy(&vm);
	vm_destroy(&vm);
	printf("pause_kvm: ok (stop of a paused VM in %ld ms)\n", ms);
	return 0;
}
