// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>

#include "esprit_xdp.skel.h"
#include "xdp_fixture.h"

int fixture_private_netns(void)
{
	static int done;

	if (done)
		return 0;
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	if (system("ip link set lo up"))
		return -1;
	done = 1;
	return 0;
}

/* The pair, with the responder's MAC and addresses on NAME. */
static unsigned int responder_veth(const char *name, unsigned int mtu)
{
	char cmd[512];

	/* IPv6 needs an MTU of 1280: below it the device has no IPv6 */
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s mtu %u address 02:00:00:00:00:0b "
		 "type veth peer %sp && "
		 "ip addr add " FIXTURE_LOCAL4 "/24 dev %s && "
		 "{ [ %u -lt 1280 ] || "
		 "ip addr add " FIXTURE_LOCAL6 "/64 dev %s nodad; } && "
		 "ip link set %s up && ip link set %sp up",
		 name, mtu, name, name, mtu, name, name, name);
	if (system(cmd))
		return 0;
	return if_nametoindex(name);
}

unsigned int fixture_device(void)
{
	static unsigned int ifindex;

	if (!ifindex && !fixture_private_netns())
		ifindex = responder_veth(FIXTURE_DEV, 65535);
	return ifindex;
}

unsigned int fixture_responder_veth(const char *name, unsigned int mtu)
{
	return responder_veth(name, mtu);
}

unsigned int fixture_veth(const char *name, unsigned int mtu)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "ip link add %s mtu %u type veth peer %sp && "
		 "ip link set %s up && ip link set %sp up",
		 name, mtu, name, name, name);
	if (system(cmd))
		return 0;
	return if_nametoindex(name);
}

int xdp_fixture_open(struct xdp_fixture *f)
{
	struct bpf_map *map;

	memset(f, 0, sizeof(*f));
	f->ifindex = fixture_device();
	if (!f->ifindex)
		return -1;
	f->skel = esprit_xdp__open();
	if (!f->skel)
		return -1;
	bpf_object__for_each_map(map, f->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (esprit_xdp__load(f->skel)) {
		esprit_xdp__destroy(f->skel);
		f->skel = NULL;
		return -1;
	}
	f->prog_fd = bpf_program__fd(f->skel->progs.esprit_xdp);
	return 0;
}

void xdp_fixture_close(struct xdp_fixture *f)
{
	if (f->skel)
		esprit_xdp__destroy(f->skel);
	f->skel = NULL;
}

int xdp_fixture_run(struct xdp_fixture *f, const struct pkt *in,
		    struct xdp_result *res)
{
	struct xdp_md ctx = {.data_end = in->len,
			     .ingress_ifindex = f->ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
		    .data_size_in = in->len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .repeat = 1,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	res->ret = bpf_prog_test_run_opts(f->prog_fd, &opts);
	res->action = opts.retval;
	res->out_len = opts.data_size_out;
	return res->ret;
}

int xdp_fixture_set_config(struct xdp_fixture *f,
			   const struct esprit_config *cfg)
{
	__u32 zero = 0;

	return bpf_map__update_elem(f->skel->maps.esprit_config, &zero,
				    sizeof(zero), cfg, sizeof(*cfg), BPF_ANY);
}

int xdp_fixture_counter(struct xdp_fixture *f, enum esprit_reason reason,
			struct esprit_counter *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_counter vals[ncpus > 0 ? ncpus : 1];
	__u32 key = reason;

	memset(sum, 0, sizeof(*sum));
	if (ncpus <= 0 ||
	    bpf_map__lookup_elem(f->skel->maps.esprit_counters, &key,
				 sizeof(key), vals, sizeof(vals), 0))
		return -1;
	for (int i = 0; i < ncpus; i++) {
		sum->packets += vals[i].packets;
		sum->bytes += vals[i].bytes;
	}
	return 0;
}

uint64_t xdp_fixture_count(struct xdp_fixture *f, enum esprit_reason reason)
{
	struct esprit_counter sum;

	if (xdp_fixture_counter(f, reason, &sum))
		return UINT64_MAX;
	return sum.packets;
}

int xdp_fixture_map_fd(struct xdp_fixture *f, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(f->skel->obj, name);

	return map ? bpf_map__fd(map) : -1;
}

const char *xdp_action_name(uint32_t action)
{
	static const char *names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS",
				      "XDP_TX", "XDP_REDIRECT"};

	return action < 5 ? names[action] : "XDP_?";
}
