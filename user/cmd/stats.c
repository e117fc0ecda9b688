// SPDX-License-Identifier: GPL-2.0
/* esprit stats: the XDP counters by reason, as a table or JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "esprit_maps.h"
#include "cmd/commands.h"
#include "lib/counters.h"
#include "esprit_limits.h"
#include "lib/options.h"
#include "lib/output.h"
#include "lib/pins.h"

static void stats_usage(FILE *out)
{
	fprintf(out, "usage: esprit stats [--all] [--json] [--pin-dir DIR]\n"
		     "  Packets and bytes the XDP program handled, by reason.\n"
		     "  --all     include reasons that counted nothing\n");
}

static int print_json(const struct esprit_counter *c, const __u64 *drops,
		      bool all)
{
	json_t *root = json_object(), *list = json_array(), *rings;

	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		if (!all && !c[r].packets)
			continue;
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:I, s:I, s:s}", "reason",
					reason_info[r].name, "action",
					reason_info[r].action, "packets",
					(json_int_t)c[r].packets, "bytes",
					(json_int_t)c[r].bytes, "description",
					reason_info[r].description));
	}
	json_object_set_new(root, "counters", list);
	rings = json_array();
	for (int s = 0; drops && s < ESPRIT_RING_SLOTS; s++)
		json_array_append_new(rings,
				      json_integer((json_int_t)drops[s]));
	json_object_set_new(root, "ring_drops", rings);
	json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
	return EXIT_OK;
}

static int print_table(const struct esprit_counter *c, const __u64 *drops,
		       bool all)
{
	__u64 lost = 0;

	printf("%-30s %-6s %14s %16s\n", "reason", "action", "packets",
	       "bytes");
	for (int r = 0; r < ESPRIT_R_COUNT; r++) {
		if (!all && !c[r].packets)
			continue;
		printf("%-30s %-6s %14" PRIu64 " %16" PRIu64 "\n",
		       reason_info[r].name, reason_info[r].action,
		       (uint64_t)c[r].packets, (uint64_t)c[r].bytes);
	}
	for (int s = 0; drops && s < ESPRIT_RING_SLOTS; s++)
		lost += drops[s];
	if (lost)
		printf("ring buffer events lost: %" PRIu64 "\n",
		       (uint64_t)lost);
	return EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	bool all = false;
	const struct cli_option opts[] = {
		{"all", 'a', NULL, .flag = &all},
		{},
	};
	struct esprit_counter counters[ESPRIT_R_COUNT];
	__u64 drops[ESPRIT_RING_SLOTS] = {};
	bool have_drops = false;
	struct cli_common c;
	struct pins pins;
	int fd, err;

	err = cli_run(&argc, argv, opts, CLI_JSON, &c, stats_usage);
	if (err)
		return err > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc) {
		errmsg("unexpected '%s'", argv[0]);
		stats_usage(stderr);
		return EXIT_ERROR;
	}
	if (pins_find(c.pin_dir, &pins))
		return EXIT_ERROR;
	fd = pins_open_map(&pins, ESPRIT_MAP_COUNTERS);
	if (fd < 0)
		return EXIT_ERROR;
	err = counters_read(fd, counters);
	close(fd);
	if (err) {
		errmsg("cannot read esprit_counters: %s", strerror(-err));
		return EXIT_ERROR;
	}
	fd = pins_try_open_map(&pins, ESPRIT_MAP_RB_DROPS);
	if (fd >= 0) {
		have_drops = true;
		for (__u32 s = 0; s < ESPRIT_RING_SLOTS; s++)
			percpu_u64_sum(fd, s, &drops[s]);
		close(fd);
	}
	return c.json ? print_json(counters, have_drops ? drops : NULL, all)
		      : print_table(counters, have_drops ? drops : NULL, all);
}
