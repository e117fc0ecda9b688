// SPDX-License-Identifier: GPL-2.0
/*
 * What SAs of both directions share: the words of `esprit sa add|del` and
 * their values (SPI, algorithm, key), fresh counters, write errors, and
 * listings sorted by (ASN, SPI).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lib/asn.h"
#include "lib/hmac_key.h"
#include "lib/map_journal.h"
#include "lib/maps.h"
#include "lib/output.h"
#include "lib/parse.h"
#include "risav/sa.h"

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
				 "key: not a hex digit at position %zu", i + 1);
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
	return state == ESPRIT_SA_ACTIVE ? "active"
	       : state == ESPRIT_SA_HELD ? "held"
					 : "unknown";
}

/* 1 if a word could be key material: long and all hex. */
static bool looks_like_key(const char *s)
{
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s[n]; n++)
		if (hex_value(s[n]) < 0)
			return false;
	return n >= 16;
}

int sa_take_pairs(int argc, char **argv, const char *const *names,
		  size_t nnames, const char **vals, char *err, size_t errlen)
{
	for (int i = 0; i < argc; i += 2) {
		size_t k;

		for (k = 0; k < nnames && names[k]; k++)
			if (!strcmp(argv[i], names[k]))
				break;
		if (k == nnames || !names[k]) {
			/* a word out of place may be a key: never echoed */
			if (looks_like_key(argv[i]))
				snprintf(err, errlen,
					 "unexpected word %d: %zu hex digits "
					 "(not shown; is 'key' missing?)",
					 i + 1, strlen(argv[i]));
			else
				snprintf(err, errlen, "unexpected '%s'",
					 argv[i]);
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

int sa_add_words(int argc, char **argv, const char *last, struct sa_words *w,
		 char *err, size_t errlen)
{
	const char *names[] = {"spi", "asn", "alg", "key", "key-file", last};
	const char *v[6] = {0};
	char why[256];
	int rc;

	memset(w, 0, sizeof(*w));
	if (sa_take_pairs(argc, argv, names, 6, v, err, errlen))
		return -1;
	for (int i = 0; i < 3; i++)
		if (sa_need(v[i], names[i], err, errlen))
			return -1;
	if (!v[3] == !v[4]) {
		snprintf(err, errlen,
			 v[3] ? "'key' and 'key-file' both given: one of them"
			      : "missing 'key-file PATH' (or 'key -' to read "
				"the key from standard input)");
		return -1;
	}
	w->spi = v[0];
	w->asn = v[1];
	w->alg = v[2];
	w->last = v[5];
	if (v[4])
		rc = key_file_read(v[4], w->key, sizeof(w->key), why,
				   sizeof(why));
	else if (!strcmp(v[3], "-"))
		rc = key_stream_read(0, "standard input", w->key,
				     sizeof(w->key), why, sizeof(why));
	else if (strlen(v[3]) >= sizeof(w->key)) {
		snprintf(why, sizeof(why), "key: too long");
		rc = -1;
	} else {
		warnmsg("a key on the command line can be read by other "
			"users (/proc) and stays in shell history; use "
			"'key-file PATH' or 'key -'");
		snprintf(w->key, sizeof(w->key), "%s", v[3]);
		rc = 0;
	}
	if (rc) {
		explicit_bzero(w->key, sizeof(w->key));
		snprintf(err, errlen, "%s", why);
		return -1;
	}
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
