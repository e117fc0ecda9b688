// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "lib/counters.h"
#include "esprit_prog.h"
#include "echo/responder.h"

#include "esprit_xdp.skel.h"

struct esprit_xdp *esprit_prog_load(const char *const *settings, char *err,
				    size_t errlen)
{
	struct esprit_config cfg = {};
	struct esprit_xdp *skel;
	struct bpf_map *map;
	__u32 zero = 0;

	for (int i = 0; settings[i]; i += 2)
		if (responder_config_set(&cfg, settings[i], settings[i + 1],
					 err, errlen))
			return NULL;
	skel = esprit_xdp__open();
	if (!skel) {
		snprintf(err, errlen, "cannot open esprit_xdp: %s",
			 strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (esprit_xdp__load(skel) ||
	    bpf_map__update_elem(skel->maps.esprit_config, &zero, sizeof(zero),
				 &cfg, sizeof(cfg), BPF_ANY)) {
		snprintf(err, errlen, "cannot load esprit_xdp: %s",
			 strerror(errno));
		esprit_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

static int read_counters(struct esprit_xdp *skel,
			 struct esprit_counter c[ESPRIT_R_COUNT])
{
	return counters_read(bpf_map__fd(skel->maps.esprit_counters), c);
}

__u64 esprit_prog_count(struct esprit_xdp *skel, int reason)
{
	struct esprit_counter c[ESPRIT_R_COUNT];

	if (reason < 0 || reason >= ESPRIT_R_COUNT || read_counters(skel, c))
		return 0;
	return c[reason].packets;
}

__u64 esprit_prog_count_others(struct esprit_xdp *skel, int reason)
{
	struct esprit_counter c[ESPRIT_R_COUNT];
	__u64 sum = 0;

	if (read_counters(skel, c))
		return 0;
	for (int i = 0; i < ESPRIT_R_COUNT; i++)
		if (i != reason)
			sum += c[i].packets;
	return sum;
}
