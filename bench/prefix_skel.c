// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>

#include "prefix_skel.h"

struct bench_prefix_lookup *prefix_skel_load(void)
{
	struct bench_prefix_lookup *skel = bench_prefix_lookup__open();
	struct bpf_map *map;

	if (!skel)
		return NULL;
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (bench_prefix_lookup__load(skel)) {
		bench_prefix_lookup__destroy(skel);
		return NULL;
	}
	return skel;
}
