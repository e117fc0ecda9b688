// SPDX-License-Identifier: GPL-2.0
/*
 * The reply goes back out of the ingress device, so it must fit that
 * device's MTU (an IP-layer size: VLAN tags do not count), and it is never
 * longer than the request (R1). A request bigger than the MTU is answered
 * with its Data cut:
 *   seed form: the largest ESP length that fits and is a multiple of 4,
 *     keeping as much Data as fits, then the least padding (1, 2, 3);
 *   -00 form: the canonical 12 bytes (padding 1, 2);
 *   sub-typed form: header (no return SPI) and the Data that fits, with
 *     Data Length saying how much.
 * A reply that fits only because its return SPI was cut is not truncated.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "echo_check.h"
#include "testlib.h"

static struct xdp_fixture fx;
static uint8_t data[1500];
static struct pkt in, want;
static unsigned int if600, if68, if1280;

static int suite_init(void)
{
	struct esprit_config cfg;

	pkt_pattern(data, sizeof(data), 31);
	if (fixture_private_netns())
		return -1;
	if600 = fixture_responder_veth("mtu600", 600);
	if68 = fixture_responder_veth("mtu68", 68);
	if1280 = fixture_responder_veth("mtu1280", 1280);
	if (!if600 || !if68 || !if1280 || xdp_fixture_open(&fx))
		return -1;
	echo_config_unlimited(&cfg);
	return xdp_fixture_set_config(&fx, &cfg);
}

static int suite_cleanup(void)
{
	fprintf(stderr, "\n  [bpf_echo_mtu: %lu packets checked so far]\n",
		echo_cases_checked());
	xdp_fixture_close(&fx);
	return 0;
}

static size_t ip_header_len(const struct echo_flow *f)
{
	return f->family == 4 ? 20 + f->opts_len : 40;
}

static size_t request_pad(const struct echo_body *b)
{
	if (b->pad != ECHO_MIN_PAD)
		return b->pad;
	return b->form == ECHO_SEED ? pkt_seed_min_pad(b->n) : 2;
}

/*
 * Runs the request b over f on a device with this MTU and checks the
 * reply against the rules above, built here from b alone. Under an MTU of
 * 1280 a device has no IPv6 (the kernel takes it away): an IPv6 request
 * there is for no address of ours, and passes.
 */
static void check(const struct echo_flow *f, const struct echo_body *b,
		  unsigned int mtu)
{
	size_t room = mtu - ip_header_len(f); /* ESP bytes that fit */
	struct echo_body r = *b;
	int cut = 0;

	echo_build(&in, NULL, f, b);
	if (f->family == 6 && mtu < 1280) {
		echo_expect_untouched(&fx, &in, XDP_PASS,
				      ESPRIT_R_ECHO_DST_NOT_LOCAL,
				      "MTU %u IPv6 %s n=%zu: no IPv6 here", mtu,
				      echo_form_names[b->form], b->n);
		return;
	}
	echo_reply_head(&want, f);
	if (b->form == ECHO_SEED && 8 + 4 + b->n + request_pad(b) + 2 > room) {
		size_t fit = (room & ~(size_t)3) - 14;

		r.n = b->n < fit ? b->n : fit;
		r.pad = ECHO_MIN_PAD;
		cut = 1;
	} else if (b->form == ECHO_EMPTY && 8 + request_pad(b) + 2 > room) {
		r.pad = 2;
		cut = 1;
	} else if ((b->form == ECHO_SUBTYPED ||
		    b->form == ECHO_SUBTYPED_RSPI) &&
		   16 + b->n > room) {
		r.n = room - 16;
		cut = 1;
	}
	echo_put_reply(&want, &r, 8, b->esp_seq);
	pkt_finish(&want);
	CU_ASSERT(want.len <= in.len);
	CU_ASSERT(want.len - (in.l3_off) <= mtu);
	echo_expect_tx(&fx, &in, &want,
		       cut ? ESPRIT_R_ECHO_TRUNCATED_TO_MTU
			   : ESPRIT_R_ECHO_REFLECTED,
		       "MTU %u IPv%d vlans %d opts %zu %s n=%zu pad=%zu", mtu,
		       f->family, f->vlans, f->opts_len,
		       echo_form_names[b->form], b->n, b->pad);
}

static void use_device(unsigned int ifindex)
{
	fx.ifindex = ifindex;
}

static struct echo_body body(enum echo_form form, size_t n, size_t pad)
{
	struct echo_body b = {
		.form = form,
		.esp_seq = 0x11223344,
		.ident = 0x5a5a,
		.echo_seq = n,
		.data = data,
		.n = n,
		.pad = pad,
		.return_spi = 0xc0ffee00,
	};

	return b;
}

/* Flows whose IP header is 20, 60 and 40 bytes, with 0 and 2 VLAN tags. */
static void flows(struct echo_flow out[4])
{
	static const uint8_t opts[40] = {0x94, 4, 0, 0, 1, 1, 1, 1};

	out[0] = echo_flow_v4;
	out[1] = echo_flow_v4;
	out[1].vlans = 2;
	out[1].opts = opts;
	out[1].opts_len = sizeof(opts);
	out[2] = echo_flow_v6;
	out[3] = echo_flow_v6;
	out[3].vlans = 1;
}

/*
 * Requests of every form with L3 lengths from MTU - 8 to MTU + 8 (the -00
 * form only where its at most 255 bytes of padding reach that far).
 */
static void around(const struct echo_flow *f, unsigned int mtu)
{
	size_t hdr = ip_header_len(f);

	for (size_t l3 = mtu - 8; l3 <= mtu + 8; l3++) {
		size_t esp = l3 - hdr;
		struct echo_body b;

		/* seed: 14 + n + pad bytes, with the least padding */
		if (esp >= 14 && esp % 4 == 0) {
			for (size_t pad = 0; pad <= 3; pad++) {
				b = body(ECHO_SEED, esp - 14 - pad, pad);
				check(f, &b, mtu);
			}
		}
		/* seed with 4 and 8 more padding bytes than needed */
		if (esp >= 26 && esp % 4 == 0) {
			b = body(ECHO_SEED, esp - 14 - 4, 4);
			check(f, &b, mtu);
			b = body(ECHO_SEED, esp - 14 - 9, 9);
			check(f, &b, mtu);
		}
		if (esp >= 12 && esp % 4 == 0 && esp - 10 <= 255) {
			b = body(ECHO_EMPTY, 0, esp - 10);
			check(f, &b, mtu);
		}
		b = body(ECHO_SUBTYPED, esp - 16, 0);
		check(f, &b, mtu);
		b = body(ECHO_SUBTYPED_RSPI, esp - 20, 0);
		check(f, &b, mtu);
	}
}

static void test_around_600(void)
{
	struct echo_flow fl[4];

	flows(fl);
	use_device(if600);
	for (int i = 0; i < 4; i++)
		around(&fl[i], 600);
	use_device(fixture_device());
}

static void test_around_1280(void)
{
	struct echo_flow fl[4];

	flows(fl);
	use_device(if1280);
	for (int i = 0; i < 4; i++)
		around(&fl[i], 1280);
	use_device(fixture_device());
}

/* The smallest IPv4 MTU, where the -00 form's padding reaches past it. */
static void test_around_68(void)
{
	struct echo_flow fl[4];

	flows(fl);
	use_device(if68);
	around(&fl[0], 68);
	around(&fl[2], 68);
	around(&fl[3], 68);
	use_device(fixture_device());
}

/*
 * A 60-byte IPv4 header leaves 8 bytes under a 68-byte MTU: no reply form
 * fits, so none is sent; the request is dropped and counted as truncated.
 */
static void test_nothing_fits(void)
{
	struct echo_flow fl[4];

	flows(fl);
	use_device(if68);
	for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI; form++) {
		struct echo_body b = body(form, 8, ECHO_MIN_PAD);

		echo_build(&in, NULL, &fl[1], &b);
		echo_expect_untouched(&fx, &in, XDP_DROP,
				      ESPRIT_R_ECHO_MALFORMED_TRUNCATED,
				      "no room under MTU 68: %s",
				      echo_form_names[form]);
	}
	use_device(fixture_device());
}

/* 1400 bytes of Data in every form, cut to 600 and to 1280. */
static void test_large_requests(void)
{
	static const unsigned int mtus[] = {600, 1280};
	struct echo_flow fl[4];

	flows(fl);
	for (size_t m = 0; m < 2; m++) {
		use_device(m ? if1280 : if600);
		for (int i = 0; i < 4; i++) {
			for (int form = ECHO_SEED; form <= ECHO_SUBTYPED_RSPI;
			     form++) {
				struct echo_body b = body(
					form, form == ECHO_EMPTY ? 0 : 1400,
					form == ECHO_EMPTY ? 254
							   : ECHO_MIN_PAD);

				check(&fl[i], &b, mtus[m]);
			}
		}
	}
	use_device(fixture_device());
}

/*
 * The smallest IPv4 MTU: a seed request with little Data and much padding
 * keeps all its Data and loses the padding; the -00 form is sent back in
 * its 12-byte shape.
 */
static void test_padding_cut_at_68(void)
{
	struct echo_flow v4 = echo_flow_v4, v6 = echo_flow_v6;

	use_device(if68);
	for (size_t n = 0; n <= 40; n++) {
		size_t min = pkt_seed_min_pad(n);
		size_t pads[] = {min, min + 4, min + 4 * ((255 - min) / 4)};

		for (size_t p = 0; p < 3; p++) {
			struct echo_body b = body(ECHO_SEED, n, pads[p]);

			check(&v4, &b, 68);
			check(&v6, &b, 68);
		}
	}
	for (size_t pad = 2; pad <= 254; pad += 4) {
		struct echo_body b = body(ECHO_EMPTY, 0, pad);

		check(&v4, &b, 68);
		check(&v6, &b, 68);
	}
	for (size_t n = 0; n <= 60; n++) {
		struct echo_body b = body(ECHO_SUBTYPED, n, 0);

		check(&v4, &b, 68);
		check(&v6, &b, 68);
		b = body(ECHO_SUBTYPED_RSPI, n, 0);
		check(&v4, &b, 68);
		check(&v6, &b, 68);
	}
	use_device(fixture_device());
}

/* Ethernet padding does not count against the MTU, and is not sent back. */
static void test_mtu_with_ethernet_padding(void)
{
	struct echo_body b = body(ECHO_SEED, 20, ECHO_MIN_PAD);

	use_device(if68);
	echo_build(&in, &want, &echo_flow_v4, &b);
	pkt_put_zeros(&in, 10);
	echo_expect_tx(&fx, &in, &want, ESPRIT_R_ECHO_REFLECTED,
		       "fits the MTU, Ethernet padding behind it");
	use_device(fixture_device());
}

TEST_SUITE(echo_mtu) = {
	.name = "bpf_echo_mtu",
	.init = suite_init,
	.cleanup = suite_cleanup,
	.cases =
		(const struct test_case[]){
			{"around_600", test_around_600},
			{"around_1280", test_around_1280},
			{"around_68", test_around_68},
			{"nothing_fits", test_nothing_fits},
			{"large_requests", test_large_requests},
			{"padding_cut_at_68", test_padding_cut_at_68},
			{"mtu_with_ethernet_padding",
			 test_mtu_with_ethernet_padding},
			{NULL, NULL},
		},
};
