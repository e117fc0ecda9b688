// SPDX-License-Identifier: GPL-2.0
/*
 * The outbound sequence ledger on its own: starts move above every
 * reservation, a retired SA costs only what it used, the file survives a
 * reload byte for byte, and a file that cannot be trusted is named with
 * its line and refuses every start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "lib/hmac_key.h"
#include "risav/seq_ledger.h"
#include "testlib.h"

static char dir[] = "/tmp/esprit-ledger-XXXXXX";
static char state[64];
static char err[1024];

static int suite_init(void)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(state, sizeof(state), "%s/state", dir);
	return 0;
}

static int suite_cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct sa_out sa_with(__u32 spi, __u8 key_byte)
{
	struct sa_out sa = {.key = {.spi = spi, .asn = 64501}};
	__u8 key[ESPRIT_HMAC_SHA256_KEY_LEN];

	memset(key, key_byte, sizeof(key));
	auth_key_hmac_sha256_128(&sa.value.auth, key, sizeof(key));
	sa.value.state = ESPRIT_SA_ACTIVE;
	return sa;
}

static void write_file(const char *text)
{
	char path[128];
	FILE *f;

	mkdir(state, 0700);
	snprintf(path, sizeof(path), "%s/" SEQ_LEDGER_FILE, state);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void test_starts_move_up(void)
{
	struct sa_out a = sa_with(0x2000, 1), b = sa_with(0x2000, 2);
	struct seq_ledger l;
	__u64 start;

	seq_ledger_init(&l, state);
	unlink(l.path); /* fresh install: no file */
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &a, 0, &start, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(start, 0);
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &a, 0, &start, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(start, SEQ_LEDGER_STEP);
	/* a floor above the reservation wins */
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &a, 5 * SEQ_LEDGER_STEP, &start,
					   err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(start, 5 * SEQ_LEDGER_STEP);
	/* another key on the same SPI has its own numbers */
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &b, 0, &start, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(start, 0);
	/* retired at 1000: next start just above what it can have sent */
	CU_ASSERT_EQUAL(seq_ledger_retire(&l, &a, 1000, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &a, 0, &start, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(start, 1000 + SA_OUT_SEQ_SKIP);
	/* a spent counter stays spent */
	CU_ASSERT_EQUAL(seq_ledger_retire(&l, &b, ESPRIT_SA_OUT_SEQ_LAST, err,
					  sizeof(err)),
			0);
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &b, 0, &start, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(start, ESPRIT_SA_OUT_SEQ_LAST);
	seq_ledger_free(&l);
}

static void test_file_round_trip(void)
{
	struct sa_out a = sa_with(0x3000, 7);
	struct seq_ledger l, again;
	struct stat st;
	char *text;
	__u64 start;
	FILE *f;

	seq_ledger_init(&l, state);
	unlink(l.path);
	CU_ASSERT_EQUAL(
		seq_ledger_reserve(&l, &a, 42, &start, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(stat(l.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	f = fopen(l.path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	text = calloc(1, 512);
	CU_ASSERT_TRUE(fread(text, 1, 511, f) > 0);
	fclose(f);
	CU_ASSERT_EQUAL(strncmp(text, "esprit-seq-ledger 1\n12288 64501 ", 32),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " 16777258\n"));
	free(text);
	seq_ledger_init(&again, state);
	CU_ASSERT_EQUAL(seq_ledger_load(&again, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(again.n, 1);
	CU_ASSERT_EQUAL(again.entries[0].reserved, 42 + SEQ_LEDGER_STEP);
	CU_ASSERT_EQUAL(memcmp(again.entries[0].keyid, l.entries[0].keyid,
			       SEQ_LEDGER_KEYID_LEN),
			0);
	seq_ledger_free(&again);
	seq_ledger_free(&l);
}

static void expect_refused(const char *text, const char *where)
{
	struct sa_out a = sa_with(0x2000, 1);
	struct seq_ledger l;
	__u64 start = 77;

	write_file(text);
	seq_ledger_init(&l, state);
	err[0] = '\0';
	CU_ASSERT_EQUAL(seq_ledger_reserve(&l, &a, 0, &start, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, where));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "refusing"));
	seq_ledger_free(&l);
}

static void test_untrusted_file(void)
{
	const char *id = "00112233445566778899aabbccddeeff";
	char text[256];

	expect_refused("", "sa-out.seq: empty");
	expect_refused("esprit-seq-ledger 2\n", "sa-out.seq:1:");
	snprintf(text, sizeof(text), "esprit-seq-ledger 1\n256 1 %s 5\n256 1",
		 id);
	expect_refused(text, "sa-out.seq:3:");
	snprintf(text, sizeof(text), "esprit-seq-ledger 1\n256 1 %s 5 6\n", id);
	expect_refused(text, "sa-out.seq:2:");
	snprintf(text, sizeof(text), "esprit-seq-ledger 1\n256 1 %.30s 5\n",
		 id);
	expect_refused(text, "sa-out.seq:2:");
	snprintf(text, sizeof(text),
		 "esprit-seq-ledger 1\n256 1 %s 4294967296\n", id);
	expect_refused(text, "sa-out.seq:2:");
	snprintf(text, sizeof(text), "esprit-seq-ledger 1\n256 1 %s 5\n", id);
	write_file(text);
	{
		struct seq_ledger l;

		seq_ledger_init(&l, state);
		CU_ASSERT_EQUAL(seq_ledger_load(&l, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(l.n, 1);
		seq_ledger_free(&l);
	}
}

TEST_SUITE(seq_ledger) = {
	.name = "unit_seq_ledger",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"starts_move_up", test_starts_move_up},
			{"file_round_trip", test_file_round_trip},
			{"untrusted_file", test_untrusted_file},
			{NULL, NULL},
		},
};
