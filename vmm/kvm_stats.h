/* SPDX-License-Identifier: MIT */
/*
 * KVM's binary statistics (KVM_GET_STATS_FD, Linux 5.14+) of one vCPU or
 * VM: find a counter by name once (at set-up), read it later with one
 * pread (allowed by the main thread's seccomp filter).
 */
#ifndef MINIVMM_KVM_STATS_H
#define MINIVMM_KVM_STATS_H

#include <stdint.h>

/*
 * File offset of the first u64 of the counter NAME in the stats file FD,
 * or -1 when the file is malformed or has no such counter.
 */
int64_t kvm_stats_find(int fd, const char *name);
/* The counter at OFFSET (from kvm_stats_find); -1 on error. */
int kvm_stats_read(int fd, int64_t offset, uint64_t *value);
/*
 * Call fn(name, value) for every single-value counter that is not zero
 * (histograms are skipped); 0, or -1 when the file is malformed.
 */
int kvm_stats_foreach_nonzero(int fd, void (*fn)(void *ctx, const char *name,
						 uint64_t value),
			      void *ctx);

#endif
