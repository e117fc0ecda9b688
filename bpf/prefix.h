/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The origin AS of an address: longest-prefix match in the prefix table,
 * the LPM trie in slot 0 of esprit_prefixes. User space replaces that trie
 * whole (user/prefix_table.h), so one call sees one complete table.
 */
#ifndef ESPRIT_BPF_PREFIX_H
#define ESPRIT_BPF_PREFIX_H

#include "maps.h"

/*
 * addr: 16 bytes, IPv4 as ::ffff:a.b.c.d (struct esprit_addr's form).
 * Returns true with *asn set when a prefix covers addr; *asn is
 * ESPRIT_ASN_NONE for a prefix of several origins. False when no prefix
 * covers it or no table is loaded.
 */
static __always_inline bool prefix_origin(const __u8 *addr, __u32 *asn)
{
	struct esprit_prefix_key key = {.prefixlen = 128};
	struct esprit_prefix_origin *origin;
	__u32 slot = 0;
	void *trie;

	trie = bpf_map_lookup_elem(&esprit_prefixes, &slot);
	if (!trie)
		return false;
	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	origin = bpf_map_lookup_elem(trie, &key);
	if (!origin)
		return false;
	*asn = origin->asn;
	return true;
}

#endif
