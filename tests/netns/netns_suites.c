// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace tests: every function test_... in tests/netns/NAME.sh becomes a
 * CUnit test of the suite named after its file. Each runs in a private
 * mount and network namespace (tests/lib/netns_run.sh), so its namespaces,
 * veths and bpffs pins vanish with it even if it fails half-way. Output
 * goes to build/test/logs/SUITE.TEST.log and is shown when the test fails.
 */
#include <glob.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testlib.h"

#define NETNS_TEST_TIMEOUT "900"

static void show_log_tail(const char *log)
{
	char cmd[PATH_MAX + 32];

	fprintf(stderr, "\n----- %s (last 60 lines) -----\n", log);
	snprintf(cmd, sizeof(cmd), "tail -n 60 '%s' >&2", log);
	if (system(cmd))
		fprintf(stderr, "(no log)\n");
	fprintf(stderr, "-----\n");
}

static void run_script_test(void)
{
	const char *suite = CU_get_current_suite()->pName;
	const char *test = CU_get_current_test()->pName;
	char cmd[3 * PATH_MAX], log[PATH_MAX], logdir[PATH_MAX / 2];
	int status;

	snprintf(logdir, sizeof(logdir), "%s/test/logs", test_build_dir());
	mkdir(logdir, 0755);
	snprintf(log, sizeof(log), "%s/%s.%s.log", logdir, suite, test);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && timeout -k 10 " NETNS_TEST_TIMEOUT " unshare "
		 "--mount --net "
		 "--propagation "
		 "private "
		 "bash tests/lib/netns_run.sh 'tests/netns/%s.sh' '%s' "
		 ">'%s' 2>&1",
		 test_src_dir(), suite + strlen("netns_"), test, log);
	status = system(cmd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		show_log_tail(log);
	CU_ASSERT_EQUAL(status, 0);
}

/* Adds each test_...() function of a script, in file order (CUnit copies
 * the names). */
static int add_script(const char *path)
{
	char name[256], suite_name[300], line[1024];
	CU_pSuite suite;
	FILE *f;

	snprintf(name, sizeof(name), "%s", path);
	snprintf(suite_name, sizeof(suite_name), "netns_%s", basename(name));
	suite_name[strlen(suite_name) - 3] = '\0'; /* ".sh" */
	suite = CU_add_suite(suite_name, NULL, NULL);
	f = fopen(path, "r");
	if (!suite || !f) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char fn[200];

		if (sscanf(line, "%199[a-z0-9_]()", fn) == 1 &&
		    !strncmp(fn, "test_", 5) && strstr(line, "()"))
			CU_add_test(suite, fn, run_script_test);
	}
	fclose(f);
	return 0;
}

static int add_netns_suites(void)
{
	char pattern[1024];
	glob_t g;
	int err = 0;

	snprintf(pattern, sizeof(pattern), "%s/tests/netns/*.sh",
		 test_src_dir());
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++)
		err |= add_script(g.gl_pathv[i]);
	globfree(&g);
	return err;
}

__attribute__((constructor)) static void register_netns(void)
{
	test_provider_register(add_netns_suites);
}
