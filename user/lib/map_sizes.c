// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "lib/map_sizes.h"
#include "lib/maps.h"

static __u32 room(size_t n)
{
	__u32 v = MAP_SIZES_FLOOR;

	while (v < 2 * n && v < (1U << 30))
		v <<= 1;
	return v;
}

void map_sizes_for(struct map_sizes *s, size_t peers, size_t contacts,
		   size_t sas_in, size_t sas_out)
{
	s->peers = room(peers);
	s->contacts = room(contacts);
	s->sas_in = room(sas_in);
	s->sas_out = room(sas_out);
}

/* The size of the map pinned as name in pin_dir, or 0 if there is none. */
static __u32 pinned_size(const char *pin_dir, const char *name)
{
	char path[4096];
	int fd;
	__u32 n;

	if (!pin_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	n = (__u32)map_max_entries(fd);
	close(fd);
	return n;
}

int map_sizes_apply(struct bpf_object *obj, const char *pin_dir,
		    const struct map_sizes *s)
{
	const struct {
		const char *name;
		__u32 size;
	} sized[] = {
		{ESPRIT_MAP_PEERS, s ? s->peers : 0},
		{ESPRIT_MAP_SA_SEL, s ? s->peers : 0},
		{ESPRIT_MAP_CONTACTS, s ? s->contacts : 0},
		{ESPRIT_MAP_SA_IN, s ? s->sas_in : 0},
		{ESPRIT_MAP_SA_IN_RW, s ? s->sas_in : 0},
		{ESPRIT_MAP_SA_IN_ST, s ? s->sas_in : 0},
		{ESPRIT_MAP_SA_OUT, s ? s->sas_out : 0},
		{ESPRIT_MAP_SA_OUT_ST, s ? s->sas_out : 0},
	};

	for (size_t i = 0; i < sizeof(sized) / sizeof(sized[0]); i++) {
		struct bpf_map *m =
			bpf_object__find_map_by_name(obj, sized[i].name);
		__u32 n = pinned_size(pin_dir, sized[i].name);
		int e;

		if (!m)
			continue;
		if (!n)
			n = sized[i].size;
		if (n && (e = bpf_map__set_max_entries(m, n)))
			return e;
	}
	return 0;
}
