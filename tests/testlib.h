/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suites register themselves (TEST_SUITE below) so adding a test file needs
 * no edit elsewhere; tests/runner.c hands them all to CUnit.
 */
#ifndef ESPRIT_TESTLIB_H
#define ESPRIT_TESTLIB_H

#include <CUnit/CUnit.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

struct test_suite {
	const char *name;
	int (*init)(void);
	int (*cleanup)(void);
	const struct test_case *cases; /* ends with { NULL, NULL } */
};

void test_suite_register(const struct test_suite *suite);

/* For suites whose tests are only known at run time (tests/netns). */
void test_provider_register(int (*add_suites)(void));

#define TEST_SUITE(var)                                               \
	static const struct test_suite var;                           \
	__attribute__((constructor)) static void register_##var(void) \
	{                                                             \
		test_suite_register(&var);                            \
	}                                                             \
	static const struct test_suite var

/* Directory of the source tree and of the build, for scripts and objects. */
const char *test_src_dir(void);
const char *test_build_dir(void);

#endif
