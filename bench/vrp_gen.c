// SPDX-License-Identifier: GPL-2.0
/*
 * The shares below are modelled on published RPKI statistics (prefix
 * lengths of VRPs, as seen in rpki-client output), rounded; they are not a
 * measurement. What matters for the benchmarks is the shape: a binary LPM
 * trie's cost depends on how many prefixes there are, how deep they nest
 * and how they spread over the address space.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vrp_gen.h"

#define PARENTS 4096 /* recent short prefixes more-specifics nest in */

/* Prefix-length shares in tenths of a percent. */
struct share {
	unsigned char len;
	unsigned short tenths;
};

static const struct share v4_lengths[] = {
	{8, 1},	  {9, 1},   {10, 2},   {11, 3},	 {12, 5},   {13, 6},
	{14, 8},  {15, 9},  {16, 40},  {17, 15}, {18, 22},  {19, 30},
	{20, 50}, {21, 50}, {22, 110}, {23, 80}, {24, 558}, {25, 2},
	{26, 2},  {27, 1},  {28, 1},   {29, 1},	 {30, 1},   {32, 2},
};

static const struct share v6_lengths[] = {
	{20, 3},  {22, 2},   {24, 3},  {26, 2},	  {28, 5},  {29, 60}, {30, 10},
	{31, 10}, {32, 150}, {33, 10}, {34, 10},  {35, 10}, {36, 40}, {37, 5},
	{38, 5},  {39, 5},   {40, 50}, {41, 5},	  {42, 10}, {43, 5},  {44, 60},
	{45, 10}, {46, 20},  {47, 20}, {48, 450}, {52, 5},  {56, 30}, {64, 5},
};

static const char *const tas[] = {"afrinic", "apnic", "arin", "lacnic", "ripe"};

struct prefix {
	unsigned char addr[16];
	unsigned char len;
	bool v4;
	unsigned int asn;
};

struct gen {
	uint64_t state;
	struct prefix parents[2][PARENTS]; /* [v4] */
	size_t nparents[2];
};

/* splitmix64: small, fast, and the same everywhere */
static uint64_t next(struct gen *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(struct gen *g, unsigned int n)
{
	return (unsigned int)(next(g) % n);
}

static bool chance(struct gen *g, unsigned int per_mille)
{
	return below(g, 1000) < per_mille;
}

static unsigned char pick_len(struct gen *g, const struct share *s, size_t n)
{
	unsigned int r = below(g, 1000), acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc += s[i].tenths;
		if (r < acc)
			return s[i].len;
	}
	return s[n - 1].len;
}

/* Origins: 16-bit ASNs outside the reserved ranges, and 32-bit ones;
 * skewed so that large networks hold many prefixes. */
static unsigned int pick_asn(struct gen *g)
{
	double u = (double)(next(g) >> 11) / (double)(1ULL << 53);
	unsigned int asn;

	if (chance(g, 700)) {
		asn = 1 + (unsigned int)(64000 * u * u);
		if (asn == 23456) /* AS_TRANS */
			asn++;
		return asn;
	}
	return 131072 + (unsigned int)(270000 * u * u);
}

static void mask(unsigned char *addr, unsigned int bits, unsigned int len)
{
	for (unsigned int b = len; b < bits; b++)
		addr[b / 8] &= ~(0x80 >> (b % 8));
}

static void random_bits(struct gen *g, unsigned char *addr, unsigned int from,
			unsigned int bits)
{
	for (unsigned int b = from; b < bits; b++) {
		if (next(g) & 1)
			addr[b / 8] |= 0x80 >> (b % 8);
		else
			addr[b / 8] &= ~(0x80 >> (b % 8));
	}
}

static void random_space(struct gen *g, struct prefix *p)
{
	static const unsigned short v6_blocks[] = {0x2001, 0x2400, 0x2600,
						   0x2800, 0x2a00, 0x2c00};

	if (p->v4) {
		unsigned int first;

		do /* unicast, not private or loopback */
			first = 1 + below(g, 223);
		while (first == 10 || first == 127);
		p->addr[0] = first;
		random_bits(g, p->addr, 8, 32);
		return;
	}
	unsigned short top = v6_blocks[below(g, 6)];

	if (top != 0x2001)
		top += below(g, 16);
	p->addr[0] = top >> 8;
	p->addr[1] = top & 0xff;
	random_bits(g, p->addr, 16, 128);
}

/* A parent of the family shorter than len, or NULL. */
static const struct prefix *pick_parent(struct gen *g, bool v4,
					unsigned int len)
{
	size_t n = g->nparents[v4];

	for (int tries = 0; n && tries < 4; tries++) {
		const struct prefix *p = &g->parents[v4][below(g, n)];

		if (p->len < len)
			return p;
	}
	return NULL;
}

static void new_prefix(struct gen *g, struct prefix *p)
{
	const struct prefix *parent;
	unsigned int bits;

	memset(p, 0, sizeof(*p));
	p->v4 = chance(g, 800);
	bits = p->v4 ? 32 : 128;
	p->len = p->v4 ? pick_len(g, v4_lengths,
				  sizeof(v4_lengths) / sizeof(v4_lengths[0]))
		       : pick_len(g, v6_lengths,
				  sizeof(v6_lengths) / sizeof(v6_lengths[0]));
	parent = chance(g, 450) ? pick_parent(g, p->v4, p->len) : NULL;
	if (parent) {
		/* a more-specific: the holder's own, or a customer's */
		memcpy(p->addr, parent->addr, sizeof(p->addr));
		random_bits(g, p->addr, parent->len, bits);
		p->asn = chance(g, 850) ? parent->asn : pick_asn(g);
	} else {
		random_space(g, p);
		p->asn = pick_asn(g);
	}
	mask(p->addr, bits, p->len);
	if (p->len <= (p->v4 ? 22 : 40)) {
		size_t *n = &g->nparents[p->v4];

		if (*n < PARENTS)
			g->parents[p->v4][(*n)++] = *p;
		else
			g->parents[p->v4][below(g, PARENTS)] = *p;
	}
}

static int emit(FILE *out, struct gen *g, const struct prefix *p,
		unsigned int asn, bool routinator, bool last)
{
	unsigned int max = p->v4 ? 32 : 128, cap = p->v4 ? 24 : 48, maxlen;
	char text[INET6_ADDRSTRLEN];

	inet_ntop(p->v4 ? AF_INET : AF_INET6, p->addr, text, sizeof(text));
	maxlen = p->len;
	if (chance(g, 350) && p->len < cap)
		maxlen = p->len + 1 + below(g, cap - p->len);
	if (maxlen > max)
		maxlen = max;
	if (routinator)
		return fprintf(out,
			       "    { \"asn\": \"AS%u\", \"prefix\": "
			       "\"%s/%u\", "
			       "\"maxLength\": %u, \"ta\": \"%s\" }%s\n",
			       asn, text, p->len, maxlen, tas[below(g, 5)],
			       last ? "" : ",") < 0
			       ? -1
			       : 0;
	/* expiring in 2100: a cache (stayrtr) drops VRPs past their time */
	return fprintf(out,
		       "\t\t{ \"asn\": %u, \"prefix\": \"%s/%u\", "
		       "\"maxLength\": "
		       "%u, \"ta\": \"%s\", \"expires\": %llu }%s\n",
		       asn, text, p->len, maxlen, tas[below(g, 5)],
		       4102444800ULL + below(g, 7 * 86400), last ? "" : ",") < 0
		       ? -1
		       : 0;
}

int vrp_gen_write(FILE *out, size_t n, unsigned long long seed, bool routinator)
{
	static struct gen g; /* large: parents */
	size_t done = 0;

	memset(&g, 0, sizeof(g));
	g.state = seed;
	if (fprintf(out, routinator ? "{\n  \"metadata\": {\n    "
				      "\"generated\": 1767225600,\n    "
				      "\"generatedTime\": "
				      "\"2026-01-01T00:00:00Z\"\n  },\n  "
				      "\"roas\": [\n"
				    : "{\n\t\"metadata\": "
				      "{\n\t\t\"buildmachine\": "
				      "\"esprit-vrp-gen\",\n\t\t\"buildtime\": "
				      "\"2026-01-01T00:00:00Z\"\n\t},\n\t"
				      "\"roas\": [\n") < 0)
		return -1;
	while (done < n) {
		struct prefix p;
		unsigned int asn;

		new_prefix(&g, &p);
		asn = chance(&g, 4) ? 0 : p.asn; /* AS0 ROA */
		if (emit(out, &g, &p, asn, routinator, ++done == n))
			return -1;
		/* the same VRP from a second trust anchor or ROA */
		if (done < n && chance(&g, 30) &&
		    emit(out, &g, &p, asn, routinator, ++done == n))
			return -1;
		/* another origin for the same prefix (MOAS) */
		if (done < n && chance(&g, 15) &&
		    emit(out, &g, &p, pick_asn(&g), routinator, ++done == n))
			return -1;
	}
	if (fprintf(out, routinator ? "  ]\n}\n" : "\t]\n}\n") < 0)
		return -1;
	return fflush(out) ? -1 : 0;
}

size_t vrp_gen_tmpfile(char *path, size_t len)
{
	const char *env = getenv("BENCH_VRPS");
	long n = env && *env ? atol(env) : 800000;
	FILE *f;
	int fd;

	if (n < 1 || n > 4000000)
		n = 800000;
	snprintf(path, len, "/tmp/esprit-vrps.XXXXXX");
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || vrp_gen_write(f, n, VRP_GEN_SEED, false)) {
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		unlink(path);
		return 0;
	}
	fclose(f);
	return n;
}
