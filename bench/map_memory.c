// SPDX-License-Identifier: GPL-2.0
/*
 * Table "map-memory": the kernel memory esprit's maps hold (memlock, as
 * bpftool map show reports it) on one interface: attached by hand with no
 * configuration, run by the daemon with no RISAV section, and run by the
 * daemon with 800k prefixes (bench/vrp_gen.h), 4,096 peers and 4,096 SAs
 * each way. Every map counts: those pinned, those only the programs hold
 * (scratch, .rodata) and the prefix tables swapped into esprit_prefixes
 * and esprit_pfx4.
 *
 * Method: the real binary (build/esprit attach, esprit daemon) on a veth
 * in the benchmark's namespace; the maps are found by the pins, the
 * programs on the interface and the inner maps; each one's memlock is read
 * from /proc/self/fdinfo. One sample per row: the figure is deterministic
 * for a kernel and a CPU count (per-CPU maps grow with the CPUs).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <xdp/libxdp.h>

#include "bench.h"
#include "daemon_run.h"
#include "esprit_maps.h"
#include "lib/tc.h"
#include "table.h"
#include "vrp_gen.h"

#define DEV	"memv0"
#define PINS	"/sys/fs/bpf/bench-memory"
#define NPEERS	4096
#define MAX_IDS 256

struct map_ids {
	__u32 id[MAX_IDS];
	size_t n;
};

static void add_id(struct map_ids *s, __u32 id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->id[i] == id)
			return;
	if (id && s->n < MAX_IDS)
		s->id[s->n++] = id;
}

static __u32 id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static long long memlock_of_fd(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void add_prog_maps(struct map_ids *s, __u32 prog_id)
{
	__u32 ids[64], len;
	struct bpf_prog_info info;
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			add_id(s, ids[i]);
	close(fd);
}

/* The map in slot 0 of an array of maps, if any. */
static void add_inner(struct map_ids *s, const char *outer)
{
	char path[256];
	__u32 zero = 0, id = 0;
	int fd;

	snprintf(path, sizeof(path), PINS "/%s", outer);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &zero, &id))
		add_id(s, id);
	close(fd);
}

/* Memlock of every map esprit holds on DEV, in bytes; *nmaps of them. */
static long long esprit_memory(size_t *nmaps)
{
	struct map_ids s = {0};
	long long total = 0;
	__u32 xdp_id = 0, tc_id = 0;
	int ifindex = (int)if_nametoindex(DEV), ours;
	struct dirent *e;
	DIR *d = opendir(PINS);

	while (d && (e = readdir(d))) {
		char path[512];
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PINS "/%s", e->d_name);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			add_id(&s, id_of(fd));
			close(fd);
		}
	}
	if (d)
		closedir(d);
	if (!bpf_xdp_query_id(ifindex, 0, &xdp_id) && xdp_id)
		add_prog_maps(&s, xdp_id);
	if (!tc_egress_query(ifindex, &tc_id, &ours) && tc_id)
		add_prog_maps(&s, tc_id);
	add_inner(&s, ESPRIT_MAP_PREFIXES);
	add_inner(&s, ESPRIT_MAP_PFX4);
	for (size_t i = 0; i < s.n; i++) {
		int fd = bpf_map_get_fd_by_id(s.id[i]);
		long long m;

		if (fd < 0)
			continue;
		m = memlock_of_fd(fd);
		close(fd);
		if (m < 0)
			return -1;
		total += m;
	}
	*nmaps = s.n;
	return total;
}

static int sh(const char *cmd)
{
	return system(cmd) ? -1 : 0;
}

static int esprit_cli(const char *args)
{
	const char *build = getenv("ESPRIT_BUILD");
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "%s/esprit %s --pin-dir " PINS " >/dev/null 2>&1",
		 build ? build : "build", args);
	return sh(cmd);
}

static void clean(void)
{
	esprit_cli("detach " DEV);
	sh("rm -rf " PINS);
}

/* One row: the memory once `what` is set up, into series. */
static int measure(struct table *t, struct series *s, const char *what,
		   long long bytes, size_t nmaps)
{
	if (bytes < 0) {
		table_error(t, "%s: cannot read the maps' memory", what);
		return -1;
	}
	series_add(s, (double)bytes / (1024.0 * 1024.0));
	table_note(t, "%s: %zu maps", what, nmaps);
	return 0;
}

/* The daemon's file: DEV, no RISAV, or a big RISAV section. */
static char *daemon_yaml(const char *vrps, bool risav)
{
	size_t cap = 4u << 20, len = 0;
	char *y = malloc(cap);

	if (!y)
		return NULL;
	len += (size_t)snprintf(y + len, cap - len,
				"interfaces: [{name: " DEV "}]\n"
				"pin_dir: " PINS "\n"
				"state_dir: /tmp/esprit-bench-state\n"
				"detach_on_exit: true\n");
	if (!risav)
		return y;
	len += (size_t)snprintf(y + len, cap - len,
				"risav:\n  local_asn: 64500\n"
				"  prefixes: {import: %s}\n  peers:\n",
				vrps);
	for (int i = 0; i < NPEERS && len < cap - 256; i++)
		len += (size_t)snprintf(y + len, cap - len,
					"    - {asn: %d, mode: enforce}\n",
					70000 + i);
	len += (size_t)snprintf(y + len, cap - len, "  sas:\n");
	for (int i = 0; i < NPEERS && len < cap - 512; i++)
		len += (size_t)snprintf(y + len, cap - len,
					"    - {spi: %d, asn: %d, alg: "
					"hmac-sha256-128, key: "
					"%064x, replay: 1024}\n"
					"    - {direction: out, spi: %d, asn: "
					"%d, alg: "
					"hmac-sha256-128, key: %064x}\n",
					0x1000 + i, 70000 + i, i + 1,
					0x1000 + i, 70000 + i, i + 7);
	return y;
}

static int by_daemon(struct table *t, struct series *s, const char *what,
		     const char *vrps, bool risav)
{
	struct daemon_run r;
	char err[512], *yaml = daemon_yaml(vrps, risav);
	long long bytes;
	size_t nmaps = 0;
	int rc;

	if (!yaml) {
		table_error(t, "out of memory");
		return -1;
	}
	rc = daemon_run_start(&r, yaml, err, sizeof(err));
	free(yaml);
	if (rc) {
		table_error(t, "%s: %s", what, err);
		daemon_run_stop(&r);
		clean();
		return -1;
	}
	/* the file is applied before the daemon answers */
	bytes = esprit_memory(&nmaps);
	daemon_run_stop(&r);
	clean();
	return measure(t, s, what, bytes, nmaps);
}

static int map_memory(int argc, char **argv)
{
	struct table *t = table_new("Kernel memory of esprit's maps on one "
				    "interface (memlock)");
	struct series *bare =
		table_series(t, "attach, no configuration", "MiB");
	struct series *quiet =
		table_series(t, "daemon, no risav section", "MiB");
	struct series *full = table_series(
		t, "daemon, 800k prefixes, 4096 peers, 8192 SAs", "MiB");
	char vrps[256];
	size_t n, nmaps = 0;

	(void)argc;
	(void)argv;
	table_context(t,
		      "veth %s in the benchmark's namespace; %d CPUs "
		      "(per-CPU maps grow with them)",
		      DEV, libbpf_num_possible_cpus());
	clean();
	if (sh("ip link del " DEV " 2>/dev/null; ip link add " DEV " type veth "
	       "peer "
	       "name " DEV "p && ip link set " DEV " up && ip link set " DEV
	       "p up")) {
		table_error(t, "cannot make the veth");
		return table_finish(t);
	}
	if (!esprit_cli("attach " DEV)) {
		long long bytes = esprit_memory(&nmaps);

		measure(t, bare, "attach", bytes, nmaps);
	} else
		table_error(t, "esprit attach failed");
	clean();
	by_daemon(t, quiet, "daemon, no risav", NULL, false);
	n = vrp_gen_tmpfile(vrps, sizeof(vrps));
	if (!n)
		table_error(t, "cannot write the VRPs");
	else
		by_daemon(t, full, "daemon, full", vrps, true);
	if (n)
		unlink(vrps);
	sh("ip link del " DEV " 2>/dev/null; rm -rf /tmp/esprit-bench-state");
	table_target(t, bare, TARGET_AT_MOST, 8);
	table_target(t, quiet, TARGET_AT_MOST, 8);
	table_note(t, "before this table (every map preallocated at its "
		      "compile-time size): 50.0 MiB in 38 maps for the "
		      "attach with no configuration, on this 2-CPU machine");
	table_note(t, "the 800k prefixes are the IPv4 index (DIR-24-8, "
		      "~73 MiB whatever the table) and the LPM trie; sizes "
		      "of the SA and peer maps follow the daemon's file "
		      "(lib/map_sizes.h)");
	table_note(t, "target (issue 10): at most 8 MiB without RISAV "
		      "configuration");
	return table_finish(t);
}

BENCH_TABLE(map_memory_table) = {
	.name = "map-memory",
	.summary = "kernel memory of esprit's maps: bare, daemon, full "
		   "RISAV",
	.run = map_memory,
};
