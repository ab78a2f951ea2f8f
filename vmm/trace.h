/* SPDX-License-Identifier: MIT */
/*
 * -trace-boot: timestamps of the phases of a run on stderr, relative to
 * process start, with the VMM's own CPU time at the end.
 */
#ifndef MINIVMM_TRACE_H
#define MINIVMM_TRACE_H

#include <stdint.h>

struct vm;

/* Guest markers printed before the rest are only counted. */
#define TRACE_GUEST_MARKERS_SHOWN 64

void trace_mark(struct vm *vm, const char *phase);
/* A marker byte the guest wrote to PORT_DEBUG_TRACE. */
void trace_guest_marker(struct vm *vm, uint8_t marker);
/* Wall time and the process's user+system CPU time. */
void trace_summary(struct vm *vm);

#endif
