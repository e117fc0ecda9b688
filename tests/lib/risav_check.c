// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "lib/counters.h"
#include "esprit_risav.h"
#include "risav_check.h"

const uint8_t rc_key[32] = {
	0x3b, 0x1f, 0x02, 0x96, 0x44, 0x8a, 0xc1, 0x5e, 0x77, 0x20, 0x9d,
	0x13, 0xe6, 0x4f, 0xb8, 0x0a, 0x51, 0xcc, 0x3d, 0x92, 0x6e, 0x07,
	0xfa, 0x28, 0x85, 0x19, 0xd4, 0x6b, 0x30, 0xae, 0x5f, 0xe2,
};

const uint8_t rc_other_key[32] = {
	0x3b, 0x1f, 0x02, 0x96, 0x44, 0x8a, 0xc1, 0x5e, 0x77, 0x20, 0x9d,
	0x13, 0xe6, 0x4f, 0xb8, 0x0a, 0x51, 0xcc, 0x3d, 0x92, 0x6e, 0x07,
	0xfa, 0x28, 0x85, 0x19, 0xd4, 0x6b, 0x30, 0xae, 0x5f, 0xe3,
};

static const struct {
	uint32_t asn;
	const char *v4, *v6;
	const char *src4, *src6;
} sources[] = {
	{RC_ENFORCE_ASN, "198.51.100.0/24", "2001:db8:201::/48", "198.51.100.7",
	 "2001:db8:201::7"},
	{RC_TESTING_ASN, "203.0.113.0/24", "2001:db8:202::/48", "203.0.113.7",
	 "2001:db8:202::7"},
	{RC_OFF_ASN, "100.64.3.0/24", "2001:db8:203::/48", "100.64.3.7",
	 "2001:db8:203::7"},
	{RC_OTHER_ASN, "100.64.4.0/24", "2001:db8:204::/48", "100.64.4.7",
	 "2001:db8:204::7"},
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static struct rc_flow flows[2][NSOURCES];

const struct rc_flow *rc_flow(int family, uint32_t src_asn)
{
	for (size_t i = 0; i < NSOURCES; i++) {
		if (sources[i].asn != src_asn)
			continue;
		flows[family == 6][i] = (struct rc_flow){
			.family = family,
			.src = family == 4 ? sources[i].src4 : sources[i].src6,
			.dst = family == 4 ? "192.0.2.1" : "2001:db8:100::1",
		};
		return &flows[family == 6][i];
	}
	return NULL;
}

int rc_world_open(struct risav_fixture *f, uint32_t audit_rate)
{
	static const uint32_t modes[] = {ESPRIT_PEER_ENFORCE,
					 ESPRIT_PEER_TESTING, ESPRIT_PEER_OFF};

	if (fixture_private_netns() || risav_fixture_open(f))
		return -1;
	if (risav_fixture_config(f, RC_LOCAL_ASN, 0, audit_rate) ||
	    risav_fixture_prefix(f, "192.0.2.0/24", RC_LOCAL_ASN) ||
	    risav_fixture_prefix(f, "2001:db8:100::/48", RC_LOCAL_ASN))
		return -1;
	for (size_t i = 0; i < NSOURCES; i++) {
		if (risav_fixture_prefix(f, sources[i].v4, sources[i].asn) ||
		    risav_fixture_prefix(f, sources[i].v6, sources[i].asn))
			return -1;
		if (i < 3 &&
		    (risav_fixture_peer(f, sources[i].asn, modes[i]) ||
		     risav_fixture_sa(f, RC_SPI, sources[i].asn, rc_key, 0)))
			return -1;
	}
	return risav_fixture_contact(f, "198.51.100.250", RC_ENFORCE_ASN) ||
	       risav_fixture_contact(f, "2001:db8:201::fa", RC_ENFORCE_ASN) ||
	       risav_fixture_contact(f, "192.0.2.250", RC_LOCAL_ASN) ||
	       risav_fixture_contact(f, "2001:db8:100::fa", RC_LOCAL_ASN);
}

void rc_plain(struct pkt *p, const struct rc_flow *fl, size_t payload_len)
{
	uint8_t payload[PKT_MAX];

	pkt_pattern(payload, payload_len, (unsigned int)payload_len);
	pkt_init(p);
	pkt_eth(p, pkt_mac_b, pkt_mac_a);
	for (int i = 0; i < fl->vlans; i++)
		pkt_vlan(p, i == 0 && fl->vlans == 2 ? 0x88a8 : 0x8100,
			 100 + i);
	if (fl->family == 4)
		pkt_ipv4_opts(p, fl->src, fl->dst, fl->opts, fl->opts_len);
	else
		pkt_ipv6(p, fl->src, fl->dst);
	pkt_udp(p, 40000, 5000, payload, payload_len);
	pkt_finish(p);
}

void rc_tag(struct pkt *out, const struct pkt *plain, uint32_t spi,
	    uint32_t seq, uint8_t scope, const uint8_t *key)
{
	*out = *plain;
	pkt_ah_insert(out, spi, seq, scope, RC_ICV_LEN);
	pkt_ah_sign(out, key, 32);
}

static void snapshot(struct risav_fixture *f, uint64_t c[ESPRIT_R_COUNT])
{
	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		c[r] = xdp_fixture_count(&f->x, r);
}

static bool audit_reason(int r)
{
	return r == ESPRIT_R_AUDIT_RATE_LIMITED ||
	       r == ESPRIT_R_AUDIT_RING_FULL;
}

/*
 * Whether RISAV handed the packet on untouched after counting what it
 * found (green channel, a fragment passed, a failed check in testing
 * mode): the XDP program then counts it again under its own verdict,
 * not-esprit for these fixtures' UDP (esprit-stats(8)).
 */
static bool handed_on(const struct pkt *in, const struct xdp_result *res,
		      int reason, int reason2)
{
	if (res->action != XDP_PASS || res->out_len != in->len ||
	    memcmp(res->out, in->data, in->len))
		return false;
	return reason == ESPRIT_R_RISAV_GREEN_CHANNEL ||
	       reason == ESPRIT_R_RISAV_FRAGMENT_PASSED ||
	       reason2 == ESPRIT_R_RISAV_TESTING_PASSED;
}

bool rc_expect2_at(struct risav_fixture *f, const struct pkt *in,
		   uint32_t action, int reason, int reason2,
		   const struct pkt *want, const char *file, int line)
{
	static uint64_t before[ESPRIT_R_COUNT], after[ESPRIT_R_COUNT];
	static struct xdp_result res;
	bool ok = true;

	snapshot(f, before);
	if (xdp_fixture_run(&f->x, in, &res)) {
		fprintf(stderr, "%s:%d: test run failed\n", file, line);
		CU_FAIL("test run failed");
		return false;
	}
	risav_fixture_read_events(f);
	snapshot(f, after);
	if (res.action != action) {
		fprintf(stderr, "%s:%d: %s, expected %s\n", file, line,
			xdp_action_name(res.action), xdp_action_name(action));
		ok = false;
	}
	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		uint64_t want_delta = (r == reason) + (r == reason2) +
				      (r == ESPRIT_R_NOT_ESPRIT &&
				       handed_on(in, &res, reason, reason2));

		if (audit_reason(r) || after[r] - before[r] == want_delta)
			continue;
		fprintf(stderr,
			"%s:%d: counter %d moved by %llu, expected %llu\n",
			file, line, r,
			(unsigned long long)(after[r] - before[r]),
			(unsigned long long)want_delta);
		ok = false;
	}
	if (want && (res.out_len != want->len ||
		     memcmp(res.out, want->data, want->len))) {
		fprintf(stderr,
			"%s:%d: output differs (%zu bytes, expected %zu)\n",
			file, line, res.out_len, want->len);
		ok = false;
	}
	CU_ASSERT(ok);
	return ok;
}

bool rc_expect_at(struct risav_fixture *f, const struct pkt *in,
		  uint32_t action, int reason, const struct pkt *want,
		  const char *file, int line)
{
	return rc_expect2_at(f, in, action, reason, RC_NO_REASON, want, file,
			     line);
}
