// SPDX-License-Identifier: GPL-2.0
/*
 * The map names user space takes from headers/esprit_maps.h are those the
 * BPF objects pin, every map name fits the kernel's 15 characters, and
 * each feature's maps are where the layout says.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <CUnit/CUnit.h>

#include "esprit_maps.h"
#include "testlib.h"

#define MAX_MAPS 64

static const char *const header_pinned[] = {
#define NAME(n) n,
	ESPRIT_PINNED_MAPS(NAME)
#undef NAME
};

#define NPINNED (sizeof(header_pinned) / sizeof(header_pinned[0]))

struct seen {
	char name[MAX_MAPS][64];
	int n;
};

/* The maps an object pins by name (internal .rodata/.bss maps aside). */
static void object_maps(const char *file, struct seen *pinned, struct seen *all)
{
	char path[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_map *map;

	snprintf(path, sizeof(path), "%s/%s", test_build_dir(), file);
	obj = bpf_object__open_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);

		if (strchr(name, '.'))
			continue;
		if (all->n < MAX_MAPS)
			snprintf(all->name[all->n++], 64, "%s", name);
		if (bpf_map__pin_path(map) && pinned->n < MAX_MAPS)
			snprintf(pinned->name[pinned->n++], 64, "%s", name);
	}
	bpf_object__close(obj);
}

static bool has(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return true;
	return false;
}

static void test_header_matches_objects(void)
{
	struct seen pinned = {0}, all = {0};

	object_maps("esprit_xdp.bpf.o", &pinned, &all);
	object_maps("esprit_tc.bpf.o", &pinned, &all);
	for (size_t i = 0; i < NPINNED; i++) {
		if (!has(&pinned, header_pinned[i])) {
			fprintf(stderr,
				"\n%s is in esprit_maps.h, not pinned "
				"by either object\n",
				header_pinned[i]);
			CU_FAIL("header name without a map");
		}
	}
	for (int i = 0; i < pinned.n; i++) {
		bool listed = false;

		for (size_t j = 0; j < NPINNED; j++)
			listed |= !strcmp(pinned.name[i], header_pinned[j]);
		if (!listed) {
			fprintf(stderr,
				"\n%s is pinned but not in esprit_maps.h\n",
				pinned.name[i]);
			CU_FAIL("pinned map missing from the header");
		}
	}
	for (int i = 0; i < all.n; i++) {
		if (strlen(all.name[i]) > 15) {
			fprintf(stderr, "\nmap name %s is cut by the kernel\n",
				all.name[i]);
			CU_FAIL("map name over 15 characters");
		}
		CU_ASSERT_EQUAL(strncmp(all.name[i], "esprit_", 7), 0);
	}
}

TEST_SUITE(map_names) = {
	.name = "unit_map_names",
	.cases =
		(const struct test_case[]){
			{"header_matches_objects", test_header_matches_objects},
			{NULL, NULL},
		},
};
