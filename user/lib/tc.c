// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "esprit_risav.h"
#include "esprit_tc.skel.h"
#include "lib/map_sizes.h"
#include "lib/netdev.h"
#include "lib/output.h"
#include "lib/pins.h"
#include "lib/tc.h"

static void hook_init(struct bpf_tc_hook *hook, int ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_EGRESS;
}

static void opts_init(struct bpf_tc_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = ESPRIT_TC_HANDLE;
	opts->priority = ESPRIT_TC_PRIORITY;
}

static int prog_is_ours(__u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), ours;

	if (fd < 0)
		return 0;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       !strcmp(info.name, ESPRIT_TC_PROG_NAME);
	close(fd);
	return ours;
}

int tc_egress_query(int ifindex, __u32 *prog_id, int *ours)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	*prog_id = 0;
	*ours = 0;
	hook_init(&hook, ifindex);
	opts_init(&opts);
	err = bpf_tc_query(&hook, &opts);
	if (err == -ENOENT || err == -EINVAL)
		return 0; /* no clsact qdisc, or nothing at our handle */
	if (err) {
		errmsg("cannot query TC egress on ifindex %d: %s", ifindex,
		       strerror(-err));
		return -1;
	}
	*prog_id = opts.prog_id;
	*ours = prog_is_ours(opts.prog_id);
	return 0;
}

/*
 * Transmit checksum offload off and one GSO segment on ifindex (struct
 * esprit_tag_dev), what it had noted in tag_devs the first time: 0, 1 if
 * a setting changed, or -1 after a message.
 */
static int prepare_device(int tag_devs, int ifindex)
{
	struct esprit_tag_dev saved = {}, had;
	bool on;
	__u32 segs;
	int e, changed;

	if ((e = netdev_tx_csum_get(ifindex, &on)) ||
	    (e = netdev_gso_max_segs_get(ifindex, &segs))) {
		errmsg("cannot read the interface's offloads: %s",
		       strerror(-e));
		return -1;
	}
	changed = on || segs != 1;
	saved.tx_csum = on;
	saved.gso_max_segs = segs;
	/* prepared before: what it had then is what goes back */
	if (bpf_map_lookup_elem(tag_devs, &ifindex, &had) &&
	    bpf_map_update_elem(tag_devs, &ifindex, &saved, BPF_NOEXIST)) {
		errmsg("cannot note the interface's offloads in %s: %s",
		       ESPRIT_MAP_TAG_DEVS, strerror(errno));
		return -1;
	}
	if ((on && (e = netdev_tx_csum_set(ifindex, false))) ||
	    (segs != 1 && (e = netdev_gso_max_segs_set(ifindex, 1)))) {
		errmsg("cannot turn transmit checksum offload off and GSO to "
		       "one segment: %s",
		       strerror(-e));
		return -1;
	}
	return changed;
}

int tc_egress_attach(int ifindex, const char *pin_dir,
		     const struct map_sizes *sizes, __u32 *prog_id,
		     bool *offloads_changed)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = pin_dir);
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	struct esprit_tc *skel;
	int err, ours;

	if (tc_egress_query(ifindex, prog_id, &ours))
		return -1;
	if (*prog_id && !ours) {
		errmsg("TC egress handle 0x%x priority %u holds program id %u, "
		       "not esprit's",
		       ESPRIT_TC_HANDLE, ESPRIT_TC_PRIORITY, *prog_id);
		return -1;
	}
	skel = esprit_tc__open_opts(&open_opts);
	if (!skel) {
		errmsg("cannot open the TC object: %s", strerror(errno));
		return -1;
	}
	err = map_sizes_apply(skel->obj, pin_dir, sizes);
	if (err) {
		errmsg("cannot size the maps: %s", strerror(-err));
		goto out;
	}
	err = esprit_tc__load(skel);
	if (err) {
		errmsg("cannot load the TC program: %s", strerror(-err));
		goto out;
	}
	err = prepare_device(bpf_map__fd(skel->maps.esprit_tag_devs), ifindex);
	if (err < 0)
		goto out;
	*offloads_changed = err > 0;
	hook_init(&hook, ifindex);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		errmsg("cannot add a clsact qdisc: %s", strerror(-err));
		goto out;
	}
	opts_init(&opts);
	opts.prog_fd = bpf_program__fd(skel->progs.esprit_tc);
	opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		errmsg("cannot attach to TC egress: %s", strerror(-err));
		goto out;
	}
	*prog_id = opts.prog_id;
out:
	/* the filter holds the program; our handles can go */
	esprit_tc__destroy(skel);
	return err ? -1 : 0;
}

/* What prepare_device() changed, put back, and the note gone. */
static void restore_device(const char *pin_dir, int ifindex)
{
	struct esprit_tag_dev saved;
	struct pins pins;
	int fd, e = 0;

	if (pins_prepare(pin_dir, &pins))
		return;
	fd = pins_try_open_map(&pins, ESPRIT_MAP_TAG_DEVS);
	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &ifindex, &saved)) {
		if (saved.tx_csum)
			e = netdev_tx_csum_set(ifindex, true);
		if (!e && saved.gso_max_segs != 1)
			e = netdev_gso_max_segs_set(ifindex,
						    saved.gso_max_segs);
		if (e)
			errmsg("cannot put the interface's offloads back: %s",
			       strerror(-e));
		bpf_map_delete_elem(fd, &ifindex);
	}
	close(fd);
}

int tc_egress_detach(int ifindex, const char *pin_dir)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	__u32 id;
	int ours, err;

	if (tc_egress_query(ifindex, &id, &ours))
		return -1;
	restore_device(pin_dir, ifindex);
	if (!id || !ours)
		return 0;
	hook_init(&hook, ifindex);
	opts_init(&opts);
	err = bpf_tc_detach(&hook, &opts);
	if (err && err != -ENOENT) {
		errmsg("cannot detach from TC egress: %s", strerror(-err));
		return -1;
	}
	return 0;
}
