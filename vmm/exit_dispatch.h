/* SPDX-License-Identifier: MIT */
/*
 * KVM_EXIT_IO and KVM_EXIT_MMIO to the buses: the part of a vCPU exit that
 * carries guest-chosen ports, addresses, sizes and data.  Apart from
 * vmm/vcpu.c so that it runs without KVM (the exit dispatch fuzzer,
 * tests/fuzz/fuzz_ports.c).
 */
#ifndef MINIVMM_EXIT_DISPATCH_H
#define MINIVMM_EXIT_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/kvm.h>

#include "vmm/bus.h"

/*
 * Port I/O: run->io.count accesses of run->io.size bytes at
 * run->io.data_offset of the run page.  KVM fills these, but they are
 * checked anyway (sizes 1, 2, 4; the data after struct kvm_run and inside
 * the run_size bytes mapped; each field read once, so the data cannot
 * change them): false, and nothing dispatched, when they do not fit.
 */
bool exit_dispatch_io(const struct bus *pio, struct kvm_run *run,
		      size_t run_size);
/* MMIO: at most the 8 data bytes of the run struct. */
void exit_dispatch_mmio(const struct bus *mmio, struct kvm_run *run);

#endif
