/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV control-plane state: the local ASN and its contact addresses, the
 * settings in esprit_risav, and the peers with theirs. The CLI and the
 * daemon work the same way: read (or build) a whole desired state, check
 * it, then apply it; applying writes only what differs, in an order that
 * never exposes a peer without its green channel, and puts back what was
 * there if a write fails.
 *
 *	struct risav_maps maps;
 *	struct risav_state st;
 *	risav_maps_open(&pins, &maps);          // or fill the fds yourself
 *	risav_state_read(&maps, &st, err, len); // or risav_state_init() and
 *	...edit st (risav_peer_put, risav_set, risav_contact_add)...
 *	risav_state_apply(&maps, &st, err, len); // checks, then writes
 *
 * Errors are one line in err, prefixed with the "where" of the item at
 * fault (e.g. "esprit.yaml:12") when the caller gave one.
 */
#ifndef ESPRIT_USER_RISAV_H
#define ESPRIT_USER_RISAV_H

#include <stdbool.h>
#include <stddef.h>

#include "esprit_risav.h"
#include "lib/map_journal.h"
#include "lib/pins.h"

#define RISAV_WHERE_LEN 96

/* File descriptors of the maps (-1 = not open) and their capacities. */
struct risav_maps {
	int config; /* esprit_risav */
	int prefixes; /* esprit_prefixes */
	int pfx4; /* esprit_pfx4, -1 if the loaded program has none */
	int peers; /* esprit_peers */
	int contacts; /* esprit_contacts */
	__u32 peers_max, contacts_max;
};

struct risav_peer {
	__u32 asn;
	struct esprit_peer v; /* mode and contacts, as stored */
	char where[RISAV_WHERE_LEN]; /* "" or where it was configured */
};

struct risav_state {
	struct esprit_risav_config config; /* local_asn, flags, audit rate */
	__u32 local_contact_count;
	struct esprit_addr local_contact[ESPRIT_PEER_CONTACTS];
	char local_where[RISAV_WHERE_LEN];
	struct risav_peer *peers; /* sorted by ASN */
	size_t npeers, cap;
};

/* Opens the four maps under pins (-1 after a message). */
int risav_maps_open(const struct pins *pins, struct risav_maps *m);
/* Reads the capacities of maps whose fds the caller filled in. */
int risav_maps_probe(struct risav_maps *m, char *err, size_t errlen);
void risav_maps_close(struct risav_maps *m);

void risav_state_init(struct risav_state *s);
void risav_state_free(struct risav_state *s);
int risav_state_copy(struct risav_state *dst, const struct risav_state *src);

/* A contact address and the AS it belongs to. */
struct risav_contact {
	struct esprit_addr addr;
	__u32 asn;
};

/* Every contact of s (local and peers'), sorted by address: what the
 * green channel's index esprit_contacts must hold. NULL when out of
 * memory; free() it. */
struct risav_contact *risav_state_contacts(const struct risav_state *s,
					   size_t *n);

/* What the maps hold now. Contacts come from the peers and the config;
 * esprit_contacts is only their index. */
int risav_state_read(const struct risav_maps *m, struct risav_state *s,
		     char *err, size_t errlen);

/*
 * Everything a state must satisfy on its own: ASNs in range, modes known,
 * at most two contacts per peer and one per address family, contacts
 * unicast and each owned by one AS, no peer with the local ASN, local
 * contacts only with a local ASN. m (may be NULL) adds the map capacities.
 */
int risav_state_check(const struct risav_state *s, const struct risav_maps *m,
		      char *err, size_t errlen);

/*
 * Checks s, then makes the maps hold exactly s, every write through j (the
 * caller undoes it on failure, with the rest of its change).
 */
int risav_state_write(const struct risav_maps *m, const struct risav_state *s,
		      struct map_journal *j, char *err, size_t errlen);

/* risav_state_write() on a journal of its own: on failure the maps are
 * as they were. */
int risav_state_apply(const struct risav_maps *m, const struct risav_state *s,
		      char *err, size_t errlen);

/* Adds a peer or replaces the one with the same ASN. */
int risav_peer_put(struct risav_state *s, const struct risav_peer *p);
/* 0, or -1 if there is no such peer. */
int risav_peer_remove(struct risav_state *s, __u32 asn);
const struct risav_peer *risav_peer_find(const struct risav_state *s,
					 __u32 asn);

/* "enforce", "testing" or "off". */
int peer_mode_parse(const char *s, __u32 *mode, char *err, size_t errlen);
const char *peer_mode_name(__u32 mode);

/* The egress no-SA policy (struct esprit_peer.no_sa): "untagged" or
 * "drop". */
int peer_no_sa_parse(const char *s, __u32 *policy, char *err, size_t errlen);
const char *peer_no_sa_name(__u32 policy);

/*
 * Parses addr and appends it to a contact list of at most
 * ESPRIT_PEER_CONTACTS (one per family). Addresses that cannot be a
 * contact (unspecified, loopback, multicast, link-local, broadcast) are
 * refused.
 */
int risav_contact_add(__u32 *count, struct esprit_addr *list, const char *addr,
		      char *err, size_t errlen);

#define RISAV_AUDIT_RATE_MAX 1000000

/* A contact list: fit addresses, at most one per family. 0 or -1. */
int risav_contacts_check(__u32 count, const struct esprit_addr *list, char *err,
			 size_t errlen);

/* One esprit_risav setting: "fragments drop|pass", "audit-rate N". */
int risav_set(struct esprit_risav_config *cfg, const char *key,
	      const char *value, char *err, size_t errlen);

/* The audit rate in force (the default when the field is 0). */
__u32 risav_audit_rate(const struct esprit_risav_config *cfg);
/* ICMP errors for too-big packets per second and source, default filled. */
__u32 risav_too_big_rate(const struct esprit_risav_config *cfg);

#endif
