// SPDX-License-Identifier: MIT
#include "vmm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "boot/layout.h"
#include "vmm/exit_code.h"
#include "boot/long_mode.h"
#include "vmm/emergency.h"
#include "vmm/exit_dispatch.h"
#include "vmm/kvm_stats.h"
#include "vmm/log.h"
#include "vmm/seccomp.h"
#include "vmm/trace.h"
#include "vmm/vm.h"

#define VCPU_KICK_SIGNAL SIGUSR1

#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

#define MISC_ENABLE_FAST_STRING	1ULL
#define MTRR_ENABLE_WB_DEFAULT	((1ULL << 11) | 6)

#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

#define X86_CR0_PE		0x1ULL
#define X86_CR0_ET		0x10ULL
#define X86_CR0_PG		0x80000000ULL
#define X86_CR4_PAE		0x20ULL
#define EFER_LME		0x100ULL
#define EFER_LMA		0x400ULL

struct kvm_cpuid2 *vcpu_supported_cpuid(const struct vm *vm, int *ret)
{
	int nent = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

		if (!c) {
			*ret = -ENOMEM;
			return NULL;
		}
		c->nent = nent;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*ret = 0;
			return c;
		}
		*ret = -errno;
		free(c);
		if (*ret != -E2BIG || nent >= 4096)
			return NULL;
		nent *= 2;
	}
}

static int vcpu_set_cpuid(struct vcpu *vcpu, const struct cpu_topology *topo)
{
	int ret;
	struct kvm_cpuid2 *c = vcpu_supported_cpuid(vcpu->vm, &ret);

	if (!c)
		return ret;
	cpuid_fixup(c->entries, c->nent, topo, vcpu->index);
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	return ret;
}

static int vcpu_set_msrs(struct vcpu *vcpu)
{
	static const struct {
		uint32_t index;
		uint64_t value;
	} boot_msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 }, { MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 }, { MSR_STAR, 0 }, { MSR_LSTAR, 0 },
		{ MSR_CSTAR, 0 }, { MSR_SYSCALL_MASK, 0 }, { MSR_KERNEL_GS_BASE, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WB_DEFAULT },
	};
	const unsigned int n = sizeof(boot_msrs) / sizeof(boot_msrs[0]);
	/* struct kvm_msrs ends in a flexible array: lay it out by hand. */
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) +
			      sizeof(boot_msrs) / sizeof(boot_msrs[0]) *
			      sizeof(struct kvm_msr_entry)];
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = n;
	for (unsigned int i = 0; i < n; i++) {
		m.hdr.entries[i].index = boot_msrs[i].index;
		m.hdr.entries[i].data = boot_msrs[i].value;
	}
	int set = ioctl(vcpu->fd, KVM_SET_MSRS, &m);

	if (set < 0)
		return -errno;
	/* KVM stops at the first MSR it does not know; that one is optional. */
	if ((unsigned int)set < n)
		log_warn("vCPU %u: KVM accepted %d of %u boot MSRs (MSR 0x%x refused)",
			 vcpu->index, set, n, boot_msrs[set].index);
	return 0;
}

static int vcpu_set_fpu(struct vcpu *vcpu)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;	/* x87 reset value: all exceptions masked */
	fpu.mxcsr = 0x1f80;	/* SSE reset value */
	return ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0 ? -errno : 0;
}

static void lapic_set_lvt_mode(struct kvm_lapic_state *l, unsigned int reg,
			       uint32_t mode)
{
	uint32_t v;

	memcpy(&v, &l->regs[reg], 4);
	v = (v & ~0x700u & ~(1u << 16)) | (mode << 8);
	memcpy(&l->regs[reg], &v, 4);
}

/* LINT0 takes the PIC's ExtINT, LINT1 the NMI, as on a PC. */
static int vcpu_set_lapic(struct vcpu *vcpu)
{
	struct kvm_lapic_state l;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	lapic_set_lvt_mode(&l, APIC_LVT0, APIC_MODE_EXTINT);
	lapic_set_lvt_mode(&l, APIC_LVT1, APIC_MODE_NMI);
	return ioctl(vcpu->fd, KVM_SET_LAPIC, &l) < 0 ? -errno : 0;
}

static int vcpu_create_one(struct vm *vm, struct vcpu *vcpu, unsigned int index,
			   const struct cpu_topology *topo, char *err, size_t errlen)
{
	const char *step;
	int ret;

	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->apic_id = cpuid_apic_id(topo, index);
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->apic_id);
	if (vcpu->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU %u: %s", index, strerror(errno));
		return -errno;
	}
	vcpu->run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		snprintf(err, errlen, "mmap of vCPU %u: %s", index, strerror(errno));
		return -errno;
	}
	step = "CPUID";
	ret = vcpu_set_cpuid(vcpu, topo);
	if (!ret) {
		step = "MSRs";
		ret = vcpu_set_msrs(vcpu);
	}
	if (!ret) {
		step = "FPU";
		ret = vcpu_set_fpu(vcpu);
	}
	if (!ret) {
		step = "LAPIC";
		ret = vcpu_set_lapic(vcpu);
	}
	if (ret)
		snprintf(err, errlen, "vCPU %u: cannot set up %s: %s", index, step,
			 strerror(-ret));
	return ret;
}

/*
 * Exits KVM handled in the kernel (ioeventfd writes, HLT, interrupt
 * windows...) never reach our loop: KVM's own counter has them.  Opened
 * now, before the seccomp filters; absent on kernels before 5.14.
 */
static void vcpu_open_kvm_stats(struct vcpu *vcpu)
{
	vcpu->kvm_stats_fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, NULL);
	if (vcpu->kvm_stats_fd < 0)
		return;
	vcpu->kvm_exits_off = kvm_stats_find(vcpu->kvm_stats_fd, "exits");
	if (vcpu->kvm_exits_off < 0) {
		close(vcpu->kvm_stats_fd);
		vcpu->kvm_stats_fd = -1;
	}
}

static void vcpu_kick(void *ctx, unsigned int index);

int vcpus_create(struct vm *vm, const struct cpu_topology *topo, char *err,
		 size_t errlen)
{
	vm->vcpus = calloc(vm->cfg->vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < vm->cfg->vcpus; i++)
		vm->vcpus[i].fd = vm->vcpus[i].kvm_stats_fd = -1;
	vm->nr_vcpus = vm->cfg->vcpus;
	if (pause_init(&vm->pause, vm->nr_vcpus, vcpu_kick, vm)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		int ret = vcpu_create_one(vm, &vm->vcpus[i], i, topo, err, errlen);

		if (ret)
			return ret;
		if (vm->cfg->stats)
			vcpu_open_kvm_stats(&vm->vcpus[i]);
	}
	return 0;
}

static void segment_flat(struct kvm_segment *s, uint16_t sel, uint8_t type,
			 bool code64)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code64 ? 0 : 1, .s = 1,
		.l = code64 ? 1 : 0, .g = 1,
	};
}

/* How the boot protocol wants the boot vCPU: code segment and control registers. */
struct boot_cpu_mode {
	uint16_t code_sel;	/* in the boot GDT */
	bool code64;
	uint64_t cr0, cr3, cr4, efer;
};

/* The 64-bit boot protocol: long mode on the boot page tables. */
static const struct boot_cpu_mode boot_long_mode = {
	.code_sel = BOOT_GDT_CODE64_SEL, .code64 = true,
	.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG, .cr3 = LAYOUT_PML4_ADDR,
	.cr4 = X86_CR4_PAE, .efer = EFER_LME | EFER_LMA,
};

/* PVH: 32-bit protected mode, paging off. */
static const struct boot_cpu_mode boot_pvh_mode = {
	.code_sel = BOOT_GDT_CODE32_SEL, .cr0 = X86_CR0_PE | X86_CR0_ET,
};

/* The boot vCPU's segments from the boot GDT (flat), mode's control
 * registers, then regs. */
static int vcpu_set_boot_state(struct vcpu *vcpu, const struct boot_cpu_mode *mode,
			       const struct kvm_regs *regs, char *err, size_t errlen)
{
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	segment_flat(&sregs.cs, mode->code_sel, 0xb, mode->code64);
	segment_flat(&sregs.ds, BOOT_GDT_DATA_SEL, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	/* pvh.pandoc: TR a 32-bit TSS (busy), base 0, limit 0x67. */
	sregs.tr = (struct kvm_segment){ .selector = BOOT_GDT_TSS_SEL, .limit = 0x67,
					 .type = 0xb, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .limit = 0xffff };
	sregs.gdt.base = LAYOUT_GDT_ADDR;
	sregs.gdt.limit = BOOT_GDT_ENTRIES * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = mode->cr0;
	sregs.cr3 = mode->cr3;
	sregs.cr4 = mode->cr4;
	sregs.efer = mode->efer;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set the boot vCPU's registers: %s", strerror(errno));
	return -errno;
}

int vcpu_setup_long_mode(struct vcpu *vcpu, uint64_t rip, uint64_t rsi,
			 uint64_t rsp, char *err, size_t errlen)
{
	const struct kvm_regs regs = {
		.rflags = 0x2, .rip = rip, .rsi = rsi, .rsp = rsp, .rbp = rsp,
	};

	return vcpu_set_boot_state(vcpu, &boot_long_mode, &regs, err, errlen);
}

int vcpu_setup_pvh(struct vcpu *vcpu, uint32_t eip, uint32_t ebx, char *err,
		   size_t errlen)
{
	const struct kvm_regs regs = { .rflags = 0x2, .rip = eip, .rbx = ebx };

	return vcpu_set_boot_state(vcpu, &boot_pvh_mode, &regs, err, errlen);
}

/* ---- the exit loop ---- */

static void vcpu_dump_state(struct vcpu *vcpu, const char *why)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	fprintf(stderr, "minivmm: vCPU %u: %s\n", vcpu->index, why);
	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(stderr, "  (registers unavailable: %s)\n", strerror(errno));
		return;
	}
	fprintf(stderr,
		"  RIP=%016llx RSP=%016llx RFLAGS=%08llx\n"
		"  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
		"  RSI=%016llx RDI=%016llx RBP=%016llx\n"
		"  R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
		"  R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n"
		"  CS=%04x(base %llx) SS=%04x CR0=%llx CR2=%llx CR3=%llx CR4=%llx EFER=%llx\n"
		"  GDT=%llx/%x IDT=%llx/%x\n",
		r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
		r.rbp, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
		s.cs.selector, s.cs.base, s.ss.selector, s.cr0, s.cr2, s.cr3,
		s.cr4, s.efer, s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);

	struct kvm_translation t = { .linear_address = r.rip };
	const uint8_t *code = NULL;

	if (ioctl(vcpu->fd, KVM_TRANSLATE, &t) == 0 && t.valid)
		code = guest_mem_ptr(&vcpu->vm->mem, t.physical_address, 16);
	if (code) {
		fprintf(stderr, "  code at RIP:");
		for (int i = 0; i < 16; i++)
			fprintf(stderr, " %02x", code[i]);
		fputc('\n', stderr);
	}
}

static void vcpu_handle_io(struct vcpu *vcpu)
{
	exit_dispatch_io(&vcpu->vm->pio_bus, vcpu->run,
			 (size_t)vcpu->vm->vcpu_mmap_size);
}

static void vcpu_handle_mmio(struct vcpu *vcpu)
{
	exit_dispatch_mmio(&vcpu->vm->mmio_bus, vcpu->run);
}

static void vcpu_handle_internal_error(struct vcpu *vcpu)
{
	char why[128];

	snprintf(why, sizeof(why), "KVM internal error, suberror %u%s",
		 vcpu->run->internal.suberror,
		 vcpu->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			" (instruction emulation failed)" : "");
	vcpu_dump_state(vcpu, why);
	vm_report_event(vcpu->vm, GUEST_EVENT_CRASH);
}

static void vcpu_handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_report_event(vcpu->vm, GUEST_EVENT_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_report_event(vcpu->vm, GUEST_EVENT_RESET);
		break;
	default:
		vcpu_dump_state(vcpu, "guest crash reported by KVM");
		vm_report_event(vcpu->vm, GUEST_EVENT_CRASH);
		break;
	}
}

/* Returns false when the vCPU must stop running. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char why[96];

	vcpu->st.exits++;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu->st.io++;
		vcpu_handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		vcpu->st.mmio++;
		vcpu_handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		vcpu->st.intr++;
		return true;
	case KVM_EXIT_DEBUG:
		/* A breakpoint or step of the debugger: it parks us. */
		if (vcpu->vm->debug_exit &&
		    vcpu->vm->debug_exit(vcpu->vm->debug_ctx, vcpu))
			return true;
		vcpu_dump_state(vcpu, "debug exit without a debugger");
		vm_request_stop(vcpu->vm, EXIT_GUEST_CRASH);
		return false;
	case KVM_EXIT_HLT:
		/* Halted with interrupts off: nothing will ever wake it. */
		return false;
	case KVM_EXIT_SHUTDOWN:
		vcpu_dump_state(vcpu, "triple fault (shutdown)");
		vm_report_event(vcpu->vm, GUEST_EVENT_CRASH);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_handle_system_event(vcpu);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_handle_internal_error(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, sizeof(why), "VM entry failed, hardware reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_dump_state(vcpu, why);
		vm_report_event(vcpu->vm, GUEST_EVENT_CRASH);
		return false;
	default:
		snprintf(why, sizeof(why), "unexpected KVM exit reason %u", run->exit_reason);
		vcpu_dump_state(vcpu, why);
		vm_report_event(vcpu->vm, GUEST_EVENT_CRASH);
		return false;
	}
}

static void vcpu_print_kvm_stat(void *ctx, const char *name, uint64_t value)
{
	fprintf(ctx, " %s=%llu", name, (unsigned long long)value);
}

void vcpus_print_stats(const struct vm *vm, FILE *f)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = &vm->vcpus[i];
		const struct vcpu_stats *s = &v->st;
		uint64_t kvm_exits;
		char kvm[40] = "";

		if (v->kvm_stats_fd >= 0 &&
		    !kvm_stats_read(v->kvm_stats_fd, v->kvm_exits_off, &kvm_exits))
			snprintf(kvm, sizeof(kvm), " kvm_exits=%llu",
				 (unsigned long long)kvm_exits);
		fprintf(f, "vcpu%u: exits=%llu io=%llu mmio=%llu intr=%llu other=%llu%s\n",
			i, (unsigned long long)s->exits,
			(unsigned long long)s->io, (unsigned long long)s->mmio,
			(unsigned long long)s->intr,
			(unsigned long long)(s->exits - s->io - s->mmio - s->intr),
			kvm);
		/* every non-zero KVM counter: which exits a stalled vCPU took */
		if (v->kvm_stats_fd >= 0) {
			fprintf(f, "vcpu%u: kvm", i);
			kvm_stats_foreach_nonzero(v->kvm_stats_fd,
						  vcpu_print_kvm_stat, f);
			fputc('\n', f);
		}
	}
}

static void vcpu_run_loop(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	if (vcpu->index == 0)
		trace_mark(vm, "first KVM_RUN");
	for (;;) {
		/* Cleared before the checks: a pause or stop raised after them
		 * sets it again (after its flag), so KVM_RUN returns at once. */
		__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (vm_stopping(vm) || !pause_checkpoint(&vm->pause, vcpu->index))
			break;
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			char why[96];

			snprintf(why, sizeof(why), "KVM_RUN failed: %s", strerror(errno));
			vcpu_dump_state(vcpu, why);
			vm_report_event(vm, GUEST_EVENT_CRASH);
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
}

/*
 * Test aid (MINIVMM_SELFTEST_STUCK_VCPU=1): vCPU 0 neither runs nor
 * stops, so the suite can check the exit path of a vCPU that does not
 * stop (vmm/emergency.h) now that no device can hold one.
 */
static void vcpu_selftest_stuck(struct vcpu *vcpu)
{
	const char *v = getenv("MINIVMM_SELFTEST_STUCK_VCPU");
	struct timespec t = { 1, 0 };
	sigset_t all;

	if (vcpu->index != 0 || !v || strcmp(v, "1"))
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;)
		nanosleep(&t, NULL);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;

	char name[16];

	/* Named by itself: one prctl, where naming it from another thread
	 * writes /proc/self/task/TID/comm (three system calls). */
	snprintf(name, sizeof(name), "vcpu%u", vcpu->index);
	pthread_setname_np(pthread_self(), name);
	vcpu->self = pthread_self();
	atomic_store(&vcpu->tid, (int)gettid());
	atomic_store(&vcpu->kickable, true);
	if (!vm->cfg->no_seccomp && seccomp_supported(NULL, 0)) {
		char err[ERR_LINE_MAX];

		int ret = vm->seccomp.tgid > 0 ?
			seccomp_install_opts(SECCOMP_THREAD_VCPU, &vm->seccomp,
					     err, sizeof(err)) :
			seccomp_install(SECCOMP_THREAD_VCPU, err, sizeof(err));

		if (ret) {
			log_error("%s", err);
			vm_request_stop(vm, EXIT_VMM_ERROR);
			pause_slot_exit(&vm->pause, vcpu->index);
			return NULL;
		}
		seccomp_selftest_in(SECCOMP_THREAD_VCPU);
	}
	vcpu_selftest_stuck(vcpu);
	vcpu_run_loop(vcpu);
	/* No kick reaches this thread after this (the slot is GONE). */
	pause_slot_exit(&vm->pause, vcpu->index);
	return NULL;
}

/* The pause primitive's kick: out of KVM_RUN, or no entry into it. */
static void vcpu_kick(void *ctx, unsigned int index)
{
	struct vm *vm = ctx;
	struct vcpu *vcpu = &vm->vcpus[index];

	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (atomic_load(&vcpu->kickable))
		pthread_kill(vcpu->self, VCPU_KICK_SIGNAL);
}

static void vcpu_kick_handler(int sig)
{
	(void)sig;
}

int vcpus_start(struct vm *vm, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		pthread_attr_t attr;
		int e = pthread_attr_init(&attr);

		/* Counted before it runs, so a pause (-S) waits for it to park. */
		pause_slot_start(&vm->pause, i);
		/* Pinned from its first instruction: no migration after start. */
		if (!e && vcpu->affinity)
			e = pthread_attr_setaffinity_np(&attr, sizeof(cpu_set_t),
							vcpu->affinity);
		if (!e)
			e = pthread_create(&vcpu->thread, &attr, vcpu_thread, vcpu);
		pthread_attr_destroy(&attr);
		if (e) {
			pause_slot_exit(&vm->pause, i);
			snprintf(err, errlen, "cannot start vCPU thread: %s", strerror(e));
			return -e;
		}
		vcpu->started = true;
	}
	return 0;
}

/* A vCPU that has not left KVM_RUN after this long is stuck for good. */
#define VCPU_STOP_TIMEOUT_MS 5000
/* How long one join waits before the kick is repeated. */
#define VCPU_REKICK_MS 1

/*
 * Join one kicked vCPU thread.  The join sleeps on the thread's exit (the
 * kernel wakes it when the thread is gone), so a stopping VM costs no
 * polling interval; every VCPU_REKICK_MS without an exit the kick is sent
 * again (a vCPU blocked in an in-kernel HLT may have missed it).
 */
static bool vcpu_join(struct vcpu *vcpu)
{
	struct timespec deadline;

	for (unsigned int waited = 0; waited < VCPU_STOP_TIMEOUT_MS;
	     waited += VCPU_REKICK_MS) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += VCPU_REKICK_MS * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		if (pthread_clockjoin_np(vcpu->thread, NULL, CLOCK_MONOTONIC,
					 &deadline) != ETIMEDOUT)
			return true;
		/* A vCPU trapped by seccomp waits for us to exit. */
		if (emergency_requested())
			emergency_exit(EXIT_VMM_ERROR);
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
	}
	return false;
}

bool vcpus_stop(struct vm *vm)
{
	bool all = true;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (!vcpu->started)
			continue;
		/* immediate_exit closes the race with a kick just before KVM_RUN. */
		vcpu->run->immediate_exit = 1;
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (!vcpu->started)
			continue;
		if (vcpu_join(vcpu)) {
			vcpu->started = false;
		} else {
			log_error("vCPU %u does not stop", i);
			all = false;
		}
	}
	return all;
}

void vcpus_destroy(struct vm *vm)
{
	if (!vcpus_stop(vm))
		return; /* the caller exits without tearing down under it */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->vcpu_mmap_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
		if (vm->vcpus[i].kvm_stats_fd >= 0)
			close(vm->vcpus[i].kvm_stats_fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}
