// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "esprit_risav.h"
#include "risav/prefix_btf.h"

_Static_assert(sizeof(struct esprit_prefix_key) == 20, "key layout");
_Static_assert(offsetof(struct esprit_prefix_key, addr) == 4, "key layout");
_Static_assert(sizeof(struct esprit_prefix_origin) == 8, "origin layout");
_Static_assert(sizeof(struct esprit_pfx4_cells) == 8, "cells layout");

int prefix_btf_load(struct prefix_btf *b)
{
	struct btf *btf = btf__new_empty();
	int u32, u8, addr, cells, key, origin, pair;

	b->fd = -1;
	if (!btf)
		return -1;
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	u32 = btf__add_typedef(btf, "__u32", u32);
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	u8 = btf__add_typedef(btf, "__u8", u8);
	addr = btf__add_array(btf, u32, u8, 16);
	cells = btf__add_array(btf, u32, u32, 2);
	key = btf__add_struct(btf, "esprit_prefix_key",
			      sizeof(struct esprit_prefix_key));
	if (u32 < 0 || u8 < 0 || addr < 0 || cells < 0 || key < 0 ||
	    btf__add_field(btf, "prefixlen", u32,
			   offsetof(struct esprit_prefix_key, prefixlen) * 8,
			   0) ||
	    btf__add_field(btf, "addr", addr,
			   offsetof(struct esprit_prefix_key, addr) * 8, 0))
		goto fail;
	origin = btf__add_struct(btf, "esprit_prefix_origin",
				 sizeof(struct esprit_prefix_origin));
	if (origin < 0 ||
	    btf__add_field(btf, "asn", u32,
			   offsetof(struct esprit_prefix_origin, asn) * 8, 0) ||
	    btf__add_field(btf, "source", u32,
			   offsetof(struct esprit_prefix_origin, source) * 8,
			   0))
		goto fail;
	pair = btf__add_struct(btf, "esprit_pfx4_cells",
			       sizeof(struct esprit_pfx4_cells));
	if (pair < 0 ||
	    btf__add_field(btf, "cell", cells,
			   offsetof(struct esprit_pfx4_cells, cell) * 8, 0) ||
	    btf__load_into_kernel(btf))
		goto fail;
	b->fd = dup(btf__fd(btf)); /* btf__free() closes its own */
	b->u32_id = u32;
	b->key_id = key;
	b->origin_id = origin;
	b->cells_id = pair;
	btf__free(btf);
	return b->fd < 0 ? -1 : 0;
fail:
	btf__free(btf);
	return -1;
}
