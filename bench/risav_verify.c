// SPDX-License-Identifier: GPL-2.0
/*
 * Table "risav-verify": esprit_xdp verifying and stripping an AS-scoped
 * AH (HMAC-SHA-256-128, RISAV) on IPv4 packets of 64, 512 and 1500 bytes
 * (the IP packet, AH included: what the ICV covers), beside OpenSSL's
 * HMAC-SHA256 of as many bytes with SHA-NI and without (the crypto
 * table's method, bench/openssl_ref.h), in the same run.
 *
 * Method. The program strips the AH, and a test run with repeat > 1 hands
 * each repetition the previous one's output: after the first, the
 * program would see an untagged packet. No configuration makes the
 * stripped packet a tagged one again (testrun-echo's trick for the echo
 * responder), so each sample is one packet per test run (repeat = 1) and
 * its time the kernel's own figure for that run: the nanoseconds between
 * two clock reads around the one program run, not the syscall around it
 * (~0.1 ms here, which would swamp a microsecond). The same figure for
 * an empty XDP program, interleaved, is what the measurement itself
 * costs; it is subtracted. A sample is the median of TEST_RUN_SINGLES such
 * runs; each run is checked (XDP_PASS, the stripped length), and so is
 * the verified counter.
 *
 * As a cross-check of the steady state, the same packets with a bad ICV
 * from a peer in enforce mode (verified in full, dropped, the packet left
 * as it was) run with a large repeat, timed as the crypto table times:
 * this thread's CPU time per repetition.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "anchor.h"
#include "bench.h"
#include "lib/counters.h"
#include "cpu.h"
#include "esprit_prog.h"
#include "esprit_risav.h"
#include "openssl_ref.h"
#include "pkt.h"
#include "risav/prefix_maps.h"
#include "risav/sa_in.h"
#include "table.h"
#include "test_run.h"

#include "bench_tx_empty.skel.h"
#include "esprit_xdp.skel.h"

#define LOCAL_ASN	   64500
#define PEER_ASN	   64501
#define SPI		   0x1000
#define DROP_REPEAT	   20000
#define TARGET_64_VS_SHANI 10.0 /* issue 3: <= 10x OpenSSL with SHA-NI */

static const char *const sizes_desc = "64, 512, 1500";

struct subject {
	struct pkt tagged, bad, plain;
	size_t ip_len;
	struct series *strip; /* verify+strip, single runs, less the empty */
	struct series *drop; /* verify+drop, repeat */
	struct series *ssl[2]; /* OpenSSL HMAC: SHA-NI, masked */
};

struct bench {
	struct table *t;
	struct esprit_xdp *esp;
	struct bench_tx_empty *empty;
	int esp_fd, empty_fd;
	struct anchor anchor;
	struct subject subj[NLENS];
	struct series *empty_run; /* the empty program, single runs */
	__u64 verified_want; /* what the verified counter must have grown by */
};

/* CPU time per repetition of a test run that leaves the packet alone. */
static double repeated_runs(struct bench *b, const struct pkt *in)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
		    .data_size_in = in->len, .repeat = DROP_REPEAT);
	double t0 = cpu_ns();

	if (bpf_prog_test_run_opts(b->esp_fd, &opts) ||
	    opts.retval != XDP_DROP) {
		table_error(b->t, "bad-ICV run failed or did not drop");
		return NAN;
	}
	return (cpu_ns() - t0) / DROP_REPEAT;
}

static const uint8_t key[32] = {
	0x52, 0x49, 0x53, 0x41, 0x56, 0x2d, 0x62, 0x65, 0x6e, 0x63, 0x68,
	0x2d, 0x6b, 0x65, 0x79, 0x21, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
};

/* The RISAV state: local AS, the peer in enforce mode, its SA. */
static int configure(struct bench *b)
{
	struct esprit_risav_config cfg = {.local_asn = LOCAL_ASN};
	struct esprit_peer peer = {.mode = ESPRIT_PEER_ENFORCE};
	struct prefix_maps pm = {
		.trie = bpf_map__fd(b->esp->maps.esprit_prefixes),
		.pfx4 = bpf_map__fd(b->esp->maps.esprit_pfx4),
	};
	struct sa_maps sm = {
		.in = bpf_map__fd(b->esp->maps.esprit_sa_in),
		.in_rw = bpf_map__fd(b->esp->maps.esprit_sa_in_rw),
		.in_st = bpf_map__fd(b->esp->maps.esprit_sa_in_st),
	};
	static const struct {
		const char *prefix;
		__u32 asn;
	} prefixes[] = {{"192.0.2.0/24", LOCAL_ASN},
			{"198.51.100.0/24", PEER_ASN}};
	char err[256], hex[65];
	__u32 zero = 0, asn = PEER_ASN;
	struct esprit_prefix_key k;
	struct map_journal j;
	struct sa_in sa;

	for (size_t i = 0; i < 2; i++)
		if (table_prefix_parse(prefixes[i].prefix, &k, err,
				       sizeof(err)) ||
		    prefixes_set(&pm, &k, prefixes[i].asn, err, sizeof(err)))
			goto fail;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	mj_init(&j);
	if (sa_in_build("0x1000", "64501", "hmac-sha256-128", hex, NULL, &sa,
			err, sizeof(err)) ||
	    mj_finish(&j, sa_in_add(&sm, &sa, &j, err, sizeof(err))))
		goto fail;
	if (bpf_map__update_elem(b->esp->maps.esprit_peers, &asn, sizeof(asn),
				 &peer, sizeof(peer), BPF_ANY) ||
	    bpf_map__update_elem(b->esp->maps.esprit_risav, &zero, sizeof(zero),
				 &cfg, sizeof(cfg), BPF_ANY)) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	table_error(b->t, "RISAV configuration: %s", err);
	return -1;
}

/* IPv4 UDP from the peer to the local AS, tagged: ip_len bytes of IP. */
static void build_packets(struct subject *s, size_t ip_len)
{
	uint8_t payload[OPENSSL_REF_MSG_MAX];
	uint8_t bad_key[32];

	memcpy(bad_key, key, sizeof(key));
	bad_key[31] ^= 1;
	s->ip_len = ip_len;
	pkt_pattern(payload, sizeof(payload), 5);
	pkt_init(&s->plain);
	pkt_eth(&s->plain, pkt_mac_b, pkt_mac_a);
	pkt_ipv4(&s->plain, "198.51.100.7", "192.0.2.1");
	pkt_udp(&s->plain, 40000, 5000, payload, ip_len - 20 - 28 - 8);
	pkt_finish(&s->plain);
	s->tagged = s->plain;
	pkt_ah_insert(&s->tagged, SPI, 1, 1, 16);
	s->bad = s->tagged;
	pkt_ah_sign(&s->tagged, key, sizeof(key));
	pkt_ah_sign(&s->bad, bad_key, sizeof(bad_key));
}

static int load(struct bench *b)
{
	static const char *const defaults[] = {NULL};
	char err[128];
	int e;

	b->esp = esprit_prog_load(defaults, err, sizeof(err));
	if (!b->esp) {
		table_error(b->t, "esprit_xdp: %s", err);
		return -1;
	}
	b->empty = bench_tx_empty__open_and_load();
	if (!b->empty) {
		table_error(b->t, "cannot load the empty program");
		return -1;
	}
	b->esp_fd = bpf_program__fd(b->esp->progs.esprit_xdp);
	b->empty_fd = bpf_program__fd(b->empty->progs.bench_tx_empty);
	e = anchor_add(&b->anchor, b->esp_fd);
	if (!e)
		e = anchor_add(&b->anchor, b->empty_fd);
	if (e) {
		table_error(b->t,
			    "cannot keep the programs in the XDP "
			    "dispatcher: %s",
			    strerror(-e));
		return -1;
	}
	return configure(b);
}

static void add_series(struct bench *b)
{
	char name[SERIES_NAME];

	b->empty_run =
		table_series(b->t, "empty XDP program, 1 run", "ns/packet");
	for (size_t i = 0; i < NLENS; i++) {
		struct subject *s = &b->subj[i];

		snprintf(name, sizeof(name), "esprit verify+strip %zu B",
			 hmac_lens[i]);
		s->strip = table_series(b->t, name, "ns/packet");
		snprintf(name, sizeof(name), "esprit verify+drop %zu B",
			 hmac_lens[i]);
		s->drop = table_series(b->t, name, "ns/packet");
		snprintf(name, sizeof(name), "OpenSSL SHA-NI HMAC %zu B",
			 hmac_lens[i]);
		s->ssl[0] = table_series(b->t, name, "ns/message");
		snprintf(name, sizeof(name), "OpenSSL no SHA-NI HMAC %zu B",
			 hmac_lens[i]);
		s->ssl[1] = table_series(b->t, name, "ns/message");
		build_packets(s, hmac_lens[i]);
	}
}

static void measure(struct bench *b, int rounds)
{
	struct openssl_sample native, masked;
	struct masked_child child;
	__u64 verified0;
	char err[160];

	if (masked_start(&child, err, sizeof(err))) {
		table_error(b->t, "OpenSSL with SHA-NI masked: %s", err);
		masked_stop(&child);
		return;
	}
	verified0 = esprit_prog_count(b->esp, ESPRIT_R_RISAV_VERIFIED);
	for (int r = 0; r < rounds; r++) {
		double empty = test_run_single_median(
			b->t, b->empty_fd, &b->subj[0].tagged, XDP_TX, 0);

		series_add(b->empty_run, empty);
		for (size_t i = 0; i < NLENS; i++) {
			struct subject *s = &b->subj[i];
			double ns = test_run_single_median(b->t, b->esp_fd,
							   &s->tagged, XDP_PASS,
							   s->plain.len);

			b->verified_want += TEST_RUN_SINGLES;
			series_add(s->strip, ns - empty);
			series_add(s->drop, repeated_runs(b, &s->bad));
		}
		if (openssl_measure(&native) ||
		    masked_measure(&child, &masked)) {
			table_error(b->t, "OpenSSL figures unavailable");
			break;
		}
		for (size_t i = 0; i < NLENS; i++) {
			series_add(b->subj[i].ssl[0], native.hmac[i]);
			series_add(b->subj[i].ssl[1], masked.hmac[i]);
		}
	}
	if (masked_stop(&child))
		table_error(b->t, "the run with OPENSSL_ia32cap=%s failed",
			    SHA_NI_MASK);
	if (esprit_prog_count(b->esp, ESPRIT_R_RISAV_VERIFIED) - verified0 !=
	    b->verified_want)
		table_error(b->t, "the verified counter did not grow by every "
				  "single run");
}

static void compare(struct bench *b)
{
	struct subject *s = b->subj;

	table_ratio(b->t, s[0].strip, s[0].ssl[0], TARGET_AT_MOST,
		    TARGET_64_VS_SHANI);
	for (size_t i = 1; i < NLENS; i++)
		table_ratio(b->t, s[i].strip, s[i].ssl[0], TARGET_NONE, 0);
	for (size_t i = 0; i < NLENS; i++)
		table_ratio(b->t, s[i].strip, s[i].ssl[1], TARGET_NONE, 0);
	table_ratio(b->t, s[0].drop, s[0].ssl[0], TARGET_NONE, 0);
}

static void notes(struct table *t)
{
	table_note(t,
		   "verify+strip: one tagged packet per test run (repeat 1: a "
		   "repetition would get the stripped packet); the kernel's "
		   "duration of that run, median of %d runs per sample, less "
		   "the same for an empty XDP program (the clock reads and "
		   "entry the measurement itself costs)",
		   TEST_RUN_SINGLES);
	table_note(t, "each run checked: XDP_PASS and the untagged length; "
		      "the risav-verified counter grew by every run");
	table_note(t,
		   "verify+drop: the same packets with a bad ICV from a peer "
		   "in enforce mode (full HMAC, dropped, packet unchanged), "
		   "%d repetitions per test run, this thread's CPU time per "
		   "repetition: the steady state without the strip",
		   DROP_REPEAT);
	table_note(t,
		   "OpenSSL: HMAC-SHA256 of as many bytes from SHA256_CTX "
		   "midstates (the crypto table's baseline; the cost does "
		   "not depend on the bytes), fastest of %d timings of "
		   "~%.0f ms; without SHA-NI in a child with "
		   "OPENSSL_ia32cap=%s",
		   TIMINGS, SAMPLE_NS / 1e6, SHA_NI_MASK);
	table_note(t, "the programs stay in the XDP dispatcher (anchor.h); "
		      "packets: Ethernet, IPv4, AH (28 B), UDP, payload");
}

static int risav_verify_table(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct bench b = {0};
	int cpu = cpu_measured();

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "risav-verify: usage: risav-verify\n");
		return 2;
	}
	b.t = table_new("risav-verify: RISAV AH verify+strip in XDP beside "
			"OpenSSL HMAC-SHA256 (ns, lower is better)");
	cpu_pin(0, cpu);
	table_context(b.t,
		      "IPv4 packets of %s bytes (IP header to end, the ICV "
		      "input) from a peer in enforce mode, HMAC-SHA-256-128, "
		      "no replay window",
		      sizes_desc);
	table_context(b.t,
		      "%d rounds, each: empty program, esprit at each size, "
		      "OpenSSL, OpenSSL without SHA-NI; pinned to CPU %d",
		      env->runs, cpu);
	add_series(&b);
	if (load(&b) == 0)
		measure(&b, env->runs);
	compare(&b);
	notes(b.t);
	anchor_release(&b.anchor);
	bench_tx_empty__destroy(b.empty);
	esprit_xdp__destroy(b.esp);
	return table_finish(b.t);
}

BENCH_TABLE(risav_verify_table_def) = {
	.name = "risav-verify",
	.summary = "RISAV AH verify+strip in XDP vs OpenSSL HMAC",
	.run = risav_verify_table,
};
