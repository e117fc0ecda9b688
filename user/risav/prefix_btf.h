/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BTF for the maps user space creates for the prefix table (the tries and
 * the IPv4 index), so `bpftool map dump` prints their fields. The loaded
 * object cannot lend its own: clang emits only forward declarations for
 * types that nothing but an inner-map template mentions.
 */
#ifndef ESPRIT_USER_PREFIX_BTF_H
#define ESPRIT_USER_PREFIX_BTF_H

#include <linux/types.h>

struct prefix_btf {
	int fd; /* -1 when the kernel took none */
	__u32 u32_id, key_id, origin_id, cells_id;
};

/* Loads the BTF (types esprit_prefix_key, esprit_prefix_origin,
 * esprit_pfx4_cells). Returns 0 or -1; the fd is the caller's to close. */
int prefix_btf_load(struct prefix_btf *b);

#endif
