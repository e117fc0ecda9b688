// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lib/prog_maps.h"

/* Keeps the map if one of want matches it; closes it otherwise. */
static int take_map(__u32 id, struct prog_map_want *want, size_t n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int e = -errno;

		close(fd);
		return e;
	}
	for (size_t i = 0; i < n; i++) {
		struct prog_map_want *w = &want[i];

		if (strcmp(info.name, w->name) || *w->fd >= 0 ||
		    info.type != w->type ||
		    (w->key_size && info.key_size != w->key_size) ||
		    (w->value_size && info.value_size != w->value_size))
			continue;
		*w->fd = fd;
		if (w->id)
			*w->id = info.id;
		if (w->max_entries)
			*w->max_entries = info.max_entries;
		return 0;
	}
	close(fd);
	return 0;
}

static void close_wanted(struct prog_map_want *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (*want[i].fd >= 0)
			close(*want[i].fd);
		*want[i].fd = -1;
	}
}

int prog_maps_open(int prog_fd, struct prog_map_want *want, size_t n,
		   __u32 *prog_id, char *err, size_t errlen)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nmaps, *ids;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		*want[i].fd = -1;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		snprintf(err, errlen, "cannot read the program's info: %s",
			 strerror(errno));
		return -1;
	}
	nmaps = info.nr_map_ids;
	ids = calloc(nmaps ? nmaps : 1, sizeof(*ids));
	if (!ids) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nmaps;
	info.map_ids = (__u64)(uintptr_t)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		snprintf(err, errlen, "cannot read the program's maps: %s",
			 strerror(errno));
		goto out;
	}
	if (prog_id)
		*prog_id = info.id;
	if (info.nr_map_ids < nmaps)
		nmaps = info.nr_map_ids;
	for (__u32 i = 0; i < nmaps; i++) {
		int e = take_map(ids[i], want, n);

		if (e) {
			snprintf(err, errlen, "cannot open map id %u: %s",
				 ids[i], strerror(-e));
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (want[i].required && *want[i].fd < 0) {
			snprintf(err, errlen,
				 "program id %u has no map %s of the expected "
				 "shape (not esprit's program, or another "
				 "version)",
				 info.id, want[i].name);
			goto out;
		}
	}
	rc = 0;
out:
	free(ids);
	if (rc)
		close_wanted(want, n);
	return rc;
}

int prog_maps_open_id(__u32 prog_id, struct prog_map_want *want, size_t n,
		      char *err, size_t errlen)
{
	int fd = bpf_prog_get_fd_by_id(prog_id), rc;

	if (fd < 0) {
		for (size_t i = 0; i < n; i++)
			*want[i].fd = -1;
		snprintf(err, errlen, "cannot open program id %u: %s", prog_id,
			 strerror(errno));
		return -1;
	}
	rc = prog_maps_open(fd, want, n, NULL, err, errlen);
	close(fd);
	return rc;
}
