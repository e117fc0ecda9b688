// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <CUnit/CUnit.h>

#include "lib/addr.h"
#include "esprit_risav.h"
#include "esprit_tc.skel.h"
#include "esprit_xdp.skel.h"
#include "risav/prefix_maps.h"
#include "risav/sa_out.h"
#include "tag_fixture.h"
#include "xdp_fixture.h"

const uint8_t tf_key[32] = {
	0x8c, 0x41, 0x07, 0xd2, 0x5a, 0x93, 0x1e, 0x6f, 0xb0, 0x24, 0xe9,
	0x77, 0x0d, 0xc3, 0x58, 0xa1, 0x36, 0xfe, 0x82, 0x19, 0x4b, 0xd7,
	0x60, 0x2c, 0x95, 0x0e, 0xba, 0x73, 0x4f, 0xe1, 0x08, 0x9d,
};

static struct bpf_map *fmap(struct tag_fixture *f, const char *name)
{
	return bpf_object__find_map_by_name(f->obj, name);
}

static struct sa_out_maps maps_of(struct tag_fixture *f)
{
	return (struct sa_out_maps){
		.out = bpf_map__fd(fmap(f, "esprit_sa_out")),
		.sel = bpf_map__fd(fmap(f, "esprit_sa_sel")),
		.st = bpf_map__fd(fmap(f, "esprit_sa_outst")),
	};
}

static int prefix(struct tag_fixture *f, const char *pfx, uint32_t asn)
{
	struct prefix_maps m = {
		.trie = bpf_map__fd(fmap(f, "esprit_prefixes")),
		.pfx4 = bpf_map__fd(fmap(f, "esprit_pfx4")),
	};
	struct esprit_prefix_key key;
	char err[160];

	if (table_prefix_parse(pfx, &key, err, sizeof(err)) ||
	    prefixes_set(&m, &key, asn, err, sizeof(err))) {
		fprintf(stderr, "fixture prefix %s: %s\n", pfx, err);
		return -1;
	}
	return 0;
}

static int contact(struct tag_fixture *f, const char *addr, uint32_t asn)
{
	struct esprit_addr a;
	char err[128];

	if (addr_parse(addr, &a, err, sizeof(err)))
		return -1;
	return bpf_map__update_elem(fmap(f, "esprit_contacts"), &a, sizeof(a),
				    &asn, sizeof(asn), BPF_ANY);
}

int tag_fixture_local_asn(struct tag_fixture *f, uint32_t asn)
{
	return tag_fixture_risav(f, asn, 0);
}

int tag_fixture_risav(struct tag_fixture *f, uint32_t asn, uint32_t flags)
{
	struct esprit_risav_config cfg = {.local_asn = asn,
					  .risav_flags = flags};
	__u32 zero = 0;

	return bpf_map__update_elem(fmap(f, "esprit_risav"), &zero,
				    sizeof(zero), &cfg, sizeof(cfg), BPF_ANY);
}

int tag_fixture_peer(struct tag_fixture *f, uint32_t asn, uint32_t mode,
		     uint32_t no_sa)
{
	struct esprit_peer peer = {.mode = mode, .no_sa = no_sa};

	return bpf_map__update_elem(fmap(f, "esprit_peers"), &asn, sizeof(asn),
				    &peer, sizeof(peer), BPF_ANY);
}

int tag_fixture_sa(struct tag_fixture *f, uint32_t spi, uint32_t asn,
		   const char *dscp)
{
	char s_spi[16], s_asn[16], hex[65], err[256];
	struct sa_out_maps m = maps_of(f);
	struct map_journal j;
	struct sa_out sa;

	snprintf(s_spi, sizeof(s_spi), "%u", spi);
	snprintf(s_asn, sizeof(s_asn), "%u", asn);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", tf_key[i]);
	mj_init(&j);
	if (sa_out_build(s_spi, s_asn, "hmac-sha256-128", hex, dscp, &sa, err,
			 sizeof(err)) ||
	    mj_finish(&j, sa_out_add(&m, &sa, NULL, &j, err, sizeof(err)))) {
		fprintf(stderr, "fixture SA: %s\n", err);
		return -1;
	}
	return 0;
}

int tag_fixture_sa_del(struct tag_fixture *f, uint32_t spi, uint32_t asn)
{
	struct esprit_sa_out_key key = {.spi = spi, .asn = asn};
	struct sa_out_maps m = maps_of(f);
	struct map_journal j;
	char err[256];

	mj_init(&j);
	return mj_finish(&j, sa_out_del(&m, &key, NULL, &j, err, sizeof(err)));
}

uint64_t tag_fixture_seq(struct tag_fixture *f, uint32_t spi, uint32_t asn)
{
	struct esprit_sa_out_key key = {.spi = spi, .asn = asn};
	struct esprit_sa_out v;

	if (bpf_map__lookup_elem(fmap(f, "esprit_sa_out"), &key, sizeof(key),
				 &v, sizeof(v), 0))
		return UINT64_MAX;
	return v.seq;
}

int tag_fixture_set_seq(struct tag_fixture *f, uint32_t spi, uint32_t asn,
			uint64_t seq)
{
	struct esprit_sa_out_key key = {.spi = spi, .asn = asn};
	struct esprit_sa_out v;

	if (bpf_map__lookup_elem(fmap(f, "esprit_sa_out"), &key, sizeof(key),
				 &v, sizeof(v), 0))
		return -1;
	v.seq = seq;
	return bpf_map__update_elem(fmap(f, "esprit_sa_out"), &key, sizeof(key),
				    &v, sizeof(v), BPF_EXIST);
}

int tag_fixture_sa_stats(struct tag_fixture *f, uint32_t spi, uint32_t asn,
			 struct esprit_sa_out_stats *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_sa_out_key key = {.spi = spi, .asn = asn};
	struct esprit_sa_out_stats vals[ncpus > 0 ? ncpus : 1];

	memset(out, 0, sizeof(*out));
	if (ncpus <= 0 ||
	    bpf_map__lookup_elem(fmap(f, "esprit_sa_outst"), &key, sizeof(key),
				 vals, sizeof(vals), 0))
		return -1;
	for (int i = 0; i < ncpus; i++) {
		out->packets += vals[i].packets;
		out->bytes += vals[i].bytes;
		out->exhausted += vals[i].exhausted;
		out->too_big += vals[i].too_big;
	}
	return 0;
}

static int world(struct tag_fixture *f)
{
	static const struct {
		uint32_t asn;
		const char *v4, *v6;
	} ases[] = {
		{TF_LOCAL_ASN, "192.0.2.0/24", "2001:db8:100::/48"},
		{TF_ENFORCE_ASN, "198.51.100.0/24", "2001:db8:201::/48"},
		{TF_TESTING_ASN, "203.0.113.0/24", "2001:db8:202::/48"},
		{TF_OFF_ASN, "100.64.3.0/24", "2001:db8:203::/48"},
		{TF_OTHER_ASN, "100.64.4.0/24", "2001:db8:204::/48"},
	};

	if (tag_fixture_local_asn(f, TF_LOCAL_ASN))
		return -1;
	for (size_t i = 0; i < sizeof(ases) / sizeof(ases[0]); i++)
		if (prefix(f, ases[i].v4, ases[i].asn) ||
		    prefix(f, ases[i].v6, ases[i].asn))
			return -1;
	return tag_fixture_peer(f, TF_ENFORCE_ASN, ESPRIT_PEER_ENFORCE,
				ESPRIT_NO_SA_UNTAGGED) ||
	       tag_fixture_peer(f, TF_TESTING_ASN, ESPRIT_PEER_TESTING,
				ESPRIT_NO_SA_DROP) ||
	       tag_fixture_peer(f, TF_OFF_ASN, ESPRIT_PEER_OFF,
				ESPRIT_NO_SA_DROP) ||
	       tag_fixture_sa(f, TF_SPI_EF, TF_ENFORCE_ASN, "ef") ||
	       tag_fixture_sa(f, TF_SPI_AF4, TF_ENFORCE_ASN, "af41,af42") ||
	       tag_fixture_sa(f, TF_SPI_ANY, TF_ENFORCE_ASN, "any") ||
	       tag_fixture_sa(f, TF_SPI_TESTING, TF_TESTING_ASN, "10") ||
	       tag_fixture_sa(f, TF_SPI_OFF, TF_OFF_ASN, "any") ||
	       contact(f, "198.51.100.250", TF_ENFORCE_ASN) ||
	       contact(f, "2001:db8:201::fa", TF_ENFORCE_ASN) ||
	       contact(f, "192.0.2.250", TF_LOCAL_ASN) ||
	       contact(f, "2001:db8:100::fa", TF_LOCAL_ASN);
}

static int unpinned_load(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, NULL);
	return bpf_object__load(obj);
}

int tag_fixture_open(struct tag_fixture *f)
{
	struct esprit_tc *skel;

	memset(f, 0, sizeof(*f));
	if (fixture_private_netns())
		return -1;
	skel = esprit_tc__open();
	if (!skel)
		return -1;
	f->skel = skel;
	f->obj = skel->obj;
	if (unpinned_load(f->obj)) {
		tag_fixture_close(f);
		return -1;
	}
	f->prog_fd = bpf_program__fd(skel->progs.esprit_tc);
	return world(f);
}

int tag_fixture_open_xdp(struct tag_fixture *f, uint32_t ingress_ifindex)
{
	struct esprit_xdp *skel;

	memset(f, 0, sizeof(*f));
	if (fixture_private_netns())
		return -1;
	skel = esprit_xdp__open();
	if (!skel)
		return -1;
	f->skel = skel;
	f->obj = skel->obj;
	f->xdp = true;
	f->ifindex = ingress_ifindex;
	if (unpinned_load(f->obj)) {
		tag_fixture_close(f);
		return -1;
	}
	f->prog_fd = bpf_program__fd(skel->progs.esprit_xdp);
	return world(f);
}

void tag_fixture_close(struct tag_fixture *f)
{
	if (f->skel && f->xdp)
		esprit_xdp__destroy(f->skel);
	else if (f->skel)
		esprit_tc__destroy(f->skel);
	f->skel = NULL;
	f->obj = NULL;
}

static int run_xdp(struct tag_fixture *f, const struct pkt *in,
		   struct tag_result *res)
{
	struct xdp_md ctx = {.data_end = in->len,
			     .ingress_ifindex = f->ifindex},
		      out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
		    .data_size_in = in->len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .ctx_out = &out,
		    .ctx_size_out = sizeof(out), .repeat = 1);

	res->ret = bpf_prog_test_run_opts(f->prog_fd, &opts);
	res->action = opts.retval;
	/* the frame after the metadata the program left in front of it */
	res->meta_len = out.data;
	memset(res->meta, 0, sizeof(res->meta));
	memcpy(res->meta, res->out,
	       out.data < sizeof(res->meta) ? out.data : sizeof(res->meta));
	res->out_len = opts.data_size_out - out.data;
	if (out.data)
		memmove(res->out, res->out + out.data, res->out_len);
	return res->ret;
}

int tag_fixture_run(struct tag_fixture *f, const struct pkt *in,
		    struct tag_result *res)
{
	struct __sk_buff ctx = {.ifindex = f->ifindex,
				.gso_size = f->gso_size,
				.gso_segs = f->gso_size ? 2 : 0};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
		    .data_size_in = in->len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	res->meta_len = 0;
	if (f->xdp)
		return run_xdp(f, in, res);
	res->ret = bpf_prog_test_run_opts(f->prog_fd, &opts);
	res->action = opts.retval;
	res->out_len = opts.data_size_out;
	return res->ret;
}

int tag_fixture_map_fd(struct tag_fixture *f, const char *name)
{
	struct bpf_map *map = fmap(f, name);

	return map ? bpf_map__fd(map) : -1;
}

uint64_t tag_fixture_count(struct tag_fixture *f, enum esprit_reason reason)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_counter vals[ncpus > 0 ? ncpus : 1];
	__u32 key = reason;
	uint64_t sum = 0;

	if (ncpus <= 0 ||
	    bpf_map__lookup_elem(fmap(f, "esprit_counters"), &key, sizeof(key),
				 vals, sizeof(vals), 0))
		return UINT64_MAX;
	for (int i = 0; i < ncpus; i++)
		sum += vals[i].packets;
	return sum;
}

void tf_udp(struct pkt *p, int family, const char *src, const char *dst,
	    uint8_t dscp, size_t payload_len, const struct tf_shape *shape)
{
	static const struct tf_shape none;
	static uint8_t payload[PKT_MAX];

	if (!shape)
		shape = &none;
	pkt_pattern(payload, payload_len, (unsigned int)payload_len + dscp);
	pkt_init(p);
	pkt_eth(p, pkt_mac_b, pkt_mac_a);
	if (family == 4) {
		pkt_ipv4_opts(p, src, dst, shape->opts, shape->opts_len);
		pkt_ipv4_id_frag(p, 0x1234, shape->frag_word);
	} else {
		pkt_ipv6(p, src, dst);
	}
	pkt_ip_tos(p, dscp << 2 | 1); /* ECN bits set: mutable too */
	pkt_ip_ttl(p, 61);
	if (family == 6) {
		pkt_ipv6_flow_label(p, 0xabcde);
		if (shape->hbh)
			pkt_ipv6_ext(p, 0, shape->hbh, shape->hbh_len);
		if (shape->dest)
			pkt_ipv6_ext(p, 60, shape->dest, shape->dest_len);
	}
	pkt_udp(p, 40000, 5000, payload, payload_len);
	pkt_finish(p);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* In a checker: reports what is wrong at the caller's file:line, fails. */
#define TF_CHECK(cond, what)                                              \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: %s\n", file, line, what); \
			ok = false;                                       \
			goto out;                                         \
		}                                                         \
	} while (0)

/* A checksum with one 16-bit word of what it covers changed (RFC 1624). */
static uint16_t csum_replace16(uint16_t sum, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~sum + (uint16_t)~old + new;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

bool tf_tagged_at(const struct pkt *in, const uint8_t *out, size_t out_len,
		  uint32_t spi, uint32_t seq, const char *file, int line)
{
	static struct pkt q;
	const uint8_t *ip = in->data + in->l3_off;
	size_t l3 = in->l3_off, ins, nh_off, ah_len = in->family == 4 ? 28 : 32;
	uint8_t hdr[512], icv[16];
	const uint8_t *ah;
	bool ok = true;

	if (in->family == 4) {
		ins = l3 + (ip[0] & 0x0f) * 4;
		nh_off = l3 + 9;
	} else {
		ins = l3 + 40;
		nh_off = l3 + 6;
		if (ip[6] == 0) { /* hop-by-hop */
			nh_off = ins;
			ins += (in->data[ins + 1] + 1) * 8;
		}
	}
	TF_CHECK(out_len == in->len + ah_len, "length is not +AH");
	TF_CHECK(ins <= sizeof(hdr), "headers too long for the check");
	/* headers: as before but lengths, protocol, checksum */
	memcpy(hdr, in->data, ins);
	hdr[nh_off] = 51;
	if (in->family == 4) {
		uint16_t len = be16(ip + 2) + ah_len, sum;

		hdr[l3 + 2] = len >> 8;
		hdr[l3 + 3] = len;
		if (pkt_ipv4_checksum(ip, ins - l3)) {
			/* a wrong checksum is adjusted (RFC 1624), not mended */
			sum = csum_replace16(be16(ip + 10), be16(ip + 2), len);
			sum = csum_replace16(sum, be16(ip + 8),
					     (uint16_t)(ip[8] << 8 | 51));
			hdr[l3 + 10] = sum >> 8;
			hdr[l3 + 11] = sum;
		} else {
			pkt_ipv4_set_checksum(hdr + l3);
		}
	} else {
		uint16_t len = be16(ip + 4) + ah_len;

		hdr[l3 + 4] = len >> 8;
		hdr[l3 + 5] = len;
	}
	TF_CHECK(!memcmp(out, hdr, ins), "headers before the AH differ");
	ah = out + ins;
	TF_CHECK(ah[0] == in->data[nh_off], "AH Next Header");
	TF_CHECK(ah[1] == ah_len / 4 - 2, "AH Payload Len");
	TF_CHECK(ah[2] == 0 && ah[3] == 1, "AH reserved / Scope");
	TF_CHECK(((uint32_t)ah[4] << 24 | ah[5] << 16 | ah[6] << 8 | ah[7]) ==
			 spi,
		 "AH SPI");
	TF_CHECK(((uint32_t)ah[8] << 24 | ah[9] << 16 | ah[10] << 8 | ah[11]) ==
			 seq,
		 "AH sequence number");
	TF_CHECK(ah_len == 28 || !memcmp(ah + 28, "\0\0\0\0", 4), "AH padding");
	TF_CHECK(!memcmp(ah + ah_len, in->data + ins, in->len - ins), "bytes "
								      "after "
								      "the AH "
								      "differ");
	/* the ICV, computed again by the test library */
	memcpy(icv, ah + 12, 16);
	memset(&q, 0, sizeof(q));
	memcpy(q.data, out, out_len);
	q.len = out_len;
	q.l3_off = l3;
	q.family = in->family;
	q.ah_off = ins;
	q.ah_icv_len = 16;
	pkt_ah_sign(&q, tf_key, sizeof(tf_key));
	TF_CHECK(!memcmp(q.data + ins + 12, icv, 16), "ICV does not verify");
out:
	CU_ASSERT(ok);
	return ok;
}

/* The one's complement sum of n bytes, folded, not complemented. */
static uint16_t ones_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

bool tf_icmp_too_big_at(const struct pkt *in, const uint8_t *out,
			size_t out_len, uint32_t mtu, const char *from,
			const uint8_t dmac[6], const uint8_t smac[6],
			const char *file, int line)
{
	const uint8_t *ip = out + 14, *orig = in->data + in->l3_off;
	size_t orig_len = in->len - in->l3_off, hlen, keep;
	uint8_t want_src[16], pseudo[40];
	const uint8_t *icmp;
	bool ok = true;

	TF_CHECK(out_len > 14 + 48, "too short for an ICMP error");
	TF_CHECK(!memcmp(out, dmac, 6) && !memcmp(out + 6, smac, 6), "Ethernet "
								     "addresse"
								     "s");
	if (in->family == 4) {
		hlen = 20;
		keep = orig_len < 548 ? orig_len : 548;
		inet_pton(AF_INET, from, want_src);
		TF_CHECK(out[12] == 0x08 && out[13] == 0x00, "EtherType");
		TF_CHECK(ip[0] == 0x45 && ip[9] == 1 && ip[8] == 64, "IPv4 "
								     "header");
		TF_CHECK((size_t)(ip[2] << 8 | ip[3]) == 28 + keep, "IPv4 "
								    "total "
								    "length");
		TF_CHECK(ones_sum(ip, 20, 0) == 0xffff, "IPv4 checksum");
		TF_CHECK(!memcmp(ip + 12, want_src, 4), "ICMP source");
		TF_CHECK(!memcmp(ip + 16, orig + 12, 4), "ICMP destination");
		icmp = ip + hlen;
		TF_CHECK(icmp[0] == 3 && icmp[1] == 4, "ICMP type/code");
		TF_CHECK((uint32_t)(icmp[6] << 8 | icmp[7]) == mtu, "next-hop "
								    "MTU");
		TF_CHECK(ones_sum(icmp, 8 + keep, 0) == 0xffff, "ICMP "
								"checksum");
	} else {
		hlen = 40;
		keep = orig_len < 1232 ? orig_len : 1232;
		inet_pton(AF_INET6, from, want_src);
		TF_CHECK(out[12] == 0x86 && out[13] == 0xdd, "EtherType");
		TF_CHECK(ip[0] == 0x60 && ip[6] == 58 && ip[7] == 64, "IPv6 "
								      "header");
		TF_CHECK((size_t)(ip[4] << 8 | ip[5]) == 8 + keep, "IPv6 "
								   "payload "
								   "length");
		TF_CHECK(!memcmp(ip + 8, want_src, 16), "ICMPv6 source");
		TF_CHECK(!memcmp(ip + 24, orig + 8, 16), "ICMPv6 destination");
		icmp = ip + hlen;
		TF_CHECK(icmp[0] == 2 && icmp[1] == 0, "ICMPv6 type/code");
		TF_CHECK(((uint32_t)icmp[4] << 24 | icmp[5] << 16 |
			  icmp[6] << 8 | icmp[7]) == mtu,
			 "MTU");
		memcpy(pseudo, ip + 8, 32);
		memset(pseudo + 32, 0, 8);
		pseudo[34] = (8 + keep) >> 8;
		pseudo[35] = (8 + keep) & 0xff;
		pseudo[39] = 58;
		TF_CHECK(ones_sum(icmp, 8 + keep, ones_sum(pseudo, 40, 0)) ==
				 0xffff,
			 "ICMPv6 checksum");
	}
	TF_CHECK(out_len == 14 + hlen + 8 + keep, "frame length");
	TF_CHECK(!memcmp(icmp + 8, orig, keep), "quoted packet");
#undef TF_CHECK
out:
	CU_ASSERT(ok);
	return ok;
}

bool tf_expect_at(struct tag_fixture *f, const struct pkt *in, uint32_t action,
		  int reason, int reason2, bool untouched,
		  struct tag_result *res, const char *file, int line)
{
	static uint64_t before[ESPRIT_R_COUNT];
	bool ok = true;

	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		before[r] = tag_fixture_count(f, r);
	if (tag_fixture_run(f, in, res)) {
		fprintf(stderr, "%s:%d: test run failed\n", file, line);
		CU_FAIL("test run failed");
		return false;
	}
	if (res->action != action) {
		fprintf(stderr, "%s:%d: action %u, expected %u\n", file, line,
			res->action, action);
		ok = false;
	}
	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		uint64_t d = tag_fixture_count(f, r) - before[r];
		uint64_t want = (r == reason) + (r == reason2);

		if (d != want) {
			fprintf(stderr,
				"%s:%d: counter %d moved by %llu, expected "
				"%llu\n",
				file, line, r, (unsigned long long)d,
				(unsigned long long)want);
			ok = false;
		}
	}
	if (untouched &&
	    (res->out_len != in->len || memcmp(res->out, in->data, in->len))) {
		fprintf(stderr, "%s:%d: packet changed\n", file, line);
		ok = false;
	}
	CU_ASSERT(ok);
	return ok;
}
