/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs esprit's XDP program under BPF_PROG_TEST_RUN, one packet at a time
 * (repeat = 1: the program rewrites its input), with unpinned maps private
 * to the test, in a network namespace of the test's own.
 */
#ifndef ESPRIT_TEST_XDP_FIXTURE_H
#define ESPRIT_TEST_XDP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "esprit_config.h"
#include "esprit_counters.h"
#include "pkt.h"

struct esprit_xdp;

struct xdp_fixture {
	struct esprit_xdp *skel;
	int prog_fd;
	uint32_t ifindex; /* ingress_ifindex given to the program */
};

struct xdp_result {
	int ret; /* bpf_prog_test_run_opts() result */
	uint32_t action;
	uint8_t out[PKT_MAX];
	size_t out_len;
};

/* Moves the test process into a fresh network namespace (once). */
int fixture_private_netns(void);

/*
 * The ingress device every fixture starts with: a veth in that namespace
 * with the responder's MAC (pkt_mac_b) and the addresses requests are
 * sent to (echo_flow_v4 / _v6 .local), as the program reads them from
 * the kernel. Made once; returns its ifindex, or 0.
 */
#define FIXTURE_DEV    "fx0"
#define FIXTURE_LOCAL4 "192.0.2.1"
#define FIXTURE_LOCAL6 "2001:db8::1"
unsigned int fixture_device(void);

/*
 * Adds a veth pair NAME / NAME + "p" in that namespace, both up, NAME with
 * the given MTU, so a test can hand the program an ingress device of its
 * own. Returns NAME's ifindex, or 0.
 */
unsigned int fixture_veth(const char *name, unsigned int mtu);

/* The same with the fixture device's MAC and addresses on NAME (IPv6 only
 * from an MTU of 1280: below it the kernel gives a device none). */
unsigned int fixture_responder_veth(const char *name, unsigned int mtu);

/* Loads a fresh copy of the program and its maps (nothing pinned). */
int xdp_fixture_open(struct xdp_fixture *f);
void xdp_fixture_close(struct xdp_fixture *f);

int xdp_fixture_run(struct xdp_fixture *f, const struct pkt *in,
		    struct xdp_result *res);

int xdp_fixture_set_config(struct xdp_fixture *f,
			   const struct esprit_config *cfg);
uint64_t xdp_fixture_count(struct xdp_fixture *f, enum esprit_reason reason);
/* Packets and bytes of one reason, summed over CPUs; 0 or -1. */
int xdp_fixture_counter(struct xdp_fixture *f, enum esprit_reason reason,
			struct esprit_counter *sum);
int xdp_fixture_map_fd(struct xdp_fixture *f, const char *name);

const char *xdp_action_name(uint32_t action);

#endif
