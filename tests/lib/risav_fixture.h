/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RISAV state for XDP fixtures: the esprit_xdp copy of xdp_fixture.h with
 * its RISAV maps filled directly (local ASN, peers, contacts), prefixes
 * set through user/risav/prefix_table.c and SAs through user/risav/sa_in.c, and the
 * audit events read back from esprit_events.
 */
#ifndef ESPRIT_TEST_RISAV_FIXTURE_H
#define ESPRIT_TEST_RISAV_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "esprit_audit.h"
#include "esprit_sa.h"
#include "xdp_fixture.h"

#define RISAV_FIXTURE_EVENTS 16384

struct ring_buffer;

struct risav_fixture {
	struct xdp_fixture x;
	struct ring_buffer *ring;
	struct esprit_audit_event *events; /* read so far */
	size_t nevents;
};

int risav_fixture_open(struct risav_fixture *f);
void risav_fixture_close(struct risav_fixture *f);

/* esprit_risav: local ASN (0 = RISAV off), flags, audit events/s. */
int risav_fixture_config(struct risav_fixture *f, uint32_t local_asn,
			 uint32_t flags, uint32_t audit_rate);
/* "192.0.2.0/24" or "2001:db8::/32" originated by asn. */
int risav_fixture_prefix(struct risav_fixture *f, const char *prefix,
			 uint32_t asn);
/* A peer with a mode (enum esprit_peer_mode) and no contacts. */
int risav_fixture_peer(struct risav_fixture *f, uint32_t asn, uint32_t mode);
/* A contact address (green channel) of asn. */
int risav_fixture_contact(struct risav_fixture *f, const char *addr,
			  uint32_t asn);
/* An inbound SA, added by sa_in_add(); key is 32 raw bytes. */
int risav_fixture_sa(struct risav_fixture *f, uint32_t spi, uint32_t asn,
		     const uint8_t key[32], uint32_t replay);
/* The SA rewritten in place, as a reload does (sa_in_replace()). */
int risav_fixture_sa_replace(struct risav_fixture *f, uint32_t spi,
			     uint32_t asn, const uint8_t key[32],
			     uint32_t replay);
int risav_fixture_sa_del(struct risav_fixture *f, uint32_t spi, uint32_t asn);
/* The SA's counters summed over CPUs; 0 or -1. */
int risav_fixture_sa_stats(struct risav_fixture *f, uint32_t spi, uint32_t asn,
			   struct esprit_sa_stats *out);

/* Reads the audit events waiting in the ring; returns how many came. */
size_t risav_fixture_read_events(struct risav_fixture *f);
void risav_fixture_forget_events(struct risav_fixture *f);

#endif
