// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lib/addr.h"
#include "lib/counters.h"
#include "daemon/log.h"
#include "daemon/dataplane.h"
#include "echo/reader.h"
#include "lib/attach.h"
#include "lib/maps.h"
#include "lib/pins.h"
#include "echo/responder.h"
#include "lib/tc.h"

void dataplane_init(struct dataplane *dp)
{
	memset(dp, 0, sizeof(*dp));
}

/*
 * Puts esprit_tc on the interface's egress, or adopts the one there, under
 * the pin directory's lock as the XDP program (its maps are the pinned
 * ones the XDP program created).
 */
static void tagger_up(struct dataplane *dp, struct dp_interface *ifc)
{
	struct pins pins;
	bool changed = false;
	__u32 id = 0;
	int ours = 0;

	if (tc_egress_query(ifc->ifindex, &id, &ours))
		return;
	if (id && ours) {
		if (id != ifc->tc_prog_id)
			log_notice("%s: adopted esprit's egress tagger already "
				   "attached (program id %u)",
				   ifc->name, id);
		ifc->tc_prog_id = id;
		return;
	}
	ifc->tc_prog_id = 0;
	if (pins_prepare(dp->pin_dir[0] ? dp->pin_dir : NULL, &pins) ||
	    pins_lock(&pins)) {
		if (!ifc->tc_failed)
			log_err("%s: cannot prepare the pin directory for the "
				"egress tagger",
				ifc->name);
		ifc->tc_failed = true;
		return;
	}
	if (tc_egress_attach(ifc->ifindex, pins.dir, &dp->sizes, &id,
			     &changed)) {
		pins_unlock(&pins);
		if (!ifc->tc_failed)
			log_err("%s: cannot attach the egress tagger (tried "
				"again every 10 s)",
				ifc->name);
		ifc->tc_failed = true;
		return;
	}
	pins_unlock(&pins);
	ifc->tc_failed = false;
	ifc->tc_prog_id = id;
	ifc->tc_attached_here = true;
	log_notice("%s: attached esprit's egress tagger on clsact egress "
		   "(program id %u)%s",
		   ifc->name, id,
		   changed ? "; transmit checksum offload off, GSO one "
			     "segment per packet while it tags"
			   : "");
}

static void tagger_down(const struct dataplane *dp, struct dp_interface *ifc)
{
	__u32 id = 0;
	int ours = 0;

	ifc->tc_prog_id = 0;
	if (!ifc->ifindex || tc_egress_query(ifc->ifindex, &id, &ours) || !id ||
	    !ours)
		return;
	if (tc_egress_detach(ifc->ifindex, dp->pin_dir[0] ? dp->pin_dir : NULL))
		log_err("%s: cannot detach esprit's egress tagger", ifc->name);
	else
		log_notice("%s: detached esprit's egress tagger", ifc->name);
}

/* Attaches to one interface, or adopts esprit's program already there. */
static void bring_up(struct dataplane *dp, struct dp_interface *ifc)
{
	struct xdp_attachment att;
	struct pins pins;
	char before[sizeof(ifc->state)];

	/* Retried every 10 s: a problem is logged when it first shows. */
	snprintf(before, sizeof(before), "%s", ifc->state);
#define REPORT()                                                  \
	do {                                                      \
		if (strcmp(before, ifc->state))                   \
			log_err("%s: %s", ifc->name, ifc->state); \
	} while (0)
	ifc->ifindex = (int)if_nametoindex(ifc->name);
	ifc->prog_id = 0;
	if (!ifc->ifindex) {
		snprintf(ifc->state, sizeof(ifc->state),
			 "no such interface (tried again every 10 s)");
		REPORT();
		return;
	}
	if (xdp_attachment_query(ifc->ifindex, &att)) {
		snprintf(ifc->state, sizeof(ifc->state),
			 "cannot query its XDP programs");
		REPORT();
		return;
	}
	if (att.prog_id) {
		ifc->prog_id = att.prog_id;
		ifc->attached_mode = att.mode;
		ifc->dispatcher = att.dispatcher;
		snprintf(ifc->state, sizeof(ifc->state), "adopted");
		ifc->pins_ours =
			!pins_prepare(dp->pin_dir[0] ? dp->pin_dir : NULL,
				      &pins) &&
			pins_hold_prog_maps(&pins, att.prog_id);
		if (ifc->pins_ours)
			pins_list(&pins, &dp->pinned);
		log_notice("%s: adopted esprit's XDP program already attached "
			   "(program id %u, %s mode)%s",
			   ifc->name, att.prog_id, xdp_mode_name(att.mode),
			   att.mode != ifc->mode ? "; not reloaded in the "
						   "configured mode "
						   "(detach it to change the "
						   "mode)"
						 : "");
		if (ifc->tagger)
			tagger_up(dp, ifc);
		return;
	}
	if (att.foreign_id) {
		snprintf(ifc->state, sizeof(ifc->state),
			 "runs another XDP program '%s' (id %u): left alone",
			 att.foreign_name, att.foreign_id);
		REPORT();
		return;
	}
	if (pins_prepare(dp->pin_dir[0] ? dp->pin_dir : NULL, &pins) ||
	    pins_lock(&pins)) {
		snprintf(ifc->state, sizeof(ifc->state),
			 "cannot prepare the pin directory");
		REPORT();
		return;
	}
	if (xdp_attach_esprit(ifc->ifindex, ifc->mode, pins.dir, false,
			      &dp->sizes, &att) ||
	    !att.prog_id) {
		pins_unlock(&pins);
		snprintf(ifc->state, sizeof(ifc->state),
			 "cannot attach in %s mode", xdp_mode_name(ifc->mode));
		REPORT();
		return;
	}
	pins_unlock(&pins);
	ifc->prog_id = att.prog_id;
	ifc->attached_mode = att.mode;
	ifc->dispatcher = att.dispatcher;
	ifc->xdp_attached_here = true;
	snprintf(ifc->state, sizeof(ifc->state), "attached");
	ifc->pins_ours = true;
	pins_list(&pins, &dp->pinned);
	log_notice("%s: attached esprit's XDP program (program id %u, %s mode, "
		   "%s), maps pinned in %s",
		   ifc->name, att.prog_id, xdp_mode_name(att.mode),
		   att.dispatcher ? "behind libxdp's dispatcher"
				  : "as a single program",
		   pins.dir);
	if (ifc->tagger)
		tagger_up(dp, ifc);
#undef REPORT
}

static void take_down(const struct dataplane *dp, struct dp_interface *ifc)
{
	struct xdp_attachment att;

	ifc->ifindex = (int)if_nametoindex(ifc->name);
	if (ifc->tagger)
		tagger_down(dp, ifc);
	if (!ifc->ifindex || xdp_attachment_query(ifc->ifindex, &att) ||
	    !att.prog_id)
		return;
	if (xdp_detach(ifc->ifindex, false))
		log_err("%s: cannot detach esprit's XDP program", ifc->name);
	else
		log_notice("%s: detached esprit's XDP program", ifc->name);
}

/* Map sets of our interfaces' programs, each once. */
static size_t open_map_sets(const struct dataplane *dp, struct echo_maps *sets,
			    size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < dp->nifs && n < cap; i++) {
		struct echo_maps m;
		char err[160];
		bool seen = false;

		if (!dp->ifs[i].prog_id)
			continue;
		if (echo_maps_open_prog_id(dp->ifs[i].prog_id, &m, err,
					   sizeof(err))) {
			log_err("%s: %s", dp->ifs[i].name, err);
			continue;
		}
		for (size_t j = 0; j < n; j++)
			seen |= sets[j].config_id == m.config_id;
		if (seen)
			echo_maps_close(&m);
		else
			sets[n++] = m;
	}
	return n;
}

static void write_maps(struct dataplane *dp)
{
	struct echo_maps sets[16];
	size_t n = open_map_sets(dp, sets, 16);
	__u32 zero = 0;

	for (size_t i = 0; i < n; i++) {
		struct esprit_config now;
		int e;

		if (bpf_map_lookup_elem(sets[i].config_fd, &zero, &now) ||
		    memcmp(&now, &dp->responder, sizeof(now))) {
			if (bpf_map_update_elem(sets[i].config_fd, &zero,
						&dp->responder, BPF_ANY))
				log_err("cannot write the responder settings "
					"(program id %u): %s",
					sets[i].prog_id, strerror(errno));
		}
		if (sets[i].allow_fd >= 0 &&
		    (e = map_sync(sets[i].allow_fd, dp->allow, NULL, dp->nallow,
				  sizeof(*dp->allow), 4)))
			log_err("cannot write the allowlist (program id %u): "
				"%s%s",
				sets[i].prog_id, strerror(-e),
				e == -E2BIG ? " (allowlist full)" : "");
		if (sets[i].priority_fd >= 0 &&
		    (e = map_sync(sets[i].priority_fd, dp->priority, NULL,
				  dp->npriority, sizeof(*dp->priority), 4)))
			log_err("cannot write the priority sources (program "
				"id %u): %s",
				sets[i].prog_id, strerror(-e));
		if (dp->sync_local && sets[i].local_fd >= 0 &&
		    (e = local_addresses_sync(sets[i].local_fd)))
			log_err("cannot sync local addresses (program id %u): "
				"%s",
				sets[i].prog_id, strerror(-e));
		echo_maps_close(&sets[i]);
	}
}

void dataplane_apply(struct dataplane *dp, const struct daemon_config *cfg)
{
	struct dp_interface *ifs = calloc(
		cfg->interface_count ? cfg->interface_count : 1, sizeof(*ifs));
	struct esprit_prefix_key *allow =
		calloc(cfg->allow.count ? cfg->allow.count : 1, sizeof(*allow));
	struct esprit_addr *priority = calloc(
		cfg->peer_count ? cfg->peer_count : 1, sizeof(*priority));

	if (!ifs || !allow || !priority) {
		free(ifs);
		free(allow);
		free(priority);
		log_err("out of memory applying the interfaces");
		return;
	}
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", cfg->pin_dir);
	config_map_sizes(cfg, &dp->sizes);
	/* Interfaces no longer listed: esprit leaves them. */
	for (size_t i = 0; i < dp->nifs; i++) {
		bool listed = false;

		for (size_t j = 0; j < cfg->interface_count; j++)
			listed |= !strcmp(dp->ifs[i].name,
					  cfg->interfaces[j].name);
		if (!listed)
			take_down(dp, &dp->ifs[i]);
	}
	for (size_t j = 0; j < cfg->interface_count; j++) {
		struct dp_interface *ifc = &ifs[j], *old = NULL;

		for (size_t i = 0; i < dp->nifs; i++)
			if (!strcmp(dp->ifs[i].name, cfg->interfaces[j].name))
				old = &dp->ifs[i];
		if (old)
			*ifc = *old;
		snprintf(ifc->name, sizeof(ifc->name), "%s",
			 cfg->interfaces[j].name);
		ifc->mode = cfg->interfaces[j].mode;
		ifc->tagger = cfg->interfaces[j].egress_tagger ==
				      CONFIG_TAGGER_ON ||
			      (cfg->interfaces[j].egress_tagger ==
				       CONFIG_TAGGER_DEFAULT &&
			       cfg->risav.present);
		/* kept by the daemon until now, not wanted any more */
		if (old && old->tagger && !ifc->tagger) {
			ifc->ifindex = (int)if_nametoindex(ifc->name);
			tagger_down(dp, ifc);
		}
		/* A mode changed by a reload is the operator's wish: the
		 * program is reloaded in it (briefly not answering). */
		if (old && old->prog_id && old->mode != ifc->mode &&
		    old->attached_mode != ifc->mode) {
			log_notice("%s: mode changed to %s: re-attaching",
				   ifc->name, xdp_mode_name(ifc->mode));
			take_down(dp, ifc);
			ifc->prog_id = 0;
		}
		if (!old || !ifc->prog_id)
			bring_up(dp, ifc);
		else if (ifc->tagger)
			tagger_up(dp, ifc);
	}
	free(dp->ifs);
	dp->ifs = ifs;
	dp->nifs = cfg->interface_count;
	dp->responder = cfg->responder;
	if (cfg->allow.count)
		memcpy(allow, cfg->allow.items,
		       cfg->allow.count * sizeof(*allow));
	free(dp->allow);
	dp->allow = allow;
	dp->nallow = cfg->allow.count;
	/* Our peers are answered even while strangers empty the bucket. */
	for (size_t i = 0; i < cfg->peer_count; i++)
		priority[i] = cfg->peers[i].address;
	free(dp->priority);
	dp->priority = priority;
	dp->npriority = cfg->peer_count;
	dp->sync_local = cfg->responder.echo_flags & ESPRIT_ECHO_LOCAL_LIST;
	write_maps(dp);
}

/* The pinned maps of the programs still attached, put back if someone
 * removed them (the CLI and the tools find the maps by their pins). */
static void restore_pins(struct dataplane *dp, const struct dp_interface *ifc)
{
	struct pins pins;
	int n = 0, m = 0;

	if (!ifc->pins_ours ||
	    pins_prepare(dp->pin_dir[0] ? dp->pin_dir : NULL, &pins) ||
	    pins_lock(&pins))
		return;
	{
		/* the pins seen so far: any that appear are remembered */
		struct pin_names now;

		pins_list(&pins, &now);
		for (size_t i = 0; i < now.n; i++) {
			bool known = false;

			for (size_t k = 0; k < dp->pinned.n && !known; k++)
				known = !strcmp(dp->pinned.name[k],
						now.name[i]);
			if (!known && dp->pinned.n < PIN_NAMES_MAX)
				memcpy(dp->pinned.name[dp->pinned.n++],
				       now.name[i], sizeof(now.name[i]));
		}
	}
	n = pins_restore(&pins, ifc->prog_id, &dp->pinned);
	if (ifc->tc_prog_id)
		m = pins_restore(&pins, ifc->tc_prog_id, &dp->pinned);
	pins_unlock(&pins);
	if (n > 0 || m > 0)
		log_warn("%s: %d pinned maps were gone from %s; pinned again",
			 ifc->name, (n > 0 ? n : 0) + (m > 0 ? m : 0),
			 pins.dir);
}

void dataplane_maintain(struct dataplane *dp)
{
	bool changed = false;

	for (size_t i = 0; i < dp->nifs; i++) {
		struct dp_interface *ifc = &dp->ifs[i];
		struct xdp_attachment att;
		int ifindex = (int)if_nametoindex(ifc->name);

		/* Still there, and still ours? */
		if (ifc->prog_id && ifindex == ifc->ifindex &&
		    !xdp_attachment_query(ifindex, &att) &&
		    att.prog_id == ifc->prog_id) {
			if (ifc->tagger)
				tagger_up(dp, ifc); /* still there? */
			restore_pins(dp, ifc);
			continue;
		}
		if (ifc->prog_id)
			log_warn("%s: esprit's XDP program (id %u) is gone",
				 ifc->name, ifc->prog_id);
		bring_up(dp, ifc);
		changed |= ifc->prog_id != 0;
	}
	if (changed || dp->sync_local)
		write_maps(dp);
}

int dataplane_counters(const struct dataplane *dp,
		       struct esprit_counter out[ESPRIT_R_COUNT])
{
	struct echo_maps sets[16];
	size_t n = open_map_sets(dp, sets, 16);
	int read = 0;

	memset(out, 0, ESPRIT_R_COUNT * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		struct esprit_counter c[ESPRIT_R_COUNT];

		if (sets[i].counters_fd >= 0 &&
		    !counters_read(sets[i].counters_fd, c)) {
			for (int r = 0; r < ESPRIT_R_COUNT; r++) {
				out[r].packets += c[r].packets;
				out[r].bytes += c[r].bytes;
			}
			read++;
		}
		echo_maps_close(&sets[i]);
	}
	return read ? 0 : -1;
}

void dataplane_take_back(struct dataplane *dp)
{
	for (size_t i = 0; i < dp->nifs; i++) {
		struct dp_interface *ifc = &dp->ifs[i];

		if (ifc->tc_attached_here)
			tagger_down(dp, ifc);
		if (ifc->xdp_attached_here && ifc->ifindex &&
		    !xdp_detach(ifc->ifindex, false))
			log_notice("%s: detached esprit's XDP program",
				   ifc->name);
		ifc->tc_attached_here = ifc->xdp_attached_here = false;
	}
}

void dataplane_shutdown(struct dataplane *dp, bool detach)
{
	for (size_t i = 0; detach && i < dp->nifs; i++)
		take_down(dp, &dp->ifs[i]);
	free(dp->ifs);
	free(dp->allow);
	free(dp->priority);
	dataplane_init(dp);
}
