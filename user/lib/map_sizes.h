/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capacity of the maps whose size depends on the configuration (the
 * RISAV peers, contacts and SAs), set before an object is loaded. A map
 * already pinned keeps the size it has: libbpf reuses a pinned map only
 * if it matches, and resizing would drop what it holds. The hash maps
 * allocate their elements as they are added, so a capacity costs 16
 * bytes per entry until it is used.
 */
#ifndef ESPRIT_LIB_MAP_SIZES_H
#define ESPRIT_LIB_MAP_SIZES_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_object;

struct map_sizes {
	__u32 peers; /* esprit_peers, esprit_sa_sel */
	__u32 contacts; /* esprit_contacts */
	__u32 sas_in; /* esprit_sa_in, _in_rw, _in_st */
	__u32 sas_out; /* esprit_sa_out, _outst */
};

/* At least this much room, whatever the configuration holds. */
#define MAP_SIZES_FLOOR 1024

/*
 * What a configuration with these counts needs: twice each (room to
 * grow on reload), at least MAP_SIZES_FLOOR, a power of two.
 */
void map_sizes_for(struct map_sizes *s, size_t peers, size_t contacts,
		   size_t sas_in, size_t sas_out);

/*
 * Sets the sized maps of obj (opened, not loaded) to s (NULL: the
 * object's own defaults stay), except those pinned in pin_dir, which
 * keep theirs. 0 or -errno.
 */
int map_sizes_apply(struct bpf_object *obj, const char *pin_dir,
		    const struct map_sizes *s);

#endif
