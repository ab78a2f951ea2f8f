// SPDX-License-Identifier: MIT
/*
 * kvm-smoke: prove that /dev/kvm runs a guest.  Creates a VM with one page
 * of memory holding a few bytes of real-mode code that computes a value,
 * writes it to an I/O port and halts; checks both exits.  Used inside the
 * nested harness' L1 VM and on any host (prints one line, exit 0 on
 * success, 1 with the reason otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define SMOKE_MEM_SIZE	0x2000
#define SMOKE_CODE_ADDR	0x1000
#define SMOKE_PORT	0x10
#define SMOKE_VALUE	0x42

/* mov al, 0x40; add al, 2; out 0x10, al; hlt */
static const uint8_t smoke_code[] = {
	0xb0, 0x40, 0x04, 0x02, 0xe6, SMOKE_PORT, 0xf4,
};

struct smoke {
	int kvm, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

static int smoke_fail(const char *what)
{
	fprintf(stderr, "kvm-smoke: %s: %s\n", what, strerror(errno));
	return -1;
}

static int smoke_create(struct smoke *s, const char *dev)
{
	struct kvm_userspace_memory_region region;
	int mmap_size;

	s->kvm = open(dev, O_RDWR | O_CLOEXEC);
	if (s->kvm < 0)
		return smoke_fail(dev);
	if (ioctl(s->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "kvm-smoke: unexpected KVM API version\n");
		return -1;
	}
	s->vm = ioctl(s->kvm, KVM_CREATE_VM, 0);
	if (s->vm < 0)
		return smoke_fail("KVM_CREATE_VM");
	s->mem = mmap(NULL, SMOKE_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->mem == MAP_FAILED)
		return smoke_fail("mmap guest memory");
	memcpy(s->mem + SMOKE_CODE_ADDR, smoke_code, sizeof(smoke_code));
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = SMOKE_MEM_SIZE,
		.userspace_addr = (uintptr_t)s->mem,
	};
	if (ioctl(s->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return smoke_fail("KVM_SET_USER_MEMORY_REGION");
	s->vcpu = ioctl(s->vm, KVM_CREATE_VCPU, 0);
	if (s->vcpu < 0)
		return smoke_fail("KVM_CREATE_VCPU");
	mmap_size = ioctl(s->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		return smoke_fail("KVM_GET_VCPU_MMAP_SIZE");
	s->run_size = (size_t)mmap_size;
	s->run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      s->vcpu, 0);
	if (s->run == MAP_FAILED)
		return smoke_fail("mmap kvm_run");
	return 0;
}

/* Real mode, CS:IP = 0:SMOKE_CODE_ADDR. */
static int smoke_set_regs(struct smoke *s)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(s->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return smoke_fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(s->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return smoke_fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = SMOKE_CODE_ADDR;
	regs.rflags = 0x2;
	if (ioctl(s->vcpu, KVM_SET_REGS, &regs) < 0)
		return smoke_fail("KVM_SET_REGS");
	return 0;
}

/* Run until the next exit that is not a signal interruption. */
static int smoke_run(struct smoke *s)
{
	int ret;

	do {
		ret = ioctl(s->vcpu, KVM_RUN, 0);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0)
		return smoke_fail("KVM_RUN");
	return (int)s->run->exit_reason;
}

static int smoke_check_io(struct smoke *s)
{
	struct kvm_run *run = s->run;
	uint8_t value;
	int reason = smoke_run(s);

	if (reason < 0)
		return -1;
	if (reason != KVM_EXIT_IO) {
		fprintf(stderr, "kvm-smoke: first exit is %d, expected I/O (%d)\n",
			reason, KVM_EXIT_IO);
		return -1;
	}
	if (run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != SMOKE_PORT || run->io.size != 1 ||
	    run->io.count != 1 || run->io.data_offset >= s->run_size) {
		fprintf(stderr, "kvm-smoke: unexpected I/O exit (port 0x%x)\n",
			run->io.port);
		return -1;
	}
	value = *((uint8_t *)run + run->io.data_offset);
	if (value != SMOKE_VALUE) {
		fprintf(stderr, "kvm-smoke: guest wrote 0x%02x, expected 0x%02x\n",
			value, SMOKE_VALUE);
		return -1;
	}
	return 0;
}

static int smoke_check_hlt(struct smoke *s)
{
	int reason = smoke_run(s);

	if (reason < 0)
		return -1;
	if (reason != KVM_EXIT_HLT) {
		fprintf(stderr, "kvm-smoke: second exit is %d, expected HLT (%d)\n",
			reason, KVM_EXIT_HLT);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/kvm";
	struct smoke s;

	memset(&s, 0, sizeof(s));
	if (smoke_create(&s, dev) < 0 || smoke_set_regs(&s) < 0 ||
	    smoke_check_io(&s) < 0 || smoke_check_hlt(&s) < 0)
		return 1;
	printf("kvm-smoke: ok: guest wrote 0x%02x to port 0x%x and halted\n",
	       SMOKE_VALUE, SMOKE_PORT);
	return 0;
}
