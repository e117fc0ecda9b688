// SPDX-License-Identifier: GPL-2.0
/* The risav: section of the daemon's file: values, FILE:LINE errors, and the
 * prefix sources (import digest, statics over the import). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "daemon/config.h"
#include "lib/hmac_key.h"
#include "testlib.h"

#define KEY  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY2 "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char dir[] = "/tmp/esprit-risav-cfg-XXXXXX";
static char yaml[sizeof(dir) + 32];

static int suite_init(void)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(yaml, sizeof(yaml), "%s/esprit.yaml", dir);
	return 0;
}

static int suite_clean(void)
{
	char cmd[sizeof(dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static void put(const char *name, const char *text)
{
	char path[sizeof(dir) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	/* key files must be root's alone */
	CU_ASSERT_EQUAL(chmod(path, 0600), 0);
}

/* Loads text as esprit.yaml; returns the error (empty if it loaded). */
static const char *load(const char *text, struct daemon_config *cfg)
{
	static char err[1024];

	err[0] = '\0';
	put("esprit.yaml", text);
	config_load(yaml, cfg, err, sizeof(err));
	return err;
}

static void test_full_section(void)
{
	struct daemon_config cfg;
	struct esprit_auth_key want;
	const struct risav_peer *p;
	const char *err;
	__u8 raw[32];

	put("sa2.key", "  " KEY2 "\n\n");
	err = load("risav:\n"
		   "  local_asn: AS64500\n"
		   "  contacts: [192.0.2.1, 2001:db8::1]\n"
		   "  fragments: pass\n"
		   "  audit_rate: 50\n"
		   "  prefixes:\n"
		   "    import: rpki.json\n"
		   "    static:\n"
		   "      - {prefix: 10.11.1.0/24, asn: 64500}\n"
		   "      - {prefix: 192.0.2.0/24, asn: none}\n"
		   "  peers:\n"
		   "    - asn: 64501\n"
		   "      mode: enforce\n"
		   "      contacts: [198.51.100.1]\n"
		   "    - {asn: 64502, mode: testing}\n"
		   "  sas:\n"
		   "    - {spi: 0x1000, asn: 64501, alg: hmac-sha256-128,\n"
		   "       key: " KEY "}\n"
		   "    - direction: in\n"
		   "      spi: 8192\n"
		   "      asn: AS64502\n"
		   "      alg: hmac-sha256-128\n"
		   "      key_file: sa2.key\n"
		   "      replay: 1024\n",
		   &cfg);
	CU_ASSERT_STRING_EQUAL_FATAL(err, "");
	CU_ASSERT_TRUE(cfg.risav.present);
	CU_ASSERT_EQUAL(cfg.risav.state.config.local_asn, 64500);
	CU_ASSERT_EQUAL(cfg.risav.state.local_contact_count, 2);
	CU_ASSERT_TRUE(cfg.risav.state.config.risav_flags &
		       ESPRIT_RISAV_PASS_FRAGMENTS);
	CU_ASSERT_EQUAL(cfg.risav.state.config.audit_rate, 50);
	CU_ASSERT_TRUE(strstr(cfg.risav.import, "/rpki.json") != NULL);
	CU_ASSERT_EQUAL(strncmp(cfg.risav.import, dir, strlen(dir)), 0);
	CU_ASSERT_EQUAL(cfg.risav.import_line, 7);
	CU_ASSERT_EQUAL_FATAL(cfg.risav.statics.n, 2);
	CU_ASSERT_EQUAL(cfg.risav.statics.v[0].asn, 64500); /* 10.11.1.0 */
	CU_ASSERT_EQUAL(cfg.risav.statics.v[1].asn, ESPRIT_ASN_NONE);
	CU_ASSERT_EQUAL_FATAL(cfg.risav.state.npeers, 2);
	p = risav_peer_find(&cfg.risav.state, 64501);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->v.mode, ESPRIT_PEER_ENFORCE);
	CU_ASSERT_EQUAL(p->v.contact_count, 1);
	CU_ASSERT_TRUE(strstr(p->where, "esprit.yaml:12") != NULL);
	CU_ASSERT_EQUAL(risav_peer_find(&cfg.risav.state, 64502)->v.mode,
			ESPRIT_PEER_TESTING);
	CU_ASSERT_EQUAL_FATAL(cfg.risav.nsas, 2);
	CU_ASSERT_EQUAL(cfg.risav.sas[0].dir, SA_DIR_IN);
	CU_ASSERT_EQUAL(cfg.risav.sas[0].in.key.spi, 0x1000);
	CU_ASSERT_EQUAL(cfg.risav.sas[0].in.key.asn, 64501);
	CU_ASSERT_EQUAL(cfg.risav.sas[0].in.value.replay_window, 0);
	CU_ASSERT_EQUAL(cfg.risav.sas[0].line, 17);
	CU_ASSERT_EQUAL(cfg.risav.sas[1].in.key.asn, 64502);
	CU_ASSERT_EQUAL(cfg.risav.sas[1].in.value.replay_window, 1024);
	/* key_file: its hex, whitespace around it ignored */
	for (int i = 0; i < 32; i++)
		raw[i] = i;
	raw[0] = 0xff;
	auth_key_hmac_sha256_128(&want, raw, sizeof(raw));
	CU_ASSERT_EQUAL(memcmp(&cfg.risav.sas[1].in.value.auth, &want,
			       sizeof(want)),
			0);
	config_free(&cfg);
}

static void test_absent_and_empty(void)
{
	struct daemon_config cfg;

	CU_ASSERT_STRING_EQUAL_FATAL(load("peers: []\n", &cfg), "");
	CU_ASSERT_FALSE(cfg.risav.present);
	config_free(&cfg);
	CU_ASSERT_STRING_EQUAL_FATAL(load("risav:\n", &cfg), "");
	CU_ASSERT_TRUE(cfg.risav.present);
	CU_ASSERT_EQUAL(cfg.risav.state.config.local_asn, 0);
	CU_ASSERT_EQUAL(cfg.risav.nsas, 0);
	config_free(&cfg);
}

/* Each bad section must fail with this text, at this line. */
static void test_errors_name_line(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"risav:\n  local_asn: 64x\n", "esprit.yaml:2: "
					       "risav.local_asn: '64x' is not "
					       "an AS number"},
		{"risav:\n  fragments: maybe\n", ":2: risav.fragments: "
						 "fragments: expected drop or "
						 "pass, not "
						 "'maybe'"},
		{"risav:\n  audit_rate: 0\n", ":2: risav.audit_rate: "
					      "audit-rate: expected events/s"},
		{"risav:\n  contacts: [192.0.2.1]\n", ":2: risav.contacts: "
						      "contact addresses need "
						      "a local_asn"},
		{"risav:\n  local_asn: 1\n  contacts: [127.0.0.1]\n",
		 ":3: risav.contacts: 127.0.0.1 cannot be a contact address "
		 "(loopback)"},
		{"risav:\n  local_asn: 1\n  bogus: 2\n", ":3: risav: unknown "
							 "key 'bogus'"},
		{"risav:\n  prefixes:\n    static:\n"
		 "      - {prefix: 10.0.0.1/8, asn: 1}\n",
		 ":4: risav.prefixes.static[0]: '10.0.0.1/8' has host bits"},
		{"risav:\n  prefixes:\n    static:\n"
		 "      - {prefix: 10.0.0.0/8, asn: 1}\n"
		 "      - {prefix: 10.0.0.0/8, asn: 2}\n",
		 ":5: risav.prefixes.static[1]: prefix 10.0.0.0/8 listed "
		 "twice"},
		{"risav:\n  prefixes:\n    static:\n"
		 "      - {prefix: 10.0.0.0/8}\n",
		 ":4: risav.prefixes.static[0]: missing 'asn'"},
		{"risav:\n  prefixes: {import: ''}\n", ":2: "
						       "risav.prefixes.import: "
						       "empty path"},
		{"risav:\n  prefixes:\n    import: rpki.json\n    rtr:\n"
		 "      - {address: 192.0.2.10}\n",
		 "esprit.yaml:5: risav.prefixes.rtr: and risav.prefixes.import "
		 "(line 3) are alternatives: keep one"},
		{"risav:\n  prefixes:\n    rtr:\n      - {port: 3323}\n",
		 ":4: risav.prefixes.rtr[0]: missing 'address'"},
		{"risav:\n  prefixes:\n    rtr:\n"
		 "      - {address: cache.example, port: 3323}\n",
		 ":4: risav.prefixes.rtr[0]: "},
		{"risav:\n  prefixes:\n    rtr:\n"
		 "      - {address: 192.0.2.10, port: 70000}\n",
		 ":4: risav.prefixes.rtr[0]: "},
		{"risav:\n  prefixes:\n    rtr:\n"
		 "      - {address: 192.0.2.10, port: 3323}\n"
		 "      - {address: 192.0.2.10, port: 3323}\n",
		 ":5: risav.prefixes.rtr[1]: cache 192.0.2.10 port 3323 listed "
		 "twice"},
		{"risav:\n  prefixes:\n    rtr: []\n", ":3: "
						       "risav.prefixes.rtr: "
						       "expected a list of "
						       "{address: A, "
						       "port: P, preference: "
						       "N}"},
		{"risav:\n  prefixes:\n    rtr: [{address: 192.0.2.10}]\n"
		 "    expire: 60s\n",
		 ":4: risav.prefixes.expire: "},
		{"risav:\n  prefixes:\n    rtr: [{address: 192.0.2.10}]\n"
		 "    refresh: 1.5s\n",
		 ":4: risav.prefixes.refresh: RTR timers are whole seconds"},
		{"risav:\n  prefixes:\n    rtr: [{address: 192.0.2.10}]\n"
		 "    refresh: 3600s\n    expire: 600s\n",
		 ":5: risav.prefixes.expire: must be longer than refresh"},
		{"risav:\n  prefixes:\n    rtr: [{address: 192.0.2.10}]\n"
		 "    on_expire: drop\n",
		 ":4: risav.prefixes.on_expire: expected keep or clear"},
		{"risav:\n  prefixes:\n    static: []\n    retry: 5s\n",
		 "risav.prefixes: refresh, expire, retry and on_expire are for "
		 "rtr: caches, and there are none"},
		{"risav:\n  peers:\n    - {asn: 64501, mode: strict}\n",
		 ":3: risav.peers[0].mode: unknown mode 'strict'"},
		{"risav:\n  peers:\n    - {asn: 64501}\n", ":3: "
							   "risav.peers[0]: "
							   "missing 'mode'"},
		{"risav:\n  peers:\n    - {asn: 64501, mode: off}\n"
		 "    - {asn: 64501, mode: enforce}\n",
		 ":4: risav.peers[1].asn: AS64501 listed twice (first at "},
		{"risav:\n  local_asn: 64501\n  peers:\n"
		 "    - {asn: 64501, mode: off}\n",
		 "esprit.yaml:4: peer AS64501: AS64501 is the local AS"},
		{"risav:\n  local_asn: 64500\n  contacts: [192.0.2.1]\n"
		 "  peers:\n"
		 "    - {asn: 64501, mode: off, contacts: [192.0.2.1]}\n",
		 "esprit.yaml:5: peer AS64501: contact 192.0.2.1 is already "
		 "the "
		 "contact address of the local AS64500"},
		{"risav:\n  peers:\n    - asn: 64501\n      mode: off\n"
		 "      contacts: [192.0.2.1, 192.0.2.2]\n",
		 ":5: risav.peers[0].contacts: two IPv4 contact addresses"},
		{"risav:\n  sas:\n    - {spi: 255, asn: 1, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY "}\n",
		 ":3: risav.sas[0].spi: SPI 255 is reserved"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha1-96\n      key: " KEY "\n",
		 ":5: risav.sas[0].alg: unknown algorithm 'hmac-sha1-96'"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha256-128\n      key: 0011\n",
		 ":6: risav.sas[0].key: key: 4 hex digits; hmac-sha256-128 "
		 "needs exactly 32 bytes"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha256-128\n      key: " KEY "\n"
		 "      replay: 31\n",
		 ":7: risav.sas[0].replay: bad replay window '31'"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha256-128\n",
		 ":3: risav.sas[0]: missing 'key' or 'key_file'"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha256-128\n      key: " KEY "\n"
		 "      key_file: k\n",
		 ":7: risav.sas[0]: 'key' and 'key_file' both given"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha256-128\n      key_file: missing.key\n",
		 ":6: risav.sas[0].key_file: cannot open "},
		{"risav:\n  sas:\n    - {direction: sideways, spi: 256, asn: 1,"
		 " alg: hmac-sha256-128, key: " KEY "}\n",
		 ":3: risav.sas[0].direction: expected in or out, not "
		 "'sideways'"},
		{"risav:\n  sas:\n    - direction: out\n      spi: 256\n"
		 "      asn: 1\n      alg: hmac-sha256-128\n      key: " KEY
		 "\n      replay: 64\n",
		 ":8: risav.sas[0].replay: outbound SAs have no replay window"},
		{"risav:\n  sas:\n    - spi: 256\n      asn: 1\n"
		 "      alg: hmac-sha256-128\n      key: " KEY "\n"
		 "      dscp: [46]\n",
		 ":7: risav.sas[0].dscp: only outbound SAs (direction: out) "
		 "have a DSCP set"},
		{"risav:\n  sas:\n    - direction: out\n      spi: 256\n"
		 "      asn: 1\n      alg: hmac-sha256-128\n      key: " KEY
		 "\n      dscp:\n        - 0\n        - 64\n",
		 ":10: risav.sas[0].dscp: bad DSCP '64' in '64'"},
		{"risav:\n  sas:\n    - direction: out\n      spi: 256\n"
		 "      asn: 1\n      alg: hmac-sha256-128\n      key: " KEY
		 "\n      dscp: []\n",
		 ":8: risav.sas[0].dscp: empty DSCP list"},
		{"risav:\n  sas:\n    - direction: out\n      spi: 256\n"
		 "      asn: 1\n      alg: hmac-sha256-128\n      key: " KEY
		 "\n      dscp: [ef, cs9]\n",
		 ":8: risav.sas[0].dscp: bad DSCP 'cs9'"},
		{"risav:\n  sas:\n"
		 "    - {direction: out, spi: 256, asn: 1, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY ", dscp: [40-47]}\n"
		 "    - {direction: out, spi: 257, asn: 2, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY ", dscp: [46]}\n"
		 "    - {direction: out, spi: 258, asn: 1, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY2 ", dscp: [0, ef]}\n",
		 ":5: risav.sas: outbound SPI 0x102 of AS1 overlaps SPI 0x100 "
		 "(line 3): their DSCP sets share 46"},
		{"risav:\n  sas:\n"
		 "    - {direction: out, spi: 256, asn: 1, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY "}\n"
		 "    - {direction: out, spi: 257, asn: 1, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY2 ", dscp: any}\n",
		 ":4: risav.sas: outbound SPI 0x101 of AS1 overlaps SPI 0x100 "
		 "(line 3): both have DSCP 'any'"},
		{"risav:\n  sas:\n"
		 "    - {direction: out, spi: 256, asn: 1, alg: "
		 "hmac-sha256-128,"
		 " key: " KEY ", dscp: [0]}\n"
		 "    - {direction: out, spi: 0x100, asn: 1, alg: "
		 "hmac-sha256-128, key: " KEY2 ", dscp: [1]}\n",
		 ":4: risav.sas: outbound SPI 0x100 with ASN 1 listed twice "
		 "(first on line 3)"},
		{"risav:\n  peers:\n    - {asn: 64501, mode: enforce, "
		 "policy: reject}\n",
		 ":3: risav.peers[0].policy: unknown policy 'reject' "
		 "(untagged or drop)"},
		{"interfaces:\n  - name: lo\n    egress_tagger: maybe\n",
		 ":3: interfaces[0].egress_tagger:"},
		{"risav:\n  sas:\n"
		 "    - {spi: 256, asn: 1, alg: hmac-sha256-128, key: " KEY "}"
		 "\n"
		 "    - {spi: 0x100, asn: AS1, alg: hmac-sha256-128, key: " KEY2
		 "}\n",
		 ":4: risav.sas: SPI 0x100 with ASN 1 listed twice (first on "
		 "line 3)"},
		{"risav:\n  sas:\n    - {spi: 256, asn: 1, alg: "
		 "hmac-sha256-128, key: " KEY ", mode: x}\n",
		 ":3: risav.sas[0]: unknown key 'mode'"},
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
		CU_ASSERT_FALSE(cfg.risav.present);
		CU_ASSERT_PTR_NULL(cfg.risav.sas);
	}
}

static void test_outbound_sas_and_policy(void)
{
	struct daemon_config cfg;
	const struct risav_peer *p;
	const struct config_sa *in, *ef, *rest;
	const char *err;

	err = load("interfaces:\n"
		   "  - {name: eth0}\n"
		   "  - {name: eth1, egress_tagger: false}\n"
		   "  - {name: eth2, egress_tagger: true}\n"
		   "risav:\n"
		   "  local_asn: 64500\n"
		   "  peers:\n"
		   "    - {asn: 64501, mode: enforce, policy: drop}\n"
		   "    - {asn: 64502, mode: testing}\n"
		   "  sas:\n"
		   "    - {spi: 0x1000, asn: 64501, alg: hmac-sha256-128, "
		   "key: " KEY "}\n"
		   "    - direction: out\n"
		   "      spi: 0x1000\n"
		   "      asn: 64501\n"
		   "      alg: hmac-sha256-128\n"
		   "      key: " KEY2 "\n"
		   "      dscp: [ef, 10-12, cs1]\n"
		   "    - {direction: out, spi: 0x1001, asn: 64501,"
		   " alg: hmac-sha256-128, key: " KEY "}\n",
		   &cfg);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL_FATAL(cfg.risav.nsas, 3);
	CU_ASSERT_EQUAL(cfg.risav.nsas_in, 1);
	CU_ASSERT_EQUAL(cfg.risav.nsas_out, 2);
	in = &cfg.risav.sas[0];
	ef = &cfg.risav.sas[1];
	rest = &cfg.risav.sas[2];
	CU_ASSERT_EQUAL(in->dir, SA_DIR_IN);
	CU_ASSERT_EQUAL(ef->dir, SA_DIR_OUT);
	CU_ASSERT_EQUAL(ef->line, 12);
	CU_ASSERT_EQUAL(ef->out.key.spi, 0x1000);
	CU_ASSERT_EQUAL(ef->out.key.asn, 64501);
	CU_ASSERT_EQUAL(ef->out.value.state, ESPRIT_SA_ACTIVE);
	CU_ASSERT_EQUAL(ef->out.value.dscp_mask,
			1ULL << 46 | 1ULL << 10 | 1ULL << 11 | 1ULL << 12 |
				1ULL << 8);
	CU_ASSERT_EQUAL(rest->out.value.dscp_mask, ESPRIT_DSCP_MASK_ANY);
	/* the same key material in both directions gives the same midstates */
	CU_ASSERT_EQUAL(memcmp(&in->in.value.auth, &rest->out.value.auth,
			       sizeof(in->in.value.auth)),
			0);
	CU_ASSERT_NOT_EQUAL(memcmp(&ef->out.value.auth, &rest->out.value.auth,
				   sizeof(ef->out.value.auth)),
			    0);
	p = risav_peer_find(&cfg.risav.state, 64501);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->v.no_sa, ESPRIT_NO_SA_DROP);
	p = risav_peer_find(&cfg.risav.state, 64502);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->v.no_sa, ESPRIT_NO_SA_UNTAGGED);
	CU_ASSERT_EQUAL_FATAL(cfg.interface_count, 3);
	CU_ASSERT_EQUAL(cfg.interfaces[0].egress_tagger, CONFIG_TAGGER_DEFAULT);
	CU_ASSERT_EQUAL(cfg.interfaces[1].egress_tagger, CONFIG_TAGGER_OFF);
	CU_ASSERT_EQUAL(cfg.interfaces[2].egress_tagger, CONFIG_TAGGER_ON);
	config_free(&cfg);
}

static const char *prefixes(const struct daemon_config *cfg,
			    const struct risav_prefixes *prev,
			    const struct prefix_table *prev_statics,
			    struct risav_prefixes *out, bool *unchanged)
{
	static char err[1024];

	err[0] = '\0';
	config_risav_load_prefixes(&cfg->risav, cfg->path, prev, prev_statics,
				   out, unchanged, err, sizeof(err));
	return err;
}

static void test_import_digest_and_statics(void)
{
	struct daemon_config cfg, cfg2;
	struct risav_prefixes first, again, changed;
	bool unchanged;

	put("rpki.json", "{\"roas\": [\n"
			 "  {\"asn\": 64501, \"prefix\": \"198.51.100.0/24\", "
			 "\"maxLength\": 24},\n"
			 "  {\"asn\": 64500, \"prefix\": \"10.11.0.0/16\", "
			 "\"maxLength\": 24}\n"
			 "]}\n");
	CU_ASSERT_STRING_EQUAL_FATAL(load("risav:\n  prefixes:\n    import: "
					  "rpki.json\n"
					  "    static: [{prefix: 10.11.1.0/24, "
					  "asn: 64502},\n"
					  "             {prefix: 10.11.0.0/16, "
					  "asn: 64503}]\n",
					  &cfg),
				     "");
	CU_ASSERT_STRING_EQUAL_FATAL(
		prefixes(&cfg, NULL, NULL, &first, &unchanged), "");
	CU_ASSERT_FALSE(unchanged);
	CU_ASSERT_TRUE(first.imported);
	CU_ASSERT_EQUAL(first.import_entries, 2);
	/* the statics win over the import */
	CU_ASSERT_EQUAL_FATAL(first.table.n, 3);
	CU_ASSERT_EQUAL(first.table.v[0].asn, 64503); /* 10.11.0.0/16 */
	CU_ASSERT_EQUAL(first.table.v[1].asn, 64502); /* 10.11.1.0/24 */
	CU_ASSERT_EQUAL(first.table.v[2].asn, 64501);

	/* same file, same statics: not parsed again */
	CU_ASSERT_STRING_EQUAL_FATAL(prefixes(&cfg, &first, &cfg.risav.statics,
					      &again, &unchanged),
				     "");
	CU_ASSERT_TRUE(unchanged);
	CU_ASSERT_EQUAL(again.table.n, 0);
	risav_prefixes_free(&again);

	/* rewritten with the same bytes: the digest says unchanged */
	put("rpki.json", "{\"roas\": [\n"
			 "  {\"asn\": 64501, \"prefix\": \"198.51.100.0/24\", "
			 "\"maxLength\": 24},\n"
			 "  {\"asn\": 64500, \"prefix\": \"10.11.0.0/16\", "
			 "\"maxLength\": 24}\n"
			 "]}\n");
	CU_ASSERT_STRING_EQUAL_FATAL(prefixes(&cfg, &first, &cfg.risav.statics,
					      &again, &unchanged),
				     "");
	CU_ASSERT_TRUE(unchanged);
	CU_ASSERT_EQUAL(
		memcmp(again.digest, first.digest, sizeof(first.digest)), 0);
	risav_prefixes_free(&again);

	/* other statics: built again */
	CU_ASSERT_STRING_EQUAL_FATAL(
		load("risav:\n  prefixes:\n    import: rpki.json\n", &cfg2),
		"");
	CU_ASSERT_STRING_EQUAL_FATAL(prefixes(&cfg2, &first, &cfg.risav.statics,
					      &again, &unchanged),
				     "");
	CU_ASSERT_FALSE(unchanged);
	CU_ASSERT_EQUAL(again.table.n, 2);
	risav_prefixes_free(&again);

	/* the file's content changed: read again */
	put("rpki.json", "{\"roas\": [\n"
			 "  {\"asn\": \"AS64501\", \"prefix\": "
			 "\"198.51.100.0/24\"}\n"
			 "]}\n");
	CU_ASSERT_STRING_EQUAL_FATAL(prefixes(&cfg2, &first,
					      &cfg2.risav.statics, &changed,
					      &unchanged),
				     "");
	CU_ASSERT_FALSE(unchanged);
	CU_ASSERT_NOT_EQUAL(
		memcmp(changed.digest, first.digest, sizeof(first.digest)), 0);
	CU_ASSERT_EQUAL(changed.table.n, 1);
	risav_prefixes_free(&changed);
	risav_prefixes_free(&first);
	config_free(&cfg);
	config_free(&cfg2);
}

/* A bad import names the YAML line and the RPKI file's line. */
static void test_import_errors(void)
{
	struct daemon_config cfg;
	struct risav_prefixes out;
	bool unchanged;
	const char *err;

	put("bad.json", "{\"roas\": [\n"
			"  {\"asn\": 64501, \"prefix\": \"198.51.100.0/24\"},\n"
			"  {\"asn\": 64501, \"prefix\": \"198.51.100.0/33\"}\n"
			"]}\n");
	CU_ASSERT_STRING_EQUAL_FATAL(load("risav:\n  local_asn: 1\n"
					  "  prefixes: {import: bad.json}\n",
					  &cfg),
				     "");
	err = prefixes(&cfg, NULL, NULL, &out, &unchanged);
	CU_ASSERT_TRUE(strstr(err, "esprit.yaml:3: risav.prefixes.import: ") !=
		       NULL);
	CU_ASSERT_TRUE(strstr(err, "bad.json:3") != NULL);
	CU_ASSERT_TRUE(strstr(err, "198.51.100.0/33") != NULL);
	CU_ASSERT_EQUAL(out.table.n, 0);
	risav_prefixes_free(&out);
	config_free(&cfg);

	CU_ASSERT_STRING_EQUAL_FATAL(load("risav:\n  prefixes:\n"
					  "    import: "
					  "/nonexistent/rpki.json\n",
					  &cfg),
				     "");
	err = prefixes(&cfg, NULL, NULL, &out, &unchanged);
	CU_ASSERT_TRUE(strstr(err, "esprit.yaml:3: risav.prefixes.import: "
				   "cannot open /nonexistent/rpki.json: No "
				   "such file") != NULL);
	risav_prefixes_free(&out);
	config_free(&cfg);
}

/* text with every `from` replaced by `to` (malloc'd). */
static char *replace_all(const char *text, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	char *out, *o;

	for (const char *p = text; (p = strstr(p, from)); p += fl)
		n++;
	out = malloc(strlen(text) + n * tl + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = text;;) {
		const char *q = strstr(p, from);

		if (!q) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, q - p);
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	return out;
}

static char *slurp(const char *rel)
{
	char path[1024];
	char *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", test_src_dir(), rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	if (buf && fread(buf, 1, len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Loads a documented example with its two paths pointed at test files. */
static void load_example(const char *yaml_text, const char *key_path,
			 const char *import_path, struct daemon_config *cfg)
{
	char *o = replace_all(yaml_text, "/etc/esprit/keys/64501-out-2000.key",
			      "k2.key");
	char *a = o ? replace_all(o, key_path, "k.key") : NULL;
	char *b = a ? replace_all(a, import_path, "rpki.json") : NULL;
	const char *err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	put("k2.key", KEY2 "\n");
	put("k.key", KEY "\n");
	put("rpki.json", "{\"roas\": []}\n");
	err = load(b, cfg);
	if (err[0])
		fprintf(stderr, "\n%s\n%s\n", b, err);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(o);
	free(a);
	free(b);
}

/* The commented risav: section of etc/esprit.yaml and the example in
 * esprit.yaml(5) load as they are written. */
static void test_rtr_caches(void)
{
	struct daemon_config cfg;
	const struct config_rtr *r = &cfg.risav.rtr;

	CU_ASSERT_STRING_EQUAL_FATAL(load("risav:\n  prefixes:\n    rtr:\n"
					  "      - {address: 192.0.2.10, port: "
					  "3323, preference: 1}\n"
					  "      - {address: '2001:db8::10', "
					  "port: 8282, "
					  "preference: 2}\n"
					  "      - {address: 192.0.2.11}\n"
					  "    refresh: 600s\n    retry: 30s\n "
					  "   on_expire: clear\n",
					  &cfg),
				     "");
	CU_ASSERT_EQUAL(r->n, 3);
	CU_ASSERT_STRING_EQUAL(r->caches[0].host, "192.0.2.10");
	CU_ASSERT_STRING_EQUAL(r->caches[0].port, "3323");
	CU_ASSERT_EQUAL(r->caches[0].preference, 1);
	CU_ASSERT_STRING_EQUAL(r->caches[1].host, "2001:db8::10");
	CU_ASSERT_STRING_EQUAL(r->caches[1].port, "8282");
	CU_ASSERT_EQUAL(r->caches[1].preference, 2);
	/* RFC 8210's port for RTR over plain TCP, and the first group */
	CU_ASSERT_STRING_EQUAL(r->caches[2].port, "323");
	CU_ASSERT_EQUAL(r->caches[2].preference, 1);
	CU_ASSERT_EQUAL(r->refresh, 600);
	CU_ASSERT_EQUAL(r->expire, 0);
	CU_ASSERT_EQUAL(r->retry, 30);
	CU_ASSERT_TRUE(r->clear_on_expire);
	CU_ASSERT_EQUAL(cfg.risav.import[0], '\0');
	config_free(&cfg);
}

static void test_documented_examples_load(void)
{
	char *etc = slurp("etc/esprit.yaml");
	char *manual = slurp("docs/man/esprit.yaml.5.scd");
	char *start, *end, *text, *o;
	struct daemon_config cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(etc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(manual);
	start = strstr(etc, "\n#risav:\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(start);
	text = calloc(1, strlen(start) + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o = text;
	for (const char *p = start + 1; *p; p++) {
		if (*p == '#' && (p == start + 1 || p[-1] == '\n'))
			continue; /* uncomment */
		*o++ = *p;
	}
	load_example(text, "/etc/esprit/keys/64501-1000.key",
		     "/var/lib/rpki-client/json", &cfg);
	CU_ASSERT_EQUAL(cfg.risav.state.config.local_asn, 64500);
	CU_ASSERT_EQUAL(cfg.risav.state.npeers, 1);
	CU_ASSERT_EQUAL(cfg.risav.nsas, 2);
	CU_ASSERT_EQUAL(cfg.risav.nsas_out, 1);
	CU_ASSERT_EQUAL(cfg.risav.statics.n, 1);
	config_free(&cfg);
	free(text);

	start = strstr(manual, "# EXAMPLE\n\n```\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(start);
	start += strlen("# EXAMPLE\n\n```\n");
	end = strstr(start, "```");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	text = strndup(start, end - start);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o = replace_all(text, "keys/64501-out.key",
			"/etc/esprit/keys/64501-out-2000.key");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	load_example(o, "keys/64501-in.key", "/var/lib/rpki-client/json", &cfg);
	CU_ASSERT_EQUAL(cfg.risav.state.config.local_asn, 64500);
	CU_ASSERT_EQUAL(cfg.risav.state.local_contact_count, 1);
	CU_ASSERT_EQUAL(cfg.risav.state.npeers, 1);
	CU_ASSERT_EQUAL(cfg.risav.nsas, 2);
	CU_ASSERT_EQUAL(cfg.risav.nsas_out, 1);
	CU_ASSERT_EQUAL(cfg.peer_count, 1);
	config_free(&cfg);
	free(o);
	free(text);
	free(etc);
	free(manual);
}

TEST_SUITE(config_risav_suite) = {
	.name = "unit_config_risav",
	.init = suite_init,
	.cleanup = suite_clean,
	.cases =
		(const struct test_case[]){
			{"full_section", test_full_section},
			{"absent_and_empty", test_absent_and_empty},
			{"errors_name_line", test_errors_name_line},
			{"rtr_caches", test_rtr_caches},
			{"outbound_sas_and_policy",
			 test_outbound_sas_and_policy},
			{"import_digest_and_statics",
			 test_import_digest_and_statics},
			{"import_errors", test_import_errors},
			{"documented_examples_load",
			 test_documented_examples_load},
			{NULL, NULL},
		},
};
