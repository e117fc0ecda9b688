// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>

#include "prefix_skel.h"
#include "vrp_gen.h"

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

size_t prefix_bench_setup(struct table *t, char *file, size_t len,
			  struct bench_prefix_lookup **skel)
{
	size_t n = vrp_gen_tmpfile(file, len);

	*skel = NULL;
	if (!n) {
		table_error(t, "cannot write the VRP file");
		return 0;
	}
	*skel = prefix_skel_load();
	if (!*skel)
		table_error(t, "cannot load bench_prefix_lookup");
	return n;
}
