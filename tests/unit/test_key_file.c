// SPDX-License-Identifier: GPL-2.0
/*
 * Keys are read only from where root alone can read them, and no message
 * ever shows a byte of one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "lib/key_file.h"
#include "risav/sa.h"
#include "testlib.h"

#define HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static char dir[] = "/tmp/esprit-keyfile-XXXXXX";

static int suite_init(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int suite_cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const char *write_key(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
	return path;
}

static void test_root_only(void)
{
	char hex[KEY_HEX_MAX], err[512];

	CU_ASSERT_EQUAL(key_file_read(write_key("ok", "  " HEX "\n", 0600), hex,
				      sizeof(hex), err, sizeof(err)),
			0);
	CU_ASSERT_STRING_EQUAL(hex, HEX);
	CU_ASSERT_EQUAL(key_file_read(write_key("ro", HEX, 0400), hex,
				      sizeof(hex), err, sizeof(err)),
			0);
	for (mode_t mode = 0604; mode <= 0660; mode += 0056) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(key_file_read(write_key("open", HEX, mode), hex,
					      sizeof(hex), err, sizeof(err)),
				-1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be owned by root"));
		CU_ASSERT_PTR_NULL(strstr(err, "0011"));
	}
	CU_ASSERT_EQUAL(chown(write_key("theirs", HEX, 0600), 65534, 65534), 0);
	CU_ASSERT_EQUAL(key_file_read(write_key("theirs", HEX, 0600), hex,
				      sizeof(hex), err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "owned by uid 65534"));
}

static void test_not_a_key(void)
{
	char hex[KEY_HEX_MAX], err[512], link[160];

	CU_ASSERT_EQUAL(key_file_read(write_key("empty", " \n", 0600), hex,
				      sizeof(hex), err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no key in it"));
	snprintf(link, sizeof(link), "%s/link", dir);
	CU_ASSERT_EQUAL(symlink(write_key("target", HEX, 0600), link), 0);
	CU_ASSERT_EQUAL(key_file_read(link, hex, sizeof(hex), err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NULL(strstr(err, "0011"));
}

/* `key -`: the key on standard input. */
static void test_stream(void)
{
	char hex[KEY_HEX_MAX], err[512];
	int p[2];

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL(write(p[1], HEX "\n", strlen(HEX) + 1),
			(ssize_t)strlen(HEX) + 1);
	close(p[1]);
	CU_ASSERT_EQUAL(key_stream_read(p[0], "standard input", hex,
					sizeof(hex), err, sizeof(err)),
			0);
	close(p[0]);
	CU_ASSERT_STRING_EQUAL(hex, HEX);
}

/* `sa add` with the word `key` left out: the key is not echoed. */
static void test_words_never_echo_a_key(void)
{
	char *argv[] = {"spi", "0x1000",	  "asn", "64501",
			"alg", "hmac-sha256-128", HEX,	 "x"};
	struct sa_words w;
	char err[512];

	CU_ASSERT_EQUAL(sa_add_words(8, argv, "replay", &w, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NULL(strstr(err, "0011"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "is 'key' missing?"));
	CU_ASSERT_EQUAL(sa_parse_key("0011zz", ESPRIT_AUTH_HMAC_SHA256_128,
				     &(struct esprit_auth_key){}, err,
				     sizeof(err)),
			-1);
	CU_ASSERT_PTR_NULL(strstr(err, "zz"));
	CU_ASSERT_PTR_NULL(strstr(err, "'z'"));
}

TEST_SUITE(key_file) = {
	.name = "unit_key_file",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"root_only", test_root_only},
			{"not_a_key", test_not_a_key},
			{"stream", test_stream},
			{"words_never_echo_a_key", test_words_never_echo_a_key},
			{NULL, NULL},
		},
};
