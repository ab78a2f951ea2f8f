// SPDX-License-Identifier: MIT
/*
 * CPU-set parsing for thread pinning.  Bounded: every number is checked
 * against CPU_SETSIZE before it touches a cpu_set_t.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/affinity.h"

/* Decimal at s[*i..len); advances *i.  -EINVAL without digits. */
static int affinity_number(const char *s, size_t len, size_t *i,
			   unsigned long *out)
{
	unsigned long v = 0;
	size_t start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (unsigned long)(s[*i] - '0');
		if (v >= CPU_SETSIZE)
			return -ERANGE;
		(*i)++;
	}
	if (*i == start)
		return -EINVAL;
	*out = v;
	return 0;
}

int affinity_parse_cpulist(const char *s, size_t len, cpu_set_t *set)
{
	size_t i = 0;
	int ret;

	CPU_ZERO(set);
	if (len == 0)
		return -EINVAL;
	for (;;) {
		unsigned long lo, hi;

		ret = affinity_number(s, len, &i, &lo);
		if (ret)
			return ret;
		hi = lo;
		if (i < len && s[i] == '-') {
			i++;
			ret = affinity_number(s, len, &i, &hi);
			if (ret)
				return ret;
			if (hi < lo)
				return -EINVAL;
		}
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (i == len)
			return 0;
		if (s[i] != ',')
			return -EINVAL;
		i++;
	}
}

static int affinity_error(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -1;
}

/* One "N@[list]" or "N@C" at s[*i..len). */
static int affinity_parse_pin(const char *s, size_t len, size_t *i,
			      struct cpu_affinity *out, unsigned int max_vcpus,
			      int *highest, char *err, size_t errlen)
{
	unsigned long vcpu;
	size_t start, end;
	int ret;

	if (affinity_number(s, len, i, &vcpu) || vcpu >= max_vcpus)
		return affinity_error(err, errlen, "expects vCPU@[CPUS] with a vCPU number below 255 (the vCPU limit)");
	if (*i >= len || s[*i] != '@')
		return affinity_error(err, errlen, "expects vCPU@[CPUS], like 0@[0-1],1@[2]");
	(*i)++;
	if (*i < len && s[*i] == '[') {
		start = ++(*i);
		while (*i < len && s[*i] != ']')
			(*i)++;
		if (*i >= len)
			return affinity_error(err, errlen, "a '[' has no ']'");
		end = (*i)++;
	} else {
		start = *i;
		while (*i < len && s[*i] >= '0' && s[*i] <= '9')
			(*i)++;
		end = *i;
	}
	if (out[vcpu].given)
		return affinity_error(err, errlen, "a vCPU is named twice");
	ret = affinity_parse_cpulist(s + start, end - start, &out[vcpu].cpus);
	if (ret == -ERANGE)
		return affinity_error(err, errlen, "a host CPU number is too large");
	if (ret)
		return affinity_error(err, errlen, "a CPU list is not like 0-3,6");
	out[vcpu].given = true;
	if ((int)vcpu > *highest)
		*highest = (int)vcpu;
	return 0;
}

int affinity_parse_vcpus(const char *s, struct cpu_affinity *out,
			 unsigned int max_vcpus, struct cpu_affinity *all,
			 int *highest, char *err, size_t errlen)
{
	size_t len = strlen(s), i = 0;
	int ret;

	*highest = -1;
	if (!strchr(s, '@')) {
		ret = affinity_parse_cpulist(s, len, &all->cpus);
		if (ret == -ERANGE)
			return affinity_error(err, errlen, "a host CPU number is too large");
		if (ret)
			return affinity_error(err, errlen,
				"expects a CPU list (0-3,6) or vCPU@[CPUS] pairs ([0@[0-1],1@[2]])");
		all->given = true;
		return 0;
	}
	/* The pairs fill out; a vCPU left out has given == false. */
	memset(out, 0, max_vcpus * sizeof(*out));
	if (s[0] == '[') {
		if (s[len - 1] != ']')
			return affinity_error(err, errlen, "a '[' has no ']'");
		i = 1;
		len--;
	}
	for (;;) {
		if (affinity_parse_pin(s, len, &i, out, max_vcpus, highest,
				       err, errlen))
			return -1;
		if (i == len)
			return 0;
		if (s[i] != ',')
			return affinity_error(err, errlen,
				"expects vCPU@[CPUS] pairs separated by commas");
		i++;
	}
}

int affinity_first_outside(const cpu_set_t *set, const cpu_set_t *allowed)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && !CPU_ISSET(c, allowed))
			return c;
	return -1;
}

void affinity_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	int c = 0;

	buf[0] = '\0';
	while (c < CPU_SETSIZE && used < len) {
		int lo, n;

		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		lo = c;
		while (c + 1 < CPU_SETSIZE && CPU_ISSET(c + 1, set))
			c++;
		n = lo == c ? snprintf(buf + used, len - used, "%s%d", used ? "," : "", lo) :
			      snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", lo, c);
		if (n < 0)
			return;
		used += (size_t)n;
		c++;
	}
}
