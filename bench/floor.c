// SPDX-License-Identifier: MIT
/*
 * The floor: the least any VMM must do on this host to run a guest that
 * says one byte and powers off.  Open /dev/kvm, create a VM with an
 * in-kernel irqchip and PIT (what every real VMM creates), one small memory
 * slot, one vCPU set straight into 64-bit long mode, and run:
 *
 *	mov $'F', %al; mov $0x3f8, %dx; out %al, %dx	(COM1: first byte)
 *	mov $0x34, %al; mov $0x600, %dx; out %al, %dx	(ACPI sleep: S5)
 *	hlt
 *
 * The byte goes to stdout, the power-off ends the process with status 0.
 * scripts/bench.sh times exec -> first byte and exec -> exit of this
 * program next to minivmm and QEMU.  -v prints the phases to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_MEM_SIZE		0x10000	/* 64 KiB slot at guest address 0 */
#define FLOOR_GDT		0x0500
#define FLOOR_PML4		0x1000
#define FLOOR_PDPT		0x2000
#define FLOOR_PD		0x3000
#define FLOOR_CODE		0x4000
#define FLOOR_STACK_TOP		0x8000
#define FLOOR_TSS_ADDR		0xfffbd000	/* KVM_SET_TSS_ADDR (Intel needs it) */
#define FLOOR_PORT_COM1		0x3f8
#define FLOOR_PORT_SLEEP	0x600
#define PTE_P_W			0x3ULL
#define PTE_LARGE		0x80ULL

struct floor {
	int kvm, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
	bool verbose;
	struct timespec t0;
};

static const uint8_t floor_code[] = {
	0xb0, 'F',			/* mov $'F', %al */
	0x66, 0xba, 0xf8, 0x03,		/* mov $0x3f8, %dx */
	0xee,				/* out %al, (%dx) */
	0xb0, 0x34,			/* mov $0x34, %al (SLP_TYP 5, SLP_EN) */
	0x66, 0xba, 0x00, 0x06,		/* mov $0x600, %dx */
	0xee,				/* out %al, (%dx) */
	0xf4,				/* hlt */
	0xeb, 0xfd,			/* jmp hlt */
};

static void floor_phase(struct floor *f, const char *what)
{
	struct timespec t;

	if (!f->verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	fprintf(stderr, "floor: %8.3f ms  %s\n",
		(t.tv_sec - f->t0.tv_sec) * 1e3 + (t.tv_nsec - f->t0.tv_nsec) / 1e6,
		what);
}

static int floor_fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 1;
}

static void floor_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Identity map of the first 2 MiB (one large page) and a flat 64-bit GDT. */
static void floor_write_tables(uint8_t *mem)
{
	floor_put64(mem + FLOOR_PML4, FLOOR_PDPT | PTE_P_W);
	floor_put64(mem + FLOOR_PDPT, FLOOR_PD | PTE_P_W);
	floor_put64(mem + FLOOR_PD, PTE_P_W | PTE_LARGE);
	floor_put64(mem + FLOOR_GDT + 8, 0x00af9b000000ffffULL);	/* code64 */
	floor_put64(mem + FLOOR_GDT + 16, 0x00cf93000000ffffULL);	/* data */
	memcpy(mem + FLOOR_CODE, floor_code, sizeof(floor_code));
}

static int floor_create_vm(struct floor *f)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = FLOOR_MEM_SIZE,
	};

	f->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (f->kvm < 0)
		return floor_fail("/dev/kvm");
	f->vm = ioctl(f->kvm, KVM_CREATE_VM, 0);
	if (f->vm < 0)
		return floor_fail("KVM_CREATE_VM");
	floor_phase(f, "VM created");
	/* Intel VMX needs it for real mode; harmless elsewhere. */
	ioctl(f->vm, KVM_SET_TSS_ADDR, (unsigned long)FLOOR_TSS_ADDR);
	if (ioctl(f->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return floor_fail("KVM_CREATE_IRQCHIP");
	if (ioctl(f->vm, KVM_CREATE_PIT2, &pit) < 0)
		return floor_fail("KVM_CREATE_PIT2");
	f->mem = mmap(NULL, FLOOR_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->mem == MAP_FAILED)
		return floor_fail("mmap guest memory");
	floor_write_tables(f->mem);
	slot.userspace_addr = (uintptr_t)f->mem;
	if (ioctl(f->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return floor_fail("KVM_SET_USER_MEMORY_REGION");
	floor_phase(f, "irqchip, PIT, memory");
	return 0;
}

static void floor_segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
			  bool code64)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code64 ? 0 : 1, .s = 1,
		.l = code64 ? 1 : 0, .g = 1,
	};
}

static int floor_create_vcpu(struct floor *f)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = FLOOR_CODE, .rsp = FLOOR_STACK_TOP, .rflags = 0x2,
	};
	int size;

	f->vcpu = ioctl(f->vm, KVM_CREATE_VCPU, 0);
	if (f->vcpu < 0)
		return floor_fail("KVM_CREATE_VCPU");
	size = ioctl(f->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return floor_fail("KVM_GET_VCPU_MMAP_SIZE");
	f->run_size = (size_t)size;
	f->run = mmap(NULL, f->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->vcpu, 0);
	if (f->run == MAP_FAILED)
		return floor_fail("mmap kvm_run");
	if (ioctl(f->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return floor_fail("KVM_GET_SREGS");
	floor_segment(&sregs.cs, 0x08, 0xb, true);
	floor_segment(&sregs.ds, 0x10, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = FLOOR_GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cr3 = FLOOR_PML4;
	sregs.cr4 = 0x20;			/* PAE */
	sregs.cr0 = 0x80000011;			/* PG, ET, PE */
	sregs.efer = 0x500;			/* LME, LMA */
	if (ioctl(f->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return floor_fail("KVM_SET_SREGS");
	if (ioctl(f->vcpu, KVM_SET_REGS, &regs) < 0)
		return floor_fail("KVM_SET_REGS");
	floor_phase(f, "vCPU in long mode");
	return 0;
}

/* Returns the exit status: 0 on the power-off, 1 on anything else. */
static int floor_run(struct floor *f)
{
	for (;;) {
		struct kvm_run *r = f->run;
		uint8_t *data;

		if (ioctl(f->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return floor_fail("KVM_RUN");
		}
		if (r->exit_reason != KVM_EXIT_IO ||
		    r->io.direction != KVM_EXIT_IO_OUT || r->io.size != 1) {
			fprintf(stderr, "floor: unexpected exit %u\n", r->exit_reason);
			return 1;
		}
		data = (uint8_t *)r + r->io.data_offset;
		if (r->io.port == FLOOR_PORT_COM1) {
			if (write(STDOUT_FILENO, data, 1) != 1)
				return floor_fail("write stdout");
			floor_phase(f, "first serial byte");
		} else if (r->io.port == FLOOR_PORT_SLEEP) {
			floor_phase(f, "power-off");
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct floor f = { .kvm = -1, .vm = -1, .vcpu = -1 };

	clock_gettime(CLOCK_MONOTONIC, &f.t0);
	f.verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	if (argc > 1 && !f.verbose) {
		fprintf(stderr, "usage: %s [-v]\n", argv[0]);
		return 2;
	}
	if (floor_create_vm(&f) || floor_create_vcpu(&f))
		return 1;
	return floor_run(&f);
}
