/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks for the responder's fixtures: one packet in, the verdict, the
 * bytes out and exactly which counter moved. Expected replies are built by
 * the tests with the packet builder from what the draft says a reply is,
 * never from the program's own logic.
 */
#ifndef ESPRIT_TEST_ECHO_CHECK_H
#define ESPRIT_TEST_ECHO_CHECK_H

#include <stdint.h>
#include <linux/bpf.h> /* XDP_PASS, XDP_TX, ... */

#include "pkt.h"
#include "xdp_fixture.h"

/*
 * Addresses and framing of one exchange. The requester ("peer") sends from
 * pkt_mac_a to the responder at pkt_mac_b; the reply goes back swapped.
 */
struct echo_flow {
	int family; /* 4 or 6 */
	const char *peer; /* the requester's address */
	const char *local; /* the address the request was sent to */
	int vlans; /* 0, 1 or 2 tags */
	uint16_t outer_tpid; /* with two tags: 0x88a8 or 0x8100 */
	const uint8_t *opts; /* IPv4 options, or NULL */
	size_t opts_len;
};

extern const struct echo_flow echo_flow_v4, echo_flow_v6;

/* Ethernet, VLAN tags and the IP header of a request / of its reply. */
void echo_request_head(struct pkt *p, const struct echo_flow *f);
void echo_reply_head(struct pkt *p, const struct echo_flow *f);
/* The same with explicit MACs (for L2 multicast and broadcast). */
void echo_head_macs(struct pkt *p, const struct echo_flow *f,
		    const uint8_t dst[6], const uint8_t src[6], int reply);

enum echo_form {
	ECHO_SEED, /* §1.3a: Identifier, Sequence, Data, padding, NH 59 */
	ECHO_EMPTY, /* §1.3: draft -00, padding only */
	ECHO_SUBTYPED, /* §1.4 with R = 0 */
	ECHO_SUBTYPED_RSPI, /* §1.4 with R = 1: a return SPI before Data */
};

#define ECHO_MIN_PAD ((size_t)-1)

/* The ESP part of one request. */
struct echo_body {
	enum echo_form form;
	uint32_t esp_seq;
	uint16_t ident;
	uint16_t echo_seq;
	const uint8_t *data;
	size_t n;
	size_t pad; /* trailer forms: padding bytes, or ECHO_MIN_PAD */
	uint32_t return_spi;
};

extern const char *const echo_form_names[];

/* Appends the request's ESP with the given SPI. */
void echo_put_request(struct pkt *p, const struct echo_body *b, uint32_t spi);
/*
 * Appends the reply the drafts ask for: the trailer forms reflected as
 * they came with the reply SPI and esp_seq as ESP sequence number; the
 * sub-typed form with sub-type 3, no flags, no return SPI and ESP
 * sequence number 0, as the reference implementation sends it.
 */
void echo_put_reply(struct pkt *p, const struct echo_body *b, uint32_t spi,
		    uint32_t esp_seq);
/* A whole request and its default reply (SPI 7 -> 8, sequence copied). */
void echo_build(struct pkt *req, struct pkt *reply, const struct echo_flow *f,
		const struct echo_body *b);

/*
 * Runs in; expects XDP_TX, the output equal to want byte for byte, and
 * reason counted once (packets +1, bytes + the reply's length) with every
 * other counter unchanged. Returns 1 if all held.
 */
int echo_expect_tx_at(const char *file, unsigned int line,
		      struct xdp_fixture *fx, const struct pkt *in,
		      const struct pkt *want, enum esprit_reason reason,
		      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * Runs in; expects action with the packet left exactly as it came, and
 * reason counted once (bytes + the request's length) and no other counter
 * (every packet ends under one reason). Returns 1 if all held.
 */
int echo_expect_untouched_at(const char *file, unsigned int line,
			     struct xdp_fixture *fx, const struct pkt *in,
			     uint32_t action, int reason, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * For rate limits, where the clock decides: runs in and accepts either the
 * reply (want, echo-reflected) or a drop of the untouched request counted
 * as refused_reason. Returns 1 if answered, 0 if refused, -1 if neither.
 */
int echo_expect_tx_or_drop_at(const char *file, unsigned int line,
			      struct xdp_fixture *fx, const struct pkt *in,
			      const struct pkt *want,
			      enum esprit_reason refused_reason,
			      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

#define echo_expect_tx_or_drop(fx, in, want, reason, ...)                   \
	echo_expect_tx_or_drop_at(__FILE__, __LINE__, fx, in, want, reason, \
				  __VA_ARGS__)
#define echo_expect_tx(fx, in, want, reason, ...) \
	echo_expect_tx_at(__FILE__, __LINE__, fx, in, want, reason, __VA_ARGS__)
#define echo_expect_untouched(fx, in, action, reason, ...)                   \
	echo_expect_untouched_at(__FILE__, __LINE__, fx, in, action, reason, \
				 __VA_ARGS__)

/* Packets checked so far by this process, for the suites' summaries. */
unsigned long echo_cases_checked(void);

/* A config that never rate-limits, for suites that send many requests. */
void echo_config_unlimited(struct esprit_config *cfg);

#endif
