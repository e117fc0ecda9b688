// SPDX-License-Identifier: GPL-2.0
/* The daemon's YAML file: values, defaults, and FILE:LINE errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "daemon/config.h"
#include "testlib.h"

static char path[] = "/tmp/esprit-config-XXXXXX";

static int write_file(const char *text)
{
	int fd;
	FILE *f;

	strcpy(path, "/tmp/esprit-config-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return 0;
}

/* Loads text; returns the error message (empty if it loaded). */
static const char *load(const char *text, struct daemon_config *cfg)
{
	static char err[512];

	err[0] = '\0';
	if (write_file(text))
		return "cannot write temp file";
	config_load(path, cfg, err, sizeof(err));
	unlink(path);
	return err;
}

static void test_issue_example(void)
{
	struct daemon_config cfg;
	const char *err = load("interfaces:\n"
			       "  - name: eth0\n"
			       "    mode: native\n"
			       "  - name: eth1\n"
			       "    mode: skb\n"
			       "metrics:\n"
			       "  listen: 127.0.0.1:9100\n"
			       "control: /run/esprit/esprit.sock\n"
			       "responder:\n"
			       "  enabled: true\n"
			       "  rate_limit: 10000\n"
			       "peers:\n"
			       "  - name: site-b\n"
			       "    address: 2001:db8::2\n"
			       "    interval: 100ms\n"
			       "    detect_multiplier: 3\n"
			       "    dscp: [0, 46]\n"
			       "    size: 64\n",
			       &cfg);

	CU_ASSERT_STRING_EQUAL_FATAL(err, "");
	CU_ASSERT_EQUAL(cfg.interface_count, 2);
	CU_ASSERT_STRING_EQUAL(cfg.interfaces[1].name, "eth1");
	CU_ASSERT_EQUAL(cfg.interfaces[1].mode, XDP_MODE_SKB);
	CU_ASSERT_STRING_EQUAL(cfg.metrics_listen, "127.0.0.1:9100");
	CU_ASSERT_EQUAL(cfg.responder.rate_global, 10000);
	CU_ASSERT_FALSE(cfg.responder.echo_flags & ESPRIT_ECHO_OFF);
	CU_ASSERT_EQUAL_FATAL(cfg.peer_count, 1);
	CU_ASSERT_STRING_EQUAL(cfg.peers[0].name, "site-b");
	CU_ASSERT_EQUAL(cfg.peers[0].address.family, ESPRIT_AF_INET6);
	CU_ASSERT_EQUAL(cfg.peers[0].interval_ns, 100000000ULL);
	CU_ASSERT_EQUAL(cfg.peers[0].detect_multiplier, 3);
	CU_ASSERT_EQUAL(cfg.peers[0].dscp_count, 2);
	CU_ASSERT_EQUAL(cfg.peers[0].dscp[1], 46);
	CU_ASSERT_EQUAL(cfg.peers[0].size, 64);
	config_free(&cfg);
}

static void test_defaults(void)
{
	struct daemon_config cfg;
	const char *err = load("peers:\n"
			       "  - name: a\n"
			       "    address: 192.0.2.1\n",
			       &cfg);

	CU_ASSERT_STRING_EQUAL_FATAL(err, "");
	CU_ASSERT_TRUE(cfg.metrics_enabled);
	CU_ASSERT_STRING_EQUAL(cfg.metrics_listen, ESPRIT_DEFAULT_METRICS);
	CU_ASSERT_STRING_EQUAL(cfg.control, ESPRIT_DEFAULT_CONTROL);
	CU_ASSERT_EQUAL(cfg.peers[0].interval_ns, CONFIG_DEFAULT_INTERVAL_NS);
	CU_ASSERT_EQUAL(cfg.peers[0].detect_multiplier,
			CONFIG_DEFAULT_DETECT_MULT);
	CU_ASSERT_EQUAL(cfg.peers[0].up_after, CONFIG_DEFAULT_UP_AFTER);
	CU_ASSERT_EQUAL(cfg.peers[0].size, CONFIG_DEFAULT_DATA_SIZE);
	CU_ASSERT_EQUAL(cfg.peers[0].dscp_count, 1);
	CU_ASSERT_EQUAL(cfg.peers[0].dscp[0], 0);
	CU_ASSERT_EQUAL(cfg.peers[0].format, ESPRIT_ECHO_FMT_SUBTYPED);
	config_free(&cfg);

	err = load("peers:\n"
		   "  - {name: a, address: 192.0.2.1, format: seed}\n"
		   "  - {name: b, address: 192.0.2.2, format: empty}\n",
		   &cfg);
	CU_ASSERT_STRING_EQUAL_FATAL(err, "");
	CU_ASSERT_EQUAL(cfg.peers[0].format, ESPRIT_ECHO_FMT_SEED);
	CU_ASSERT_EQUAL(cfg.peers[1].format, ESPRIT_ECHO_FMT_EMPTY);
	CU_ASSERT_EQUAL(cfg.peers[1].size, 0);
	config_free(&cfg);

	err = load("", &cfg);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(cfg.peer_count, 0);
	config_free(&cfg);
}

static void test_responder_keys(void)
{
	struct daemon_config cfg;
	const char *err = load("responder:\n"
			       "  formats: [seed, subtyped]\n"
			       "  seq: zero\n"
			       "  prefix_rate_limit: unlimited\n"
			       "  ttl: 32\n"
			       "  local_only: true\n"
			       "  allow: [192.0.2.0/24, 2001:db8::/32]\n",
			       &cfg);

	CU_ASSERT_STRING_EQUAL_FATAL(err, "");
	CU_ASSERT_TRUE(cfg.responder.echo_flags & ESPRIT_ECHO_NO_EMPTY);
	CU_ASSERT_FALSE(cfg.responder.echo_flags & ESPRIT_ECHO_NO_SEED);
	CU_ASSERT_TRUE(cfg.responder.echo_flags & ESPRIT_ECHO_SEQ_ZERO);
	CU_ASSERT_EQUAL(cfg.responder.rate_prefix, ESPRIT_RATE_UNLIMITED);
	CU_ASSERT_EQUAL(cfg.responder.reply_ttl, 32);
	CU_ASSERT_TRUE(cfg.responder.echo_flags & ESPRIT_ECHO_LOCAL_LIST);
	CU_ASSERT_TRUE(cfg.responder.echo_flags & ESPRIT_ECHO_ALLOWLIST);
	CU_ASSERT_EQUAL(cfg.allow.count, 2);
	config_free(&cfg);
}

/* Each bad file must fail with this text, at this line. */
static void test_errors_name_line_and_key(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"interfaces:\n  - name: eth0\n    mode: turbo\n", ":3: "
								   "interfaces["
								   "0]: mode "
								   "must be "
								   "native or "
								   "skb, not "
								   "'turbo'"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    interval: 5m\n",
		 ":4: peers[0].interval: '5m' is not a duration"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    interval: 90s\n",
		 ":4: peers[0].interval: '90s' is outside 1ms .. 60s"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    interval: 0.5ms\n",
		 "is outside 1ms"},
		{"peers:\n  - name: a\n    address: 192.0.2.300\n", ":3: "
								    "peers[0]."
								    "address: "
								    "'192.0.2."
								    "300' is "
								    "not an "
								    "IPv4"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    dscp: [0, 64]\n",
		 ":4: peers[0].dscp: expected a number from 0 to 63"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    dscp: [46, 46]\n",
		 "DSCP 46 listed twice"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "  - name: a\n    address: 192.0.2.2\n",
		 ":4: peers: peer name 'a' used twice (first on line 2)"},
		{"peers:\n  - name: a\n", ":2: peers[0]: missing 'address'"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    intervall: 1s\n",
		 ":4: peers[0]: unknown key 'intervall'"},
		{"responder:\n  rate_limit: lots\n", ":2: "
						     "responder.rate_limit: "
						     "rate: expected "
						     "replies/s"},
		{"responder:\n  allow: [10.0.0.1/8]\n", ":2: "
							"responder.allow[0]: "
							"'10.0.0.1/8' has host "
							"bits"},
		{"peers:\n  - {name: a, address: 192.0.2.1, format: plain}\n",
		 ":2: peers[0].format: expected subtyped, seed or empty"},
		{"peers:\n  - {name: a, address: 192.0.2.1, format: empty,\n"
		 "     size: 32}\n",
		 ":3: peers[0].size: the empty form carries no Data"},
		{"peers:\n  - {name: a, address: 192.0.2.1, format: empty,\n"
		 "     dscp: [0, 46]}\n",
		 ":3: peers[0].dscp: the empty form carries no Identifier: one "
		 "class per peer"},
		{"responder:\n  spi_request: 8\n", ":2: responder: "
						   "spi-request and spi-reply "
						   "are both 8"},
		{"responder:\n  spi_reply: 4096\n", ":2: responder.spi_reply: "
						    "spi-reply: expected "
						    "1-255"},
		{"metrics:\n  listen: 127.0.0.1\n", ":2: metrics.listen: "
						    "'127.0.0.1' is not "
						    "HOST:PORT"},
		{"metrics:\n  listen: 127.0.0.1:99999\n", "port must be "
							  "1-65535"},
		{"control: relative.sock\n", ":1: control: must be an absolute "
					     "path"},
		{"peers: [\n", ":2:1: did not find expected node content"},
		{"bogus: 1\n", ":1: unknown key 'bogus'"},
		{"peers:\n  - name: a\n    address: 192.0.2.1\n"
		 "    name: b\n",
		 "key 'name' given twice"},
		{NULL, NULL},
	};

	for (int i = 0; cases[i].text; i++) {
		struct daemon_config cfg;
		const char *err = load(cases[i].text, &cfg);

		if (!strstr(err, cases[i].want)) {
			fprintf(stderr, "\ncase %d: want '%s', got '%s'\n", i,
				cases[i].want, err);
			CU_FAIL(cases[i].want);
		}
		CU_ASSERT_EQUAL(cfg.peer_count, 0);
		CU_ASSERT_PTR_NULL(cfg.peers);
	}
}

static void test_missing_file(void)
{
	struct daemon_config cfg;
	char err[256];

	CU_ASSERT_EQUAL(config_load("/nonexistent/esprit.yaml", &cfg, err,
				    sizeof(err)),
			-1);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/esprit.yaml: No such file or "
				    "directory");
}

static void test_listen_forms(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[128];

	CU_ASSERT_EQUAL(config_parse_listen("[::1]:9469", &ss, &len, err,
					    sizeof(err)),
			0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(
		config_parse_listen(":9469", &ss, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET);
	CU_ASSERT_EQUAL(config_parse_listen("[::1:9469", &ss, &len, err,
					    sizeof(err)),
			-1);
}

/* The example installed as /etc/esprit/esprit.yaml loads, and its values
 * are the defaults an empty file gets. */
static void test_example_file_is_the_defaults(void)
{
	struct daemon_config ex, empty;
	char err[512] = "", file[1024];
	const char *e;

	snprintf(file, sizeof(file), "%s/etc/esprit.yaml", test_src_dir());
	CU_ASSERT_EQUAL_FATAL(config_load(file, &ex, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	e = load("", &empty);
	CU_ASSERT_STRING_EQUAL_FATAL(e, "");
	CU_ASSERT_EQUAL(ex.interface_count, 0);
	CU_ASSERT_EQUAL(ex.peer_count, 0);
	CU_ASSERT_EQUAL(ex.metrics_enabled, empty.metrics_enabled);
	CU_ASSERT_STRING_EQUAL(ex.metrics_listen, empty.metrics_listen);
	CU_ASSERT_STRING_EQUAL(ex.control, empty.control);
	CU_ASSERT_STRING_EQUAL(ex.pin_dir, empty.pin_dir);
	CU_ASSERT_STRING_EQUAL(ex.hook, empty.hook);
	CU_ASSERT_EQUAL(ex.hook_timeout_ns, empty.hook_timeout_ns);
	CU_ASSERT_EQUAL(empty.hook_timeout_ns, CONFIG_DEFAULT_HOOK_TIMEOUT_NS);
	CU_ASSERT_EQUAL(ex.detach_on_exit, empty.detach_on_exit);
	CU_ASSERT_EQUAL(ex.allow.count, 0);
	/* zero means "the default" in the map; explicit defaults are equal */
	CU_ASSERT_EQUAL(ex.responder.echo_flags, empty.responder.echo_flags);
	CU_ASSERT_EQUAL(ex.responder.rate_global, ESPRIT_DEFAULT_RATE_GLOBAL);
	CU_ASSERT_EQUAL(ex.responder.rate_prefix, ESPRIT_DEFAULT_RATE_PREFIX);
	CU_ASSERT_EQUAL(ex.responder.rate_global_burst, 0);
	CU_ASSERT_EQUAL(ex.responder.rate_prefix_burst, 0);
	CU_ASSERT_EQUAL(ex.responder.prefix_len_v4,
			ESPRIT_DEFAULT_PREFIX_LEN_V4);
	CU_ASSERT_EQUAL(ex.responder.prefix_len_v6,
			ESPRIT_DEFAULT_PREFIX_LEN_V6);
	CU_ASSERT_EQUAL(ex.responder.reply_ttl, ESPRIT_DEFAULT_REPLY_TTL);
	CU_ASSERT_EQUAL(ex.responder.spi_request, ESPRIT_DEFAULT_SPI_REQUEST);
	CU_ASSERT_EQUAL(ex.responder.spi_reply, ESPRIT_DEFAULT_SPI_REPLY);
	config_free(&ex);
	config_free(&empty);
}

TEST_SUITE(config_suite) = {
	.name = "unit_config",
	.cases =
		(const struct test_case[]){
			{"issue_example", test_issue_example},
			{"defaults", test_defaults},
			{"responder_keys", test_responder_keys},
			{"errors_name_line_and_key",
			 test_errors_name_line_and_key},
			{"missing_file", test_missing_file},
			{"listen_forms", test_listen_forms},
			{"example_file_is_the_defaults",
			 test_example_file_is_the_defaults},
			{NULL, NULL},
		},
};
