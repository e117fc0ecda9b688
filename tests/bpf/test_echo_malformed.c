// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed requests (docs/protocols.md §1.5 R4, §1.6 E1) are dropped with the
 * reason that names what was wrong; malformed IP, fragments and ESP behind
 * IPv6 extension headers are left to the stack, counted. Nothing here is
 * ever answered or modified.
 *
 * How a packet that matches no form is named: shorter than ESP header +
 * trailer (10 bytes): truncated. Starting like a sub-typed request
 * (sub-type 2, no flag but R): truncated below its 16-byte header, else
 * inconsistent Data Length. Otherwise by the trailer: Next Header not 59,
 * then Pad Length (past the payload, or the ESP length not a multiple of
 * 4), then the padding bytes, then a payload of 1-3 bytes.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo_check.h"
#include "testlib.h"

static struct xdp_fixture fx;
static uint8_t data[64];
static struct pkt in;

static int suite_init(void)
{
	struct esprit_config cfg;

	pkt_pattern(data, sizeof(data), 17);
	if (fixture_private_netns() || xdp_fixture_open(&fx))
		return -1;
	echo_config_unlimited(&cfg);
	return xdp_fixture_set_config(&fx, &cfg);
}

static int suite_cleanup(void)
{
	fprintf(stderr,
		"\n  [bpf_echo_malformed: %lu packets checked so far]\n",
		echo_cases_checked());
	xdp_fixture_close(&fx);
	return 0;
}

static const struct echo_flow *flow_of(int family)
{
	return family == 4 ? &echo_flow_v4 : &echo_flow_v6;
}

static void expect_dropped(enum esprit_reason reason, const char *what,
			   int family)
{
	echo_expect_untouched(&fx, &in, XDP_DROP, reason, "%s IPv%d", what,
			      family);
}

/* The reason a request cut to its first len ESP bytes must get. */
static int truncation_reason(enum echo_form form, size_t len, uint32_t *action)
{
	*action = XDP_DROP;
	if (len < 4) {
		*action = XDP_PASS; /* no SPI: not a request at all */
		return ESPRIT_R_ESP_NO_SPI;
	}
	if (len < 10)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if (form == ECHO_SUBTYPED || form == ECHO_SUBTYPED_RSPI)
		return len < 16 ? ESPRIT_R_ECHO_MALFORMED_TRUNCATED
				: ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH;
	return ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER;
}

/* Every request cut at every length short of its own. */
static void test_truncation(void)
{
	static const struct {
		enum echo_form form;
		size_t n;
	} reqs[] = {
		{ECHO_SEED, 0},		 {ECHO_SEED, 5},
		{ECHO_EMPTY, 0},	 {ECHO_SUBTYPED, 0},
		{ECHO_SUBTYPED, 3},	 {ECHO_SUBTYPED, 9},
		{ECHO_SUBTYPED_RSPI, 0}, {ECHO_SUBTYPED_RSPI, 2},
	};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t r = 0; r < sizeof(reqs) / sizeof(reqs[0]); r++) {
			struct echo_body b = {
				.form = reqs[r].form,
				.esp_seq = 0x01020304,
				.ident = 0x1234,
				.echo_seq = 0x0506,
				.data = data,
				.n = reqs[r].n,
				.pad = ECHO_MIN_PAD,
				.return_spi = 0x0a0b0c0d,
			};
			size_t full, l4;

			echo_build(&in, NULL, flow_of(family), &b);
			l4 = in.l4_off;
			full = in.len - l4;
			for (size_t len = 0; len < full; len++) {
				uint32_t action;
				int reason =
					truncation_reason(b.form, len, &action);

				echo_build(&in, NULL, flow_of(family), &b);
				in.len = l4 + len;
				pkt_finish(&in);
				echo_expect_untouched(&fx, &in, action, reason,
						      "IPv%d %s n=%zu cut to "
						      "%zu of %zu ESP "
						      "bytes",
						      family,
						      echo_form_names[b.form],
						      b.n, len, full);
			}
		}
	}
}

/* A seed request with hand-written padding bytes and Pad Length. */
static void seed_with_padding(int family, size_t n, const uint8_t *pad,
			      size_t pad_len, uint8_t pad_len_field,
			      uint8_t next_header)
{
	echo_request_head(&in, flow_of(family));
	pkt_esp_hdr(&in, 7, 1);
	pkt_put_be16(&in, 0x1234);
	pkt_put_be16(&in, 1);
	pkt_put(&in, data, n);
	pkt_put(&in, pad, pad_len);
	pkt_esp_trailer(&in, pad_len_field, next_header);
	pkt_finish(&in);
}

static void empty_with_padding(int family, const uint8_t *pad, size_t pad_len,
			       uint8_t pad_len_field, uint8_t next_header)
{
	echo_request_head(&in, flow_of(family));
	pkt_esp_hdr(&in, 7, 1);
	pkt_put(&in, pad, pad_len);
	pkt_esp_trailer(&in, pad_len_field, next_header);
	pkt_finish(&in);
}

static void test_bad_padding_bytes(void)
{
	static const struct {
		size_t n; /* Data bytes of a seed request; -1: empty form */
		uint8_t pad[8];
		size_t len;
	} cases[] = {
		{1, {0}, 1},
		{1, {2}, 1},
		{0, {1, 1}, 2},
		{0, {2, 2}, 2},
		{0, {0, 2}, 2},
		{0, {2, 1}, 2},
		{3, {1, 2, 4}, 3},
		{3, {1, 3, 3}, 3},
		{3, {3, 2, 1}, 3},
		{2, {1, 2, 3, 0}, 4},
		{0, {1, 2, 3, 4, 5, 7}, 6},
		{0, {0, 2, 3, 4, 5, 6}, 6},
		{(size_t)-1, {0, 0}, 2},
		{(size_t)-1, {2, 1}, 2},
		{(size_t)-1, {1, 3}, 2},
		{(size_t)-1, {1, 2, 3, 4, 5, 0}, 6},
		{(size_t)-1, {9, 2, 3, 4, 5, 6}, 6},
	};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (cases[i].n == (size_t)-1)
				empty_with_padding(family, cases[i].pad,
						   cases[i].len, cases[i].len,
						   59);
			else
				seed_with_padding(family, cases[i].n,
						  cases[i].pad, cases[i].len,
						  cases[i].len, 59);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_PADDING,
				       "bad padding bytes", family);
		}
	}
}

/* Long padding, checked in words: one wrong byte anywhere is found. */
static void test_bad_padding_anywhere(void)
{
	static const size_t lens[] = {6, 10, 14, 18, 22, 66, 102, 254};
	uint8_t pad[255];

	for (int family = 4; family <= 6; family += 2) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			size_t len = lens[l];

			for (size_t at = 0; at < len; at++) {
				for (size_t i = 0; i < len; i++)
					pad[i] = i + 1;
				pad[at] ^= at % 2 ? 0x80 : 0x01;
				empty_with_padding(family, pad, len, len, 59);
				expect_dropped(ESPRIT_R_ECHO_MALFORMED_PADDING,
					       "one bad byte, -00 form",
					       family);
				seed_with_padding(family, 4, pad, len, len, 59);
				expect_dropped(ESPRIT_R_ECHO_MALFORMED_PADDING,
					       "one bad byte, seed form",
					       family);
			}
		}
	}
}

static void test_bad_pad_length(void)
{
	static const uint8_t pad[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	/* seed, n = 0, 2 bytes of padding: ESP length 16, room for 6 */
	static const uint8_t too_long[] = {7, 8, 9, 100, 254, 255};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < sizeof(too_long); i++) {
			seed_with_padding(family, 0, pad, 2, too_long[i], 59);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH,
				       "pad length past the payload", family);
		}
		/* empty form: ESP length 12, room for 2 */
		for (uint8_t pl = 3; pl < 12; pl++) {
			empty_with_padding(family, pad, 2, pl, 59);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH,
				       "pad length past the payload", family);
		}
		/* trailer not on a 4-byte boundary, padding otherwise fine */
		for (size_t n = 0; n < 8; n++) {
			for (size_t p = 0; p < 4; p++) {
				if ((8 + 4 + n + p + 2) % 4 == 0)
					continue;
				seed_with_padding(family, n, pad, p, p, 59);
				expect_dropped(
					ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH,
					"misaligned seed", family);
			}
		}
		for (size_t p = 0; p < 8; p++) {
			if ((8 + p + 2) % 4 == 0)
				continue;
			empty_with_padding(family, pad, p, p, 59);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH,
				       "misaligned empty", family);
		}
	}
}

static void test_next_header(void)
{
	static const uint8_t pad[2] = {1, 2};
	static const uint8_t nhs[] = {0, 4, 6, 17, 41, 50, 58, 60, 255};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < sizeof(nhs); i++) {
			seed_with_padding(family, 0, pad, 2, 2, nhs[i]);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER,
				       "seed next header", family);
			empty_with_padding(family, pad, 2, 2, nhs[i]);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER,
				       "empty next header", family);
		}
	}
}

/* A payload too short for Identifier and Sequence. */
static void test_short_payload(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (size_t k = 1; k <= 3; k++) {
			size_t pad = (4 - (8 + k + 2) % 4) % 4;

			echo_request_head(&in, flow_of(family));
			pkt_esp_hdr(&in, 7, 1);
			pkt_put(&in, data, k);
			pkt_esp_padding(&in, pad);
			pkt_esp_trailer(&in, pad, 59);
			pkt_finish(&in);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH,
				       "payload of 1-3 bytes", family);
		}
	}
}

static void subtyped_raw(int family, uint8_t subtype, uint8_t flags,
			 uint16_t data_len, int with_return_spi, size_t n)
{
	echo_request_head(&in, flow_of(family));
	pkt_esp_hdr(&in, 7, 1);
	pkt_put_u8(&in, subtype);
	pkt_put_u8(&in, flags);
	pkt_put_be16(&in, data_len);
	pkt_put_be16(&in, 0x1234);
	pkt_put_be16(&in, 0x0001);
	if (with_return_spi)
		pkt_put_be32(&in, 0x0a0b0c0d);
	pkt_put(&in, data, n);
	pkt_finish(&in);
}

static void test_subtyped_data_length(void)
{
	static const struct {
		uint8_t flags;
		int return_spi;
		size_t n;
		uint16_t data_len;
	} cases[] = {
		{0, 0, 8, 9},
		{0, 0, 8, 7},
		{0, 0, 8, 0},
		{0, 0, 8, 0xffff},
		{0, 0, 0, 1},
		{0x80, 1, 8, 9},
		{0x80, 1, 8, 7},
		{0x80, 1, 0, 1},
		{0x80, 1, 4, 8},
		/* R set but the 4 bytes are Data: no room for a return SPI */
		{0x80, 0, 8, 8},
		{0x80, 0, 2, 2},
		{0x80, 0, 0, 0},
	};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			subtyped_raw(family, 2, cases[i].flags,
				     cases[i].data_len, cases[i].return_spi,
				     cases[i].n);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH,
				       "sub-typed data length", family);
		}
	}
}

/* Other sub-types and flags are no request we know: no form matches. */
static void test_subtyped_unknown(void)
{
	static const uint8_t subtypes[] = {0, 1, 3, 4, 255};
	static const uint8_t flags[] = {0x01, 0x40, 0xc0, 0x81};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < sizeof(subtypes); i++) {
			subtyped_raw(family, subtypes[i], 0, 8, 0, 8);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER,
				       "unknown sub-type", family);
		}
		for (size_t i = 0; i < sizeof(flags); i++) {
			subtyped_raw(family, 2, flags[i], 8, 0, 8);
			expect_dropped(ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER,
				       "unknown flags", family);
		}
	}
}

/* R5: ESP behind IPv6 extension headers is the stack's; it is counted. */
static void test_ipv6_extension_headers(void)
{
	static const uint8_t body6[6] = {1, 4, 0, 0, 0, 0}; /* PadN */
	static const uint8_t frag0[6] = {0, 0, 0, 0, 0, 1}; /* offset 0 */
	static const uint8_t frag8[6] = {0, 8, 0, 0, 0, 1}; /* offset 8 */
	static const uint8_t routing[6] = {4, 0, 0, 0, 0, 0}; /* type 4 */
	static const struct {
		uint8_t types[5];
		const uint8_t *bodies[5];
		int count;
		int counted;
	} chains[] = {
		{{0}, {body6}, 1, 1},
		{{60}, {body6}, 1, 1},
		{{43}, {routing}, 1, 1},
		{{44}, {frag0}, 1, 1},
		{{44}, {frag8}, 1, 1},
		{{0, 60}, {body6, body6}, 2, 1},
		{{0, 43, 44, 60}, {body6, routing, frag0, body6}, 4, 1},
		/* deeper than esprit walks: passed without a count */
		{{0, 60, 60, 60, 60}, {body6, body6, body6, body6, body6}, 5, 0},
	};
	struct echo_body b = {
		.form = ECHO_SEED,
		.esp_seq = 1,
		.ident = 1,
		.echo_seq = 1,
		.data = data,
		.n = 8,
		.pad = ECHO_MIN_PAD,
	};

	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		for (int spi = 7; spi <= 9; spi++) {
			echo_request_head(&in, &echo_flow_v6);
			for (int i = 0; i < chains[c].count; i++)
				pkt_ipv6_ext(&in, chains[c].types[i],
					     chains[c].bodies[i], 6);
			echo_put_request(&in, &b, spi);
			pkt_finish(&in);
			echo_expect_untouched(
				&fx, &in, XDP_PASS,
				chains[c].counted
					? ESPRIT_R_ESP_IPV6_EXT_HEADERS
					: ESPRIT_R_NOT_ESPRIT,
				"ESP SPI %d behind %d extension headers "
				"(first %u)",
				spi, chains[c].count, chains[c].types[0]);
		}
		/* no ESP behind them: not esprit's */
		echo_request_head(&in, &echo_flow_v6);
		for (int i = 0; i < chains[c].count; i++)
			pkt_ipv6_ext(&in, chains[c].types[i],
				     chains[c].bodies[i], 6);
		pkt_proto(&in, 17);
		pkt_put_zeros(&in, 16);
		pkt_finish(&in);
		echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT,
				      "UDP behind extension headers");
	}
}

/*
 * IPv4 fragments go to the stack: a first fragment of a request is
 * counted; later fragments carry no ESP header and are not esprit's.
 */
static void test_ipv4_fragments(void)
{
	static const struct {
		uint16_t frag_word;
		int reason;
	} cases[] = {
		{0x2000, ESPRIT_R_ECHO_FRAGMENT}, /* MF, offset 0 */
		{0x6000, ESPRIT_R_ECHO_FRAGMENT}, /* DF + MF: still MF */
		{0x2001, ESPRIT_R_NOT_ESPRIT}, /* MF, offset 8 */
		{0x0010, ESPRIT_R_NOT_ESPRIT}, /* last fragment */
		{0x1fff, ESPRIT_R_NOT_ESPRIT}, /* largest offset */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
			struct echo_body b = {
				.form = form,
				.esp_seq = 1,
				.ident = 1,
				.echo_seq = 1,
				.data = data,
				.n = 8,
				.pad = ECHO_MIN_PAD,
				.return_spi = 5,
			};

			echo_request_head(&in, &echo_flow_v4);
			pkt_ipv4_id_frag(&in, 0x4242, cases[i].frag_word);
			echo_put_request(&in, &b, 7);
			pkt_finish(&in);
			echo_expect_untouched(&fx, &in, XDP_PASS,
					      cases[i].reason,
					      "fragment %#06x %s",
					      cases[i].frag_word,
					      echo_form_names[form]);
			/* a later fragment whose bytes look like a reply */
			if (cases[i].reason != ESPRIT_R_NOT_ESPRIT)
				continue;
			echo_request_head(&in, &echo_flow_v4);
			pkt_ipv4_id_frag(&in, 0x4242, cases[i].frag_word);
			echo_put_reply(&in, &b, 8, 1);
			pkt_finish(&in);
			echo_expect_untouched(&fx, &in, XDP_PASS,
					      ESPRIT_R_NOT_ESPRIT,
					      "later fragment, SPI 8 %#06x %s",
					      cases[i].frag_word,
					      echo_form_names[form]);
		}
	}
}

/* A valid request, then one thing broken in its IP header. */
static void request(int family)
{
	struct echo_body b = {
		.form = ECHO_SEED,
		.esp_seq = 1,
		.ident = 0x1234,
		.echo_seq = 1,
		.data = data,
		.n = 16,
		.pad = ECHO_MIN_PAD,
	};

	echo_build(&in, NULL, flow_of(family), &b);
}

static void refinish_v4(void)
{
	in.frozen_len = 1;
	pkt_finish(&in);
}

static void expect_malformed_ip(const char *what)
{
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_MALFORMED_L3, "%s",
			      what);
}

static void test_malformed_ip(void)
{
	uint8_t *ip;

	request(4);
	ip = in.data + in.l3_off;
	ip[0] = 0x44; /* IHL 4 */
	refinish_v4();
	expect_malformed_ip("IPv4 IHL 4");

	request(4);
	ip = in.data + in.l3_off;
	ip[0] = 0x40;
	refinish_v4();
	expect_malformed_ip("IPv4 IHL 0");

	request(4);
	in.data[in.l3_off] = 0x65;
	refinish_v4();
	expect_malformed_ip("version 6 in an IPv4 frame");

	request(4);
	ip = in.data + in.l3_off;
	ip[0] = 0x4f; /* 60-byte header, packet shorter */
	ip[2] = 0;
	ip[3] = 56;
	in.len = in.l3_off + 56;
	refinish_v4();
	expect_malformed_ip("IPv4 Total Length below IHL");

	request(4);
	ip = in.data + in.l3_off;
	ip[2] = 0;
	ip[3] = 19;
	refinish_v4();
	expect_malformed_ip("IPv4 Total Length 19");

	request(4);
	ip = in.data + in.l3_off;
	ip[3] += 1;
	refinish_v4();
	expect_malformed_ip("IPv4 Total Length past the frame");

	request(4);
	ip = in.data + in.l3_off;
	ip[11] ^= 0x01;
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_MALFORMED_L3,
			      "IPv4 header checksum wrong");

	request(4);
	in.data[in.l3_off + 10] = 0;
	in.data[in.l3_off + 11] = 0;
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_MALFORMED_L3,
			      "IPv4 header checksum zero");

	for (size_t cut = 0; cut < 20; cut++) {
		request(4);
		in.len = in.l3_off + cut;
		echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_MALFORMED_L3,
				      "frame ends %zu bytes into IPv4", cut);
	}

	request(6);
	in.data[in.l3_off] = 0x45;
	expect_malformed_ip("version 4 in an IPv6 frame");

	request(6);
	in.data[in.l3_off + 5] += 1;
	expect_malformed_ip("IPv6 Payload Length past the frame");

	for (size_t cut = 0; cut < 40; cut++) {
		request(6);
		in.len = in.l3_off + cut;
		echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_MALFORMED_L3,
				      "frame ends %zu bytes into IPv6", cut);
	}
}

/* Not IP, or deeper than esprit looks: passed, nothing counted. */
static void test_not_ip(void)
{
	struct echo_flow f = echo_flow_v4;

	pkt_init(&in);
	pkt_eth(&in, pkt_mac_b, pkt_mac_a);
	in.data[12] = 0x08;
	in.data[13] = 0x06; /* ARP */
	pkt_put_zeros(&in, 28);
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT, "ARP");

	f.vlans = 2;
	for (size_t cut = 0; cut < 8; cut++) {
		request(4);
		echo_request_head(&in, &f);
		in.len = 14 + cut;
		echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT,
				      "frame ends %zu bytes into VLAN tags",
				      cut);
	}

	pkt_init(&in);
	pkt_eth(&in, pkt_mac_b, pkt_mac_a);
	pkt_vlan(&in, 0x88a8, 1);
	pkt_vlan(&in, 0x8100, 2);
	pkt_vlan(&in, 0x8100, 3);
	pkt_ipv4(&in, "192.0.2.2", "192.0.2.1");
	pkt_esp_seed(&in, 7, 1, 1, 1, data, 8);
	pkt_finish(&in);
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_NOT_ESPRIT,
			      "three VLAN tags");
}

TEST_SUITE(echo_malformed) = {
	.name = "bpf_echo_malformed",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"truncation", test_truncation},
			{"bad_padding_bytes", test_bad_padding_bytes},
			{"bad_padding_anywhere", test_bad_padding_anywhere},
			{"bad_pad_length", test_bad_pad_length},
			{"next_header", test_next_header},
			{"short_payload", test_short_payload},
			{"subtyped_data_length", test_subtyped_data_length},
			{"subtyped_unknown", test_subtyped_unknown},
			{"ipv6_extension_headers", test_ipv6_extension_headers},
			{"ipv4_fragments", test_ipv4_fragments},
			{"malformed_ip", test_malformed_ip},
			{"not_ip", test_not_ip},
			{NULL, NULL},
		},
};
