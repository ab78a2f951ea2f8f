// SPDX-License-Identifier: MIT
#include "vmm/trace.h"

#include <stdio.h>
#include <sys/resource.h>

#include "vmm/vm.h"

static bool trace_enabled(const struct vm *vm)
{
	return vm->cfg && vm->cfg->trace_boot;
}

void trace_mark(struct vm *vm, const char *phase)
{
	if (!trace_enabled(vm))
		return;
	fprintf(stderr, "minivmm: trace %10.3f ms  %s\n",
		vm_elapsed_ns(vm) / 1e6, phase);
}

/*
 * Markers are the guest's to write: one line each for the first
 * TRACE_GUEST_MARKERS_SHOWN (our firmware and test guests write a handful),
 * then silence and a count at exit, so a guest cannot fill the disk that
 * holds stderr.
 */
void trace_guest_marker(struct vm *vm, uint8_t marker)
{
	unsigned int n;

	if (!trace_enabled(vm))
		return;
	n = atomic_fetch_add(&vm->trace_guest_markers, 1) + 1;
	if (n > TRACE_GUEST_MARKERS_SHOWN)
		return;
	fprintf(stderr, "minivmm: trace %10.3f ms  guest marker %u%s\n",
		vm_elapsed_ns(vm) / 1e6, marker,
		n == TRACE_GUEST_MARKERS_SHOWN ?
		" (further guest markers not shown)" : "");
}

void trace_summary(struct vm *vm)
{
	unsigned int markers = atomic_load(&vm->trace_guest_markers);
	struct rusage ru;

	if (!trace_enabled(vm))
		return;
	if (markers > TRACE_GUEST_MARKERS_SHOWN)
		fprintf(stderr, "minivmm: trace: %u guest markers not shown\n",
			markers - TRACE_GUEST_MARKERS_SHOWN);
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	fprintf(stderr, "minivmm: trace %10.3f ms  exit; VMM CPU time user %.3f ms, system %.3f ms\n",
		vm_elapsed_ns(vm) / 1e6,
		ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
		ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3);
	/* KVM faults guest pages in on the vCPU threads: they count here. */
	fprintf(stderr, "minivmm: trace: page faults %ld minor, %ld major\n",
		ru.ru_minflt, ru.ru_majflt);
}
