/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV's maps: the settings and the local AS, the prefix table, the
 * peers and their contacts, the audit events, and the SAs of both
 * directions. All are pinned by name (headers/esprit_maps.h). The
 * scratch maps each piece of code uses for itself sit beside that code.
 * The hash maps hold what the configuration puts there, most of them
 * nothing on a host that only answers ESP Echo: their elements are
 * allocated as they are added (BPF_F_NO_PREALLOC), and a lookup costs
 * the same.
 */
#ifndef ESPRIT_BPF_RISAV_MAPS_H
#define ESPRIT_BPF_RISAV_MAPS_H

#include "lib/ctx.h"
#include "esprit_audit.h"
#include "esprit_limits.h"
#include "esprit_ratelimit.h"
#include "esprit_risav.h"
#include "esprit_sa.h"

/* RISAV settings: local ASN (0 = off), flags, audit rate. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_risav_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_risav SEC(".maps");

/*
 * Prefix → origin ASN. The table sits in slot 0 of an array of maps so an
 * RPKI import builds a new trie aside and swaps it in with one update: no
 * packet ever sees half a table.
 */
struct esprit_prefix_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ESPRIT_PREFIXES_MAX);
	/* sizes, not types: clang emits only a forward declaration for
	 * types reached solely through an inner-map template */
	__uint(key_size, sizeof(struct esprit_prefix_key));
	__uint(value_size, sizeof(struct esprit_prefix_origin));
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct esprit_prefix_trie);
} esprit_prefixes SEC(".maps");

/*
 * The IPv4 index of the prefix table (headers/esprit_risav.h), swapped in
 * whole like the trie. Memory-mappable, so user space fills its ~73 MiB
 * directly rather than through 9M updates. BPF_F_INNER_MAP lets the real
 * index be larger than this one-cell template, so loading the object does
 * not allocate 73 MiB for a template nobody uses.
 */
struct esprit_pfx4_index {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct esprit_pfx4_cells));
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_INNER_MAP);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct esprit_pfx4_index);
} esprit_pfx4 SEC(".maps");

/* Participating peers by ASN. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_PEERS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct esprit_peer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_peers SEC(".maps");

/* Every announced contact address (green channel) → its ASN. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_CONTACTS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_addr);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_contacts SEC(".maps");

/*
 * The green channel (docs/protocols.md §2.4): packets between a contact
 * address of the peer AS and one of the local AS (the IKE between Contact
 * Servers it exists for) are never tagged nor checked. With
 * ESPRIT_RISAV_GREEN_ANY_CONTACT, packets to or from any contact address,
 * as the draft words it: the weaker rule, since it lets any host reach a
 * contact untagged and a contact reach any host. local is the address on
 * this AS's side (the destination of an arriving packet, the source of a
 * leaving one), remote the other.
 */
static __always_inline bool
risav_green_channel(const struct esprit_risav_config *cfg,
		    const struct esprit_addr *local,
		    const struct esprit_addr *remote, __u32 peer_asn)
{
	const __u32 *l = bpf_map_lookup_elem(&esprit_contacts, local);
	const __u32 *r;

	/* one pointer tested at a time: the verifier refuses any sum of
	 * two map values' pointers, which clang makes of "l || r" */
	if (cfg->risav_flags & ESPRIT_RISAV_GREEN_ANY_CONTACT) {
		if (l)
			return true;
		return bpf_map_lookup_elem(&esprit_contacts, remote) != NULL;
	}
	if (!l || *l != cfg->local_asn)
		return false;
	r = bpf_map_lookup_elem(&esprit_contacts, remote);
	return r && *r == peer_asn;
}

/* Audit events (RFC 4302 §3.4: failures are auditable), rate-limited. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ESPRIT_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct esprit_rate_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_audit_rl SEC(".maps");

/* Inbound RISAV SAs by (SPI, peer ASN); BPF only reads them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_SAS_IN_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_sa_in_key);
	__type(value, struct esprit_sa_in);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_sa_in SEC(".maps");

/* Replay windows of the inbound SAs that have one (spin-locked values). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_SAS_IN_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_sa_in_key);
	__type(value, struct esprit_replay);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_sa_in_rw SEC(".maps");

/* Per-SA counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ESPRIT_SAS_IN_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_sa_in_key);
	__type(value, struct esprit_sa_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_sa_in_st SEC(".maps");

/* Outbound RISAV SAs by (SPI, peer ASN); BPF takes sequence numbers. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_SAS_OUT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_sa_out_key);
	__type(value, struct esprit_sa_out);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_sa_out SEC(".maps");

/* Peer ASN -> the outbound SA each DSCP rides; rebuilt by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_SA_SEL_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct esprit_sa_sel);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_sa_sel SEC(".maps");

/* Interfaces prepared for tagging (headers/esprit_risav.h), by ifindex;
 * written by the loader when it attaches the tagger there. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ESPRIT_TAG_DEVS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct esprit_tag_dev);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_tag_devs SEC(".maps");

/* ICMP errors for too-big packets: a token bucket per source, by hash. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ESPRIT_TOO_BIG_SLOTS);
	__type(key, __u32);
	__type(value, struct esprit_rate_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_tb_rate SEC(".maps");

/* Per-SA counters of the outbound SAs, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ESPRIT_SAS_OUT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct esprit_sa_out_key);
	__type(value, struct esprit_sa_out_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} esprit_sa_outst SEC(".maps");

#endif
