// SPDX-License-Identifier: GPL-2.0
/* The state-change hook: its environment, and that it runs, in order,
 * without blocking. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "daemon/hook.h"
#include "testlib.h"

static const struct hook_event ev = {
	.stream_id = 7,
	.peer = "site-b",
	.address = "2001:db8::2",
	.dscp = 46,
	.old_state = "up",
	.new_state = "down",
	.changed_at = 1700000000.25,
};

static const char *find(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static void test_environment(void)
{
	char *base[] = {"PATH=/bin", "ESPRIT_PEER=stale", "HOME=/root", NULL};
	char *envp[16], buf[1024];
	int n = hook_environment(&ev, base, envp, 16, buf, sizeof(buf));

	CU_ASSERT_EQUAL(n, 2 + HOOK_ENV_VARS);
	CU_ASSERT_PTR_NULL(envp[n]);
	CU_ASSERT_STRING_EQUAL(find(envp, "PATH"), "/bin");
	CU_ASSERT_STRING_EQUAL(find(envp, "HOME"), "/root");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_PEER"), "site-b");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_DSCP"), "46");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_ADDRESS"), "2001:db8::2");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_OLD_STATE"), "up");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_NEW_STATE"), "down");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_CHANGED_AT"), "1700000000."
								"250000");
	CU_ASSERT_STRING_EQUAL(find(envp, "ESPRIT_EVENT"), "peer");
	/* the inherited ESPRIT_PEER is replaced, not duplicated */
	for (int i = 0; i < n; i++)
		CU_ASSERT_TRUE(strcmp(envp[i], "ESPRIT_PEER=stale"));
	/* out of room: an error, not a truncated environment */
	CU_ASSERT_EQUAL(hook_environment(&ev, base, envp, 4, buf, sizeof(buf)),
			-1);
	CU_ASSERT_EQUAL(hook_environment(&ev, base, envp, 16, buf, 20), -1);
}

static char *slurp(const char *path)
{
	static char text[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Runs the hook for two changes of one stream: the second waits for the
 * first, though the first sleeps; submit itself never waits. */
static void test_runs_in_order_without_blocking(void)
{
	char dir[] = "/tmp/esprit-hook-XXXXXX", cmd[256], out[64];
	struct hook_runner h;
	struct hook_event second = ev;
	struct timespec t0, t1;
	sigset_t chld, old;
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd),
		 "sleep 0.3; echo \"$ESPRIT_PEER $ESPRIT_DSCP "
		 "$ESPRIT_OLD_STATE $ESPRIT_NEW_STATE\" >> %s",
		 out);
	snprintf(second.old_state, sizeof(second.old_state), "down");
	snprintf(second.new_state, sizeof(second.new_state), "up");
	/* as in the daemon: SIGCHLD blocked, children reaped by waitpid */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	hook_runner_init(&h, cmd, 30000000000ULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hook_submit(&h, &ev);
	hook_submit(&h, &second);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_TRUE((t1.tv_sec - t0.tv_sec) * 1000 +
			       (t1.tv_nsec - t0.tv_nsec) / 1000000 <
		       250);
	CU_ASSERT_EQUAL(h.nrunning, 1);
	CU_ASSERT_EQUAL(h.qlen, 1);
	for (int i = 0; i < 200 && (h.nrunning || h.qlen); i++) {
		usleep(50000);
		hook_reap(&h);
	}
	CU_ASSERT_EQUAL(h.nrunning, 0);
	CU_ASSERT_EQUAL(h.started, 2);
	CU_ASSERT_EQUAL(h.failed, 0);
	text = slurp(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "site-b 46 up down\nsite-b 46 down up\n");
	hook_runner_free(&h);
	sigprocmask(SIG_SETMASK, &old, NULL);
	unlink(out);
	rmdir(dir);
}

static void test_failure_counted(void)
{
	struct hook_runner h;

	hook_runner_init(&h, "exit 3", 0);
	hook_submit(&h, &ev);
	for (int i = 0; i < 100 && h.nrunning; i++) {
		usleep(20000);
		hook_reap(&h);
	}
	CU_ASSERT_EQUAL(h.started, 1);
	CU_ASSERT_EQUAL(h.failed, 1);
	hook_runner_free(&h);
	/* no command: nothing runs */
	hook_runner_init(&h, "", 0);
	hook_submit(&h, &ev);
	CU_ASSERT_EQUAL(h.started, 0);
	CU_ASSERT_EQUAL(h.qlen, 0);
	hook_runner_free(&h);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A hook that hangs is killed after the timeout, with whatever it
 * started, and the stream's next hook runs. */
static void test_hung_hook_killed(void)
{
	struct hook_event second = ev;
	struct hook_runner h;
	sigset_t chld, old;
	uint64_t t0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	hook_runner_init(&h, "sleep 30 & sleep 30", 200000000ULL);
	t0 = mono_ns();
	hook_submit(&h, &ev);
	hook_submit(&h, &second);
	CU_ASSERT_EQUAL(h.nrunning, 1);
	hook_kill_overdue(&h, t0 + 100000000ULL);
	CU_ASSERT_FALSE(h.running[0].killed);
	for (int i = 0; i < 200 && h.started < 2; i++) {
		usleep(20000);
		hook_kill_overdue(&h, mono_ns());
		hook_reap(&h);
	}
	CU_ASSERT_EQUAL(h.started, 2);
	CU_ASSERT_EQUAL(h.failed, 1);
	CU_ASSERT_TRUE(mono_ns() - t0 < 5000000000ULL);
	/* the second hangs as well: killed too, the runner empties */
	for (int i = 0; i < 200 && h.nrunning; i++) {
		usleep(20000);
		hook_kill_overdue(&h, mono_ns());
		hook_reap(&h);
	}
	CU_ASSERT_EQUAL(h.nrunning, 0);
	CU_ASSERT_EQUAL(h.failed, 2);
	hook_runner_free(&h);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

TEST_SUITE(hook) = {
	.name = "unit_hook",
	.cases =
		(const struct test_case[]){
			{"environment", test_environment},
			{"runs_in_order_without_blocking",
			 test_runs_in_order_without_blocking},
			{"failure_counted", test_failure_counted},
			{"hung_hook_killed", test_hung_hook_killed},
			{NULL, NULL},
		},
};
