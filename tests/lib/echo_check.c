// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <linux/bpf.h>

#include "echo_check.h"

/* Failures print their packets; after this many only the summary line. */
#define ECHO_VERBOSE_FAILURES 20

const struct echo_flow echo_flow_v4 = {
	.family = 4,
	.peer = "192.0.2.2",
	.local = "192.0.2.1",
};

const struct echo_flow echo_flow_v6 = {
	.family = 6,
	.peer = "2001:db8::2",
	.local = "2001:db8::1",
};

static unsigned long cases_checked;
static unsigned long failures_shown;

unsigned long echo_cases_checked(void)
{
	return cases_checked;
}

void echo_config_unlimited(struct esprit_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rate_global = ESPRIT_RATE_UNLIMITED;
	cfg->rate_prefix = ESPRIT_RATE_UNLIMITED;
}

void echo_head_macs(struct pkt *p, const struct echo_flow *f,
		    const uint8_t dst[6], const uint8_t src[6], int reply)
{
	const char *ip_src = reply ? f->local : f->peer;
	const char *ip_dst = reply ? f->peer : f->local;

	pkt_init(p);
	pkt_eth(p, dst, src);
	if (f->vlans == 2)
		pkt_vlan(p, f->outer_tpid ? f->outer_tpid : 0x88a8, 100);
	if (f->vlans >= 1)
		pkt_vlan(p, 0x8100, 200);
	if (f->family == 4)
		pkt_ipv4_opts(p, ip_src, ip_dst, f->opts, f->opts_len);
	else
		pkt_ipv6(p, ip_src, ip_dst);
}

void echo_request_head(struct pkt *p, const struct echo_flow *f)
{
	echo_head_macs(p, f, pkt_mac_b, pkt_mac_a, 0);
}

void echo_reply_head(struct pkt *p, const struct echo_flow *f)
{
	echo_head_macs(p, f, pkt_mac_a, pkt_mac_b, 1);
}

const char *const echo_form_names[] = {
	[ECHO_SEED] = "seed",
	[ECHO_EMPTY] = "empty",
	[ECHO_SUBTYPED] = "subtyped",
	[ECHO_SUBTYPED_RSPI] = "subtyped-R",
};

static size_t trailer_pad(const struct echo_body *b)
{
	if (b->pad != ECHO_MIN_PAD)
		return b->pad;
	return b->form == ECHO_SEED ? pkt_seed_min_pad(b->n) : 2;
}

void echo_put_request(struct pkt *p, const struct echo_body *b, uint32_t spi)
{
	switch (b->form) {
	case ECHO_SEED:
		pkt_esp_seed_pad(p, spi, b->esp_seq, b->ident, b->echo_seq,
				 b->data, b->n, trailer_pad(b));
		break;
	case ECHO_EMPTY:
		pkt_esp_empty_pad(p, spi, b->esp_seq, trailer_pad(b));
		break;
	case ECHO_SUBTYPED:
	case ECHO_SUBTYPED_RSPI:
		pkt_esp_subtyped(p, spi, b->esp_seq, 2,
				 b->form == ECHO_SUBTYPED_RSPI ? 0x80 : 0,
				 b->return_spi, b->ident, b->echo_seq, b->data,
				 b->n);
		break;
	}
}

void echo_put_reply(struct pkt *p, const struct echo_body *b, uint32_t spi,
		    uint32_t esp_seq)
{
	struct echo_body r = *b;

	r.esp_seq = esp_seq;
	if (b->form == ECHO_SUBTYPED || b->form == ECHO_SUBTYPED_RSPI)
		pkt_esp_subtyped(p, spi, 0, 3, 0, 0, b->ident, b->echo_seq,
				 b->data, b->n);
	else
		echo_put_request(p, &r, spi);
}

void echo_build(struct pkt *req, struct pkt *reply, const struct echo_flow *f,
		const struct echo_body *b)
{
	echo_request_head(req, f);
	echo_put_request(req, b, 7);
	pkt_finish(req);
	if (!reply)
		return;
	echo_reply_head(reply, f);
	echo_put_reply(reply, b, 8, b->esp_seq);
	pkt_finish(reply);
}

struct counters {
	struct esprit_counter c[ESPRIT_R_COUNT];
};

static int read_counters(struct xdp_fixture *fx, struct counters *out)
{
	for (int r = 0; r < ESPRIT_R_COUNT; r++)
		if (xdp_fixture_counter(fx, r, &out->c[r]))
			return -1;
	return 0;
}

static void hexdump(const char *label, const uint8_t *b, size_t n)
{
	fprintf(stderr, "  %s (%zu bytes):", label, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x",
			i % 32 ? (i % 4 ? "" : " ") : "\n    ", b[i]);
	fprintf(stderr, "\n");
}

static void report(const char *file, unsigned int line, const char *what,
		   const char *problem, const struct pkt *in,
		   const struct xdp_result *res, const struct pkt *want)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", what, problem);
	CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
	if (failures_shown++ >= ECHO_VERBOSE_FAILURES)
		return;
	fprintf(stderr, "\n%s:%u: %s\n", file, line, msg);
	hexdump("in", in->data, in->len);
	if (want)
		hexdump("want", want->data, want->len);
	if (res)
		hexdump("got", res->out, res->out_len);
}

/* Checks that only `reason` moved, by one packet and `bytes`. */
static int check_counters(const struct counters *before,
			  const struct counters *after, int reason,
			  uint64_t bytes, char *problem, size_t size)
{
	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		uint64_t dp = after->c[r].packets - before->c[r].packets;
		uint64_t db = after->c[r].bytes - before->c[r].bytes;
		uint64_t want_p = r == reason ? 1 : 0;
		uint64_t want_b = r == reason ? bytes : 0;

		if (dp != want_p || db != want_b) {
			snprintf(problem, size,
				 "counter %d moved by %llu packets / %llu "
				 "bytes, expected %llu / %llu (reason %d)",
				 r, (unsigned long long)dp,
				 (unsigned long long)db,
				 (unsigned long long)want_p,
				 (unsigned long long)want_b, reason);
			return 0;
		}
	}
	return 1;
}

/* One acceptable outcome of a run. */
struct outcome {
	uint32_t action;
	const struct pkt *out; /* the bytes the program must leave */
	int reason; /* the one counter that moves */
	uint64_t bytes; /* by how many bytes it moves */
};

/*
 * Runs in once and checks it against the outcome whose verdict matches:
 * bytes out, then counters. Returns the index of that outcome, or -1 after
 * reporting what differed.
 */
static int run_case(const char *file, unsigned int line, struct xdp_fixture *fx,
		    const struct pkt *in, const struct outcome *outs, int nouts,
		    const char *what)
{
	static struct xdp_result res;
	const struct outcome *o = NULL;
	struct counters before, after;
	char problem[256];
	int i;

	cases_checked++;
	if (read_counters(fx, &before) || xdp_fixture_run(fx, in, &res) ||
	    read_counters(fx, &after)) {
		report(file, line, what, "test run or counter read failed", in,
		       NULL, NULL);
		return -1;
	}
	for (i = 0; i < nouts && !o; i++)
		if (outs[i].action == res.action)
			o = &outs[i];
	if (!o) {
		snprintf(problem, sizeof(problem), "verdict %s, expected %s",
			 xdp_action_name(res.action),
			 xdp_action_name(outs[0].action));
		report(file, line, what, problem, in, &res, outs[0].out);
		return -1;
	}
	if (res.out_len != o->out->len ||
	    memcmp(res.out, o->out->data, o->out->len)) {
		size_t at = 0;

		while (at < res.out_len && at < o->out->len &&
		       res.out[at] == o->out->data[at])
			at++;
		snprintf(problem, sizeof(problem),
			 "output differs at byte %zu (got %zu bytes, want %zu)",
			 at, res.out_len, o->out->len);
		report(file, line, what, problem, in, &res, o->out);
		return -1;
	}
	if (!check_counters(&before, &after, o->reason, o->bytes, problem,
			    sizeof(problem))) {
		report(file, line, what, problem, in, &res, o->out);
		return -1;
	}
	CU_PASS(what);
	return o - outs;
}

int echo_expect_tx_at(const char *file, unsigned int line,
		      struct xdp_fixture *fx, const struct pkt *in,
		      const struct pkt *want, enum esprit_reason reason,
		      const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	struct outcome o = {XDP_TX, want, reason, want->len};

	return run_case(file, line, fx, in, &o, 1, what) == 0;
}

int echo_expect_untouched_at(const char *file, unsigned int line,
			     struct xdp_fixture *fx, const struct pkt *in,
			     uint32_t action, int reason, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	struct outcome o = {action, in, reason, in->len};

	return run_case(file, line, fx, in, &o, 1, what) == 0;
}

int echo_expect_tx_or_drop_at(const char *file, unsigned int line,
			      struct xdp_fixture *fx, const struct pkt *in,
			      const struct pkt *want,
			      enum esprit_reason refused_reason,
			      const char *fmt, ...)
{
	struct outcome o[2] = {
		{XDP_TX, want, ESPRIT_R_ECHO_REFLECTED, want->len},
		{XDP_DROP, in, refused_reason, in->len},
	};
	char what[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	i = run_case(file, line, fx, in, o, 2, what);
	return i < 0 ? -1 : i == 0;
}
