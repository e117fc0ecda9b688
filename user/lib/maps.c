// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lib/maps.h"

__u32 map_max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

/* Walks the map; with value_size, reads each value after its key. */
static int walk(int fd, size_t key_size, size_t value_size, void **out,
		size_t *n)
{
	size_t rec = key_size + value_size, cap = 0, count = 0;
	__u8 *v = NULL, *prev = NULL, key[64], next[64];

	*out = NULL;
	*n = 0;
	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (count == cap) {
			size_t c = cap ? 2 * cap : 16;
			__u8 *g = realloc(v, c * rec);

			if (!g) {
				if (v)
					explicit_bzero(v, count * rec);
				free(v);
				return -ENOMEM;
			}
			v = g;
			cap = c;
		}
		memcpy(v + count * rec, key, key_size);
		if (value_size &&
		    bpf_map_lookup_elem(fd, key, v + count * rec + key_size))
			continue; /* deleted meanwhile */
		count++;
	}
	*out = v;
	*n = count;
	return 0;
}

int map_entries(int fd, size_t key_size, size_t value_size, void **out,
		size_t *n)
{
	return walk(fd, key_size, value_size, out, n);
}

int map_keys(int fd, size_t key_size, void **out, size_t *n)
{
	return walk(fd, key_size, 0, out, n);
}

static bool key_wanted(const void *keys, size_t n, size_t key_size,
		       const void *key)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp((const char *)keys + i * key_size, key, key_size))
			return true;
	return false;
}

int map_sync(int fd, const void *keys, const void *values, size_t n,
	     size_t key_size, size_t value_size)
{
	char zero[64] = {0};
	size_t have = 0;
	void *present = NULL;
	int err = map_keys(fd, key_size, &present, &have);

	if (err)
		return err;
	if (!values && value_size > sizeof(zero)) {
		free(present);
		return -EINVAL;
	}
	for (size_t i = 0; i < have; i++) {
		const void *key = (const char *)present + i * key_size;

		if (!key_wanted(keys, n, key_size, key))
			bpf_map_delete_elem(fd, key);
	}
	free(present);
	for (size_t i = 0; i < n; i++) {
		const void *value =
			values ? (const char *)values + i * value_size : zero;

		if (bpf_map_update_elem(fd, (const char *)keys + i * key_size,
					value, BPF_ANY) &&
		    !err)
			err = -errno;
	}
	return err;
}
