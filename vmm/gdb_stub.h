/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote stub (-gdb, -s): one thread listening on a TCP or Unix
 * socket, one debugger at a time.  A connecting debugger stops the world
 * (vm_pause(PAUSE_GDB)); continue/step resume it; a breakpoint, watchpoint
 * or finished step on any vCPU stops every vCPU; disconnecting resumes.
 * vCPUs are GDB threads 1..N ("vCPU 0".."vCPU N-1").
 */
#ifndef MINIVMM_GDB_STUB_H
#define MINIVMM_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>

struct vm;
struct vcpu;
struct gdb_stub;

/* Open the listening socket (before privileges are dropped). */
int gdb_stub_create(struct gdb_stub **out, struct vm *vm, char *err, size_t errlen);
/* Start the stub's thread (with its seccomp filter when seccomp is on). */
int gdb_stub_start(struct gdb_stub *s, bool seccomp);
/*
 * End the thread; a debugger still connected is told the VM exited
 * ("W" with the exit code).  Call before the vCPUs are stopped.
 */
void gdb_stub_stop(struct gdb_stub *s, int exit_code);
/* Free it, once no vCPU thread can take a debug exit any more. */
void gdb_stub_destroy(struct gdb_stub *s);

#endif
