// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
