// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's apply of outbound SAs, on the maps of a loaded esprit_tc
 * run with BPF_PROG_TEST_RUN: an unchanged SA keeps its sequence counter
 * across an apply, a changed DSCP set moves the class to the SA now
 * holding it with the counter continued, a removed SA is gone and its
 * classes select what remains, and a write refused half-way is undone.
 * Counters go through a sequence ledger in the test's directory: an SA
 * that comes back, whether its counter was deleted or lost with bpffs,
 * starts above every number it sent, and a ledger that cannot be read
 * refuses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <CUnit/CUnit.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "esprit_maps.h"
#include "daemon/risav_apply.h"
#include "risav/seq_ledger.h"
#include "tag_fixture.h"
#include "testlib.h"

#define TF_KEY_HEX \
	"8c4107d25a931e6fb024e9770dc358a136fe82194bd7602c950eba734fe1089d"
#define OTHER_KEY \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define NEW_KEY \
	"f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f"
#define SRC4  "192.0.2.10"
#define PEER4 "198.51.100.7"

/* The fixture's world as the daemon's file says it; %s: more SAs. */
#define WORLD                                                       \
	"risav:\n"                                                  \
	"  local_asn: 64500\n"                                      \
	"  contacts: [192.0.2.250]\n"                               \
	"  prefixes:\n"                                             \
	"    static:\n"                                             \
	"      - {prefix: 192.0.2.0/24, asn: 64500}\n"              \
	"      - {prefix: 2001:db8:100::/48, asn: 64500}\n"         \
	"      - {prefix: 198.51.100.0/24, asn: 64501}\n"           \
	"      - {prefix: 2001:db8:201::/48, asn: 64501}\n"         \
	"      - {prefix: 203.0.113.0/24, asn: 64502}\n"            \
	"      - {prefix: 2001:db8:202::/48, asn: 64502}\n"         \
	"      - {prefix: 100.64.3.0/24, asn: 64503}\n"             \
	"      - {prefix: 2001:db8:203::/48, asn: 64503}\n"         \
	"      - {prefix: 100.64.4.0/24, asn: 64504}\n"             \
	"      - {prefix: 2001:db8:204::/48, asn: 64504}\n"         \
	"  peers:\n"                                                \
	"    - {asn: 64501, mode: enforce,"                         \
	" contacts: [198.51.100.250, 2001:db8:201::fa]}\n"          \
	"    - {asn: 64502, mode: testing, policy: %s}\n"           \
	"    - {asn: 64503, mode: off, policy: drop}\n"             \
	"  sas:\n"                                                  \
	"    - {direction: out, spi: 0x3000, asn: 64502,"           \
	" alg: hmac-sha256-128, key: " TF_KEY_HEX ", dscp: [10]}\n" \
	"    - {direction: out, spi: 0x4000, asn: 64503,"           \
	" alg: hmac-sha256-128, key: " TF_KEY_HEX "}\n"             \
	"%s"

#define SA_EF                                             \
	"    - {direction: out, spi: 0x2000, asn: 64501," \
	" alg: hmac-sha256-128, key: " TF_KEY_HEX ", dscp: [ef]}\n"
#define SA_AF4                                            \
	"    - {direction: out, spi: 0x2001, asn: 64501," \
	" alg: hmac-sha256-128, key: " TF_KEY_HEX ", dscp: [af41, af42]}\n"
#define SA_ANY                                            \
	"    - {direction: out, spi: 0x2002, asn: 64501," \
	" alg: hmac-sha256-128, key: " TF_KEY_HEX ", dscp: any}\n"

static char dir[] = "/tmp/esprit-drisav-out-XXXXXX";
static char err[1024];
static struct tag_fixture fx;
static struct pkt in;
static struct tag_result res;
static struct seq_ledger ledger;

static int suite_init(void)
{
	char state[sizeof(dir) + 16];

	if (!mkdtemp(dir))
		return -1;
	snprintf(state, sizeof(state), "%s/state", dir);
	seq_ledger_init(&ledger, state);
	return tag_fixture_open(&fx);
}

static int suite_clean(void)
{
	char cmd[sizeof(dir) + 16];

	seq_ledger_free(&ledger);
	tag_fixture_close(&fx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static struct sa_out_maps out_maps(void)
{
	return (struct sa_out_maps){
		.out = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT),
		.sel = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_SEL),
		.st = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT_ST),
	};
}

/*
 * Loads WORLD with policy and extra SAs and applies it to the fixture's
 * maps as the daemon does one map set (om NULL: the fixture's). 0 or -1
 * with err set.
 */
static int apply(const char *policy, const char *sas,
		 const struct sa_out_maps *om)
{
	struct risav_maps rm = {
		.config = tag_fixture_map_fd(&fx, ESPRIT_MAP_RISAV),
		.prefixes = tag_fixture_map_fd(&fx, ESPRIT_MAP_PREFIXES),
		.pfx4 = tag_fixture_map_fd(&fx, ESPRIT_MAP_PFX4),
		.peers = tag_fixture_map_fd(&fx, ESPRIT_MAP_PEERS),
		.contacts = tag_fixture_map_fd(&fx, ESPRIT_MAP_CONTACTS),
	};
	struct sa_maps sm = {
		.in = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_IN),
		.in_rw = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_IN_RW),
		.in_st = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_IN_ST),
	};
	struct sa_out_maps fixture = out_maps();
	struct daemon_config cfg;
	struct risav_prefixes pre;
	char path[sizeof(dir) + 32], text[8192];
	bool unchanged;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/esprit.yaml", dir);
	snprintf(text, sizeof(text), WORLD, policy, sas);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	if (config_load(path, &cfg, err, sizeof(err)))
		return -1;
	rc = config_risav_load_prefixes(&cfg.risav, path, NULL, NULL, &pre,
					&unchanged, err, sizeof(err));
	if (!rc)
		rc = risav_maps_probe(&rm, err, sizeof(err));
	if (!rc)
		rc = risav_set_apply(&rm, &sm, 64, om ? om : &fixture, 64,
				     &ledger, path, &cfg.risav, &pre.table,
				     true, err, sizeof(err));
	risav_prefixes_free(&pre);
	config_free(&cfg);
	return rc;
}

static __u32 peer_no_sa(__u32 asn)
{
	struct esprit_peer p = {};

	bpf_map_lookup_elem(tag_fixture_map_fd(&fx, ESPRIT_MAP_PEERS), &asn,
			    &p);
	return p.no_sa;
}

static bool sa_present(__u32 spi, __u32 asn)
{
	struct esprit_sa_out_key k = {.spi = spi, .asn = asn};
	struct esprit_sa_out v;

	return !bpf_map_lookup_elem(tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT),
				    &k, &v);
}

/* Which SPI the selection map sends DSCP d of asn on (0: none). */
static __u32 selected(__u32 asn, __u32 d)
{
	struct esprit_sa_sel v = {};

	bpf_map_lookup_elem(tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_SEL), &asn,
			    &v);
	return v.spi[d];
}

/* Sends a packet of DSCP d to AS 64501; checks the tag's SPI and that its
 * sequence number is one past the counter as it was. */
static void expect_tag_at(__u8 d, __u32 spi, const char *file, int line)
{
	uint64_t seq = tag_fixture_seq(&fx, spi, TF_ENFORCE_ASN);

	tf_udp(&in, 4, SRC4, PEER4, d, 64, NULL);
	if (!tf_expect_at(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_TAGGED,
			  TF_NO_REASON, false, &res, file, line))
		return;
	tf_tagged_at(&in, res.out, res.out_len, spi, (uint32_t)(seq + 1), file,
		     line);
}
#define expect_tag(d, spi) expect_tag_at(d, spi, __FILE__, __LINE__)

static void test_unchanged_keeps_counter(void)
{
	uint64_t ef, any;

	for (int i = 0; i < 3; i++) {
		expect_tag(46, TF_SPI_EF);
		expect_tag(0, TF_SPI_ANY);
	}
	ef = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	any = tag_fixture_seq(&fx, TF_SPI_ANY, TF_ENFORCE_ASN);
	CU_ASSERT_TRUE(ef >= 3 && any >= 3);
	/* the fixture's SAs, as the file lists them: nothing to write */
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN), ef);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_ANY, TF_ENFORCE_ASN), any);
	expect_tag(46, TF_SPI_EF); /* sequence number ef + 1 */
	expect_tag(0, TF_SPI_ANY);
	expect_tag(34, TF_SPI_AF4);
}

static void test_changed_dscp_moves_class(void)
{
	uint64_t ef;

	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	expect_tag(34, TF_SPI_AF4);
	ef = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	/* af41 moves from 0x2001 to 0x2000 in one apply */
	CU_ASSERT_EQUAL_FATAL(
		apply("drop",
		      "    - {direction: out, spi: 0x2000, asn: 64501,"
		      " alg: hmac-sha256-128, key: " TF_KEY_HEX ", dscp: [ef, "
		      "af41]}\n"
		      "    - {direction: out, spi: 0x2001, asn: 64501,"
		      " alg: hmac-sha256-128, key: " TF_KEY_HEX ", dscp: "
		      "[af42]}"
		      "\n" SA_ANY,
		      NULL),
		0);
	CU_ASSERT_EQUAL(selected(TF_ENFORCE_ASN, 34), TF_SPI_EF);
	CU_ASSERT_EQUAL(selected(TF_ENFORCE_ASN, 36), TF_SPI_AF4);
	/* rewritten in place: the counter went on, past the skip */
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN),
			ef + SA_OUT_SEQ_SKIP);
	expect_tag(34, TF_SPI_EF);
	expect_tag(46, TF_SPI_EF);
	expect_tag(36, TF_SPI_AF4);
	CU_ASSERT_TRUE(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN) >
		       ef + SA_OUT_SEQ_SKIP);
	/* and back */
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	expect_tag(34, TF_SPI_AF4);
}

static void test_removed_sa_gone(void)
{
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	expect_tag(36, TF_SPI_AF4);
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_ANY, NULL), 0);
	CU_ASSERT_FALSE(sa_present(TF_SPI_AF4, TF_ENFORCE_ASN));
	for (__u32 d = 0; d < ESPRIT_DSCP_COUNT; d++)
		CU_ASSERT_EQUAL(selected(TF_ENFORCE_ASN, d),
				d == 46 ? TF_SPI_EF : TF_SPI_ANY);
	expect_tag(36, TF_SPI_ANY);
	expect_tag(34, TF_SPI_ANY);
	/* back, with the same key: its counter starts where the ledger saw
	 * it go, past what the tagger could take before the delete */
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	CU_ASSERT_TRUE(tag_fixture_seq(&fx, TF_SPI_AF4, TF_ENFORCE_ASN) >=
		       SA_OUT_SEQ_SKIP);
	expect_tag(36, TF_SPI_AF4);
}

static void set_counter(__u32 spi, __u64 seq)
{
	int fd = tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT);
	struct esprit_sa_out_key k = {.spi = spi, .asn = TF_ENFORCE_ASN};
	struct esprit_sa_out v;

	CU_ASSERT_EQUAL_FATAL(bpf_map_lookup_elem(fd, &k, &v), 0);
	v.seq = seq;
	CU_ASSERT_EQUAL(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
}

/* bpffs emptied under the SA (a reboot): the map loses it unseen */
static void lose_sa(__u32 spi)
{
	struct esprit_sa_out_key k = {.spi = spi, .asn = TF_ENFORCE_ASN};

	CU_ASSERT_EQUAL(bpf_map_delete_elem(
				tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT), &k),
			0);
}

static void test_lost_counter_continues_above_checkpoint(void)
{
	bool changed;
	__u64 seq;

	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	/* the counter runs up to its reservation; the checkpoint moves it */
	seq = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	set_counter(TF_SPI_EF, seq + 5 * SEQ_LEDGER_STEP);
	expect_tag(46, TF_SPI_EF);
	CU_ASSERT_EQUAL(seq_ledger_checkpoint(
				&ledger,
				tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT),
				&changed, err, sizeof(err)),
			0);
	CU_ASSERT_TRUE(changed);
	/* nothing moved: no write */
	CU_ASSERT_EQUAL(seq_ledger_checkpoint(
				&ledger,
				tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT),
				&changed, err, sizeof(err)),
			0);
	CU_ASSERT_FALSE(changed);
	seq = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	lose_sa(TF_SPI_EF);
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN),
			seq + SEQ_LEDGER_STEP);
	expect_tag(46, TF_SPI_EF);

	/* a key new on the SPI is a new SA: it may start low */
	lose_sa(TF_SPI_EF);
	CU_ASSERT_EQUAL_FATAL(apply("drop",
				    "    - {direction: out, spi: 0x2000, asn: "
				    "64501,"
				    " alg: hmac-sha256-128, key: " NEW_KEY
				    ", dscp: [ef]}\n" SA_AF4 SA_ANY,
				    NULL),
			      0);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN), 0);
	/* the old key back in place of it: above what it ever sent */
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	CU_ASSERT_TRUE(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN) >=
		       seq + SEQ_LEDGER_STEP);
	expect_tag(46, TF_SPI_EF);
}

/* The reservation the ledger holds for the EF SA, as last read. */
static __u64 ef_reserved(void)
{
	for (size_t i = 0; i < ledger.n; i++)
		if (ledger.entries[i].key.spi == TF_SPI_EF &&
		    ledger.entries[i].key.asn == TF_ENFORCE_ASN)
			return ledger.entries[i].reserved;
	return 0;
}

static int checkpoint(bool *changed)
{
	return seq_ledger_checkpoint(&ledger,
				     tag_fixture_map_fd(&fx, ESPRIT_MAP_SA_OUT),
				     changed, err, sizeof(err));
}

/*
 * The ledger cannot be saved (its directory unwritable): a counter far
 * from the saved reservation goes on; one near it is held, so that no
 * number a restart would start from is ever sent; once the ledger saves
 * again, the reservation moves above it and it tags again.
 */
static void test_unsaved_ledger_holds_sa_near_reservation(void)
{
	char dir_was[sizeof(ledger.dir)], path_was[sizeof(ledger.path)];
	bool changed;
	__u64 r, seq;

	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(checkpoint(&changed), 0);
	r = ef_reserved();
	CU_ASSERT_FATAL(r > SEQ_LEDGER_STEP / 2);
	memcpy(dir_was, ledger.dir, sizeof(dir_was));
	memcpy(path_was, ledger.path, sizeof(path_was));
	snprintf(ledger.dir, sizeof(ledger.dir), "/proc/esprit-nowhere");
	snprintf(ledger.path, sizeof(ledger.path),
		 "/proc/esprit-nowhere/sa-out.seq");
	/* due for a move, far from the reservation: still tagging */
	set_counter(TF_SPI_EF, r - SEQ_LEDGER_STEP / 2 + 1);
	CU_ASSERT_EQUAL(checkpoint(&changed), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "held"));
	expect_tag(46, TF_SPI_EF);
	/* near it: held; its class goes by the peer's policy, untagged */
	set_counter(TF_SPI_EF, r - SA_OUT_SEQ_SKIP);
	CU_ASSERT_EQUAL(checkpoint(&changed), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1 outbound SA held"));
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN), r);
	tf_udp(&in, 4, SRC4, PEER4, 46, 64, NULL);
	tf_expect(&fx, &in, TC_ACT_OK, ESPRIT_R_RISAV_NO_SA_UNTAGGED,
		  TF_NO_REASON, true, &res);
	CU_ASSERT_EQUAL(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN), r);
	/* saved again: moved above, and tagging from where it stood */
	memcpy(ledger.dir, dir_was, sizeof(dir_was));
	memcpy(ledger.path, path_was, sizeof(path_was));
	CU_ASSERT_EQUAL(checkpoint(&changed), 0);
	CU_ASSERT_TRUE(changed);
	seq = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	CU_ASSERT_EQUAL(seq, r);
	CU_ASSERT(ef_reserved() >= r + SEQ_LEDGER_STEP);
	expect_tag(46, TF_SPI_EF);
}

static void test_untrusted_ledger_refuses(void)
{
	char path[sizeof(ledger.path)], *text;
	size_t len;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	snprintf(path, sizeof(path), "%s", ledger.path);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	text = calloc(1, 1 << 16);
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	CU_ASSERT_TRUE(len > 0);
	/* a line mangled: which one, and nothing written */
	f = fopen(path, "w");
	fputs("esprit-seq-ledger 1\n256 64501 zz 1\n", f);
	fclose(f);
	lose_sa(TF_SPI_EF);
	CU_ASSERT_EQUAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sa-out.seq:2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "refusing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "0x2000"));
	CU_ASSERT_FALSE(sa_present(TF_SPI_EF, TF_ENFORCE_ASN));
	CU_ASSERT_TRUE(sa_present(TF_SPI_AF4, TF_ENFORCE_ASN));
	/* unreadable: the same */
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sa-out.seq: Is a directory"));
	CU_ASSERT_FALSE(sa_present(TF_SPI_EF, TF_ENFORCE_ASN));
	CU_ASSERT_EQUAL(rmdir(path), 0);
	/* put back as it was, the SA goes in */
	f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	expect_tag(46, TF_SPI_EF);
}

/* The selections cannot be written: SAs, peers and selections stay as
 * they were. */
static void test_refused_write_is_undone(void)
{
	struct sa_out_maps broken = out_maps();
	uint64_t ef;

	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	ef = tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN);
	broken.sel = -1;
	CU_ASSERT_EQUAL(apply("untagged",
			      "    - {direction: out, spi: 0x2000, asn: 64501,"
			      " alg: hmac-sha256-128, key: " OTHER_KEY ", "
			      "dscp: "
			      "[ef, "
			      "af41]}"
			      "\n"
			      "    - {direction: out, spi: 0x2003, asn: 64501,"
			      " alg: hmac-sha256-128, key: " TF_KEY_HEX
			      ", dscp: [af42]}\n" SA_ANY,
			      &broken),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "selection"));
	CU_ASSERT_FALSE(sa_present(0x2003, TF_ENFORCE_ASN));
	CU_ASSERT_TRUE(sa_present(TF_SPI_AF4, TF_ENFORCE_ASN));
	CU_ASSERT_EQUAL(peer_no_sa(TF_TESTING_ASN), ESPRIT_NO_SA_DROP);
	CU_ASSERT_EQUAL(selected(TF_ENFORCE_ASN, 34), TF_SPI_AF4);
	/* the old key is back (the tag verifies with it), and the counter
	 * never went backwards */
	CU_ASSERT_TRUE(tag_fixture_seq(&fx, TF_SPI_EF, TF_ENFORCE_ASN) >= ef);
	expect_tag(46, TF_SPI_EF);
	expect_tag(34, TF_SPI_AF4);
	expect_tag(36, TF_SPI_AF4);

	/* the same with the real maps goes through */
	CU_ASSERT_EQUAL(apply("untagged",
			      "    - {direction: out, spi: 0x2000, asn: 64501,"
			      " alg: hmac-sha256-128, key: " TF_KEY_HEX ", "
			      "dscp: "
			      "[ef, "
			      "af41]}"
			      "\n"
			      "    - {direction: out, spi: 0x2003, asn: 64501,"
			      " alg: hmac-sha256-128, key: " TF_KEY_HEX
			      ", dscp: [af42]}\n" SA_ANY,
			      NULL),
			0);
	CU_ASSERT_EQUAL(peer_no_sa(TF_TESTING_ASN), ESPRIT_NO_SA_UNTAGGED);
	CU_ASSERT_FALSE(sa_present(TF_SPI_AF4, TF_ENFORCE_ASN));
	expect_tag(36, 0x2003);
	expect_tag(34, TF_SPI_EF);
	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
}

/* Every peer's selections from one pass over the SAs: wiped, and one
 * stale for a peer without SAs, then rebuilt as the SAs say. */
static void test_rebuild_all_peers(void)
{
	struct sa_out_maps m = out_maps();
	__u32 k, next, *prev = NULL, stale = 64599;
	struct esprit_sa_sel to = {.spi[3] = 0x9999};
	struct map_journal j;

	CU_ASSERT_EQUAL_FATAL(apply("drop", SA_EF SA_AF4 SA_ANY, NULL), 0);
	while (!bpf_map_get_next_key(m.sel, prev, &next)) {
		k = next;
		prev = NULL;
		CU_ASSERT_EQUAL_FATAL(bpf_map_delete_elem(m.sel, &k), 0);
	}
	CU_ASSERT_EQUAL(bpf_map_update_elem(m.sel, &stale, &to, BPF_ANY), 0);
	mj_init(&j);
	CU_ASSERT_EQUAL_FATAL(
		mj_finish(&j, sa_out_sel_rebuild(&m, 0, &j, err, sizeof(err))),
		0);
	for (__u32 d = 0; d < ESPRIT_DSCP_COUNT; d++) {
		CU_ASSERT_EQUAL(selected(TF_ENFORCE_ASN, d),
				d == 46		     ? TF_SPI_EF
				: d == 34 || d == 36 ? TF_SPI_AF4
						     : TF_SPI_ANY);
		CU_ASSERT_EQUAL(selected(TF_TESTING_ASN, d),
				d == 10 ? TF_SPI_TESTING : 0);
		CU_ASSERT_EQUAL(selected(TF_OFF_ASN, d), TF_SPI_OFF);
		CU_ASSERT_EQUAL(selected(64599, d), 0);
	}
	expect_tag(36, TF_SPI_AF4);
}

TEST_SUITE(daemon_risav_out_suite) = {
	.name = "bpf_daemon_risav_out",
	.init = suite_init,
	.cleanup = suite_clean,
	.cases =
		(const struct test_case[]){
			{"unchanged_keeps_counter",
			 test_unchanged_keeps_counter},
			{"changed_dscp_moves_class",
			 test_changed_dscp_moves_class},
			{"removed_sa_gone", test_removed_sa_gone},
			{"refused_write_is_undone",
			 test_refused_write_is_undone},
			{"rebuild_all_peers", test_rebuild_all_peers},
			{"lost_counter_continues_above_checkpoint",
			 test_lost_counter_continues_above_checkpoint},
			{"unsaved_ledger_holds_sa_near_reservation",
			 test_unsaved_ledger_holds_sa_near_reservation},
			{"untrusted_ledger_refuses",
			 test_untrusted_ledger_refuses},
			{NULL, NULL},
		},
};
