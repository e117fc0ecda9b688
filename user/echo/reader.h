/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader side of reply capture in XDP (bpf/echo/capture.h). A reader
 * owns one ring buffer, installed in a slot of esprit_rings, and any number
 * of echo Identifiers registered in esprit_echo_ids pointing at that slot;
 * XDP timestamps each Echo Reply carrying one of them and pushes a struct
 * esprit_echo_reply_event into the ring. esprit ping uses one Identifier;
 * the daemon one per peer and class.
 *
 * Ownership rules, which the stale-entry sweep relies on:
 *  - every esprit_echo_ids entry carries the pid of the process that added
 *    it; entries whose process is gone are stale (pid 0: added by hand,
 *    never swept);
 *  - a slot holds a ring only while at least one Identifier points at it:
 *    a reader claims its slot with its first Identifier and gives it back
 *    with its last, both under one lock (flock on the bpffs root), so an
 *    installed slot nobody live points at is stale too.
 * Pids are those of the caller's pid namespace: readers sharing maps across
 * pid namespaces must not sweep each other.
 */
#ifndef ESPRIT_ECHO_READER_H
#define ESPRIT_ECHO_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "esprit_config.h"
#include "esprit_echo.h"

/*
 * The maps of one loaded esprit XDP program that capture uses, and those
 * the daemon fills and reads besides (-1 if the program has none).
 */
struct echo_maps {
	__u32 prog_id;
	__u32 config_id; /* map id of esprit_config: names the map set */
	int config_fd; /* esprit_config */
	int ids_fd; /* esprit_echo_ids */
	int rings_fd; /* esprit_rings */
	int drops_fd; /* esprit_rb_drops */
	__u32 ring_slots; /* max_entries of esprit_rings */
	int counters_fd; /* esprit_counters */
	int allow_fd; /* esprit_allow */
	int local_fd; /* esprit_local */
	int priority_fd; /* esprit_priority */
};

/*
 * Finds the maps through the program itself (its map ids, matched by name),
 * so it does not matter where, or whether, they are pinned. Returns 0, or
 * -1 with the reason in err.
 */
int echo_maps_open_prog_fd(int prog_fd, struct echo_maps *m, char *err,
			   size_t errlen);
int echo_maps_open_prog_id(__u32 prog_id, struct echo_maps *m, char *err,
			   size_t errlen);
/* Marks every fd closed (-1), for a struct not opened yet. */
void echo_maps_init(struct echo_maps *m);
void echo_maps_close(struct echo_maps *m);

/*
 * The maps of esprit's program on the interface, when it can capture our
 * replies there (attached, capture on, the default reply SPI). 0 with m
 * open, or -1 with m closed and why not in why.
 */
int echo_capture_maps(int ifindex, const char *ifname, struct echo_maps *m,
		      char *why, size_t len);

/* The program's settings (to see whether capture is on). 0 or -errno. */
int echo_maps_config(const struct echo_maps *m, struct esprit_config *cfg);

/*
 * Removes esprit_echo_ids entries whose owner process is gone, then empties
 * ring slots no live entry points at. Takes the lock itself. Returns the
 * number of entries and slots removed, or -errno.
 */
int echo_maps_sweep(const struct echo_maps *m);

/* Called for every event the reader's ring delivers. */
typedef void (*echo_reply_fn)(void *ctx,
			      const struct esprit_echo_reply_event *ev);

struct echo_reader;

/*
 * A reader with a ring of ring_bytes (0: ESPRIT_RING_BYTES; a power of two,
 * at least a page). It holds its own references to the maps. No slot is
 * taken until the first Identifier is added. NULL with err on failure.
 */
struct echo_reader *echo_reader_new(const struct echo_maps *m,
				    size_t ring_bytes, echo_reply_fn fn,
				    void *ctx, char *err, size_t errlen);

/*
 * Registers ident for this reader, for replies from peer (NULL: from any
 * source). Returns 0; -EEXIST if another reader (or this one) has it;
 * -ENOSPC if no ring slot or map entry is free; or another -errno.
 */
int echo_reader_add(struct echo_reader *r, __u16 ident,
		    const struct esprit_addr *peer);

/*
 * Registers a random Identifier nobody holds and stores it in *ident.
 * Identifiers whose first byte is 2 or 3 are never chosen: in a seed-form
 * echo that byte sits where the sub-typed form (docs/protocols.md §1.4) keeps
 * its Sub-Type, and responders and XDP tell the forms apart by it.
 */
int echo_reader_add_random(struct echo_reader *r,
			   const struct esprit_addr *peer, __u16 *ident);

/* Whether a random Identifier may be v (see echo_reader_add_random). */
bool echo_ident_usable(__u16 v);

/* Unregisters ident (0, or -ENOENT if this reader does not hold it). */
int echo_reader_remove(struct echo_reader *r, __u16 ident);

/* An fd that polls readable when events wait; then call consume. */
int echo_reader_fd(const struct echo_reader *r);

/* Delivers every waiting event. Returns how many, or -errno. */
int echo_reader_consume(struct echo_reader *r);

/* The ring slot in use, or -1 while no Identifier is registered. */
int echo_reader_slot(const struct echo_reader *r);

/* Events XDP could not reserve in this reader's ring (esprit_rb_drops). */
__u64 echo_reader_drops(const struct echo_reader *r);

/* Unregisters every Identifier, gives back the slot, frees the reader. */
void echo_reader_free(struct echo_reader *r);

#endif
