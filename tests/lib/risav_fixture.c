// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/addr.h"
#include "esprit_risav.h"
#include "esprit_xdp.skel.h"
#include "risav_fixture.h"
#include "risav/prefix_maps.h"
#include "risav/sa_in.h"

static int on_event(void *ctx, void *data, size_t len)
{
	struct risav_fixture *f = ctx;

	if (len != sizeof(struct esprit_audit_event) ||
	    f->nevents == RISAV_FIXTURE_EVENTS)
		return 0;
	memcpy(&f->events[f->nevents++], data, len);
	return 0;
}

int risav_fixture_open(struct risav_fixture *f)
{
	memset(f, 0, sizeof(*f));
	if (xdp_fixture_open(&f->x))
		return -1;
	f->events = calloc(RISAV_FIXTURE_EVENTS, sizeof(*f->events));
	f->ring = ring_buffer__new(bpf_map__fd(f->x.skel->maps.esprit_events),
				   on_event, f, NULL);
	if (!f->events || !f->ring) {
		risav_fixture_close(f);
		return -1;
	}
	return 0;
}

void risav_fixture_close(struct risav_fixture *f)
{
	ring_buffer__free(f->ring);
	f->ring = NULL;
	free(f->events);
	f->events = NULL;
	xdp_fixture_close(&f->x);
}

int risav_fixture_config(struct risav_fixture *f, uint32_t local_asn,
			 uint32_t flags, uint32_t audit_rate)
{
	struct esprit_risav_config cfg = {
		.local_asn = local_asn,
		.risav_flags = flags,
		.audit_rate = audit_rate,
	};
	__u32 zero = 0;

	return bpf_map__update_elem(f->x.skel->maps.esprit_risav, &zero,
				    sizeof(zero), &cfg, sizeof(cfg), BPF_ANY);
}

int risav_fixture_prefix(struct risav_fixture *f, const char *prefix,
			 uint32_t asn)
{
	struct prefix_maps m = {
		.trie = bpf_map__fd(f->x.skel->maps.esprit_prefixes),
		.pfx4 = bpf_map__fd(f->x.skel->maps.esprit_pfx4),
	};
	struct esprit_prefix_key key;
	char err[160];

	if (table_prefix_parse(prefix, &key, err, sizeof(err)) ||
	    prefixes_set(&m, &key, asn, err, sizeof(err))) {
		fprintf(stderr, "fixture prefix %s: %s\n", prefix, err);
		return -1;
	}
	return 0;
}

int risav_fixture_peer(struct risav_fixture *f, uint32_t asn, uint32_t mode)
{
	struct esprit_peer peer = {.mode = mode};

	return bpf_map__update_elem(f->x.skel->maps.esprit_peers, &asn,
				    sizeof(asn), &peer, sizeof(peer), BPF_ANY);
}

int risav_fixture_contact(struct risav_fixture *f, const char *addr,
			  uint32_t asn)
{
	struct esprit_addr a;
	char err[128];

	if (addr_parse(addr, &a, err, sizeof(err)))
		return -1;
	return bpf_map__update_elem(f->x.skel->maps.esprit_contacts, &a,
				    sizeof(a), &asn, sizeof(asn), BPF_ANY);
}

static struct sa_maps fixture_sa_maps(struct risav_fixture *f)
{
	return (struct sa_maps){
		.in = bpf_map__fd(f->x.skel->maps.esprit_sa_in),
		.in_rw = bpf_map__fd(f->x.skel->maps.esprit_sa_in_rw),
		.in_st = bpf_map__fd(f->x.skel->maps.esprit_sa_in_st),
	};
}

static int fixture_sa_write(struct risav_fixture *f, uint32_t spi, uint32_t asn,
			    const uint8_t key[32], uint32_t replay,
			    bool replace)
{
	char s_spi[16], s_asn[16], s_replay[16], hex[65], err[160];
	struct sa_maps m = fixture_sa_maps(f);
	struct map_journal j;
	struct sa_in sa;

	snprintf(s_spi, sizeof(s_spi), "%u", spi);
	snprintf(s_asn, sizeof(s_asn), "%u", asn);
	snprintf(s_replay, sizeof(s_replay), "%u", replay);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	mj_init(&j);
	if (sa_in_build(s_spi, s_asn, "hmac-sha256-128", hex, s_replay, &sa,
			err, sizeof(err)) ||
	    mj_finish(&j, replace ? sa_in_replace(&m, &sa, &j, err, sizeof(err))
				  : sa_in_add(&m, &sa, &j, err, sizeof(err)))) {
		fprintf(stderr, "fixture SA: %s\n", err);
		return -1;
	}
	return 0;
}

int risav_fixture_sa(struct risav_fixture *f, uint32_t spi, uint32_t asn,
		     const uint8_t key[32], uint32_t replay)
{
	return fixture_sa_write(f, spi, asn, key, replay, false);
}

int risav_fixture_sa_replace(struct risav_fixture *f, uint32_t spi,
			     uint32_t asn, const uint8_t key[32],
			     uint32_t replay)
{
	return fixture_sa_write(f, spi, asn, key, replay, true);
}

int risav_fixture_sa_del(struct risav_fixture *f, uint32_t spi, uint32_t asn)
{
	struct esprit_sa_in_key key = {.spi = spi, .asn = asn};
	struct sa_maps m = fixture_sa_maps(f);
	struct map_journal j;
	char err[160];

	mj_init(&j);
	return mj_finish(&j, sa_in_del(&m, &key, &j, err, sizeof(err)));
}

int risav_fixture_sa_stats(struct risav_fixture *f, uint32_t spi, uint32_t asn,
			   struct esprit_sa_stats *out)
{
	struct sa_maps m = fixture_sa_maps(f);
	struct sa_in_row *rows;
	char err[160];
	size_t n;
	int rc = -1;

	if (sa_in_list(&m, &rows, &n, err, sizeof(err)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].key.spi == spi && rows[i].key.asn == asn) {
			*out = rows[i].stats;
			rc = 0;
		}
	}
	free(rows);
	return rc;
}

size_t risav_fixture_read_events(struct risav_fixture *f)
{
	size_t before = f->nevents;

	ring_buffer__consume(f->ring);
	return f->nevents - before;
}

void risav_fixture_forget_events(struct risav_fixture *f)
{
	risav_fixture_read_events(f);
	f->nevents = 0;
}
