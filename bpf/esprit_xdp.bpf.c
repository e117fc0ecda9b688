// SPDX-License-Identifier: GPL-2.0
/*
 * esprit's XDP program: one per interface, a short dispatcher over the
 * features, each behind one entry function: RISAV verification
 * (risav/verify.h), RISAV tagging of what this router forwards to a peer
 * AS (risav/tag_forward.h), the ESP Echo responder (echo/respond.h) and
 * the capture of replies to our probes (echo/capture.h).
 */
#include "lib/ctx.h"
#include "lib/counters.h"
#include "lib/parse.h"
#include "echo/capture.h"
#include "echo/maps.h"
#include "echo/respond.h"
#include "risav/verify.h"
#include "risav/tag_forward.h"

/* The SPI of an ESP packet, or 0 if the ESP header is not there. */
static __always_inline __u32 esp_spi(struct xdp_md *ctx, __u32 off)
{
	void *data = xdp_data(ctx);
	void *data_end = xdp_data_end(ctx);
	__be32 *spi = data + (off & PKT_OFF_MASK);

	if ((void *)(spi + 1) > data_end)
		return 0;
	return bpf_ntohl(*spi);
}

static __always_inline int handle_esp(struct xdp_md *ctx, struct packet *pkt,
				      const struct esprit_config *cfg)
{
	__u32 spi;

	/* Later fragments hold no ESP header, only bytes from its middle. */
	if (pkt->is_fragment == PKT_FRAG_LATER)
		return count_verdict(ESPRIT_R_NOT_ESPRIT, pkt->len, XDP_PASS);
	if (pkt->l4_len < sizeof(__be32))
		return count_verdict(ESPRIT_R_ESP_NO_SPI, pkt->len, XDP_PASS);
	spi = esp_spi(ctx, pkt->l4_off);

	if (spi == cfg_or(cfg->spi_request, ESPRIT_DEFAULT_SPI_REQUEST))
		return echo_respond(ctx, pkt, cfg);
	if (spi == cfg_or(cfg->spi_reply, ESPRIT_DEFAULT_SPI_REPLY))
		return echo_capture_reply(ctx, pkt, cfg);
	return count_verdict(ESPRIT_R_NOT_ESPRIT, pkt->len, XDP_PASS);
}

/* ESP behind IPv6 extension headers is left to the stack, but counted. */
static __always_inline enum esprit_reason behind_ext_headers(struct xdp_md *ctx,
							     struct packet *pkt)
{
	if (ipv6_upper_proto(xdp_data(ctx), xdp_data_end(ctx), pkt) ==
	    ESPRIT_IPPROTO_ESP)
		return ESPRIT_R_ESP_IPV6_EXT_HEADERS;
	return ESPRIT_R_NOT_ESPRIT;
}

SEC("xdp")
int esprit_xdp(struct xdp_md *ctx)
{
	const struct esprit_config *cfg;
	struct packet pkt;
	__u32 zero = 0;
	int rc;

	rc = parse_xdp(ctx, &pkt);
	if (rc == PARSE_NOT_IP)
		return count_verdict(ESPRIT_R_NOT_ESPRIT, pkt.len, XDP_PASS);
	if (rc == PARSE_MALFORMED)
		return count_verdict(ESPRIT_R_MALFORMED_L3, pkt.len, XDP_PASS);

	rc = risav(ctx, &pkt);
	if (rc != RISAV_CONTINUE)
		return rc;
	rc = risav_tag_forward(ctx, &pkt);
	if (rc != TAG_FWD_CONTINUE)
		return rc;

	cfg = bpf_map_lookup_elem(&esprit_config, &zero);
	if (!cfg) /* an array's only slot: cannot happen */
		return XDP_PASS;

	if (pkt.l4_proto == ESPRIT_IPPROTO_ESP)
		return handle_esp(ctx, &pkt, cfg);
	if (pkt.family == ESPRIT_AF_INET6 && ipv6_is_ext_header(pkt.l4_proto))
		return count_verdict(behind_ext_headers(ctx, &pkt), pkt.len,
				     XDP_PASS);
	return count_verdict(ESPRIT_R_NOT_ESPRIT, pkt.len, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
