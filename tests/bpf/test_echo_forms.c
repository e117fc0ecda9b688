// SPDX-License-Identifier: GPL-2.0
/*
 * Requests the responder must answer, in every form, over IPv4 and IPv6,
 * behind 0-2 VLAN tags and IPv4 options, and with each reply setting: in
 * goes the request, out must come exactly the reply the drafts describe.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo_check.h"
#include "testlib.h"

static struct xdp_fixture fx;
static uint8_t data[1500];
static struct pkt in, want;

/* Data lengths every form is tried with. */
static const size_t lengths[] = {
	0,  1,	2,  3,	4,  5,	6,  7,	8,  9,	10, 11, 12, 13, 14,   15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,   32, 33,
	34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,   49, 50,
	51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 1400,
};
#define NLENGTHS (sizeof(lengths) / sizeof(lengths[0]))

static int suite_init(void)
{
	struct esprit_config cfg;

	pkt_pattern(data, sizeof(data), 3);
	if (fixture_private_netns() || xdp_fixture_open(&fx))
		return -1;
	echo_config_unlimited(&cfg);
	return xdp_fixture_set_config(&fx, &cfg);
}

static int suite_cleanup(void)
{
	fprintf(stderr, "\n  [bpf_echo_forms: %lu packets checked so far]\n",
		echo_cases_checked());
	xdp_fixture_close(&fx);
	return 0;
}

static void set_config(const struct esprit_config *cfg)
{
	CU_ASSERT_EQUAL_FATAL(xdp_fixture_set_config(&fx, cfg), 0);
}

static void default_config(void)
{
	struct esprit_config cfg;

	echo_config_unlimited(&cfg);
	set_config(&cfg);
}

static const struct echo_flow *flow_of(int family)
{
	return family == 4 ? &echo_flow_v4 : &echo_flow_v6;
}

static void check_answered(const struct echo_flow *f, const struct echo_body *b,
			   const char *what)
{
	echo_build(&in, &want, f, b);
	echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
		       "%s: %s IPv%d vlans %d opts %zu n=%zu pad=%zu", what,
		       echo_form_names[b->form], f->family, f->vlans,
		       f->opts_len, b->n, b->pad);
}

static void seed_lengths(int family)
{
	for (size_t i = 0; i < NLENGTHS; i++) {
		size_t n = lengths[i];
		size_t min = pkt_seed_min_pad(n);
		size_t pads[] = {min, min + 4, min + 8,
				 min + 4 * ((255 - min) / 4)};

		for (size_t j = 0; j < sizeof(pads) / sizeof(pads[0]); j++) {
			struct echo_body b = {
				.form = ECHO_SEED,
				.esp_seq = 1000 + n,
				.ident = 0x1234,
				.echo_seq = n,
				.data = data,
				.n = n,
				.pad = pads[j],
			};

			check_answered(flow_of(family), &b, "seed");
		}
	}
}

static void test_seed_lengths_v4(void)
{
	seed_lengths(4);
}

static void test_seed_lengths_v6(void)
{
	seed_lengths(6);
}

/* The -00 form: 8 bytes of ESP header, padding 1..p, p, 59. */
static void test_empty_padding(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (size_t pad = 2; pad <= 254; pad += 4) {
			struct echo_body b = {
				.form = ECHO_EMPTY,
				.esp_seq = 77,
				.pad = pad,
			};

			check_answered(flow_of(family), &b, "empty");
		}
	}
}

static void subtyped_lengths(enum echo_form form)
{
	for (int family = 4; family <= 6; family += 2) {
		for (size_t i = 0; i < NLENGTHS; i++) {
			struct echo_body b = {
				.form = form,
				.esp_seq = 1,
				.ident = 0xbeef,
				.echo_seq = i,
				.data = data + 5,
				.n = lengths[i],
				.return_spi = 0x01020304 + i,
			};

			check_answered(flow_of(family), &b, "sub-typed");
		}
	}
}

static void test_subtyped_r0(void)
{
	subtyped_lengths(ECHO_SUBTYPED);
}

/* R = 1: the 4-byte return SPI is cut out of the reply (§1.4, R7). */
static void test_subtyped_return_spi(void)
{
	subtyped_lengths(ECHO_SUBTYPED_RSPI);
}

static void each_form(const struct echo_flow *f, const char *what)
{
	static const size_t ns[] = {0, 1, 3, 64};

	for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			struct echo_body b = {
				.form = form,
				.esp_seq = 9,
				.ident = 0x4321,
				.echo_seq = 2,
				.data = data,
				.n = ns[i],
				.pad = ECHO_MIN_PAD,
				.return_spi = 0xaabbccdd,
			};

			check_answered(f, &b, what);
		}
	}
}

static void test_vlan_depths(void)
{
	static const uint16_t outer[] = {0x88a8, 0x8100};

	for (int family = 4; family <= 6; family += 2) {
		struct echo_flow f = *flow_of(family);

		for (f.vlans = 0; f.vlans <= 2; f.vlans++) {
			for (size_t o = 0; o < 2; o++) {
				f.outer_tpid = outer[o];
				each_form(&f, "vlan");
				if (f.vlans < 2)
					break;
			}
		}
	}
}

/* Options are kept as they came (the draft says nothing about them). */
static void test_ipv4_options(void)
{
	uint8_t opts[40];
	struct echo_flow f = echo_flow_v4;

	for (size_t len = 4; len <= 40; len += 4) {
		/* Router Alert, NOPs, End of Options */
		memset(opts, 1, sizeof(opts));
		opts[0] = 0x94;
		opts[1] = 4;
		opts[2] = opts[3] = 0;
		if (len > 4)
			opts[len - 1] = 0;
		f.opts = opts;
		f.opts_len = len;
		each_form(&f, "options");
	}
	/* The largest headers moved when a return SPI is cut. */
	f.vlans = 2;
	f.opts_len = 40;
	each_form(&f, "options+2 vlans");
}

/*
 * R5: the reply resets TTL / hop limit and clears the flow label; TOS /
 * traffic class, Identification and DF are kept.
 */
static void test_ip_header_fields(void)
{
	static const uint8_t ttls[] = {1, 2, 63, 64, 65, 255};
	struct echo_body b = {
		.form = ECHO_SEED,
		.esp_seq = 5,
		.ident = 1,
		.echo_seq = 1,
		.data = data,
		.n = 20,
		.pad = ECHO_MIN_PAD,
	};

	for (size_t i = 0; i < sizeof(ttls); i++) {
		for (int family = 4; family <= 6; family += 2) {
			const struct echo_flow *f = flow_of(family);

			echo_request_head(&in, f);
			pkt_ip_ttl(&in, ttls[i]);
			pkt_ip_tos(&in, 0xb8 + i);
			if (family == 4)
				pkt_ipv4_id_frag(&in, 0x1234 + i,
						 i % 2 ? 0x4000 : 0);
			else
				pkt_ipv6_flow_label(&in, 0xabcde + i);
			echo_put_request(&in, &b, 7);
			pkt_finish(&in);

			echo_reply_head(&want, f);
			pkt_ip_tos(&want, 0xb8 + i);
			if (family == 4)
				pkt_ipv4_id_frag(&want, 0x1234 + i,
						 i % 2 ? 0x4000 : 0);
			echo_put_reply(&want, &b, 8, 5);
			pkt_finish(&want);
			echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
				       "IPv%d ttl %u tos %#x", family, ttls[i],
				       0xb8 + (unsigned int)i);
		}
	}
}

/*
 * Frames shorter than 60 bytes arrive padded; the IP length says where the
 * packet ends. The reply ends there too: the padding is not sent back.
 */
static void test_ethernet_padding(void)
{
	static const size_t extra[] = {1, 2, 3, 4, 14, 26, 100};

	for (int family = 4; family <= 6; family += 2) {
		for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
			for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]);
			     i++) {
				struct echo_body b = {
					.form = form,
					.esp_seq = 3,
					.ident = 0x0102,
					.echo_seq = 3,
					.data = data,
					.n = 2,
					.pad = ECHO_MIN_PAD,
					.return_spi = 0x55667788,
				};

				echo_build(&in, &want, flow_of(family), &b);
				/* padding bytes that look like a trailer */
				for (size_t k = 0; k < extra[i]; k++)
					pkt_put_u8(&in, k % 2 ? 59 : 2);
				echo_expect_tx(&fx, &in, &want,
					       ESPRIT_R_ECHO_REFLECTED,
					       "IPv%d %s + %zu bytes of "
					       "Ethernet padding",
					       family, echo_form_names[form],
					       extra[i]);
			}
		}
	}
}

/* E2: the knob "seq zero" writes 0 where the request's value is copied. */
static void test_seq_zero(void)
{
	struct esprit_config cfg;

	echo_config_unlimited(&cfg);
	cfg.echo_flags = ESPRIT_ECHO_SEQ_ZERO;
	set_config(&cfg);
	for (int family = 4; family <= 6; family += 2) {
		for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
			struct echo_body b = {
				.form = form,
				.esp_seq = 0xdeadbeef,
				.ident = 7,
				.echo_seq = 8,
				.data = data,
				.n = 33,
				.pad = ECHO_MIN_PAD,
				.return_spi = 1,
			};

			echo_build(&in, NULL, flow_of(family), &b);
			echo_reply_head(&want, flow_of(family));
			echo_put_reply(&want, &b, 8, 0);
			pkt_finish(&want);
			echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
				       "seq zero IPv%d %s", family,
				       echo_form_names[form]);
		}
	}
	default_config();
}

static void test_reply_ttl(void)
{
	static const uint8_t ttls[] = {1, 17, 255};
	struct esprit_config cfg;
	struct echo_body b = {
		.form = ECHO_SUBTYPED,
		.esp_seq = 1,
		.ident = 2,
		.echo_seq = 3,
		.data = data,
		.n = 8,
	};

	for (size_t i = 0; i < sizeof(ttls); i++) {
		echo_config_unlimited(&cfg);
		cfg.reply_ttl = ttls[i];
		set_config(&cfg);
		for (int family = 4; family <= 6; family += 2) {
			echo_build(&in, NULL, flow_of(family), &b);
			echo_reply_head(&want, flow_of(family));
			pkt_ip_ttl(&want, ttls[i]);
			echo_put_reply(&want, &b, 8, 1);
			pkt_finish(&want);
			echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
				       "reply ttl %u IPv%d", ttls[i], family);
		}
	}
	default_config();
}

/* E3: other SPIs; 7 and 8 are then ordinary ESP and pass untouched. */
static void test_custom_spis(void)
{
	struct esprit_config cfg;

	echo_config_unlimited(&cfg);
	cfg.spi_request = 0x17;
	cfg.spi_reply = 0x18;
	set_config(&cfg);
	for (int family = 4; family <= 6; family += 2) {
		for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
			const struct echo_flow *f = flow_of(family);
			struct echo_body b = {
				.form = form,
				.esp_seq = 4,
				.ident = 5,
				.echo_seq = 6,
				.data = data,
				.n = 10,
				.pad = ECHO_MIN_PAD,
				.return_spi = 0x18,
			};

			echo_request_head(&in, f);
			echo_put_request(&in, &b, 0x17);
			pkt_finish(&in);
			echo_reply_head(&want, f);
			echo_put_reply(&want, &b, 0x18, 4);
			pkt_finish(&want);
			echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
				       "custom SPI IPv%d %s", family,
				       echo_form_names[form]);

			echo_build(&in, NULL, f, &b); /* SPI 7 */
			echo_expect_untouched(&fx, &in, XDP_PASS,
					      ESPRIT_R_NOT_ESPRIT,
					      "SPI 7 with custom SPIs IPv%d %s",
					      family, echo_form_names[form]);

			echo_request_head(&in, f);
			echo_put_request(&in, &b, 0x18);
			pkt_finish(&in);
			/* a request body: in a trailer form it reads as a
			 * reply; Sub-Type 2 is no reply's */
			echo_expect_untouched(
				&fx, &in, XDP_PASS,
				form >= ECHO_SUBTYPED
					? ESPRIT_R_ECHO_REPLY_MALFORMED
					: ESPRIT_R_ECHO_REPLY_PASSED,
				"custom reply SPI IPv%d %s", family,
				echo_form_names[form]);
		}
	}
	default_config();
}

static void check_passed_disabled(int family, enum echo_form form,
				  const char *what)
{
	struct echo_body b = {
		.form = form,
		.esp_seq = 1,
		.ident = 0x99,
		.echo_seq = 1,
		.data = data,
		.n = 16,
		.pad = ECHO_MIN_PAD,
		.return_spi = 2,
	};

	echo_build(&in, NULL, flow_of(family), &b);
	echo_expect_untouched(&fx, &in, XDP_PASS, ESPRIT_R_ECHO_DISABLED,
			      "%s: IPv%d %s", what, family,
			      echo_form_names[form]);
}

/* formats: one form switched off passes; the others are still answered. */
static void test_formats(void)
{
	static const struct {
		uint32_t flag;
		enum echo_form forms[2];
		int nforms;
	} knobs[] = {
		{ESPRIT_ECHO_NO_SEED, {ECHO_SEED}, 1},
		{ESPRIT_ECHO_NO_EMPTY, {ECHO_EMPTY}, 1},
		{ESPRIT_ECHO_NO_SUBTYPED,
		 {ECHO_SUBTYPED, ECHO_SUBTYPED_RSPI},
		 2},
	};
	struct esprit_config cfg;

	for (size_t k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++) {
		echo_config_unlimited(&cfg);
		cfg.echo_flags = knobs[k].flag;
		set_config(&cfg);
		for (int family = 4; family <= 6; family += 2) {
			for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI;
			     form++) {
				int off = 0;

				for (int i = 0; i < knobs[k].nforms; i++)
					off |= knobs[k].forms[i] ==
					       (enum echo_form)form;
				if (off) {
					check_passed_disabled(family, form,
							      "format off");
				} else {
					struct echo_body b = {
						.form = form,
						.esp_seq = 1,
						.ident = 0x99,
						.echo_seq = 1,
						.data = data,
						.n = 16,
						.pad = ECHO_MIN_PAD,
						.return_spi = 2,
					};

					check_answered(flow_of(family), &b,
						       "other format off");
				}
			}
		}
	}
	default_config();
}

static void test_responder_off(void)
{
	struct esprit_config cfg;

	echo_config_unlimited(&cfg);
	cfg.echo_flags = ESPRIT_ECHO_OFF;
	set_config(&cfg);
	for (int family = 4; family <= 6; family += 2)
		for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++)
			check_passed_disabled(family, form, "enabled off");
	default_config();
}

/* An all-zero config map is the documented defaults: answered as usual. */
static void test_zero_config_is_default(void)
{
	struct esprit_config cfg = {0};

	set_config(&cfg);
	for (int family = 4; family <= 6; family += 2)
		each_form(flow_of(family), "zero config");
	default_config();
}

TEST_SUITE(echo_forms) = {
	.name = "bpf_echo_forms",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"seed_lengths_v4", test_seed_lengths_v4},
			{"seed_lengths_v6", test_seed_lengths_v6},
			{"empty_padding", test_empty_padding},
			{"subtyped_r0", test_subtyped_r0},
			{"subtyped_return_spi", test_subtyped_return_spi},
			{"vlan_depths", test_vlan_depths},
			{"ipv4_options", test_ipv4_options},
			{"ip_header_fields", test_ip_header_fields},
			{"ethernet_padding", test_ethernet_padding},
			{"seq_zero", test_seq_zero},
			{"reply_ttl", test_reply_ttl},
			{"custom_spis", test_custom_spis},
			{"formats", test_formats},
			{"responder_off", test_responder_off},
			{"zero_config_is_default", test_zero_config_is_default},
			{NULL, NULL},
		},
};
