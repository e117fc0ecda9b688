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

#define SA_KEY_MAX 64 /* raw key bytes of the largest algorithm */

static const struct {
	const char *name;
	__u32 alg;
	size_t key_len;
} algs[] = {
	{"hmac-sha256-128", ESPRIT_AUTH_HMAC_SHA256_128,
	 ESPRIT_HMAC_SHA256_KEY_LEN},
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* ---- maps --------------------------------------------------------------- */

#define SA_MAPS(m)                                 \
	{                                          \
		&(m)->in, &(m)->in_rw, &(m)->in_st \
	}

int sa_maps_open(const struct pins *pins, struct sa_maps *m)
{
	static const char *const names[] = {ESPRIT_MAP_SA_IN, ESPRIT_MAP_SA_IN_RW,
					    ESPRIT_MAP_SA_IN_ST};
	int *const fds[] = SA_MAPS(m);

	return pins_open_maps(pins, names, fds, 3);
}

void sa_maps_close(struct sa_maps *m)
{
	int *const fds[] = SA_MAPS(m);

	fds_close(fds, 3);
}

/* ---- values ------------------------------------------------------------- */

int sa_parse_spi(const char *s, __u32 *spi, char *err, size_t errlen)
{
	__u32 v;

	if (parse_u32(s, 0, 0xffffffffU, &v)) {
		snprintf(err, errlen,
			 "bad SPI '%s': a number, decimal or 0x-hex, "
			 "%u..4294967295",
			 s, ESPRIT_SPI_MIN);
		return -1;
	}
	if (v < ESPRIT_SPI_MIN) {
		snprintf(err, errlen,
			 "SPI %u is reserved (0-255, RFC 4302 §2.4): use "
			 "%u..4294967295",
			 v, ESPRIT_SPI_MIN);
		return -1;
	}
	*spi = v;
	return 0;
}

int sa_parse_alg(const char *s, __u32 *alg, char *err, size_t errlen)
{
	for (size_t i = 0; i < NALGS; i++) {
		if (!strcmp(s, algs[i].name)) {
			*alg = algs[i].alg;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown algorithm '%s' (supported: %s)", s,
		 algs[0].name);
	return -1;
}

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

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sa_parse_key(const char *hex, __u32 alg, struct esprit_auth_key *out,
		 char *err, size_t errlen)
{
	__u8 raw[SA_KEY_MAX];
	size_t digits, want = 0;

	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			want = algs[i].key_len;
	if (!want) {
		snprintf(err, errlen, "unknown algorithm %u", alg);
		return -1;
	}
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	digits = strlen(hex);
	for (size_t i = 0; i < digits; i++) {
		if (hex_value(hex[i]) < 0) {
			snprintf(err, errlen,
				 "key: '%c' is not a hex digit (position %zu)",
				 hex[i], i + 1);
			return -1;
		}
	}
	if (digits != 2 * want) {
		snprintf(err, errlen,
			 "key: %zu hex digits; %s needs exactly %zu bytes "
			 "(%zu hex digits)",
			 digits, sa_alg_name(alg), want, 2 * want);
		return -1;
	}
	for (size_t i = 0; i < want; i++)
		raw[i] = hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]);
	switch (alg) {
	case ESPRIT_AUTH_HMAC_SHA256_128:
		auth_key_hmac_sha256_128(out, raw, want);
		break;
	}
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

const char *sa_alg_name(__u32 alg)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return algs[i].name;
	return "unknown";
}

const char *sa_state_name(__u32 state)
{
	return state == ESPRIT_SA_ACTIVE ? "active" : "unknown";
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

int sa_take_pairs(int argc, char **argv, const char *const *names,
		  size_t nnames, const char **vals, char *err, size_t errlen)
{
	for (int i = 0; i < argc; i += 2) {
		size_t k;

		for (k = 0; k < nnames; k++)
			if (!strcmp(argv[i], names[k]))
				break;
		if (k == nnames) {
			snprintf(err, errlen, "unexpected '%s'", argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "'%s' needs a value", argv[i]);
			return -1;
		}
		if (vals[k]) {
			snprintf(err, errlen, "'%s' given twice", argv[i]);
			return -1;
		}
		vals[k] = argv[i + 1];
	}
	return 0;
}

int sa_need(const char *val, const char *name, char *err, size_t errlen)
{
	if (val)
		return 0;
	snprintf(err, errlen, "missing '%s'", name);
	return -1;
}

int sa_add_words(int argc, char **argv, const char *last, const char *v[5],
		 char *err, size_t errlen)
{
	const char *names[] = {"spi", "asn", "alg", "key", last};

	memset(v, 0, 5 * sizeof(*v));
	if (sa_take_pairs(argc, argv, names, 5, v, err, errlen))
		return -1;
	for (int i = 0; i < 4; i++)
		if (sa_need(v[i], names[i], err, errlen))
			return -1;
	return 0;
}

int sa_spi_asn_from_words(int argc, char **argv, __u32 *spi, __u32 *asn,
			  char *err, size_t errlen)
{
	static const char *const names[] = {"spi", "asn"};
	const char *v[2] = {0};

	if (sa_take_pairs(argc, argv, names, 2, v, err, errlen) ||
	    sa_need(v[0], "spi", err, errlen) ||
	    sa_need(v[1], "asn", err, errlen))
		return -1;
	return sa_parse_spi(v[0], spi, err, errlen) ||
			       asn_parse(v[1], false, asn, err, errlen)
		       ? -1
		       : 0;
}

int sa_in_from_words(int argc, char **argv, struct sa_in *out, char *err,
		     size_t errlen)
{
	const char *v[5];

	if (sa_add_words(argc, argv, "replay", v, err, errlen))
		return -1;
	return sa_in_build(v[0], v[1], v[2], v[3], v[4], out, err, errlen);
}

/* ---- maps: changes ------------------------------------------------------ */

static void describe(const struct esprit_sa_in_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "SPI 0x%x (%u), ASN %u", k->spi, k->spi, k->asn);
}

/* Why an update failed, in words; full maps say how full. */
void sa_write_error(int fd, int e, const char *what, char *err, size_t errlen)
{
	if (e == E2BIG || e == ENOMEM || e == ENOSPC)
		snprintf(err, errlen, "%s: table full (%u entries)", what,
			 map_max_entries(fd));
	else
		snprintf(err, errlen, "%s: cannot write: %s", what,
			 strerror(e));
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

/* Fresh per-CPU counters of an SA, for any direction's stats map. */
int sa_stats_reset(struct map_journal *j, int fd, const void *key,
		   const char *what, char *err, size_t errlen)
{
	struct mj_map_info mi;
	void *zeros;
	int e = mj_map_info(j, fd, &mi);

	if (e || !(zeros = calloc(1, mi.value_size))) {
		snprintf(err, errlen, "%s: %s", what,
			 strerror(e ? -e : ENOMEM));
		return -1;
	}
	e = mj_update(j, fd, key, zeros, BPF_ANY);
	free(zeros);
	if (e) {
		sa_write_error(fd, -e, what, err, errlen);
		return -1;
	}
	return 0;
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

/* Rows start with their SA's key: (SPI, ASN) in both directions. */
struct sa_row_key {
	__u32 spi, asn;
};

static int row_cmp(const void *a, const void *b)
{
	const struct sa_row_key *x = a, *y = b;

	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	if (x->spi != y->spi)
		return x->spi < y->spi ? -1 : 1;
	return 0;
}

int sa_map_rows(int fd, size_t value_size, size_t row_size, sa_row_fill fill,
		const void *ctx, void **rows, size_t *n, char *err,
		size_t errlen)
{
	struct sa_row_key key, next, *prev = NULL;
	size_t count = 0, cap = 0;
	char *list = NULL;
	void *v = malloc(value_size);

	*rows = NULL;
	*n = 0;
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, v))
			continue; /* deleted meanwhile */
		if (count == cap) {
			size_t c = cap ? 2 * cap : 16;
			char *l = realloc(list, c * row_size);

			if (!l)
				goto oom;
			list = l;
			cap = c;
		}
		memcpy(list + count * row_size, &key, sizeof(key));
		if (fill(list + count * row_size, v, ctx))
			goto oom;
		count++;
	}
	/* values hold key midstates */
	explicit_bzero(v, value_size);
	free(v);
	if (count)
		qsort(list, count, row_size, row_cmp);
	*rows = list;
	*n = count;
	return 0;
oom:
	explicit_bzero(v, value_size);
	free(v);
	free(list);
	snprintf(err, errlen, "out of memory");
	return -1;
}

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
