/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A loaded program's maps, found through the program itself (its map ids,
 * matched by name, type and sizes), so it does not matter where, or
 * whether, they are pinned: `esprit attach` and `ip link set ... xdp obj`
 * pin in different directories.
 */
#ifndef ESPRIT_PROG_MAPS_H
#define ESPRIT_PROG_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct prog_map_want {
	const char *name;
	__u32 type;
	__u32 key_size, value_size; /* 0: any */
	int *fd; /* set to the map's fd; left alone if absent */
	bool required;
	__u32 *id; /* optional: receives the map id */
	__u32 *max_entries; /* optional */
};

/*
 * Opens every wanted map the program uses. Returns 0, or -1 with the reason
 * in err (a required map missing or of another shape, or a syscall failing);
 * on failure no fd stays open.
 */
int prog_maps_open(int prog_fd, struct prog_map_want *want, size_t n,
		   __u32 *prog_id, char *err, size_t errlen);

/* The same by program id. */
int prog_maps_open_id(__u32 prog_id, struct prog_map_want *want, size_t n,
		      char *err, size_t errlen);

#endif
