// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "anchor.h"

/* Names unique per process, short enough for IFNAMSIZ. */
static void end_name(char *buf, int pair, int end)
{
	snprintf(buf, 16, "bx%u%c%u", (unsigned int)getpid() % 100000U,
		 'a' + end, (unsigned int)pair % 10U);
}

static int add_pair(struct anchor *a)
{
	char cmd[128], left[16], right[16];
	int pair = a->ends / 2;

	end_name(left, pair, 0);
	end_name(right, pair, 1);
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s 2>/dev/null", left,
		 right);
	if (system(cmd))
		return -EIO;
	snprintf(a->name[a->ends], 16, "%s", left);
	snprintf(a->name[a->ends + 1], 16, "%s", right);
	a->ifindex[a->ends] = if_nametoindex(left);
	a->ifindex[a->ends + 1] = if_nametoindex(right);
	a->ends += 2;
	return a->ifindex[a->ends - 2] && a->ifindex[a->ends - 1] ? 0 : -ENODEV;
}

int anchor_add(struct anchor *a, int prog_fd)
{
	int err;

	if (a->n == ANCHOR_PROGS_MAX)
		return -ENOSPC;
	if (a->n == a->ends) {
		err = add_pair(a);
		if (err)
			return err;
	}
	err = bpf_xdp_attach(a->ifindex[a->n], prog_fd, XDP_FLAGS_DRV_MODE,
			     NULL);
	if (err)
		return err;
	a->n++;
	return 0;
}

void anchor_release(struct anchor *a)
{
	char cmd[64];

	for (int i = 0; i < a->n; i++)
		bpf_xdp_detach(a->ifindex[i], XDP_FLAGS_DRV_MODE, NULL);
	for (int i = 0; i < a->ends; i += 2) {
		snprintf(cmd, sizeof(cmd), "ip link del %s 2>/dev/null",
			 a->name[i]);
		if (system(cmd))
			fprintf(stderr, "bench: could not delete %s\n",
				a->name[i]);
	}
	a->n = 0;
	a->ends = 0;
}
