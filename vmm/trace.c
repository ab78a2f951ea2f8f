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

void trace_guest_marker(struct vm *vm, uint8_t marker)
{
	if (!trace_enabled(vm))
		return;
	fprintf(stderr, "minivmm: trace %10.3f ms  guest marker %u\n",
		vm_elapsed_ns(vm) / 1e6, marker);
}

void trace_summary(struct vm *vm)
{
	struct rusage ru;

	if (!trace_enabled(vm) || getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	fprintf(stderr, "minivmm: trace %10.3f ms  exit; VMM CPU time user %.3f ms, system %.3f ms\n",
		vm_elapsed_ns(vm) / 1e6,
		ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
		ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3);
}
