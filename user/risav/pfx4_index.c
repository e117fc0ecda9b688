// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "esprit_maps.h"
#include "lib/addr.h"
#include "risav/pfx4_index.h"
#include "risav/prefix_btf.h"

#define INDEX_NAME  ESPRIT_MAP_PFX4_IDX
#define INDEX_BYTES ((size_t)ESPRIT_PFX4_CELLS * sizeof(__u32))

/* ASN → origin number while building: open addressing, twice the room. */
#define ORIGIN_HASH_SLOTS (2 * ESPRIT_PFX4_ORIGINS_MAX)

struct index {
	__u32 *cells; /* the mapped map */
	__u32 *hash_asn, *hash_num; /* hash_num: origin number + 1, 0 free */
	const char *full; /* why it could not take more, or NULL */
};

static __u32 hash32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

static __u32 add_origin(struct index *ix, __u32 asn)
{
	__u32 n = ix->cells[ESPRIT_PFX4_NORIGINS];

	if (n >= ESPRIT_PFX4_ORIGINS_MAX) {
		ix->full = "too many origin ASes";
		return ESPRIT_PFX4_NONE;
	}
	ix->cells[ESPRIT_PFX4_ORIGINS + n] = asn;
	/* the origin is in place before any cell can point to it */
	__atomic_store_n(&ix->cells[ESPRIT_PFX4_NORIGINS], n + 1,
			 __ATOMIC_RELEASE);
	return ESPRIT_PFX4_ORIGIN0 + n;
}

/* The cell value meaning "origin asn", adding the origin if new. With a
 * hash while building; patching one prefix scans the origins in use. */
static __u32 origin_value(struct index *ix, __u32 asn)
{
	__u32 h, v;

	if (!ix->hash_num) {
		__u32 n = ix->cells[ESPRIT_PFX4_NORIGINS];

		for (__u32 i = 0; i < n && i < ESPRIT_PFX4_ORIGINS_MAX; i++)
			if (ix->cells[ESPRIT_PFX4_ORIGINS + i] == asn)
				return ESPRIT_PFX4_ORIGIN0 + i;
		return add_origin(ix, asn);
	}
	for (h = hash32(asn) % ORIGIN_HASH_SLOTS; ix->hash_num[h];
	     h = (h + 1) % ORIGIN_HASH_SLOTS)
		if (ix->hash_asn[h] == asn)
			return ESPRIT_PFX4_ORIGIN0 + ix->hash_num[h] - 1;
	v = add_origin(ix, asn);
	if (v != ESPRIT_PFX4_NONE) {
		ix->hash_asn[h] = asn;
		ix->hash_num[h] = v - ESPRIT_PFX4_ORIGIN0 + 1;
	}
	return v;
}

/* A group for the /24 slot, its 256 cells all set to the slot's present
 * value, published in the slot; or the existing one. UINT32_MAX if full. */
static __u32 group_of(struct index *ix, __u32 slot)
{
	__u32 v = ix->cells[slot], g, *cells;

	if (v & ESPRIT_PFX4_GROUP)
		return v & ~ESPRIT_PFX4_GROUP;
	g = ix->cells[ESPRIT_PFX4_NGROUPS];
	if (g >= ESPRIT_PFX4_GROUPS_MAX) {
		ix->full = "too many /24s holding longer prefixes";
		return UINT32_MAX;
	}
	cells = &ix->cells[ESPRIT_PFX4_GROUPS + g * 256];
	for (int d = 0; d < 256; d++)
		cells[d] = v;
	ix->cells[ESPRIT_PFX4_NGROUPS] = g + 1;
	/* filled before the slot points to it */
	__atomic_store_n(&ix->cells[slot], ESPRIT_PFX4_GROUP | g,
			 __ATOMIC_RELEASE);
	return g;
}

static __u32 v4_addr(const struct esprit_prefix_key *k)
{
	return (__u32)k->addr[12] << 24 | (__u32)k->addr[13] << 16 |
	       (__u32)k->addr[14] << 8 | k->addr[15];
}

static int create_index(char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	struct prefix_btf b;
	int fd;

	/* same as the template in bpf/risav/maps.h (struct esprit_pfx4_index) */
	if (!prefix_btf_load(&b)) {
		opts.btf_fd = b.fd;
		opts.btf_key_type_id = b.u32_id;
		opts.btf_value_type_id = b.cells_id;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, INDEX_NAME, sizeof(__u32),
			    sizeof(struct esprit_pfx4_cells),
			    ESPRIT_PFX4_CELLS / 2, &opts);
	if (fd < 0 && b.fd >= 0) {
		opts.btf_fd = opts.btf_key_type_id = opts.btf_value_type_id = 0;
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, INDEX_NAME,
				    sizeof(__u32),
				    sizeof(struct esprit_pfx4_cells),
				    ESPRIT_PFX4_CELLS / 2, &opts);
	}
	if (fd < 0)
		snprintf(err, errlen, "cannot create the IPv4 index: %s",
			 strerror(errno));
	if (b.fd >= 0)
		close(b.fd);
	return fd;
}

static __u32 *map_cells(int fd, char *err, size_t errlen)
{
	void *p = mmap(NULL, INDEX_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);

	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the IPv4 index: %s",
			 strerror(errno));
		return NULL;
	}
	return p;
}

/*
 * Paints one prefix over what is there. Painting a sorted table in order
 * is right: a prefix comes before every prefix inside it, so each cell
 * ends with its longest covering prefix. A prefix of /24 or shorter never
 * meets a group (the longer prefixes that made it come later).
 */
static int paint(struct index *ix, const struct prefix_entry *e)
{
	unsigned int len = prefix_family_len(&e->key);
	__u32 a = v4_addr(&e->key), v = origin_value(ix, e->asn), g;

	if (v == ESPRIT_PFX4_NONE)
		return -1;
	if (len <= 24) {
		__u32 first = a >> 8, n = 1U << (24 - len);

		for (__u32 s = first; s < first + n; s++) {
			if (ix->cells[s] & ESPRIT_PFX4_GROUP) {
				ix->full = "the table is not sorted";
				return -1;
			}
			ix->cells[s] = v;
		}
		return 0;
	}
	g = group_of(ix, a >> 8);
	if (g == UINT32_MAX)
		return -1;
	for (__u32 d = a & 0xff; d < (a & 0xff) + (1U << (32 - len)); d++)
		ix->cells[ESPRIT_PFX4_GROUPS + g * 256 + d] = v;
	return 0;
}

int pfx4_index_build(const struct prefix_table *t, char *err, size_t errlen)
{
	struct index ix = {};
	int fd = create_index(err, errlen), rc = -1;

	if (fd < 0)
		return -1;
	ix.cells = map_cells(fd, err, errlen);
	ix.hash_asn = calloc(ORIGIN_HASH_SLOTS, sizeof(__u32));
	ix.hash_num = calloc(ORIGIN_HASH_SLOTS, sizeof(__u32));
	if (!ix.cells || !ix.hash_asn || !ix.hash_num) {
		if (ix.cells)
			snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (prefix_is_v4(&t->v[i].key) && paint(&ix, &t->v[i])) {
			snprintf(err, errlen, "IPv4 index: %s", ix.full);
			goto out;
		}
	}
	rc = 0;
out:
	if (ix.cells)
		munmap(ix.cells, INDEX_BYTES);
	free(ix.hash_asn);
	free(ix.hash_num);
	if (rc) {
		close(fd);
		return -1;
	}
	return fd;
}

int pfx4_index_install(int outer_fd, int fd, char *err, size_t errlen)
{
	__u32 zero = 0;

	if (!bpf_map_update_elem(outer_fd, &zero, &fd, BPF_ANY))
		return 0;
	snprintf(err, errlen, "cannot install the IPv4 index: %s%s",
		 strerror(errno),
		 errno == EINVAL ? " (the loaded program's index template "
				   "differs from this esprit's)"
				 : "");
	return -1;
}

void pfx4_index_drop(int outer_fd)
{
	__u32 zero = 0;

	if (outer_fd >= 0)
		bpf_map_delete_elem(outer_fd, &zero);
}

__u32 pfx4_index_current_id(int outer_fd)
{
	__u32 zero = 0, id = 0;

	if (outer_fd < 0 || bpf_map_lookup_elem(outer_fd, &zero, &id))
		return 0;
	return id;
}

/* The trie's answer for the IPv4 prefix addr/len as a cell value: the
 * longest prefix of at most len bits that covers it (an LPM lookup with a
 * key of len bits sees no longer ones). */
static __u32 trie_answer(struct index *ix, int trie_fd, __u32 addr,
			 unsigned int len)
{
	struct esprit_prefix_key k = {.prefixlen = 96 + len};
	struct esprit_prefix_origin o;

	k.addr[10] = k.addr[11] = 0xff;
	k.addr[12] = addr >> 24;
	k.addr[13] = addr >> 16;
	k.addr[14] = addr >> 8;
	k.addr[15] = addr;
	if (bpf_map_lookup_elem(trie_fd, &k, &o))
		return ESPRIT_PFX4_NONE;
	return origin_value(ix, o.asn);
}

/* Recomputes one /24 from the trie, group cell by group cell if it has
 * a group. */
static void refresh_slot(struct index *ix, int trie_fd, __u32 slot)
{
	__u32 v = ix->cells[slot];

	if (v & ESPRIT_PFX4_GROUP) {
		__u32 *g = &ix->cells[ESPRIT_PFX4_GROUPS +
				      (v & ~ESPRIT_PFX4_GROUP) * 256];

		for (__u32 d = 0; d < 256 && !ix->full; d++) {
			v = trie_answer(ix, trie_fd, slot << 8 | d, 32);
			if (!ix->full)
				g[d] = v;
		}
		return;
	}
	v = trie_answer(ix, trie_fd, slot << 8, 24);
	if (!ix->full)
		ix->cells[slot] = v;
}

int pfx4_index_patch(int outer_fd, int trie_fd,
		     const struct esprit_prefix_key *key, char *err,
		     size_t errlen)
{
	__u32 id = pfx4_index_current_id(outer_fd);
	int fd, rc;

	if (!id || !prefix_is_v4(key))
		return 0;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0) {
		snprintf(err, errlen, "IPv4 index: cannot open it: %s",
			 strerror(errno));
		pfx4_index_drop(outer_fd);
		return -1;
	}
	rc = pfx4_index_patch_map(fd, trie_fd, key, err, errlen);
	close(fd);
	if (rc)
		pfx4_index_drop(outer_fd);
	return rc;
}

int pfx4_index_patch_map(int index_fd, int trie_fd,
			 const struct esprit_prefix_key *key, char *err,
			 size_t errlen)
{
	struct index ix = {};
	unsigned int len;
	__u32 a;

	if (!prefix_is_v4(key))
		return 0;
	ix.cells = map_cells(index_fd, err, errlen);
	if (!ix.cells)
		return -1;
	a = v4_addr(key);
	len = prefix_family_len(key);
	if (len <= 24) {
		for (__u32 s = a >> 8;
		     s < (a >> 8) + (1U << (24 - len)) && !ix.full; s++)
			refresh_slot(&ix, trie_fd, s);
	} else if (group_of(&ix, a >> 8) != UINT32_MAX) {
		/* the group starts as the /24's answer; the cells the
		 * prefix spans take the trie's answer, added or deleted */
		__u32 g = ix.cells[a >> 8] & ~ESPRIT_PFX4_GROUP;

		for (__u32 d = a & 0xff;
		     d < (a & 0xff) + (1U << (32 - len)) && !ix.full; d++) {
			__u32 v =
				trie_answer(&ix, trie_fd, (a & ~0xffU) | d, 32);

			if (!ix.full)
				ix.cells[ESPRIT_PFX4_GROUPS + g * 256 + d] = v;
		}
	}
	munmap(ix.cells, INDEX_BYTES);
	if (ix.full) {
		snprintf(err, errlen,
			 "IPv4 index: %s; dropped, IPv4 lookups walk the trie "
			 "until the next import",
			 ix.full);
		return -1;
	}
	return 0;
}
