/* SPDX-License-Identifier: MIT */
/*
 * Host CPU sets for -vcpu-affinity and -io-affinity: the parsers (pure,
 * fuzzed through the config parser) and the check against the CPUs this
 * process may run on.
 */
#ifndef MINIVMM_AFFINITY_H
#define MINIVMM_AFFINITY_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

struct cpu_affinity {
	bool given;
	cpu_set_t cpus;
};

/*
 * A CPU list as in cpuset(7) and taskset -c: "0-3,6,8-9".  Returns 0, or
 * -EINVAL (syntax, empty) / -ERANGE (a CPU >= CPU_SETSIZE).
 */
int affinity_parse_cpulist(const char *s, size_t len, cpu_set_t *set);

/*
 * -vcpu-affinity: either one CPU list for every vCPU, or Cloud
 * Hypervisor's per-vCPU form "[0@[0-1],1@[2]]" (outer brackets optional,
 * "N@C" for one CPU).  out[] has max_vcpus entries, all cleared by the
 * pair form (the all-vCPU form leaves out alone); *highest gets the
 * largest vCPU index named (-1 for the all-vCPU form, whose set goes to
 * *all).  Returns 0 or -1 with a message (no option name) in err.
 */
int affinity_parse_vcpus(const char *s, struct cpu_affinity *out,
			 unsigned int max_vcpus, struct cpu_affinity *all,
			 int *highest, char *err, size_t errlen);

/*
 * The first CPU of set that is not in allowed, or -1 when set is a
 * subset of allowed.
 */
int affinity_first_outside(const cpu_set_t *set, const cpu_set_t *allowed);

/* "0-1,3" for a message; always NUL-terminated. */
void affinity_format(const cpu_set_t *set, char *buf, size_t len);

#endif
