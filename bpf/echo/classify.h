/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which form an ESP Echo Request is in (docs/protocols.md §1.3, §1.3a, §1.4;
 * E1): the sub-typed form first, then the forms that end in an RFC 4303
 * trailer (seed, -00). Reads only; says what is malformed and why.
 */
#ifndef ESPRIT_BPF_ECHO_CLASSIFY_H
#define ESPRIT_BPF_ECHO_CLASSIFY_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "esprit_config.h"
#include "esprit_counters.h"
#include "esprit_echo.h"

/* Padding bytes 1..8 read as one big-endian word, and 1 in every byte. */
#define ECHO_PAD_WORD  0x0102030405060708ULL
#define ECHO_BYTE_ONES 0x0101010101010101ULL
/* Whole 8-byte words before the last one in 255 bytes of padding. */
#define ECHO_PAD_WORDS_MAX 31

struct echo_request {
	__u32 esp_len; /* ESP header to end of IP payload */
	__u16 data_len; /* Data bytes after the echo header */
	__u8 format; /* enum esprit_echo_format */
	__u8 return_spi; /* sub-typed form with R set */
};

/*
 * Padding of 8 bytes or more (RFC 4303 §2.4: 1, 2, 3, ...), 8 bytes at a
 * time: bytes k+1..k+8 read big-endian are ECHO_PAD_WORD + k *
 * ECHO_BYTE_ONES; the last word ends where the padding ends.
 */
static __noinline int echo_long_padding_ok(struct xdp_md *ctx, __u32 pad_off,
					   __u32 pad_len)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__u64 *word;

	word = data + ((pad_off + pad_len - 8) & PKT_OFF_MASK);
	if ((void *)(word + 1) > data_end)
		return 0;
	if (bpf_be64_to_cpu(*word) !=
	    ECHO_PAD_WORD + (pad_len - 8) * ECHO_BYTE_ONES)
		return 0;
	for (__u32 i = 0; i < ECHO_PAD_WORDS_MAX; i++) {
		__u32 k = i * 8;

		if (k + 8 >= pad_len)
			break;
		word = data + ((pad_off + k) & PKT_OFF_MASK);
		if ((void *)(word + 1) > data_end)
			return 0;
		if (bpf_be64_to_cpu(*word) !=
		    ECHO_PAD_WORD + k * ECHO_BYTE_ONES)
			return 0;
	}
	return 1;
}

/*
 * 1 if the pad_len bytes at pad_off are 1, 2, 3, ... Under 8 bytes (every
 * request with the least padding) one word read back from where the
 * padding ends holds them all.
 */
static __always_inline int echo_padding_ok(struct xdp_md *ctx, void *data,
					   void *data_end, __u32 pad_off,
					   __u32 pad_len)
{
	__u64 *word;
	__u64 mask;

	if (pad_len >= 8)
		return echo_long_padding_ok(ctx, pad_off, pad_len);
	if (!pad_len)
		return 1;
	word = data + ((pad_off + pad_len - 8) & PKT_OFF_MASK);
	if ((void *)(word + 1) > data_end)
		return 0;
	mask = (1ULL << (8 * pad_len)) - 1;
	return (bpf_be64_to_cpu(*word) & mask) ==
	       ECHO_PAD_WORD >> (8 * (8 - pad_len));
}

/*
 * The two forms that end in an RFC 4303 trailer: the seed form and the -00
 * form. Returns 0 or the malformed reason.
 */
static __always_inline enum esprit_reason
echo_classify_trailer(struct xdp_md *ctx, void *data, void *data_end,
		      const struct packet *pkt, struct echo_request *req)
{
	__u32 len = pkt->l4_len;
	__u32 trailer_off, pad_len, payload;
	__u8 *trailer;

	trailer_off = (pkt->l4_off + len - ESPRIT_ESP_TRAILER_LEN) &
		      PKT_OFF_MASK;
	trailer = data + trailer_off;
	if ((void *)(trailer + 2) > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if (trailer[1] != ESPRIT_NEXTHDR_NONE)
		return ESPRIT_R_ECHO_MALFORMED_NEXT_HEADER;
	pad_len = trailer[0];
	if (len % 4 ||
	    ESPRIT_ESP_HDR_LEN + pad_len + ESPRIT_ESP_TRAILER_LEN > len)
		return ESPRIT_R_ECHO_MALFORMED_PAD_LENGTH;

	if (!echo_padding_ok(ctx, data, data_end, trailer_off - pad_len,
			     pad_len))
		return ESPRIT_R_ECHO_MALFORMED_PADDING;

	payload = len - ESPRIT_ESP_HDR_LEN - ESPRIT_ESP_TRAILER_LEN - pad_len;
	if (payload == 0) {
		req->format = ESPRIT_ECHO_FMT_EMPTY;
		req->data_len = 0;
		return 0;
	}
	if (payload < ESPRIT_ECHO_HDR_LEN)
		return ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH;
	req->format = ESPRIT_ECHO_FMT_SEED;
	req->data_len = payload - ESPRIT_ECHO_HDR_LEN;
	return 0;
}

/*
 * A request that starts like a sub-typed one: 0 if Data Length fits the
 * ESP length exactly (16 + 4·R + Data Length), else the reason.
 */
static __always_inline enum esprit_reason
echo_classify_subtyped(void *data_end, const struct esprit_echo_subtyped *st,
		       __u32 len, struct echo_request *req)
{
	__u32 r = st->flags ? ESPRIT_RETURN_SPI_LEN : 0;
	__u32 dlen;

	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if ((void *)(st + 1) > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	dlen = bpf_ntohs(st->data_len);
	if (ESPRIT_ESP_HDR_LEN + ESPRIT_SUBTYPED_HDR_LEN + r + dlen != len)
		return ESPRIT_R_ECHO_MALFORMED_DATA_LENGTH;
	req->format = ESPRIT_ECHO_FMT_SUBTYPED;
	req->data_len = dlen;
	req->return_spi = r != 0;
	return 0;
}

/*
 * Recognises the request form (E1): sub-typed first, then the trailer
 * forms. Returns 0 or the malformed reason. A request that starts like a
 * sub-typed one (sub-type 2, no flag but R) and is no trailer form either
 * is reported by its Data Length (or as truncated, if even its header is
 * incomplete); anything else by what is wrong with its trailer.
 */
static __always_inline enum esprit_reason
echo_classify(struct xdp_md *ctx, void *data, void *data_end,
	      const struct packet *pkt, struct echo_request *req)
{
	__u32 len = pkt->l4_len;
	enum esprit_reason subtyped_why;
	struct esprit_echo_subtyped *st;
	__u8 *esp;

	req->esp_len = len;
	req->return_spi = 0;
	if (len < ESPRIT_ESP_HDR_LEN + ESPRIT_ESP_TRAILER_LEN)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;

	esp = data + (pkt->l4_off & PKT_OFF_MASK);
	st = (void *)(esp + ESPRIT_ESP_HDR_LEN);
	if ((void *)esp + ESPRIT_ESP_HDR_LEN + 2 > data_end)
		return ESPRIT_R_ECHO_MALFORMED_TRUNCATED;
	if (st->subtype != ESPRIT_SUBTYPE_REQUEST ||
	    (st->flags & ~ESPRIT_SUBTYPED_FLAG_R))
		return echo_classify_trailer(ctx, data, data_end, pkt, req);

	subtyped_why = echo_classify_subtyped(data_end, st, len, req);
	if (subtyped_why &&
	    echo_classify_trailer(ctx, data, data_end, pkt, req))
		return subtyped_why;
	return 0;
}

/* The ESPRIT_ECHO_NO_* flag of a format is bit <format>. */
_Static_assert(ESPRIT_ECHO_NO_SEED == 1U << ESPRIT_ECHO_FMT_SEED &&
		       ESPRIT_ECHO_NO_EMPTY == 1U << ESPRIT_ECHO_FMT_EMPTY &&
		       ESPRIT_ECHO_NO_SUBTYPED ==
			       1U << ESPRIT_ECHO_FMT_SUBTYPED,
	       "echo_format_disabled() maps formats to flags by shifting");

static __always_inline int echo_format_disabled(__u32 flags, __u8 format)
{
	return flags & (1U << format);
}

/*
 * The trailer forms as the fast path takes them: Next Header 59, a length
 * that is a multiple of 4, padding of at most 6 bytes and right, and no
 * Data or at least the echo header. 0, or -1 for anything else. One load:
 * the packet's last 8 bytes hold the trailer and all of that padding.
 */
static __always_inline int echo_fast_trailer(void *data, void *data_end,
					     __u32 esp_off, __u32 len,
					     struct echo_request *req)
{
	__u32 pad_len, payload;
	__u64 *word, last;

	word = data + ((esp_off + len - 8) & PKT_OFF_MASK);
	if ((void *)(word + 1) > data_end)
		return -1;
	last = bpf_be64_to_cpu(*word); /* padding, Pad Length, Next Header */
	pad_len = (last >> 8) & 0xff;
	if ((last & 0xff) != ESPRIT_NEXTHDR_NONE || len % 4 || pad_len > 6 ||
	    ESPRIT_ESP_HDR_LEN + pad_len + ESPRIT_ESP_TRAILER_LEN > len)
		return -1;
	if (pad_len && ((last >> 16) & ((1ULL << (8 * pad_len)) - 1)) !=
			       ECHO_PAD_WORD >> (8 * (8 - pad_len)))
		return -1;
	payload = len - ESPRIT_ESP_HDR_LEN - ESPRIT_ESP_TRAILER_LEN - pad_len;
	if (payload && payload < ESPRIT_ECHO_HDR_LEN)
		return -1;
	req->format = payload ? ESPRIT_ECHO_FMT_SEED : ESPRIT_ECHO_FMT_EMPTY;
	return 0;
}

#endif
