// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "lib/asn.h"
#include "lib/hmac_key.h"
#include "lib/map_journal.h"
#include "lib/maps.h"
#include "lib/output.h"
#include "lib/parse.h"
#include "risav/sa_in.h"

/* ---- maps --------------------------------------------------------------- */

#define SA_MAPS(m)                                 \
	{                                          \
		&(m)->in, &(m)->in_rw, &(m)->in_st \
	}

int sa_maps_open(const struct pins *pins, struct sa_maps *m)
{
	static const char *const names[] = {
		ESPRIT_MAP_SA_IN, ESPRIT_MAP_SA_IN_RW, ESPRIT_MAP_SA_IN_ST};
	int *const fds[] = SA_MAPS(m);

	return pins_open_maps(pins, names, fds, 3);
}

void sa_maps_close(struct sa_maps *m)
{
	int *const fds[] = SA_MAPS(m);

	fds_close(fds, 3);
}

/* ---- values ------------------------------------------------------------- */

int sa_parse_replay(const char *s, __u32 *window, char *err, size_t errlen)
{
	__u32 v;

	if (parse_u32(s, 0, ESPRIT_REPLAY_WINDOW_MAX, &v) ||
	    (v && v < ESPRIT_REPLAY_WINDOW_MIN)) {
		snprintf(err, errlen,
			 "bad replay window '%s': 0 (off) or %u..%u packets", s,
			 ESPRIT_REPLAY_WINDOW_MIN, ESPRIT_REPLAY_WINDOW_MAX);
		return -1;
	}
	*window = v;
	return 0;
}

int sa_in_build(const char *spi, const char *asn, const char *alg,
		const char *key, const char *replay, struct sa_in *out,
		char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (sa_parse_spi(spi, &out->key.spi, err, errlen) ||
	    asn_parse(asn, false, &out->key.asn, err, errlen) ||
	    sa_parse_alg(alg, &out->value.auth.alg, err, errlen) ||
	    sa_parse_key(key, out->value.auth.alg, &out->value.auth, err,
			 errlen) ||
	    (replay &&
	     sa_parse_replay(replay, &out->value.replay_window, err, errlen))) {
		explicit_bzero(out, sizeof(*out));
		return -1;
	}
	out->value.state = ESPRIT_SA_ACTIVE;
	return 0;
}

/* ---- words -------------------------------------------------------------- */

int sa_in_from_words(int argc, char **argv, struct sa_in *out, char *err,
		     size_t errlen)
{
	struct sa_words w;
	int rc;

	if (sa_add_words(argc, argv, "replay", &w, err, errlen))
		return -1;
	rc = sa_in_build(w.spi, w.asn, w.alg, w.key, w.last, out, err, errlen);
	explicit_bzero(w.key, sizeof(w.key));
	return rc;
}

/* ---- maps: changes ------------------------------------------------------ */

static void describe(const struct esprit_sa_in_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "SPI 0x%x (%u), ASN %u", k->spi, k->spi, k->asn);
}

static bool sa_in_valid(const struct sa_in *sa)
{
	return sa->value.state == ESPRIT_SA_ACTIVE &&
	       sa->value.auth.alg == ESPRIT_AUTH_HMAC_SHA256_128 &&
	       sa->value.auth.icv_len == ESPRIT_HMAC_SHA256_128_ICV_LEN &&
	       sa->key.spi >= ESPRIT_SPI_MIN && sa->key.asn &&
	       (!sa->value.replay_window ||
		(sa->value.replay_window >= ESPRIT_REPLAY_WINDOW_MIN &&
		 sa->value.replay_window <= ESPRIT_REPLAY_WINDOW_MAX));
}

int sa_in_add(const struct sa_maps *m, const struct sa_in *sa,
	      struct map_journal *j, char *err, size_t errlen)
{
	struct esprit_replay window = {0};
	struct esprit_sa_in cur;
	char what[64];
	int e;

	describe(&sa->key, what, sizeof(what));
	if (!sa_in_valid(sa)) {
		snprintf(err, errlen, "%s: not a valid SA", what);
		return -1;
	}
	if (!bpf_map_lookup_elem(m->in, &sa->key, &cur)) {
		explicit_bzero(&cur, sizeof(cur));
		snprintf(err, errlen, "an inbound SA with %s exists", what);
		return -1;
	}
	/* counters and window first: the SA goes in last, complete */
	if (sa_stats_reset(j, m->in_st, &sa->key, what, err, errlen))
		return -1;
	if (sa->value.replay_window &&
	    (e = mj_update(j, m->in_rw, &sa->key, &window, BPF_ANY))) {
		sa_write_error(m->in_rw, -e, what, err, errlen);
		return -1;
	}
	if ((e = mj_update(j, m->in, &sa->key, &sa->value, BPF_NOEXIST))) {
		sa_write_error(m->in, -e, what, err, errlen);
		return -1;
	}
	return 0;
}

int sa_in_replace(const struct sa_maps *m, const struct sa_in *sa,
		  struct map_journal *j, char *err, size_t errlen)
{
	struct esprit_replay window = {0};
	struct esprit_sa_in cur;
	bool had_window, same_key;
	char what[64];
	int e;

	describe(&sa->key, what, sizeof(what));
	if (!sa_in_valid(sa)) {
		snprintf(err, errlen, "%s: not a valid SA", what);
		return -1;
	}
	if (bpf_map_lookup_elem(m->in, &sa->key, &cur)) {
		snprintf(err, errlen, "no inbound SA with %s", what);
		return -1;
	}
	had_window = cur.replay_window != 0;
	same_key = !memcmp(&cur.auth, &sa->value.auth, sizeof(cur.auth));
	explicit_bzero(&cur, sizeof(cur));
	/* an SA with a window and no window state counts every packet as
	 * a replay: a window that is new goes in before the SA */
	if (sa->value.replay_window && !had_window &&
	    (e = mj_update(j, m->in_rw, &sa->key, &window, BPF_ANY))) {
		sa_write_error(m->in_rw, -e, what, err, errlen);
		return -1;
	}
	if ((e = mj_update(j, m->in, &sa->key, &sa->value, BPF_EXIST))) {
		sa_write_error(m->in, -e, what, err, errlen);
		return -1;
	}
	/*
	 * Sequence numbers seen under the old key mean nothing under a new
	 * one; with the same key only the window's size changed, and what it
	 * has seen stays seen (or a captured packet would pass again).
	 */
	if (sa->value.replay_window && had_window && !same_key &&
	    (e = mj_update(j, m->in_rw, &sa->key, &window, BPF_ANY))) {
		sa_write_error(m->in_rw, -e, what, err, errlen);
		return -1;
	}
	if (!sa->value.replay_window &&
	    (e = mj_delete(j, m->in_rw, &sa->key))) {
		sa_write_error(m->in_rw, -e, what, err, errlen);
		return -1;
	}
	return 0;
}

int sa_in_del(const struct sa_maps *m, const struct esprit_sa_in_key *key,
	      struct map_journal *j, char *err, size_t errlen)
{
	struct esprit_sa_in cur;
	char what[64];
	int e;

	describe(key, what, sizeof(what));
	if (bpf_map_lookup_elem(m->in, key, &cur)) {
		snprintf(err, errlen, "no inbound SA with %s", what);
		return -1;
	}
	explicit_bzero(&cur, sizeof(cur));
	/* the SA first: from then on its packets count as unknown SPI */
	if ((e = mj_delete(j, m->in, key)) ||
	    (e = mj_delete(j, m->in_rw, key)) ||
	    (e = mj_delete(j, m->in_st, key))) {
		snprintf(err, errlen, "%s: cannot delete: %s", what,
			 strerror(-e));
		return -1;
	}
	return 0;
}

/* ---- maps: listing ------------------------------------------------------ */

_Static_assert(offsetof(struct sa_in_row, key) == 0 &&
		       sizeof(((struct sa_in_row *)0)->key) == 8,
	       "sa_map_rows() writes the key at the start of a row");

static int in_row_fill(void *row, const void *value, const void *ctx)
{
	const struct sa_maps *m = ctx;
	const struct esprit_sa_in *v = value;
	struct sa_in_row *r = row;
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_sa_stats *percpu;
	struct esprit_replay window;

	percpu = ncpus > 0 ? calloc(ncpus, sizeof(*percpu)) : NULL;
	if (!percpu)
		return -1;

	r->alg = v->auth.alg;
	r->icv_len = v->auth.icv_len;
	r->replay_window = v->replay_window;
	r->state = v->state;
	memset(&r->stats, 0, sizeof(r->stats));
	if (!bpf_map_lookup_elem(m->in_st, &r->key, percpu)) {
		for (int c = 0; c < ncpus; c++) {
			r->stats.packets += percpu[c].packets;
			r->stats.bytes += percpu[c].bytes;
			r->stats.bad_icv += percpu[c].bad_icv;
			r->stats.replayed += percpu[c].replayed;
		}
	}
	r->has_window_state = !bpf_map_lookup_elem_flags(m->in_rw, &r->key,
							 &window, BPF_F_LOCK);
	r->replay_top = r->has_window_state ? window.top : 0;
	free(percpu);
	return 0;
}

int sa_in_list(const struct sa_maps *m, struct sa_in_row **rows, size_t *n,
	       char *err, size_t errlen)
{
	return sa_map_rows(m->in, sizeof(struct esprit_sa_in), sizeof(**rows),
			   in_row_fill, m, (void **)rows, n, err, errlen);
}
