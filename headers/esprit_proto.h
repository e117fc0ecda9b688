/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire constants of the protocols esprit parses and writes, once, for the
 * BPF programs and user space alike. Values in host byte order; BPF code
 * converts at compile time (bpf_htons of a constant costs nothing).
 */
#ifndef ESPRIT_PROTO_H
#define ESPRIT_PROTO_H

/* Ethernet (IEEE 802.3) and VLAN tags (802.1Q, 802.1ad). */
#define ESPRIT_ETH_HLEN	    14
#define ESPRIT_ETH_ALEN	    6
#define ESPRIT_VLAN_HLEN    4
#define ESPRIT_ETH_P_IP	    0x0800
#define ESPRIT_ETH_P_IPV6   0x86dd
#define ESPRIT_ETH_P_8021Q  0x8100
#define ESPRIT_ETH_P_8021AD 0x88a8

/* IPv4 (RFC 791). */
#define ESPRIT_IPV4_HLEN_MIN  20
#define ESPRIT_IPV4_HLEN_MAX  60
#define ESPRIT_IPV4_DF	      0x4000 /* in frag_off, host order */
#define ESPRIT_IPV4_MF	      0x2000
#define ESPRIT_IPV4_OFFSET    0x1fff /* fragment offset, 8-byte units */
#define ESPRIT_IPV4_FRAG_BITS (ESPRIT_IPV4_MF | ESPRIT_IPV4_OFFSET)
#define ESPRIT_IPV4_OPT_EOL   0
#define ESPRIT_IPV4_OPT_NOP   1

/* IPv6 (RFC 8200) and its extension headers. */
#define ESPRIT_IPV6_HLEN	40
#define ESPRIT_IPV6_FRAG_HLEN	8
#define ESPRIT_IPV6_FRAG_OFFSET 0xfff8 /* in the fragment header, host order */
#define ESPRIT_IPV6_FRAG_M	0x0001
#define ESPRIT_IPV6_OPT_PAD1	0
#define ESPRIT_IPV6_OPT_CHANGE	0x20 /* option data may change en route */
#define ESPRIT_IPV6_MIN_MTU	1280

/* Protocol / Next Header numbers (IANA). */
#define ESPRIT_NEXTHDR_HOP	0
#define ESPRIT_IPPROTO_ICMP	1
#define ESPRIT_IPPROTO_TCP	6
#define ESPRIT_IPPROTO_UDP	17
#define ESPRIT_NEXTHDR_ROUTING	43
#define ESPRIT_NEXTHDR_FRAGMENT 44
#define ESPRIT_IPPROTO_ESP	50
#define ESPRIT_IPPROTO_AH	51
#define ESPRIT_IPPROTO_ICMPV6	58
#define ESPRIT_NEXTHDR_NONE	59
#define ESPRIT_NEXTHDR_DEST	60
#define ESPRIT_NEXTHDR_MOBILITY 135
#define ESPRIT_NEXTHDR_HIP	139
#define ESPRIT_NEXTHDR_SHIM6	140

/* Where TCP and UDP keep their checksum. */
#define ESPRIT_TCP_CSUM_OFF 16
#define ESPRIT_UDP_CSUM_OFF 6
#define ESPRIT_UDP_HLEN	    8

/* ICMP (RFC 792, 1191) and ICMPv6 (RFC 4443) errors esprit sends. */
#define ESPRIT_ICMP_DEST_UNREACH 3
#define ESPRIT_ICMP_FRAG_NEEDED	 4
#define ESPRIT_ICMPV6_PKT_TOOBIG 2
#define ESPRIT_ICMP_HLEN	 8
#define ESPRIT_IPV4_MIN_MTU	 576 /* quoted packets fit a datagram this size */

/* AH (RFC 4302): Next Header .. Sequence Number, then the ICV. */
#define ESPRIT_AH_FIXED_LEN 12

/* ESP (RFC 4303): SPI + Sequence Number; Pad Length + Next Header. */
#define ESPRIT_ESP_HDR_LEN     8
#define ESPRIT_ESP_TRAILER_LEN 2

#endif
