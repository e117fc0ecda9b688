// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/counters.h"

const struct reason_info reason_info[ESPRIT_R_COUNT] = {
#define REASON_INFO(id, name, action, desc) \
	[ESPRIT_R_##id] = {name, action, desc},
	ESPRIT_REASONS(REASON_INFO)
#undef REASON_INFO
};

int counters_read(int map_fd, struct esprit_counter out[ESPRIT_R_COUNT])
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_counter *percpu;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 r = 0; r < ESPRIT_R_COUNT; r++) {
		out[r].packets = out[r].bytes = 0;
		if (bpf_map_lookup_elem(map_fd, &r, percpu)) {
			int err = -errno;

			free(percpu);
			return err;
		}
		for (int c = 0; c < ncpus; c++) {
			out[r].packets += percpu[c].packets;
			out[r].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
	return 0;
}

int percpu_u64_sum(int map_fd, __u32 key, __u64 *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *percpu;
	int err = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	*sum = 0;
	if (bpf_map_lookup_elem(map_fd, &key, percpu))
		err = -errno;
	for (int c = 0; !err && c < ncpus; c++)
		*sum += percpu[c];
	free(percpu);
	return err;
}
