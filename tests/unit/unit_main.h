/* SPDX-License-Identifier: MIT */
/* The end of every unit test program: run its suite, exit 0 only if all pass. */
#ifndef MINIVMM_UNIT_MAIN_H
#define MINIVMM_UNIT_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int unit_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
