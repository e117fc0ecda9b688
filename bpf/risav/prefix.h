/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The origin AS of an address: longest-prefix match in the prefix table.
 * The table is the LPM trie in slot 0 of esprit_prefixes and, for IPv4,
 * the index in slot 0 of esprit_pfx4 (headers/esprit_risav.h), which gives
 * the same answers in one or two reads. User space builds both aside and
 * swaps them in (user/risav/prefix_table.h).
 *
 * A packet takes one snapshot and asks it everything (source and
 * destination): IPv4 answers come from the snapshot's index alone, IPv6
 * answers from its trie alone, so all of a packet's answers come from one
 * complete table, whatever is swapped meanwhile.
 */
#ifndef ESPRIT_BPF_PREFIX_H
#define ESPRIT_BPF_PREFIX_H

#include <bpf/bpf_endian.h>
#include "risav/maps.h"

struct prefix_snapshot {
	void *trie;
	void *index; /* NULL: IPv4 lookups use the trie */
};

static __always_inline void prefix_snapshot(struct prefix_snapshot *s)
{
	__u32 slot = 0;

	s->trie = bpf_map_lookup_elem(&esprit_prefixes, &slot);
	s->index = bpf_map_lookup_elem(&esprit_pfx4, &slot);
}

static __always_inline bool prefix_is_v4_mapped(const __u8 *addr)
{
	__u64 lo;
	__u32 hi;

	__builtin_memcpy(&lo, addr, 8);
	__builtin_memcpy(&hi, addr + 8, 4);
	return lo == 0 && hi == bpf_htonl(0x0000ffff);
}

/* Cell i of the index; false if i is outside it. */
static __always_inline bool pfx4_cell(void *index, __u32 i, __u32 *v)
{
	__u32 key = i / 2;
	struct esprit_pfx4_cells *c = bpf_map_lookup_elem(index, &key);

	if (!c)
		return false;
	*v = c->cell[i & 1];
	return true;
}

static __always_inline bool pfx4_origin(void *index, const __u8 *addr,
					__u32 *asn)
{
	__u32 v;

	if (!pfx4_cell(index,
		       (__u32)addr[12] << 16 | (__u32)addr[13] << 8 | addr[14],
		       &v))
		return false;
	if ((v & ESPRIT_PFX4_GROUP) &&
	    !pfx4_cell(index,
		       ESPRIT_PFX4_GROUPS + ((v & ~ESPRIT_PFX4_GROUP) << 8) +
			       addr[15],
		       &v))
		return false;
	if (v == ESPRIT_PFX4_NONE || (v & ESPRIT_PFX4_GROUP))
		return false;
	return pfx4_cell(index, ESPRIT_PFX4_ORIGINS + v - ESPRIT_PFX4_ORIGIN0,
			 asn);
}

/*
 * addr: 16 bytes, IPv4 as ::ffff:a.b.c.d (struct esprit_addr's form).
 * Returns true with *asn set when a prefix covers addr; *asn is
 * ESPRIT_ASN_NONE for a prefix of several origins. False when no prefix
 * covers it or no table is loaded.
 */
static __always_inline bool prefix_origin_in(const struct prefix_snapshot *s,
					     const __u8 *addr, __u32 *asn)
{
	struct esprit_prefix_key key = {.prefixlen = 128};
	struct esprit_prefix_origin *origin;

	if (s->index && prefix_is_v4_mapped(addr))
		return pfx4_origin(s->index, addr, asn);
	if (!s->trie)
		return false;
	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	origin = bpf_map_lookup_elem(s->trie, &key);
	if (!origin)
		return false;
	*asn = origin->asn;
	return true;
}

/* One lookup with a snapshot of its own. */
static __always_inline bool prefix_origin(const __u8 *addr, __u32 *asn)
{
	struct prefix_snapshot s;

	prefix_snapshot(&s);
	return prefix_origin_in(&s, addr, asn);
}

#endif
