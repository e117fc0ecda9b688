// SPDX-License-Identifier: GPL-2.0
/*
 * Tables "risav-tag" and "risav-select": the TC egress tagger esprit_tc.
 *
 * risav-tag: IPv4 UDP packets of 64, 512 and 1500 bytes (the IP packet
 * before tagging) from the local AS to an enforced peer, tagged (AH
 * inserted, sequence number, HMAC-SHA-256-128), beside the same packet
 * through the same program with tagging off (local ASN 0: one map
 * lookup, the packet untouched). A tagged packet grows by its AH, so a
 * test run cannot repeat it (the next repetition would tag the tagged
 * packet again): each sample is the median of TEST_RUN_SINGLES test runs of
 * one packet, timed by the kernel around the program run (as
 * risav-verify does); every run is checked (TC_ACT_OK, the tagged
 * length), and so is the risav-tagged counter.
 *
 * risav-select: what choosing the SA costs per packet with 1, 64 and
 * 4096 outbound SAs in the maps (64 peers with 64 single-DSCP SAs each
 * for 4096; 1 peer with 64 for 64). The packet's SA is spent (its
 * counter at the last sequence number) and its peer's policy is drop,
 * so each packet goes through everything up to the sequence number (the
 * prefix lookups, the peer, the (ASN, DSCP) selection, the SA, the
 * atomic add) and is dropped unchanged: test runs can repeat it, and the
 * kernel's figure per repetition is the sample. Flat is the target: the
 * selection is one hash lookup whatever the number of SAs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <net/if.h>

#include "bench.h"
#include "cpu.h"
#include "esprit_counters.h"
#include "esprit_risav.h"
#include "esprit_sa.h"
#include "pkt.h"
#include "risav/prefix_maps.h"
#include "risav/sa_out.h"
#include "table.h"
#include "test_run.h"

#include "esprit_tc.skel.h"
#include "esprit_xdp.skel.h"

#define LOCAL_ASN     64500
#define PEER_ASN      64501
#define SELECT_REPEAT 200000
#define SELECT_PEERS  64
#define TARGET_FLAT   1.25 /* 4096 SAs vs 1: at most 25% dearer */

static const size_t tag_lens[] = {64, 512, 1500};
#define NTAG (sizeof(tag_lens) / sizeof(tag_lens[0]))

static const uint8_t key[32] = {
	0x74, 0x61, 0x67, 0x2d, 0x62, 0x65, 0x6e, 0x63, 0x68, 0x2d, 0x6b,
	0x65, 0x79, 0x21, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02,
};

/* esprit_tc, or esprit_xdp (the forwarding tagger), with private maps. */
struct tc_prog {
	struct bpf_object *obj;
	bool xdp;
	int fd;
	struct sa_out_maps maps;
};

static struct bpf_map *pmap(struct tc_prog *p, const char *name)
{
	return bpf_object__find_map_by_name(p->obj, name);
}

static void prog_close(struct tc_prog *p)
{
	bpf_object__close(p->obj);
	p->obj = NULL;
}

static int tc_load(struct tc_prog *p, struct table *t)
{
	const char *name = p->xdp ? "esprit_xdp" : "esprit_tc";
	const void *elf;
	size_t len = 0;
	struct bpf_map *map;
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);

	elf = p->xdp ? esprit_xdp__elf_bytes(&len) : esprit_tc__elf_bytes(&len);
	p->obj = bpf_object__open_mem(elf, len, &opts);
	if (!p->obj) {
		table_error(t, "cannot open %s", name);
		return -1;
	}
	bpf_object__for_each_map(map, p->obj) bpf_map__set_pin_path(map, NULL);
	if (bpf_object__load(p->obj)) {
		table_error(t, "cannot load %s", name);
		prog_close(p);
		return -1;
	}
	p->fd = bpf_program__fd(bpf_object__find_program_by_name(p->obj, name));
	p->maps = (struct sa_out_maps){
		.out = bpf_map__fd(pmap(p, "esprit_sa_out")),
		.sel = bpf_map__fd(pmap(p, "esprit_sa_sel")),
		.st = bpf_map__fd(pmap(p, "esprit_sa_outst")),
	};
	return 0;
}

static int set_local_asn(struct tc_prog *p, __u32 asn)
{
	struct esprit_risav_config cfg = {.local_asn = asn};
	__u32 zero = 0;

	return bpf_map__update_elem(pmap(p, "esprit_risav"), &zero,
				    sizeof(zero), &cfg, sizeof(cfg), BPF_ANY);
}

static int add_prefix(struct tc_prog *p, const char *prefix, __u32 asn,
		      char *err, size_t errlen)
{
	struct prefix_maps pm = {
		.trie = bpf_map__fd(pmap(p, "esprit_prefixes")),
		.pfx4 = bpf_map__fd(pmap(p, "esprit_pfx4")),
	};
	struct esprit_prefix_key k;

	return table_prefix_parse(prefix, &k, err, errlen) ||
			       prefixes_set(&pm, &k, asn, err, errlen)
		       ? -1
		       : 0;
}

static int add_peer(struct tc_prog *p, __u32 asn, __u32 no_sa)
{
	struct esprit_peer peer = {.mode = ESPRIT_PEER_ENFORCE, .no_sa = no_sa};

	return bpf_map__update_elem(pmap(p, "esprit_peers"), &asn, sizeof(asn),
				    &peer, sizeof(peer), BPF_ANY);
}

/*
 * An outbound SA. raw: written straight into esprit_sa_out, for the
 * caller to rebuild the selections once (sa_out_add() checks every SA of
 * the map for overlaps, which thousands of adds make slow).
 */
static int add_sa(struct tc_prog *p, __u32 spi, __u32 asn, const char *dscp,
		  bool raw, char *err, size_t errlen)
{
	char s_spi[16], s_asn[16], hex[65];
	struct sa_out sa;
	int rc;

	snprintf(s_spi, sizeof(s_spi), "%u", spi);
	snprintf(s_asn, sizeof(s_asn), "%u", asn);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	rc = sa_out_build(s_spi, s_asn, "hmac-sha256-128", hex, dscp, &sa, err,
			  errlen);
	if (!rc && raw &&
	    bpf_map_update_elem(p->maps.out, &sa.key, &sa.value, BPF_NOEXIST)) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = -1;
	} else if (!rc && !raw) {
		struct map_journal j;

		mj_init(&j);
		rc = mj_finish(&j, sa_out_add(&p->maps, &sa, NULL, &j, err,
					      errlen));
	}
	explicit_bzero(&sa, sizeof(sa));
	return rc ? -1 : 0;
}

/* UDP of ip_len bytes (IP packet) from the local AS to dst, with a DSCP. */
static void build(struct pkt *p, const char *dst, uint8_t dscp, size_t ip_len)
{
	static uint8_t payload[1500];

	pkt_pattern(payload, sizeof(payload), 9);
	pkt_init(p);
	pkt_eth(p, pkt_mac_b, pkt_mac_a);
	pkt_ipv4(p, "192.0.2.1", dst);
	pkt_ip_tos(p, dscp << 2);
	pkt_udp(p, 40000, 5000, payload, ip_len - 20 - 8);
	pkt_finish(p);
}

static uint64_t counter(struct tc_prog *p, enum esprit_reason reason)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_counter vals[ncpus > 0 ? ncpus : 1];
	__u32 k = reason;
	uint64_t sum = 0;

	if (ncpus <= 0 ||
	    bpf_map__lookup_elem(pmap(p, "esprit_counters"), &k, sizeof(k),
				 vals, sizeof(vals), 0))
		return 0;
	for (int i = 0; i < ncpus; i++)
		sum += vals[i].packets;
	return sum;
}

static int tag_setup(struct tc_prog *p, struct table *t)
{
	char err[256];

	if (tc_load(p, t))
		return -1;
	if (add_prefix(p, "192.0.2.0/24", LOCAL_ASN, err, sizeof(err)) ||
	    add_prefix(p, "198.51.100.0/24", PEER_ASN, err, sizeof(err)) ||
	    add_peer(p, PEER_ASN, ESPRIT_NO_SA_UNTAGGED) ||
	    add_sa(p, 0x2000, PEER_ASN, "any", false, err, sizeof(err))) {
		table_error(t, "configuration: %s", err);
		return -1;
	}
	return 0;
}

/*
 * The forwarding tagger's world in this namespace: packets arrive on lo
 * (a test run's device), the peer's prefix is routed out of rtagout (MTU
 * 9000: 1500 bytes fit once tagged), prepared for tagging.
 */
static int xdp_setup(struct tc_prog *p, struct table *t)
{
	struct esprit_tag_dev prepared = {.gso_max_segs = 1};
	__u32 ifindex;

	p->xdp = true;
	if (system("ip link add rtagout mtu 9000 type veth peer rtagoutp && "
		   "ip link set rtagout up && ip link set rtagoutp up && "
		   "ip addr add 10.200.0.1/24 dev rtagout && "
		   "ip route add 198.51.100.0/24 via 10.200.0.2 && "
		   "sysctl -qw net.ipv4.ip_forward=1")) {
		table_error(t, "cannot route the peer out of a veth");
		return -1;
	}
	ifindex = if_nametoindex("rtagout");
	if (tag_setup(p, t))
		return -1;
	if (bpf_map__update_elem(pmap(p, "esprit_tag_devs"), &ifindex,
				 sizeof(ifindex), &prepared, sizeof(prepared),
				 BPF_ANY)) {
		table_error(t, "cannot prepare rtagout");
		return -1;
	}
	return 0;
}

static int risav_tag_table(int argc, char **argv)
{
	const struct bench_env *env = bench_env();
	struct series *off[NTAG], *on[NTAG], *xoff[NTAG], *xon[NTAG];
	static struct pkt pk[NTAG];
	struct tc_prog p = {0}, x = {0};
	uint64_t xtagged0, xwant = 0;
	int cpu = cpu_measured();
	uint64_t tagged0, want = 0;
	char name[SERIES_NAME];
	struct table *t;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "risav-tag: usage: risav-tag\n");
		return 2;
	}
	t = table_new("risav-tag: RISAV AH tagging in TC egress and in XDP "
		      "(forwarded) beside the same packet with tagging off "
		      "(ns/packet, lower is better)");
	cpu_pin(0, cpu);
	table_context(t, "IPv4 UDP of 64, 512, 1500 bytes (IP packet before "
			 "tagging) to an enforced peer, HMAC-SHA-256-128, "
			 "one SA (dscp any)");
	table_context(t,
		      "%d rounds, each: every size with tagging off (local "
		      "ASN 0) and on; pinned to CPU %d",
		      env->runs, cpu);
	for (size_t i = 0; i < NTAG; i++) {
		snprintf(name, sizeof(name), "tagging off %zu B", tag_lens[i]);
		off[i] = table_series(t, name, "ns/packet");
		snprintf(name, sizeof(name), "tagged %zu B", tag_lens[i]);
		on[i] = table_series(t, name, "ns/packet");
		snprintf(name, sizeof(name), "XDP tagging off %zu B",
			 tag_lens[i]);
		xoff[i] = table_series(t, name, "ns/packet");
		snprintf(name, sizeof(name), "XDP tagged %zu B", tag_lens[i]);
		xon[i] = table_series(t, name, "ns/packet");
		build(&pk[i], "198.51.100.7", 0, tag_lens[i]);
	}
	if (tag_setup(&p, t) == 0) {
		tagged0 = counter(&p, ESPRIT_R_RISAV_TAGGED);
		for (int r = 0; r < env->runs; r++) {
			for (size_t i = 0; i < NTAG; i++) {
				set_local_asn(&p, 0);
				series_add(off[i],
					   test_run_single_median(
						   t, p.fd, &pk[i], TC_ACT_OK,
						   pk[i].len));
				set_local_asn(&p, LOCAL_ASN);
				series_add(on[i],
					   test_run_single_median(
						   t, p.fd, &pk[i], TC_ACT_OK,
						   pk[i].len + 28));
				want += TEST_RUN_SINGLES;
			}
		}
		if (counter(&p, ESPRIT_R_RISAV_TAGGED) - tagged0 != want)
			table_error(t, "risav-tagged did not grow by every "
				       "run");
	}
	if (xdp_setup(&x, t) == 0) {
		xtagged0 = counter(&x, ESPRIT_R_RISAV_TAGGED_FORWARDED);
		for (int r = 0; r < env->runs; r++) {
			for (size_t i = 0; i < NTAG; i++) {
				set_local_asn(&x, 0);
				series_add(xoff[i],
					   test_run_single_median(
						   t, x.fd, &pk[i], XDP_PASS,
						   pk[i].len));
				set_local_asn(&x, LOCAL_ASN);
				series_add(xon[i],
					   test_run_single_median(
						   t, x.fd, &pk[i], XDP_PASS,
						   pk[i].len + 28));
				xwant += TEST_RUN_SINGLES;
			}
		}
		if (counter(&x, ESPRIT_R_RISAV_TAGGED_FORWARDED) - xtagged0 !=
		    xwant)
			table_error(t, "risav-tagged-forwarded did not grow by "
				       "every run");
	}
	for (size_t i = 0; i < NTAG; i++)
		table_ratio(t, on[i], off[i], TARGET_NONE, 0);
	for (size_t i = 0; i < NTAG; i++)
		table_delta(t, on[i], off[i], TARGET_NONE, 0);
	for (size_t i = 0; i < NTAG; i++)
		table_delta(t, xon[i], xoff[i], TARGET_NONE, 0);
	for (size_t i = 0; i < NTAG; i++)
		table_ratio(t, xon[i], on[i], TARGET_NONE, 0);
	table_note(t,
		   "one packet per test run (a repetition would tag the "
		   "tagged packet again): the kernel's duration of that run, "
		   "median of %d runs per sample; each run checked "
		   "(TC_ACT_OK, +28 bytes), and risav-tagged grew by every "
		   "tagged run",
		   TEST_RUN_SINGLES);
	table_note(t, "tagged: prefix lookups, peer, selection, atomic "
		      "sequence number, AH insert (bpf_skb_adjust_room), ICV "
		      "input prepared in the packet, HMAC in BPF, restore");
	table_note(t, "XDP: the same, plus the route lookup (bpf_fib_lookup, "
		      "peer routed out of a prepared veth) and the UDP "
		      "checksum computed over the datagram (what the wire "
		      "will carry), AH inserted with bpf_xdp_adjust_head; the "
		      "baseline runs the whole XDP program (RISAV off: one "
		      "lookup, then the responder's checks)");
	prog_close(&x);
	system("ip link del rtagout 2>/dev/null");
	prog_close(&p);
	return table_finish(t);
}

BENCH_TABLE(risav_tag_table_def) = {
	.name = "risav-tag",
	.summary = "RISAV AH tagging in TC egress vs tagging off",
	.run = risav_tag_table,
};

/*
 * nsas outbound SAs: one peer with one (dscp any) for 1; otherwise
 * nsas / 64 peers with 64 single-DSCP SAs each. The measured packet's SA
 * (peer 0, DSCP 46) is spent.
 */
static int select_setup(struct tc_prog *p, struct table *t, int nsas)
{
	int npeers = nsas < 64 ? 1 : nsas / 64;
	char err[256], pfx[32], dscp[8];
	struct map_journal j;
	__u32 spi = 0x10000;

	if (tc_load(p, t))
		return -1;
	if (set_local_asn(p, LOCAL_ASN) ||
	    add_prefix(p, "192.0.2.0/24", LOCAL_ASN, err, sizeof(err)))
		goto fail;
	for (int i = 0; i < npeers; i++) {
		__u32 asn = PEER_ASN + i;

		snprintf(pfx, sizeof(pfx), "10.%d.0.0/16", i);
		if (add_prefix(p, pfx, asn, err, sizeof(err)) ||
		    add_peer(p, asn, ESPRIT_NO_SA_DROP))
			goto fail;
		if (nsas == 1) {
			if (add_sa(p, spi, asn, "46", true, err, sizeof(err)))
				goto fail;
			continue;
		}
		for (int d = 0; d < 64 && i * 64 + d < nsas; d++) {
			snprintf(dscp, sizeof(dscp), "%d", d);
			if (add_sa(p, spi++, asn, dscp, true, err, sizeof(err)))
				goto fail;
		}
	}
	mj_init(&j);
	if (mj_finish(&j,
		      sa_out_sel_rebuild(&p->maps, 0, &j, err, sizeof(err))))
		goto fail;
	{
		__u32 asn = PEER_ASN;
		struct esprit_sa_sel sel;
		struct esprit_sa_out_key s = {.asn = PEER_ASN};
		struct esprit_sa_out v;

		if (bpf_map_lookup_elem(p->maps.sel, &asn, &sel) ||
		    !(s.spi = sel.spi[46]) ||
		    bpf_map_lookup_elem(p->maps.out, &s, &v)) {
			snprintf(err, sizeof(err), "no SA for DSCP 46");
			goto fail;
		}
		v.seq = ESPRIT_SA_OUT_SEQ_LAST;
		if (bpf_map_update_elem(p->maps.out, &s, &v, BPF_EXIST)) {
			snprintf(err, sizeof(err), "%s", strerror(errno));
			goto fail;
		}
		explicit_bzero(&v, sizeof(v));
	}
	return 0;
fail:
	table_error(t, "configuration with %d SAs: %s", nsas, err);
	return -1;
}

static double repeated(struct table *t, struct tc_prog *p, const struct pkt *in)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
		    .data_size_in = in->len, .repeat = SELECT_REPEAT);
	uint64_t before = counter(p, ESPRIT_R_RISAV_SA_EXHAUSTED);

	if (bpf_prog_test_run_opts(p->fd, &opts) ||
	    opts.retval != TC_ACT_SHOT) {
		table_error(t, "selection run failed or did not drop");
		return NAN;
	}
	if (counter(p, ESPRIT_R_RISAV_SA_EXHAUSTED) - before != SELECT_REPEAT) {
		table_error(t, "not every repetition reached the SA");
		return NAN;
	}
	return opts.duration;
}

static int risav_select_table(int argc, char **argv)
{
	static const int counts[] = {1, 64, 4096};
	const struct bench_env *env = bench_env();
	struct tc_prog p[3] = {0};
	struct series *s[3];
	char name[SERIES_NAME];
	int cpu = cpu_measured();
	struct table *t;
	struct pkt pk;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "risav-select: usage: risav-select\n");
		return 2;
	}
	t = table_new("risav-select: outbound SA selection cost with 1, 64 "
		      "and 4096 SAs (ns/packet, lower is better)");
	cpu_pin(0, cpu);
	table_context(t, "IPv4 UDP, 64 bytes, DSCP 46, to a peer whose SA "
			 "for it is spent, policy drop: everything up to the "
			 "sequence number, no hash");
	table_context(t,
		      "%d rounds of %d repetitions per SA count, "
		      "interleaved; pinned to CPU %d",
		      env->runs, SELECT_REPEAT, cpu);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%d SAs", counts[i]);
		s[i] = table_series(t, name, "ns/packet");
	}
	build(&pk, "10.0.0.7", 46, 64);
	if (!select_setup(&p[0], t, 1) && !select_setup(&p[1], t, 64) &&
	    !select_setup(&p[2], t, 4096)) {
		for (int r = 0; r < env->runs; r++)
			for (int i = 0; i < 3; i++)
				series_add(s[i], repeated(t, &p[i], &pk));
	}
	table_ratio(t, s[2], s[0], TARGET_AT_MOST, TARGET_FLAT);
	table_ratio(t, s[1], s[0], TARGET_AT_MOST, TARGET_FLAT);
	table_note(t, "SAs: 1 peer x 1; 1 peer x 64 single-DSCP SAs; 64 "
		      "peers x 64 (4096 SAs; the selection map holds one "
		      "entry per peer)");
	table_note(t,
		   "the kernel's duration per repetition of a %d-repetition "
		   "test run; each run checked (TC_ACT_SHOT, "
		   "risav-sa-exhausted grew by every repetition)",
		   SELECT_REPEAT);
	for (int i = 0; i < 3; i++)
		prog_close(&p[i]);
	return table_finish(t);
}

BENCH_TABLE(risav_select_table_def) = {
	.name = "risav-select",
	.summary = "outbound SA selection cost at 1, 64, 4096 SAs",
	.run = risav_select_table,
};
