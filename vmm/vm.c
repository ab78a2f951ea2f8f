// SPDX-License-Identifier: MIT
/*
 * The VM object: /dev/kvm, guest RAM, the in-kernel irqchip and PIT, and
 * the plumbing devices use (buses, interrupt lines and edges, ioeventfd).
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "boot/layout.h"
#include "vmm/exit_code.h"
#include "vmm/log.h"
#include "vmm/ram.h"

/* Capabilities minivmm cannot run without. */
static const struct {
	int cap;
	const char *name;
} vm_required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vm_elapsed_ns(const struct vm *vm)
{
	return vm_now_ns() - vm->start_ns;
}

static int vm_open_kvm(struct vm *vm, char *err, size_t errlen)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, errlen, "/dev/kvm does not exist: KVM is not available on this host (load kvm_intel or kvm_amd)");
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "/dev/kvm: permission denied (run as root or join the kvm group)");
		else
			snprintf(err, errlen, "/dev/kvm: %s", strerror(e));
		return -e;
	}
	int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);

	if (version != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: KVM API version %d, minivmm needs %d",
			 version, KVM_API_VERSION);
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(vm_required_caps) / sizeof(vm_required_caps[0]); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, vm_required_caps[i].cap) <= 0) {
			snprintf(err, errlen, "/dev/kvm lacks %s, which minivmm needs",
				 vm_required_caps[i].name);
			return -ENOTSUP;
		}
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "/dev/kvm: bad vCPU mmap size");
		return -ENOTSUP;
	}
	return 0;
}

unsigned int vm_max_vcpus(const struct vm *vm)
{
	int n = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (n <= 0)
		n = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	return n > 0 ? (unsigned int)n : 4;
}

/*
 * Register every RAM region as a KVM memory slot, here and now: the
 * first slot's SRCU grace period (0.4 ms in the one-vCPU L1) is less than
 * a helper thread to overlap it costs (docs/architecture.md).
 */
static int vm_register_memory(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = vm->mem.region[i].gpa,
			.memory_size = vm->mem.region[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)vm->mem.region[i].host,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
			int e = errno;	/* before snprintf may change it */

			snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s",
				 strerror(e));
			return -e;
		}
	}
	return 0;
}

/*
 * RAM is one mapping (vmm/ram.c); above 3 GiB it is split around the MMIO
 * hole into a second KVM memory slot starting at 4 GiB.
 */
static int vm_setup_memory(struct vm *vm, uint64_t bytes, char *err, size_t errlen)
{
	uint8_t *host = vm->ram_from_file ?
		ram_map_file(vm->ram_fd, vm->ram_offset, bytes, err, errlen) :
		ram_map(vm->cfg, bytes, err, errlen);

	if (!host)
		return -ENOMEM;
	vm->mem_host = host;
	vm->mem_host_size = bytes;
	/*
	 * For a save (vmm/snapshot.c), opened now: after a -user drop the
	 * process may no longer open its own /proc files.  Only a VM with a
	 * QMP socket can be saved, and a procfs open is a few hundred
	 * microseconds of every start.  Not for hugetlbfs: see struct
	 * ram_scan.
	 */
	if (!vm->cfg->mem_path && vm->cfg->qmp_path)
		vm->pagemap_fd = ram_pagemap_open();
	vm->mem.ram_size = bytes;

	uint64_t low = bytes < LAYOUT_MMIO_HOLE_START ? bytes : LAYOUT_MMIO_HOLE_START;

	vm->mem.region[0] = (struct guest_mem_region){ 0, low, host };
	vm->mem.nr_regions = 1;
	if (bytes > low) {
		vm->mem.region[1] = (struct guest_mem_region){
			LAYOUT_MMIO_HOLE_END, bytes - low, host + low };
		vm->mem.nr_regions = 2;
	}
	return vm_register_memory(vm, err, errlen);
}

void vm_ram_no_huge_pages(struct vm *vm, uint64_t gpa, uint64_t len)
{
	/* hugetlbfs pages are huge by nature; a restored RAM is a file. */
	if (vm->cfg->mem_path || vm->ram_from_file || !vm->mem.nr_regions)
		return;
	if (gpa >= vm->mem.region[0].size || len > vm->mem.region[0].size - gpa)
		return;
	ram_refuse_huge_pages(vm->mem_host, vm->mem.region[0].size, gpa, len);
}

/*
 * Interrupt routing as on a PC with an IOAPIC, with one difference from
 * KVM's default: only the legacy ISA lines 0-4 (timer, keyboard, COM1/2)
 * also reach the 8259 PIC.  Nobody programs the PIC on this hardware-
 * reduced machine, and LINT0 takes its ExtINT at reset, so a virtio
 * interrupt that also reached the PIC would arrive as exception vector
 * 5 + n in a guest that has not set up its LAPIC yet (seen when Linux
 * starts after the netboot firmware used the NIC).  ISA IRQ 0 goes to
 * IOAPIC pin 2, as the MADT's interrupt source override says.
 */
#define VM_IOAPIC_PINS 24

static int vm_setup_gsi_routing(struct vm *vm)
{
	/* struct kvm_irq_routing ends in a flexible array: lay it out by hand. */
	union {
		struct kvm_irq_routing hdr;
		uint8_t bytes[sizeof(struct kvm_irq_routing) +
			      (VM_IOAPIC_PINS + 4) * sizeof(struct kvm_irq_routing_entry)];
	} r;
	struct kvm_irq_routing_entry *e = r.hdr.entries;
	unsigned int n = 0;

	memset(&r, 0, sizeof(r));
	for (uint32_t gsi = 0; gsi <= 4; gsi++) {
		if (gsi == 2)
			continue; /* the cascade */
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
		e[n].u.irqchip.pin = gsi;
		n++;
	}
	for (uint32_t gsi = 0; gsi < VM_IOAPIC_PINS; gsi++) {
		if (gsi == 2)
			continue; /* pin 2 is ISA IRQ 0's */
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
		n++;
	}
	r.hdr.nr = n;
	return ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, &r) < 0 ? -errno : 0;
}

static int vm_setup_irqchip(struct vm *vm, char *err, size_t errlen)
{
	uint64_t identity = LAYOUT_IDENTITY_MAP_ADDR;
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_TSS_ADDR) < 0) {
		snprintf(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -errno;
	}
	/* Only VMX needs (and only some KVMs accept) the identity map page. */
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity);
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -errno;
	}
	if (vm_setup_gsi_routing(vm) < 0) {
		snprintf(err, errlen, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int vm_create(struct vm *vm, const struct config *cfg, char *err, size_t errlen)
{
	int ret;

	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = vm->pagemap_fd = -1;
	atomic_store(&vm->exit_code, -1);
	ret = vm_open_kvm(vm, err, errlen);
	if (ret)
		return ret;
	if (cfg->vcpus > vm_max_vcpus(vm)) {
		snprintf(err, errlen, "-smp %u: this host's KVM supports at most %u vCPUs",
			 cfg->vcpus, vm_max_vcpus(vm));
		return -EINVAL;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return -errno;
	}
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	ret = vm_setup_irqchip(vm, err, errlen);
	if (ret)
		return ret;
	return vm_setup_memory(vm, cfg->mem_bytes, err, errlen);
}

void vm_destroy(struct vm *vm)
{
	/*
	 * The VM first (its last reference: the vCPU files are closed), then
	 * guest RAM: unmapped under a live VM, every page would first be
	 * zapped from its page tables through the MMU notifier, work the
	 * VM's destruction does anyway.
	 */
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem_host)
		munmap(vm->mem_host, vm->mem_host_size);
	vm->mem_host = NULL;
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->pagemap_fd >= 0)
		close(vm->pagemap_fd);
	vm->vm_fd = vm->kvm_fd = vm->stop_fd = vm->pagemap_fd = -1;
	/* Last: every thread that could request a stop has ended. */
	pause_destroy(&vm->pause);
}

int vm_register_pio(struct vm *vm, const struct bus_device *dev)
{
	return bus_register(&vm->pio_bus, dev);
}

int vm_register_mmio(struct vm *vm, const struct bus_device *dev)
{
	return bus_register(&vm->mmio_bus, dev);
}

int vm_set_irq_line(struct vm *vm, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level ? 1 : 0 };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

int vm_add_mmio_ioeventfd(struct vm *vm, uint64_t addr, uint32_t datamatch)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	struct kvm_ioeventfd io = {
		.datamatch = datamatch,
		.addr = addr,
		.len = 4,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int vm_remove_mmio_ioeventfd(struct vm *vm, int fd, uint64_t addr,
			     uint32_t datamatch)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch,
		.addr = addr,
		.len = 4,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH | KVM_IOEVENTFD_FLAG_DEASSIGN,
	};
	int ret;

	/*
	 * Each deassign waits for an SRCU grace period in KVM (the I/O bus
	 * is replaced); a VM on its way out drops all its ioeventfds at once
	 * when its file is released, holding its own eventfd references.
	 */
	if (vm->destroying) {
		close(fd);
		return 0;
	}
	ret = ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;

	close(fd);
	return ret;
}

/*
 * Why not an irqfd: KVM injects an irqfd on an IOAPIC pin from a kworker
 * (only MSIs are injected in the writer's context), so the two
 * KVM_IRQ_LINE calls here do what that worker would do, without the
 * wake-up of a second thread.  And an irqfd costs at the VM's end: KVM
 * shuts each one down behind an SRCU grace period, milliseconds that
 * every short run paid on its way out (docs/benchmarks.md, exec -> exit).
 */
int vm_pulse_irq(struct vm *vm, uint32_t gsi)
{
	int ret = vm_set_irq_line(vm, gsi, 1);

	return ret ? ret : vm_set_irq_line(vm, gsi, 0);
}

void vm_request_stop(struct vm *vm, int exit_code)
{
	int expected = -1;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->exit_code, &expected, exit_code) &&
	    vm->stop_fd >= 0)
		if (write(vm->stop_fd, &one, sizeof(one)) < 0)
			log_warn("cannot wake the main thread: %s", strerror(errno));
	/* A stop wins over any pause: parked vCPUs wake and leave. */
	pause_stop(&vm->pause);
}

void vm_report_event(struct vm *vm, enum guest_event ev)
{
	if (vm->event_hook)
		vm->event_hook(vm->event_ctx, ev);
	vm_request_stop(vm, exit_code_for_event(ev));
}

bool vm_stopping(const struct vm *vm)
{
	return atomic_load(&((struct vm *)vm)->exit_code) != -1;
}
