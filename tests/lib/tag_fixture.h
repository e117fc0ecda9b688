/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TC egress tagger (esprit_tc) under BPF_PROG_TEST_RUN, one packet at
 * a time, with unpinned maps private to the test, and a small world:
 *
 *   AS 64500 (local)    192.0.2.0/24     2001:db8:100::/48
 *   AS 64501 (enforce, policy untagged)  198.51.100.0/24  2001:db8:201::/48
 *       SA 0x2000 dscp ef (46), SA 0x2001 dscp af41,af42 (34,36),
 *       SA 0x2002 dscp any
 *   AS 64502 (testing, policy drop)      203.0.113.0/24   2001:db8:202::/48
 *       SA 0x3000 dscp 10
 *   AS 64503 (off)      100.64.3.0/24    2001:db8:203::/48  SA 0x4000 any
 *   AS 64504 (no peer)  100.64.4.0/24    2001:db8:204::/48
 *   contacts: 198.51.100.250, 2001:db8:201::fa (64501), 192.0.2.250 (64500)
 *
 * Every SA's key is tf_key. Outbound SAs go in through user/risav/sa_out.c.
 */
#ifndef ESPRIT_TEST_TAG_FIXTURE_H
#define ESPRIT_TEST_TAG_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esprit_counters.h"
#include "esprit_sa.h"
#include "pkt.h"

#define TF_LOCAL_ASN   64500
#define TF_ENFORCE_ASN 64501
#define TF_TESTING_ASN 64502
#define TF_OFF_ASN     64503
#define TF_OTHER_ASN   64504
#define TF_SPI_EF      0x2000
#define TF_SPI_AF4     0x2001
#define TF_SPI_ANY     0x2002
#define TF_SPI_TESTING 0x3000
#define TF_SPI_OFF     0x4000
#define TF_NO_REASON   (-1)

extern const uint8_t tf_key[32];

struct bpf_object;

struct tag_fixture {
	void *skel; /* struct esprit_tc, or struct esprit_xdp */
	struct bpf_object *obj;
	bool xdp;
	int prog_fd;
	/* TC: the device the packet leaves by (MTU), 0 = lo; XDP: the one
	 * it arrives on */
	uint32_t ifindex;
	uint32_t gso_size; /* TC: given to the program as the skb's */
};

struct tag_result {
	int ret;
	uint32_t action; /* TC_ACT_* or XDP_* */
	uint8_t out[PKT_MAX];
	size_t out_len;
	uint32_t meta_len; /* XDP metadata the program put before it */
	uint8_t meta[8]; /* its first bytes */
};

/* Loads a fresh copy of esprit_tc and fills the world in. */
int tag_fixture_open(struct tag_fixture *f);

/* The same world in a fresh esprit_xdp, packets arriving on the given
 * device (the forwarding tagger, risav/tag_forward.h). */
int tag_fixture_open_xdp(struct tag_fixture *f, uint32_t ingress_ifindex);
void tag_fixture_close(struct tag_fixture *f);

int tag_fixture_run(struct tag_fixture *f, const struct pkt *in,
		    struct tag_result *res);
uint64_t tag_fixture_count(struct tag_fixture *f, enum esprit_reason reason);
int tag_fixture_map_fd(struct tag_fixture *f, const char *name);

/* Local ASN (0 = RISAV off); and with RISAV flags. */
int tag_fixture_local_asn(struct tag_fixture *f, uint32_t asn);
int tag_fixture_risav(struct tag_fixture *f, uint32_t asn, uint32_t flags);
int tag_fixture_peer(struct tag_fixture *f, uint32_t asn, uint32_t mode,
		     uint32_t no_sa);
/* An outbound SA through sa_out_add(); dscp as `esprit sa add out`. */
int tag_fixture_sa(struct tag_fixture *f, uint32_t spi, uint32_t asn,
		   const char *dscp);
int tag_fixture_sa_del(struct tag_fixture *f, uint32_t spi, uint32_t asn);
/* The SA's sequence counter, read or set (to test its end). */
uint64_t tag_fixture_seq(struct tag_fixture *f, uint32_t spi, uint32_t asn);
int tag_fixture_set_seq(struct tag_fixture *f, uint32_t spi, uint32_t asn,
			uint64_t seq);
int tag_fixture_sa_stats(struct tag_fixture *f, uint32_t spi, uint32_t asn,
			 struct esprit_sa_out_stats *out);

/* What else a test packet carries (NULL: nothing). */
struct tf_shape {
	const uint8_t *opts; /* IPv4 options */
	size_t opts_len;
	const uint8_t *hbh; /* IPv6 hop-by-hop body (after its 2 bytes) */
	size_t hbh_len;
	const uint8_t *dest; /* IPv6 destination options body, after it */
	size_t dest_len;
	uint16_t frag_word; /* IPv4 flags + fragment offset (0x4000: DF) */
};

/* UDP with payload_len bytes, DSCP dscp, from src to dst. */
void tf_udp(struct pkt *p, int family, const char *src, const char *dst,
	    uint8_t dscp, size_t payload_len, const struct tf_shape *shape);

/*
 * Checks that out is in with an AS-scoped AH for (spi, seq) in the right
 * place (after IPv4 options / the IPv6 hop-by-hop header) whose ICV the
 * test library's own HMAC (OpenSSL) computes the same, every other byte
 * as before but the IP length, protocol / next header and IPv4 checksum.
 */
bool tf_tagged_at(const struct pkt *in, const uint8_t *out, size_t out_len,
		  uint32_t spi, uint32_t seq, const char *file, int line);
#define tf_tagged(in, out, out_len, spi, seq) \
	tf_tagged_at(in, out, out_len, spi, seq, __FILE__, __LINE__)

/*
 * Checks that out is the ICMP error for in, as the tagger sends it back
 * for a packet its AH would push over the MTU: ICMPv6 Packet Too Big or
 * ICMP Fragmentation Needed reporting mtu, from `from` to in's source,
 * to dmac from smac, valid checksums, quoting the start of in's IP packet
 * up to the minimum MTU (1280 / 576).
 */
bool tf_icmp_too_big_at(const struct pkt *in, const uint8_t *out,
			size_t out_len, uint32_t mtu, const char *from,
			const uint8_t dmac[6], const uint8_t smac[6],
			const char *file, int line);
#define tf_icmp_too_big(in, out, out_len, mtu, from, dmac, smac)              \
	tf_icmp_too_big_at(in, out, out_len, mtu, from, dmac, smac, __FILE__, \
			   __LINE__)

/*
 * Runs in; checks the action, that exactly `reason` moved by one (and
 * reason2, if not TF_NO_REASON), or with TF_NO_REASON that nothing moved,
 * and with untouched that the packet left as it came.
 */
bool tf_expect_at(struct tag_fixture *f, const struct pkt *in, uint32_t action,
		  int reason, int reason2, bool untouched,
		  struct tag_result *res, const char *file, int line);
#define tf_expect(f, in, action, reason, reason2, untouched, res)              \
	tf_expect_at(f, in, action, reason, reason2, untouched, res, __FILE__, \
		     __LINE__)

#endif
