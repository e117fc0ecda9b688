/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of esprit's maps, for user space: the pins it opens, and the
 * maps it creates itself. The BPF programs declare their maps under the
 * same names (bpf/lib/counters.h, bpf/echo/maps.h, bpf/risav/maps.h);
 * tests/unit/test_map_names.c checks both lists agree, object by object.
 * The kernel keeps 15 characters of a map's name, so none is longer.
 */
#ifndef ESPRIT_MAPS_H
#define ESPRIT_MAPS_H

/* Pinned by name: the CLI, the daemon and bpftool find them. */
#define ESPRIT_MAP_CONFIG   "esprit_config" /* responder settings */
#define ESPRIT_MAP_COUNTERS "esprit_counters" /* packets, bytes by reason */
#define ESPRIT_MAP_LOCAL    "esprit_local" /* addresses answered for */
#define ESPRIT_MAP_ALLOW    "esprit_allow" /* requester allowlist */
#define ESPRIT_MAP_PRIORITY \
	"esprit_priority" /* sources past the global bucket */
#define ESPRIT_MAP_RATE_ALL  "esprit_rate_all" /* global reply bucket */
#define ESPRIT_MAP_PFX_RATE  "esprit_pfx_rate" /* per-prefix reply buckets */
#define ESPRIT_MAP_ECHO_IDS  "esprit_echo_ids" /* captured Identifiers */
#define ESPRIT_MAP_RINGS     "esprit_rings" /* readers' ring buffers */
#define ESPRIT_MAP_RB_DROPS  "esprit_rb_drops" /* events lost per ring */
#define ESPRIT_MAP_RISAV     "esprit_risav" /* RISAV settings, local AS */
#define ESPRIT_MAP_PREFIXES  "esprit_prefixes" /* prefix → origin trie */
#define ESPRIT_MAP_PFX4	     "esprit_pfx4" /* its IPv4 index */
#define ESPRIT_MAP_PEERS     "esprit_peers" /* peer ASes */
#define ESPRIT_MAP_CONTACTS  "esprit_contacts" /* contact address → AS */
#define ESPRIT_MAP_EVENTS    "esprit_events" /* audit events */
#define ESPRIT_MAP_AUDIT_RL  "esprit_audit_rl" /* audit event bucket */
#define ESPRIT_MAP_SA_IN     "esprit_sa_in" /* inbound SAs */
#define ESPRIT_MAP_SA_IN_RW  "esprit_sa_in_rw" /* their replay windows */
#define ESPRIT_MAP_SA_IN_ST  "esprit_sa_in_st" /* their counters */
#define ESPRIT_MAP_SA_OUT    "esprit_sa_out" /* outbound SAs */
#define ESPRIT_MAP_SA_SEL    "esprit_sa_sel" /* peer → outbound SA by DSCP */
#define ESPRIT_MAP_SA_OUT_ST "esprit_sa_outst" /* their counters */
#define ESPRIT_MAP_TAG_DEVS  "esprit_tag_devs" /* interfaces ready to tag */
#define ESPRIT_MAP_TB_RATE   "esprit_tb_rate" /* too-big ICMP buckets */

#define ESPRIT_PINNED_MAPS(X)   \
	X(ESPRIT_MAP_CONFIG)    \
	X(ESPRIT_MAP_COUNTERS)  \
	X(ESPRIT_MAP_LOCAL)     \
	X(ESPRIT_MAP_ALLOW)     \
	X(ESPRIT_MAP_PRIORITY)  \
	X(ESPRIT_MAP_RATE_ALL)  \
	X(ESPRIT_MAP_PFX_RATE)  \
	X(ESPRIT_MAP_ECHO_IDS)  \
	X(ESPRIT_MAP_RINGS)     \
	X(ESPRIT_MAP_RB_DROPS)  \
	X(ESPRIT_MAP_RISAV)     \
	X(ESPRIT_MAP_PREFIXES)  \
	X(ESPRIT_MAP_PFX4)      \
	X(ESPRIT_MAP_PEERS)     \
	X(ESPRIT_MAP_CONTACTS)  \
	X(ESPRIT_MAP_EVENTS)    \
	X(ESPRIT_MAP_AUDIT_RL)  \
	X(ESPRIT_MAP_SA_IN)     \
	X(ESPRIT_MAP_SA_IN_RW)  \
	X(ESPRIT_MAP_SA_IN_ST)  \
	X(ESPRIT_MAP_SA_OUT)    \
	X(ESPRIT_MAP_SA_SEL)    \
	X(ESPRIT_MAP_SA_OUT_ST) \
	X(ESPRIT_MAP_TAG_DEVS)  \
	X(ESPRIT_MAP_TB_RATE)

/* Created by user space: the tables it swaps in, and a reader's ring. */
#define ESPRIT_MAP_PFX_TRIE "esprit_pfx_trie"
#define ESPRIT_MAP_PFX4_IDX "esprit_pfx4_idx"
#define ESPRIT_MAP_READER   "esprit_reader"

#define ESPRIT_CREATED_MAPS(X) \
	X(ESPRIT_MAP_PFX_TRIE) \
	X(ESPRIT_MAP_PFX4_IDX) \
	X(ESPRIT_MAP_READER)

#define ESPRIT_MAP_NAME_FITS(name)                                        \
	_Static_assert(sizeof(name) <= 16, name " is longer than the 15 " \
						"characters the kernel "  \
						"keeps");
ESPRIT_PINNED_MAPS(ESPRIT_MAP_NAME_FITS)
ESPRIT_CREATED_MAPS(ESPRIT_MAP_NAME_FITS)

#endif
