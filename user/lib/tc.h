/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprit's TC egress program (build/esprit_tc.bpf.o, the RISAV tagger) on
 * an interface's clsact egress hook, through libbpf's TC API. It sits at
 * a fixed handle and priority, so it is found again and replaced in
 * place; filters of others on the hook are left alone.
 */
#ifndef ESPRIT_TC_EGRESS_H
#define ESPRIT_TC_EGRESS_H

#include <stdbool.h>
#include <linux/types.h>

#define ESPRIT_TC_PROG_NAME "esprit_tc"
#define ESPRIT_TC_HANDLE    0xe5
#define ESPRIT_TC_PRIORITY  0xe5

/*
 * The program at esprit's handle and priority on ifindex's egress:
 * *prog_id its id (0 if none), *ours whether it is esprit_tc. 0 or -1
 * after a message.
 */
int tc_egress_query(int ifindex, __u32 *prog_id, int *ours);

/*
 * Loads esprit_tc with its maps pinned in (or reused from) pin_dir, new
 * ones sized by sizes (NULL: the defaults; lib/map_sizes.h), and
 * attaches it to ifindex's clsact egress, creating the clsact qdisc if
 * there is none and replacing an older esprit_tc. The interface is
 * prepared for tagging (headers/esprit_risav.h, struct esprit_tag_dev):
 * transmit checksum offload off, GSO limited to one segment, what it had
 * noted in esprit_tag_devs; *offloads_changed says whether a setting
 * changed now. 0 or -1 after a message; *prog_id the attached program's
 * id.
 */
struct map_sizes;
int tc_egress_attach(int ifindex, const char *pin_dir,
		     const struct map_sizes *sizes, __u32 *prog_id,
		     bool *offloads_changed);

/* Removes esprit_tc from ifindex's egress (0 if it was not there) and
 * puts back the offloads noted in pin_dir's esprit_tag_devs. The clsact
 * qdisc stays (others may use it). 0 or -1 after a message. */
int tc_egress_detach(int ifindex, const char *pin_dir);

#endif
