/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the XDP program: attached to every interface the
 * configuration lists, and its maps (settings, allowlist, local addresses,
 * the peers as priority sources) kept as the file says. A program of esprit's already attached is adopted
 * as it is, never reloaded, so the responder keeps answering across daemon
 * restarts; another program on a listed interface is left alone and
 * reported. Interfaces missing or refused are tried again later.
 *
 * With the egress tagger wanted (interfaces[].egress_tagger, by default
 * when the file has a risav: section), esprit_tc goes on the interface's
 * clsact egress right after the XDP program, its maps those pinned in the
 * pin directory; one already there is adopted. Not wanted, a tagger there
 * is left alone, unless the daemon kept it before this reload.
 */
#ifndef ESPRIT_DATAPLANE_H
#define ESPRIT_DATAPLANE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <xdp/libxdp.h>

#include "daemon/config.h"
#include "esprit_counters.h"
#include "lib/map_sizes.h"
#include "lib/pins.h"

struct dp_interface {
	char name[IF_NAMESIZE];
	enum xdp_attach_mode mode; /* configured */
	int ifindex; /* 0 while it does not exist */
	__u32 prog_id; /* esprit's program there, 0 if none */
	enum xdp_attach_mode attached_mode;
	bool dispatcher;
	char state[160]; /* "attached", "adopted", or what is wrong */
	bool tagger; /* the egress tagger is ours to keep attached */
	__u32 tc_prog_id; /* esprit_tc on its egress, 0 if none */
	bool tc_failed; /* attaching it failed: said once, tried again */
	bool xdp_attached_here; /* by this daemon, not adopted */
	bool pins_ours; /* its maps are pinned in the pin directory */
	bool tc_attached_here;
};

struct dataplane {
	char pin_dir[PATH_MAX];
	struct pin_names pinned; /* the pins as they were when we attached */
	struct dp_interface *ifs;
	size_t nifs;
	struct esprit_config responder;
	struct esprit_prefix_key *allow;
	size_t nallow;
	struct esprit_addr *priority; /* the peers' addresses */
	size_t npriority;
	bool sync_local; /* local_only: keep esprit_local = our addresses */
	struct map_sizes sizes; /* of maps it creates: from the file */
};

void dataplane_init(struct dataplane *dp);

/*
 * Makes the interfaces and maps those of cfg: attaches to interfaces new
 * in it (or adopts what runs there), detaches from those it no longer
 * lists, re-attaches where the mode changed, and writes the responder
 * settings, allowlist and local addresses to every program's maps. A
 * failing interface is logged and reported, the others go on.
 */
void dataplane_apply(struct dataplane *dp, const struct daemon_config *cfg);

/* Retries interfaces that are missing or failed, and resyncs local
 * addresses (they change). */
void dataplane_maintain(struct dataplane *dp);

/* Packets and bytes by reason, summed over the distinct map sets of the
 * programs on our interfaces. 0, or -1 if none could be read. */
int dataplane_counters(const struct dataplane *dp,
		       struct esprit_counter out[ESPRIT_R_COUNT]);

/* Detaches what this daemon attached (not what it adopted): a start
 * that fails leaves the interfaces as it found them. */
void dataplane_take_back(struct dataplane *dp);

/* Detaches (detach_on_exit) or leaves the programs (the XDP program and
 * the taggers the daemon keeps); frees. */
void dataplane_shutdown(struct dataplane *dp, bool detach);

#endif
