// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <CUnit/CUnit.h>

#include "lib/counters.h"
#include "mutation.h"
#include "xdp_fixture.h"

#define ETH_MIN	 14
#define VLAN_MAX 2
#define SPI_REQ	 7

static unsigned long long rng = 1;

static unsigned long long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

unsigned int mutation_below(unsigned int n)
{
	return n ? (unsigned int)(next_rand() % n) : 0;
}

unsigned long long mutation_start(void)
{
	const char *s = getenv("ESPRIT_MUTATION_SEED");
	unsigned long long seed = s && *s ? strtoull(s, NULL, 0)
					  : 0x5eed5eedULL;

	rng = seed ? seed : 1;
	return seed;
}

unsigned long long mutation_count(unsigned long long dflt)
{
	const char *env = getenv("ESPRIT_MUTATIONS");

	return env && *env ? strtoull(env, NULL, 0) : dflt;
}

static void mutate_once(struct pkt *p)
{
	unsigned int n;

	switch (mutation_below(7)) {
	case 0: /* bits flipped */
		for (n = 1 + mutation_below(3); n--;)
			p->data[mutation_below(p->len)] ^= 1
							   << mutation_below(8);
		break;
	case 1: /* cut short (BPF_PROG_TEST_RUN takes no frame shorter than
		 * an Ethernet header) */
		p->len = ETH_MIN + mutation_below(p->len - ETH_MIN);
		break;
	case 2: /* extended with junk */
		for (n = 1 + mutation_below(64); n-- && p->len < PKT_MAX - 64;)
			p->data[p->len++] = (uint8_t)next_rand();
		break;
	case 3: /* a length field rewritten */
		if (p->family == 4) {
			p->data[p->l3_off + 2 + mutation_below(2)] =
				(uint8_t)next_rand();
			if (mutation_below(2))
				p->data[p->l3_off] =
					0x40 | (uint8_t)mutation_below(16);
		} else if (p->family == 6) {
			p->data[p->l3_off + 4 + mutation_below(2)] =
				(uint8_t)next_rand();
		}
		break;
	case 4: /* a protocol / next header rewritten */
		if (p->nexthdr_off)
			p->data[p->nexthdr_off] = mutation_below(3)
							  ? (uint8_t)next_rand()
						  : mutation_below(2) ? 50
								      : 59;
		break;
	case 5: /* an EtherType or a VLAN tag rewritten */
		if (p->ethertype_off)
			p->data[p->ethertype_off + mutation_below(2)] =
				(uint8_t)next_rand();
		break;
	default: /* bytes overwritten past the IP header */
		for (n = 1 + mutation_below(4); n-- && p->l4_off < p->len;)
			p->data[p->l4_off + mutation_below(p->len - p->l4_off)] =
				(uint8_t)next_rand();
		break;
	}
}

void mutation_apply(struct pkt *p)
{
	for (unsigned int m = 1 + mutation_below(3); m--;)
		mutate_once(p);
}

const char *mutation_xdp_fate(uint32_t action)
{
	return action == XDP_PASS   ? "pass"
	       : action == XDP_DROP ? "drop"
	       : action == XDP_TX   ? "tx"
				    : "?";
}

/* A redirect is an ICMP error sent back in the packet's stead. */
const char *mutation_tc_fate(int action)
{
	return action == TC_ACT_OK				    ? "tx"
	       : action == TC_ACT_SHOT || action == TC_ACT_REDIRECT ? "drop"
								    : "?";
}

static bool is_event(int r)
{
	return !strcmp(reason_info[r].action, "event");
}

const char *mutation_reasons_check(const uint64_t *before,
				   const uint64_t *after, const char *fate)
{
	int moved[ESPRIT_R_COUNT], n = 0, kept = 0, verdict = -1;
	bool testing = false, failed_check_seen = false;

	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		uint64_t d = after[r] - before[r];

		if (is_event(r) || !d)
			continue;
		if (d > 1)
			return "a reason counted twice for one packet";
		moved[n++] = r;
		testing |= r == ESPRIT_R_RISAV_TESTING_PASSED;
	}
	for (int i = 0; i < n; i++) {
		int r = moved[i];

		/* RISAV's findings on a packet it let on */
		if (r == ESPRIT_R_RISAV_GREEN_CHANNEL ||
		    r == ESPRIT_R_RISAV_FRAGMENT_PASSED ||
		    r == ESPRIT_R_RISAV_TESTING_PASSED)
			continue;
		if (testing && !failed_check_seen &&
		    !strcmp(reason_info[r].action, "drop")) {
			failed_check_seen = true; /* what testing let pass */
			continue;
		}
		kept++;
		verdict = r;
	}
	if (testing && !failed_check_seen)
		return "risav-testing-passed without the check that failed";
	/* testing mode stripped the AH and passed it: that is the verdict */
	if (!kept && testing && !strcmp(fate, "pass"))
		return NULL;
	if (kept != 1)
		return kept ? "more than one reason for one packet"
			    : "a packet under no reason";
	if (strcmp(reason_info[verdict].action, fate))
		return "a reason whose action is not what became of it";
	return NULL;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool ipv4_source_allowed(const uint8_t *s, const uint8_t *local)
{
	uint32_t a = (uint32_t)s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3];

	return a != 0 && s[0] != 127 && s[0] < 224 &&
	       !(s[0] == 169 && s[1] == 254) && memcmp(s, local, 4);
}

static bool ipv6_source_allowed(const uint8_t *s, const uint8_t *local)
{
	static const uint8_t any[16], loopback[16] = {[15] = 1};

	return s[0] != 0xff && memcmp(s, any, 16) && memcmp(s, loopback, 16) &&
	       !(s[0] == 0xfe && (s[1] & 0xc0) == 0x80) && memcmp(s, local, 16);
}

/* §1.4: 16 + 4·R + Data Length bytes exactly, sub-type 2, only R. */
static bool subtyped_form(const uint8_t *esp, size_t len)
{
	size_t r;

	if (len < 16 || esp[8] != 2 || (esp[9] & 0x7f))
		return false;
	r = esp[9] & 0x80 ? 4 : 0;
	return 16 + r + be16(esp + 10) == len;
}

/* §1.3, §1.3a: an RFC 4303 trailer, padding 1, 2, ..., Next Header 59. */
static bool trailer_form(const uint8_t *esp, size_t len)
{
	size_t pad, payload;

	if (len < 10 || len % 4 || esp[len - 1] != 59)
		return false;
	pad = esp[len - 2];
	if (8 + pad + 2 > len)
		return false;
	for (size_t i = 0; i < pad; i++)
		if (esp[len - 2 - pad + i] != i + 1)
			return false;
	payload = len - 10 - pad;
	return payload == 0 || payload >= 4; /* -00, or Identifier+Seq */
}

bool mutation_request_to_us(const uint8_t *d, size_t len, const uint8_t mac[6],
			    const char *local4, const char *local6)
{
	uint8_t l4[4], l6[16];
	size_t off = 12, esp_off, esp_len;
	uint16_t type;
	int tags = 0;

	inet_pton(AF_INET, local4, l4);
	inet_pton(AF_INET6, local6, l6);
	if (len < ETH_MIN || memcmp(d, mac, 6))
		return false;
	for (;;) {
		if (off + 2 > len)
			return false;
		type = be16(d + off);
		if (type != 0x8100 && type != 0x88a8)
			break;
		if (++tags > VLAN_MAX)
			return false;
		off += 4;
	}
	off += 2;
	if (type == 0x0800) {
		const uint8_t *ip = d + off;
		size_t hlen, total;

		if (off + 20 > len || ip[0] >> 4 != 4)
			return false;
		hlen = (ip[0] & 0x0f) * 4u;
		total = be16(ip + 2);
		if (hlen < 20 || total < hlen || off + total > len ||
		    pkt_ipv4_checksum(ip, hlen) || (be16(ip + 6) & 0x3fff) ||
		    ip[9] != 50 || memcmp(ip + 16, l4, 4) ||
		    !ipv4_source_allowed(ip + 12, l4))
			return false;
		esp_off = off + hlen;
		esp_len = total - hlen;
	} else if (type == 0x86dd) {
		const uint8_t *ip = d + off;

		if (off + 40 > len || ip[0] >> 4 != 6 ||
		    off + 40 + be16(ip + 4) > len || ip[6] != 50 ||
		    memcmp(ip + 24, l6, 16) || !ipv6_source_allowed(ip + 8, l6))
			return false;
		esp_off = off + 40;
		esp_len = be16(ip + 4);
	} else {
		return false;
	}
	if (esp_len < 8 || d[esp_off] || d[esp_off + 1] || d[esp_off + 2] ||
	    d[esp_off + 3] != SPI_REQ)
		return false;
	return subtyped_form(d + esp_off, esp_len) ||
	       trailer_form(d + esp_off, esp_len);
}

void mutation_failed(unsigned long long i, unsigned long long seed,
		     const char *broke, uint32_t action, const struct pkt *p,
		     size_t out_len)
{
	fprintf(stderr,
		"\n  mutation %llu (ESPRIT_MUTATION_SEED=%#llx): %s; action "
		"%s, %zu bytes in, %zu out\n  ",
		i, seed, broke, xdp_action_name(action), p->len, out_len);
	for (size_t b = 0; b < p->len; b++)
		fprintf(stderr, "%02x", p->data[b]);
	fputc('\n', stderr);
	CU_FAIL(broke);
}

void mutation_summary(const char *what, unsigned long long n,
		      const struct timespec *t0, unsigned long long failures,
		      const char *outcomes, ...)
{
	struct timespec t1;
	double s;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	fprintf(stderr, "\n  [%s: %llu packets in %.1f s (%.0f/s): ", what, n,
		s, s > 0 ? (double)n / s : 0.0);
	va_start(ap, outcomes);
	vfprintf(stderr, outcomes, ap);
	va_end(ap);
	fprintf(stderr, "; %llu invariant failures]\n", failures);
}
