/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a packet took the path it took. The BPF side counts packets and bytes
 * per reason in the per-CPU array esprit_counters; `esprit stats` and the
 * metrics endpoint print the names below. Append new reasons at the end:
 * the numbers are part of the pinned map's layout.
 *
 * X(enum suffix, name, action, description)
 */
#ifndef ESPRIT_COUNTERS_H
#define ESPRIT_COUNTERS_H

#include "esprit_types.h"
#include "esprit_limits.h"

#define ESPRIT_REASONS(X)                                                    \
	X(ECHO_REFLECTED, "echo-reflected", "tx",                            \
	  "ESP Echo Request answered in XDP")                                \
	X(ECHO_TRUNCATED_TO_MTU, "echo-truncated-to-mtu", "tx",              \
	  "answered, Data or padding cut so the reply fits the MTU")         \
	X(ECHO_RATE_GLOBAL, "echo-rate-limited-global", "drop",              \
	  "over the global reply rate")                                      \
	X(ECHO_RATE_PREFIX, "echo-rate-limited-prefix", "drop",              \
	  "over the per-source-prefix reply rate")                           \
	X(ECHO_NOT_ALLOWED, "echo-not-allowlisted", "drop",                  \
	  "requester outside the allowlist")                                 \
	X(ECHO_DISABLED, "echo-disabled", "pass",                            \
	  "responder switched off or format disabled")                       \
	X(ECHO_SRC_MULTICAST, "echo-src-multicast", "drop",                  \
	  "request from a multicast source")                                 \
	X(ECHO_SRC_BROADCAST, "echo-src-broadcast", "drop",                  \
	  "request from a broadcast or reserved source")                     \
	X(ECHO_SRC_UNSPECIFIED, "echo-src-unspecified", "drop",              \
	  "request from 0.0.0.0 or ::")                                      \
	X(ECHO_SRC_LOOPBACK, "echo-src-loopback", "drop",                    \
	  "request from a loopback source")                                  \
	X(ECHO_SRC_LINK_LOCAL, "echo-src-link-local-off-link", "drop",       \
	  "link-local source with a non-link-local destination")             \
	X(ECHO_SRC_LOCAL, "echo-src-local", "drop",                          \
	  "request from one of our own addresses")                           \
	X(ECHO_DST_NOT_UNICAST, "echo-dst-not-unicast", "drop",              \
	  "request to a multicast or broadcast MAC or IP address")           \
	X(ECHO_DST_NOT_LOCAL, "echo-dst-not-local", "pass",                  \
	  "request to an address that is not this host's (transit, "         \
	  "unassigned or not yet valid)")                                    \
	X(ECHO_MALFORMED_TRUNCATED, "malformed-esp-truncated", "drop",       \
	  "ESP shorter than header and trailer")                             \
	X(ECHO_MALFORMED_PAD_LENGTH, "malformed-esp-pad-length", "drop",     \
	  "Pad Length runs past the ESP payload or misaligns the trailer")   \
	X(ECHO_MALFORMED_PADDING, "malformed-esp-padding", "drop",           \
	  "padding bytes are not 1, 2, 3, ...")                              \
	X(ECHO_MALFORMED_NEXT_HEADER, "malformed-esp-next-header", "drop",   \
	  "echo with a Next Header other than 59")                           \
	X(ECHO_MALFORMED_DATA_LENGTH, "malformed-echo-data-length", "drop",  \
	  "echo header without room for Identifier and Sequence")            \
	X(ESP_IPV6_EXT_HEADERS, "esp-behind-ipv6-ext-headers", "pass",       \
	  "IPv6 extension headers before ESP: left to the stack")            \
	X(ECHO_FRAGMENT, "echo-fragment", "pass",                            \
	  "fragmented ESP: left to the stack")                               \
	X(ECHO_REPLY_CAPTURED, "echo-reply-captured", "drop",                \
	  "ESP Echo Reply to one of our probes, timestamped and consumed")   \
	X(ECHO_REPLY_PASSED, "echo-reply-passed", "pass",                    \
	  "ESP Echo Reply no reader claimed: left to the stack")             \
	X(RING_FULL, "ring-buffer-full", "drop",                             \
	  "event lost: the reader's ring buffer was full")                   \
	X(MALFORMED_L3, "malformed-ip", "pass",                              \
	  "IP header truncated, inconsistent or failing its checksum")       \
	X(ESP_NO_SPI, "malformed-esp-no-spi", "pass",                        \
	  "ESP too short to hold an SPI: left to the stack")                 \
	X(RISAV_VERIFIED, "risav-verified", "pass",                          \
	  "AS-scoped AH verified and stripped")                              \
	X(RISAV_STRIPPED_NON_PEER, "risav-stripped-non-peer", "pass",        \
	  "AS-scoped AH from a non-peer AS: stripped, "                      \
	  "not verified")                                                    \
	X(AH_BAD_ICV, "ah-bad-icv", "drop", "ICV does not match")            \
	X(AH_UNKNOWN_SPI, "ah-unknown-spi", "drop",                          \
	  "no usable SA for (SPI, source AS)")                               \
	X(AH_REPLAY, "ah-replay", "drop",                                    \
	  "sequence number seen before or left of the "                      \
	  "replay window")                                                   \
	X(AH_TRUNCATED, "ah-truncated", "drop",                              \
	  "IP packet ends inside the AH's 12 fixed bytes")                   \
	X(AH_BAD_LENGTH, "ah-bad-length", "drop",                            \
	  "AH runs past the packet, has no room for "                        \
	  "the ICV, or is not a multiple of 8 (IPv6)")                       \
	X(RISAV_UNTAGGED, "risav-untagged", "drop",                          \
	  "no AS-scoped AH from a peer: spoofed")                            \
	X(RISAV_FRAGMENT, "risav-fragment", "drop",                          \
	  "fragment from a peer: cannot be verified "                        \
	  "before reassembly")                                               \
	X(RISAV_FRAGMENT_PASSED, "risav-fragment-passed", "pass",            \
	  "fragment from a peer, passed unverified "                         \
	  "(fragments pass)")                                                \
	X(RISAV_UNVERIFIABLE, "risav-unverifiable", "drop",                  \
	  "headers before the AH the ICV cannot "                            \
	  "cover: IPv6 routing or unknown "                                  \
	  "extension headers, malformed or too "                             \
	  "many options, over 512 bytes")                                    \
	X(RISAV_GREEN_CHANNEL, "risav-green-channel", "pass",                \
	  "to or from a contact address (green "                             \
	  "channel): never checked")                                         \
	X(RISAV_TESTING_PASSED, "risav-testing-passed", "pass",              \
	  "peer in testing mode: would have been "                           \
	  "dropped, passed")                                                 \
	X(AUDIT_RATE_LIMITED, "audit-rate-limited", "event",                 \
	  "audit event not sent: over the audit "                            \
	  "rate")                                                            \
	X(AUDIT_RING_FULL, "audit-ring-full", "event",                       \
	  "audit event lost: esprit_events was full")                        \
	X(RISAV_TAGGED, "risav-tagged", "tx",                                \
	  "egress: AS-scoped AH added for a peer AS")                        \
	X(RISAV_NO_SA_UNTAGGED, "risav-no-sa-untagged", "tx",                \
	  "egress: no outbound SA for the peer and DSCP, "                   \
	  "sent untagged (peer policy untagged)")                            \
	X(RISAV_NO_SA_DROPPED, "risav-no-sa-dropped", "drop",                \
	  "egress: no outbound SA for the peer and DSCP "                    \
	  "(peer policy drop)")                                              \
	X(RISAV_SA_EXHAUSTED, "risav-sa-exhausted", "event",                 \
	  "egress: the SA's sequence numbers are used up; "                  \
	  "the packet went to the peer's no-SA policy")                      \
	X(RISAV_TOO_BIG, "risav-too-big", "drop",                            \
	  "egress: tagged it would exceed the MTU (IPv6, "                   \
	  "IPv4 with DF): answered with an ICMP error")                      \
	X(RISAV_TOO_BIG_TAGGED, "risav-too-big-tagged", "event",             \
	  "egress: IPv4 without DF tagged beyond the MTU")                   \
	X(RISAV_TAG_GREEN_CHANNEL, "risav-tag-green-channel", "tx",          \
	  "egress: to or from a contact address, never "                     \
	  "tagged")                                                          \
	X(RISAV_UNTAGGABLE, "risav-untaggable", "tx",                        \
	  "cannot be tagged (GSO, IPv4 fragment, a checksum "                \
	  "left to a device that offloads it, headers over 512 bytes): "     \
	  "sent as is (peer policy untagged)")                               \
	X(RISAV_TAG_FAILED, "risav-tag-failed", "drop",                      \
	  "egress: a helper failed half-way through tagging")                \
	X(RISAV_TOO_BIG_ICMP_SENT, "risav-too-big-icmp-sent", "event",       \
	  "egress: ICMP Packet Too Big / Fragmentation Needed "              \
	  "sent back for a too-big packet")                                  \
	X(RISAV_TOO_BIG_NO_ICMP, "risav-too-big-no-icmp", "event",           \
	  "no ICMP error for a too-big packet (an ICMP error itself, "       \
	  "no route back, VLAN-tagged frame, helper failed)")                \
	X(ECHO_DST_MAC_NOT_OURS, "echo-dst-mac-not-ours", "pass",            \
	  "request in a frame for another host's MAC address "               \
	  "(promiscuous mode, bridge or mirror port)")                       \
	X(ECHO_REPLY_MALFORMED, "malformed-echo-reply", "pass",              \
	  "ESP Echo Reply in no known form: no sub-type 3 with "             \
	  "a Data Length that fits, no well-formed trailer")                 \
	X(ECHO_REFLECTED_PRIORITY, "echo-reflected-priority", "tx",          \
	  "answered past an empty global bucket: the source is a "           \
	  "daemon peer (esprit_priority) or in the allowlist")               \
	X(RISAV_TO_CONTACT_DROPPED, "risav-to-contact-dropped", "drop",      \
	  "egress: to a peer's contact address from a source that is "       \
	  "not one of the local AS's contacts")                              \
	X(RISAV_UNTAGGABLE_DROPPED, "risav-untaggable-dropped", "drop",      \
	  "cannot be tagged (as risav-untaggable), to a peer "               \
	  "whose policy is drop")                                            \
	X(RISAV_TAGGED_FORWARDED, "risav-tagged-forwarded", "pass",          \
	  "ingress (XDP): AS-scoped AH added to a packet this router "       \
	  "forwards to a peer AS, before GRO")                               \
	X(RISAV_TOO_BIG_ICMP_LIMITED, "risav-too-big-icmp-limited", "event", \
	  "no ICMP error for a too-big packet: its source had used "         \
	  "its rate (risav.too_big_rate)")                                   \
	X(NOT_ESPRIT, "not-esprit", "pass",                                  \
	  "nothing for esprit (XDP): not IP, IP with no ESP Echo and no "    \
	  "RISAV check or tag, ESP of another SPI or a later fragment")      \
	X(NOT_ESPRIT_EGRESS, "not-esprit-egress", "tx",                      \
	  "nothing for the TC tagger: not IP, not from the local AS to a "   \
	  "RISAV peer, or tagged already: sent as it is")

enum esprit_reason {
#define ESPRIT_REASON_ENUM(id, name, action, desc) ESPRIT_R_##id,
	ESPRIT_REASONS(ESPRIT_REASON_ENUM)
#undef ESPRIT_REASON_ENUM
		ESPRIT_R_COUNT
};

struct esprit_counter {
	__u64 packets;
	__u64 bytes;
};

#endif
