// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every registered suite, or those named on the command line
 * (a suite name, or SUITE/TEST). Prints CUnit's summary; exits non-zero if
 * anything failed.
 */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/Basic.h>

#include "testlib.h"

#define MAX_SUITES    128
#define MAX_PROVIDERS 16

static const struct test_suite *suites[MAX_SUITES];
static int nsuites;
static int (*providers[MAX_PROVIDERS])(void);
static int nproviders;

void test_suite_register(const struct test_suite *suite)
{
	if (nsuites < MAX_SUITES)
		suites[nsuites++] = suite;
}

void test_provider_register(int (*add_suites)(void))
{
	if (nproviders < MAX_PROVIDERS)
		providers[nproviders++] = add_suites;
}

const char *test_src_dir(void)
{
	const char *dir = getenv("ESPRIT_SRC");

	return dir ? dir : ESPRIT_SRC_DIR;
}

const char *test_build_dir(void)
{
	const char *dir = getenv("ESPRIT_BUILD");

	return dir ? dir : ESPRIT_SRC_DIR "/build";
}

static int by_name(const void *a, const void *b)
{
	const struct test_suite *sa = *(const struct test_suite *const *)a;
	const struct test_suite *sb = *(const struct test_suite *const *)b;

	return strcmp(sa->name, sb->name);
}

/* Drops suites and tests the command line did not ask for. */
static void select_tests(int argc, char **argv)
{
	CU_pSuite suite;
	CU_pTest test;

	if (argc < 2)
		return;
	CU_set_fail_on_inactive(CU_FALSE);
	for (suite = CU_get_registry()->pSuite; suite; suite = suite->pNext) {
		bool any = false;

		for (test = suite->pTest; test; test = test->pNext) {
			char full[512];
			bool wanted = false;

			snprintf(full, sizeof(full), "%s/%s", suite->pName,
				 test->pName);
			for (int i = 1; i < argc && !wanted; i++)
				wanted = !fnmatch(argv[i], suite->pName, 0) ||
					 !fnmatch(argv[i], full, 0);
			CU_set_test_active(test, wanted);
			any |= wanted;
		}
		CU_set_suite_active(suite, any);
	}
}

int main(int argc, char **argv)
{
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	qsort(suites, nsuites, sizeof(suites[0]), by_name);
	for (int i = 0; i < nsuites; i++) {
		CU_pSuite s = CU_add_suite(suites[i]->name, suites[i]->init,
					   suites[i]->cleanup);

		for (const struct test_case *c = suites[i]->cases; s && c->name;
		     c++)
			CU_add_test(s, c->name, c->fn);
	}
	for (int i = 0; i < nproviders; i++)
		if (providers[i]())
			fprintf(stderr, "runner: a suite provider failed\n");
	select_tests(argc, argv);

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures =
		CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
