// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "lib/asn.h"
#include "lib/map_journal.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "risav/sa.h"
#include "risav/sa_out.h"
#include "risav/seq_ledger.h"

/* ---- maps --------------------------------------------------------------- */

#define SA_OUT_MAPS(m)                         \
	{                                      \
		&(m)->out, &(m)->sel, &(m)->st \
	}

int sa_out_maps_open(const struct pins *pins, struct sa_out_maps *m)
{
	static const char *const names[] = {
		ESPRIT_MAP_SA_OUT, ESPRIT_MAP_SA_SEL, ESPRIT_MAP_SA_OUT_ST};
	int *const fds[] = SA_OUT_MAPS(m);

	return pins_open_maps(pins, names, fds, 3);
}

void sa_out_maps_close(struct sa_out_maps *m)
{
	int *const fds[] = SA_OUT_MAPS(m);

	fds_close(fds, 3);
}

/* ---- DSCP sets ---------------------------------------------------------- */

int sa_parse_dscp(const char *s, __u64 *mask, char *err, size_t errlen)
{
	size_t bad, len;

	if (!parse_dscp_set(s, mask, &bad, &len))
		return 0;
	snprintf(err, errlen,
		 "bad DSCP '%.*s' in '%s': 0-63, a range like 10-14, a name "
		 "(be, le, ef, va, cs0-cs7, af11-af43), or 'any'",
		 (int)len, s + bad, s);
	return -1;
}

int sa_dscp_conflict(__u64 a, __u64 b, char *err, size_t errlen)
{
	char x[200];
	bool any_a = a == ESPRIT_DSCP_MASK_ANY,
	     any_b = b == ESPRIT_DSCP_MASK_ANY;

	if (any_a && any_b) {
		snprintf(err, errlen, "both have DSCP 'any'");
		return -1;
	}
	if (any_a || any_b || !(a & b))
		return 0;
	snprintf(err, errlen, "their DSCP sets share %s",
		 dscp_set_format(a & b, x, sizeof(x)));
	return -1;
}

/* ---- building ----------------------------------------------------------- */

int sa_out_build(const char *spi, const char *asn, const char *alg,
		 const char *key, const char *dscp, struct sa_out *out,
		 char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->value.dscp_mask = ESPRIT_DSCP_MASK_ANY;
	if (sa_parse_spi(spi, &out->key.spi, err, errlen) ||
	    asn_parse(asn, false, &out->key.asn, err, errlen) ||
	    sa_parse_alg(alg, &out->value.auth.alg, err, errlen) ||
	    sa_parse_key(key, out->value.auth.alg, &out->value.auth, err,
			 errlen) ||
	    (dscp && sa_parse_dscp(dscp, &out->value.dscp_mask, err, errlen))) {
		explicit_bzero(out, sizeof(*out));
		return -1;
	}
	out->value.state = ESPRIT_SA_ACTIVE;
	return 0;
}

int sa_out_from_words(int argc, char **argv, struct sa_out *out, char *err,
		      size_t errlen)
{
	struct sa_words w;
	int rc;

	if (sa_add_words(argc, argv, "dscp", &w, err, errlen))
		return -1;
	rc = sa_out_build(w.spi, w.asn, w.alg, w.key, w.last, out, err, errlen);
	explicit_bzero(w.key, sizeof(w.key));
	return rc;
}

static bool sa_out_valid(const struct sa_out *sa)
{
	return sa->value.state == ESPRIT_SA_ACTIVE &&
	       sa->value.auth.alg == ESPRIT_AUTH_HMAC_SHA256_128 &&
	       sa->value.auth.icv_len == ESPRIT_HMAC_SHA256_128_ICV_LEN &&
	       sa->key.spi >= ESPRIT_SPI_MIN && sa->key.asn &&
	       sa->value.dscp_mask;
}

static void describe(const struct esprit_sa_out_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "SPI 0x%x (%u), ASN %u", k->spi, k->spi, k->asn);
}

int sa_out_check_set(const struct sa_out *sas, size_t n, char *err,
		     size_t errlen)
{
	char what[64], other[64], why[256];

	for (size_t i = 0; i < n; i++) {
		describe(&sas[i].key, what, sizeof(what));
		if (!sa_out_valid(&sas[i])) {
			snprintf(err, errlen, "outbound %s: not a valid SA",
				 what);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (sas[j].key.asn != sas[i].key.asn)
				continue;
			describe(&sas[j].key, other, sizeof(other));
			if (sas[j].key.spi == sas[i].key.spi) {
				snprintf(err, errlen,
					 "outbound %s is given twice", what);
				return -1;
			}
			if (sa_dscp_conflict(sas[j].value.dscp_mask,
					     sas[i].value.dscp_mask, why,
					     sizeof(why))) {
				snprintf(err, errlen,
					 "outbound %s overlaps SPI 0x%x: %s",
					 what, sas[j].key.spi, why);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- the peer's SAs and selections -------------------------------------- */

struct peer_sa {
	struct esprit_sa_out_key key;
	__u64 mask;
};

/*
 * The SAs of asn in the map (all peers if asn is 0), without skip (may
 * be NULL); free(*out) after use.
 */
static int peer_sas(int fd, __u32 asn, const struct esprit_sa_out_key *skip,
		    struct peer_sa **out, size_t *n)
{
	struct esprit_sa_out_key key, next, *prev = NULL;
	struct peer_sa *list = NULL;
	size_t cap = 0;
	struct esprit_sa_out v;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if ((asn && key.asn != asn) ||
		    (skip && !memcmp(skip, &key, sizeof(key))))
			continue;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue; /* deleted meanwhile */
		if (*n == cap) {
			size_t c = cap ? 2 * cap : 8;
			struct peer_sa *l = realloc(list, c * sizeof(*l));

			if (!l) {
				free(list);
				explicit_bzero(&v, sizeof(v));
				return -1;
			}
			list = l;
			cap = c;
		}
		list[*n].key = key;
		list[*n].mask = v.dscp_mask;
		(*n)++;
	}
	explicit_bzero(&v, sizeof(v));
	*out = list;
	return 0;
}

/* Which SA DSCP d of the peer rides: its own set's, else `any`'s. */
static const struct peer_sa *select_sa(const struct peer_sa *sas, size_t n,
				       unsigned int d)
{
	const struct peer_sa *any = NULL;

	for (size_t i = 0; i < n; i++) {
		if (sas[i].mask == ESPRIT_DSCP_MASK_ANY)
			any = &sas[i];
		else if (sas[i].mask >> d & 1)
			return &sas[i];
	}
	return any;
}

/* Writes the peer's selection (all 64 DSCPs at once) through j. */
static int sel_write(int fd, __u32 asn, const struct peer_sa *sas, size_t n,
		     struct map_journal *j, char *err, size_t errlen)
{
	struct esprit_sa_sel sel = {};
	bool any = false;
	int e;

	for (unsigned int d = 0; d < ESPRIT_DSCP_COUNT; d++) {
		const struct peer_sa *s = select_sa(sas, n, d);

		sel.spi[d] = s ? s->key.spi : 0;
		any |= s != NULL;
	}
	e = any ? mj_update(j, fd, &asn, &sel, BPF_ANY)
		: mj_delete(j, fd, &asn);
	if (e) {
		snprintf(err, errlen,
			 "AS%u: cannot write the DSCP selection: %s%s", asn,
			 strerror(-e),
			 e == -E2BIG || e == -ENOMEM ? " (esprit_sa_sel full)"
						     : "");
		return -1;
	}
	return 0;
}

static int rebuild_peer(const struct sa_out_maps *m, __u32 asn,
			const struct esprit_sa_out_key *skip,
			struct map_journal *j, char *err, size_t errlen)
{
	struct peer_sa *sas = NULL;
	size_t n;
	int rc;

	if (peer_sas(m->out, asn, skip, &sas, &n)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = sel_write(m->sel, asn, sas, n, j, err, errlen);
	free(sas);
	return rc;
}

static int asn_cmp(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int peer_sa_cmp(const void *a, const void *b)
{
	const struct peer_sa *x = a, *y = b;

	if (x->key.asn != y->key.asn)
		return x->key.asn < y->key.asn ? -1 : 1;
	return x->key.spi < y->key.spi ? -1 : x->key.spi > y->key.spi;
}

/* The first of the sorted sas with asn, or n. */
static size_t first_of(const struct peer_sa *sas, size_t n, __u32 asn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sas[mid].key.asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sa_out_sel_rebuild_peers(const struct sa_out_maps *m, const __u32 *asns,
			     size_t n, struct map_journal *j, char *err,
			     size_t errlen)
{
	struct peer_sa *sas = NULL;
	size_t nsas;
	int rc = 0;

	if (peer_sas(m->out, 0, NULL, &sas, &nsas)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (nsas)
		qsort(sas, nsas, sizeof(*sas), peer_sa_cmp);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t lo = first_of(sas, nsas, asns[i]), hi = lo;

		while (hi < nsas && sas[hi].key.asn == asns[i])
			hi++;
		rc = sel_write(m->sel, asns[i], sas + lo, hi - lo, j, err,
			       errlen);
	}
	free(sas);
	return rc;
}

int sa_out_sel_rebuild(const struct sa_out_maps *m, __u32 asn,
		       struct map_journal *j, char *err, size_t errlen)
{
	__u32 key, next, *prev = NULL;
	struct peer_sa *sas = NULL;
	__u32 *asns = NULL;
	size_t n = 0, nsas, k = 0;
	int rc = 0;

	if (asn)
		return rebuild_peer(m, asn, NULL, j, err, errlen);
	/* every peer that has an SA or still has selections */
	if (peer_sas(m->out, 0, NULL, &sas, &nsas))
		goto nomem;
	while (!bpf_map_get_next_key(m->sel, prev, &next))
		key = next, prev = &key, n++;
	asns = malloc((n + nsas + 1) * sizeof(*asns));
	if (!asns)
		goto nomem;
	for (size_t i = 0; i < nsas; i++)
		asns[k++] = sas[i].key.asn;
	prev = NULL;
	while (k < n + nsas && !bpf_map_get_next_key(m->sel, prev, &next)) {
		key = next;
		prev = &key;
		asns[k++] = key;
	}
	qsort(asns, k, sizeof(*asns), asn_cmp);
	n = 0;
	for (size_t i = 0; i < k; i++)
		if (!i || asns[i] != asns[i - 1])
			asns[n++] = asns[i];
	free(sas);
	/* one pass over the SAs for all peers, not one per peer */
	rc = sa_out_sel_rebuild_peers(m, asns, n, j, err, errlen);
	free(asns);
	return rc;
nomem:
	free(sas);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- changes ------------------------------------------------------------ */

__u64 sa_out_seq_continued(int fd, const struct esprit_sa_out_key *key,
			   __u64 fallback)
{
	struct esprit_sa_out cur;
	__u64 seq = fallback;

	if (!bpf_map_lookup_elem(fd, key, &cur))
		seq = cur.seq > fallback ? cur.seq : fallback;
	explicit_bzero(&cur, sizeof(cur));
	if (seq >= ESPRIT_SA_OUT_SEQ_LAST)
		return seq; /* spent stays spent */
	seq += SA_OUT_SEQ_SKIP;
	return seq > ESPRIT_SA_OUT_SEQ_LAST ? ESPRIT_SA_OUT_SEQ_LAST : seq;
}

/*
 * Undo of a write to esprit_sa_out: the SA as it was, but its counter goes
 * on from wherever it stands now (and above the ledger's reservation, ctx,
 * when there is one: a restored SA is a re-added one), so no sequence
 * number is sent twice.
 */
static void out_restore(int fd, const void *key, const void *old, bool existed,
			void *ctx)
{
	struct seq_ledger *ledger = ctx;
	struct sa_out sa;
	char err[512];
	__u64 start;

	if (!existed) {
		bpf_map_delete_elem(fd, key);
		return;
	}
	memcpy(&sa.key, key, sizeof(sa.key));
	memcpy(&sa.value, old, sizeof(sa.value));
	sa.value.seq = sa_out_seq_continued(fd, key, sa.value.seq);
	if (ledger && !seq_ledger_reserve(ledger, &sa, sa.value.seq, &start,
					  err, sizeof(err)))
		sa.value.seq = start;
	bpf_map_update_elem(fd, key, &sa.value, BPF_ANY);
	explicit_bzero(&sa, sizeof(sa));
}

int sa_out_insert(const struct sa_out_maps *m, const struct sa_out *sa,
		  struct seq_ledger *ledger, struct map_journal *j, char *err,
		  size_t errlen)
{
	struct esprit_sa_out v = sa->value;
	char what[64];
	__u64 start = 0;
	int e;

	describe(&sa->key, what, sizeof(what));
	if (ledger && seq_ledger_reserve(ledger, sa, 0, &start, err, errlen)) {
		explicit_bzero(&v, sizeof(v));
		return -1;
	}
	/* counters first, then the SA, complete */
	if (sa_stats_reset(j, m->st, &sa->key, what, err, errlen)) {
		explicit_bzero(&v, sizeof(v));
		return -1;
	}
	v.seq = start;
	e = mj_update_with(j, m->out, &sa->key, &v, BPF_NOEXIST, out_restore,
			   ledger);
	explicit_bzero(&v, sizeof(v));
	if (e) {
		sa_write_error(m->out, -e, what, err, errlen);
		return -1;
	}
	return 0;
}

int sa_out_rewrite(const struct sa_out_maps *m, const struct sa_out *sa,
		   struct seq_ledger *ledger, struct map_journal *j, char *err,
		   size_t errlen)
{
	struct esprit_sa_out v = sa->value;
	char what[64];
	int e;

	describe(&sa->key, what, sizeof(what));
	v.seq = sa_out_seq_continued(m->out, &sa->key, 0);
	/* a key the SA had before may have gone further than this one */
	if (ledger &&
	    seq_ledger_reserve(ledger, sa, v.seq, &v.seq, err, errlen)) {
		explicit_bzero(&v, sizeof(v));
		return -1;
	}
	e = mj_update_with(j, m->out, &sa->key, &v, BPF_EXIST, out_restore,
			   ledger);
	explicit_bzero(&v, sizeof(v));
	if (e) {
		sa_write_error(m->out, -e, what, err, errlen);
		return -1;
	}
	return 0;
}

int sa_out_remove(const struct sa_out_maps *m,
		  const struct esprit_sa_out_key *key,
		  struct seq_ledger *ledger, struct map_journal *j, char *err,
		  size_t errlen)
{
	struct sa_out last = {.key = *key};
	bool known;
	char what[64];
	int e;

	describe(key, what, sizeof(what));
	known = !bpf_map_lookup_elem(m->out, key, &last.value);
	if ((e = mj_delete_with(j, m->out, key, out_restore, ledger)) ||
	    (e = mj_delete(j, m->st, key))) {
		explicit_bzero(&last, sizeof(last));
		snprintf(err, errlen, "%s: cannot delete: %s", what,
			 strerror(-e));
		return -1;
	}
	/*
	 * The counter is gone: the ledger needs no more than what it sent.
	 * Should the ledger not take it, its reservation stays above the
	 * counter (checkpoints keep it there) or it refuses every add: safe
	 * either way, and the delete goes through.
	 */
	if (known && ledger) {
		char why[512];

		seq_ledger_retire(ledger, &last, last.value.seq, why,
				  sizeof(why));
	}
	explicit_bzero(&last, sizeof(last));
	return 0;
}

int sa_out_add(const struct sa_out_maps *m, const struct sa_out *sa,
	       struct seq_ledger *ledger, struct map_journal *j, char *err,
	       size_t errlen)
{
	struct peer_sa *sas = NULL;
	struct esprit_sa_out cur;
	char what[64], why[256];
	size_t n;

	describe(&sa->key, what, sizeof(what));
	if (!sa_out_valid(sa)) {
		snprintf(err, errlen, "outbound %s: not a valid SA", what);
		return -1;
	}
	if (!bpf_map_lookup_elem(m->out, &sa->key, &cur)) {
		explicit_bzero(&cur, sizeof(cur));
		snprintf(err, errlen, "an outbound SA with %s exists", what);
		return -1;
	}
	if (peer_sas(m->out, sa->key.asn, NULL, &sas, &n)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (sa_dscp_conflict(sas[i].mask, sa->value.dscp_mask, why,
				     sizeof(why))) {
			snprintf(err, errlen,
				 "outbound %s overlaps SPI 0x%x of AS%u: %s",
				 what, sas[i].key.spi, sa->key.asn, why);
			free(sas);
			return -1;
		}
	}
	free(sas);
	/* the SA complete, then the selections that point at it */
	if (sa_out_insert(m, sa, ledger, j, err, errlen))
		return -1;
	return rebuild_peer(m, sa->key.asn, NULL, j, err, errlen);
}

int sa_out_del(const struct sa_out_maps *m, const struct esprit_sa_out_key *key,
	       struct seq_ledger *ledger, struct map_journal *j, char *err,
	       size_t errlen)
{
	struct esprit_sa_out cur;
	char what[64];

	describe(key, what, sizeof(what));
	if (bpf_map_lookup_elem(m->out, key, &cur)) {
		snprintf(err, errlen, "no outbound SA with %s", what);
		return -1;
	}
	explicit_bzero(&cur, sizeof(cur));
	/* selections move off it first: no packet looks for it once gone */
	if (rebuild_peer(m, key->asn, key, j, err, errlen))
		return -1;
	return sa_out_remove(m, key, ledger, j, err, errlen);
}

/* ---- listing ------------------------------------------------------------ */

_Static_assert(offsetof(struct sa_out_row, key) == 0 &&
		       sizeof(((struct sa_out_row *)0)->key) == 8,
	       "sa_map_rows() writes the key at the start of a row");

static int out_row_fill(void *row, const void *value, const void *ctx)
{
	const struct sa_out_maps *m = ctx;
	const struct esprit_sa_out *v = value;
	struct sa_out_row *r = row;
	int ncpus = libbpf_num_possible_cpus();
	struct esprit_sa_out_stats *percpu =
		ncpus > 0 ? calloc(ncpus, sizeof(*percpu)) : NULL;

	if (!percpu)
		return -1;

	r->alg = v->auth.alg;
	r->icv_len = v->auth.icv_len;
	r->state = v->state;
	r->dscp_mask = v->dscp_mask;
	r->seq = v->seq;
	r->exhausted = v->seq >= ESPRIT_SA_OUT_SEQ_LAST;
	memset(&r->stats, 0, sizeof(r->stats));
	if (!bpf_map_lookup_elem(m->st, &r->key, percpu)) {
		for (int c = 0; c < ncpus; c++) {
			r->stats.packets += percpu[c].packets;
			r->stats.bytes += percpu[c].bytes;
			r->stats.exhausted += percpu[c].exhausted;
			r->stats.too_big += percpu[c].too_big;
		}
	}
	r->dscp_selected = 0;
	{
		struct esprit_sa_sel sel;

		if (!bpf_map_lookup_elem(m->sel, &r->key.asn, &sel))
			for (unsigned int d = 0; d < ESPRIT_DSCP_COUNT; d++)
				r->dscp_selected += sel.spi[d] == r->key.spi;
	}
	free(percpu);
	return 0;
}

int sa_out_list(const struct sa_out_maps *m, struct sa_out_row **rows,
		size_t *n, char *err, size_t errlen)
{
	return sa_map_rows(m->out, sizeof(struct esprit_sa_out), sizeof(**rows),
			   out_row_fill, m, (void **)rows, n, err, errlen);
}
