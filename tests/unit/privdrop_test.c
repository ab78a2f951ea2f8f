// SPDX-License-Identifier: MIT
/*
 * privdrop_capabilities(): what a process keeps after set-up.  Check runs
 * each test in its own child, so lowering the sets here touches nothing
 * else.  The root cases need root (the suite's normal setting in CI).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/privdrop.h"
#include "tests/unit/unit_main.h"

static void caps_now(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	ck_assert_int_eq(syscall(SYS_capget, &hdr, d), 0);
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

static bool in_bounding(int cap)
{
	return prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
}

START_TEST(test_root_keeps_only_what_is_asked)
{
	uint64_t eff, prm, inh;
	char err[160] = "";

	if (geteuid() != 0)
		return;	/* the unprivileged case below covers this run */
	ck_assert_msg(privdrop_capabilities(1ull << CAP_NET_ADMIN, err,
					    sizeof(err)) == 0, "%s", err);
	caps_now(&eff, &prm, &inh);
	ck_assert_uint_eq(eff, 1ull << CAP_NET_ADMIN);
	ck_assert_uint_eq(prm, 1ull << CAP_NET_ADMIN);
	ck_assert_uint_eq(inh, 0);
	ck_assert(in_bounding(CAP_NET_ADMIN));
	ck_assert(!in_bounding(CAP_SYS_ADMIN));
	ck_assert(!in_bounding(CAP_SETPCAP));
	ck_assert(!in_bounding(CAP_DAC_OVERRIDE));
}
END_TEST

START_TEST(test_root_keeps_nothing)
{
	uint64_t eff, prm, inh;
	char err[160] = "";

	if (geteuid() != 0)
		return;
	ck_assert_msg(privdrop_capabilities(0, err, sizeof(err)) == 0, "%s", err);
	caps_now(&eff, &prm, &inh);
	ck_assert_uint_eq(eff | prm | inh, 0);
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		ck_assert_msg(!in_bounding(c), "capability %d still bounding", c);
}
END_TEST

/* Capability field NAME ("CapEff") of a freshly executed shell's status. */
static uint64_t exec_cap(const char *name)
{
	char cmd[96], line[128];
	unsigned long long v = ~0ull;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "exec grep '^%s:' /proc/self/status", name);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (fgets(line, sizeof(line), p))
		sscanf(line + strlen(name) + 1, "%llx", &v);
	pclose(p);
	return v;
}

/*
 * Under PR_SET_NO_NEW_PRIVS the bounding set is left as it is (an execve
 * cannot grant anything then), and the kernel proves it: a root shell
 * executed afterwards holds nothing.
 */
START_TEST(test_root_no_new_privs)
{
	uint64_t eff, prm, inh;
	char err[160] = "";

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_msg(privdrop_capabilities(0, err, sizeof(err)) == 0, "%s", err);
	caps_now(&eff, &prm, &inh);
	ck_assert_uint_eq(eff | prm | inh, 0);
	ck_assert(in_bounding(CAP_SYS_ADMIN));
	ck_assert_uint_eq(exec_cap("CapEff"), 0);
	ck_assert_uint_eq(exec_cap("CapPrm"), 0);
}
END_TEST

/* Without privileges there is nothing to drop, and asking to keep what
 * the process does not hold is no error. */
START_TEST(test_unprivileged_is_fine)
{
	uint64_t eff, prm, inh;
	char err[160] = "";

	if (geteuid() == 0)
		ck_assert_int_eq(setresuid(65534, 65534, 65534), 0);
	ck_assert_msg(privdrop_capabilities(1ull << CAP_NET_ADMIN, err,
					    sizeof(err)) == 0, "%s", err);
	caps_now(&eff, &prm, &inh);
	ck_assert_uint_eq(eff | prm | inh, 0);
}
END_TEST

/* The binary search agrees with the kernel's own figure. */
START_TEST(test_last_cap)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	unsigned int last;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &last), 1);
	fclose(f);
	ck_assert_uint_eq(privdrop_last_cap(), last);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("capabilities");

	tcase_add_test(tc, test_root_keeps_only_what_is_asked);
	tcase_add_test(tc, test_root_keeps_nothing);
	tcase_add_test(tc, test_root_no_new_privs);
	tcase_add_test(tc, test_unprivileged_is_fine);
	tcase_add_test(tc, test_last_cap);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
