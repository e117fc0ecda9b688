// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>

#include "lib/output.h"
#include "lib/pins.h"
#include "esprit_maps.h"

/* Both objects (XDP and the TC tagger) have the counters. */
static int has_maps(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/" ESPRIT_MAP_COUNTERS, dir);
	return access(path, F_OK) == 0;
}

int pins_find(const char *dir, struct pins *pins)
{
	pins->lock_fd = -1;
	if (dir && strlen(dir) >= sizeof(pins->dir)) {
		errmsg("pin directory name too long");
		return -1;
	}
	if (dir) {
		if (!has_maps(dir)) {
			errmsg("no esprit maps in %s (is the program loaded?)",
			       dir);
			return -1;
		}
		snprintf(pins->dir, sizeof(pins->dir), "%s", dir);
		return 0;
	}
	if (has_maps(ESPRIT_PIN_DIR)) {
		snprintf(pins->dir, sizeof(pins->dir), "%s", ESPRIT_PIN_DIR);
		return 0;
	}
	if (has_maps(ESPRIT_IPROUTE_PIN_DIR)) {
		snprintf(pins->dir, sizeof(pins->dir), "%s",
			 ESPRIT_IPROUTE_PIN_DIR);
		return 0;
	}
	errmsg("esprit is not loaded: no maps in %s or %s (attach it with "
	       "'esprit attach DEV' or 'ip link set dev DEV xdp obj "
	       "esprit_xdp.bpf.o sec xdp', or give --pin-dir)",
	       ESPRIT_PIN_DIR, ESPRIT_IPROUTE_PIN_DIR);
	return -1;
}

static int bpffs_mounted(void)
{
	struct statfs st;

	return statfs(ESPRIT_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

int pins_prepare(const char *dir, struct pins *pins)
{
	pins->lock_fd = -1;
	if (dir && strlen(dir) >= sizeof(pins->dir)) {
		errmsg("pin directory name too long");
		return -1;
	}
	snprintf(pins->dir, sizeof(pins->dir), "%s",
		 dir ? dir : ESPRIT_PIN_DIR);
	if (!strncmp(pins->dir, ESPRIT_BPFFS "/", strlen(ESPRIT_BPFFS) + 1) &&
	    !bpffs_mounted() &&
	    mount("bpf", ESPRIT_BPFFS, "bpf", 0, "mode=0700")) {
		errmsg("cannot mount bpffs on %s: %s", ESPRIT_BPFFS,
		       strerror(errno));
		return -1;
	}
	if (mkdir_p(pins->dir)) {
		errmsg("cannot create %s: %s", pins->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int pins_lock(struct pins *pins)
{
	pins->lock_fd = open(pins->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pins->lock_fd < 0) {
		errmsg("cannot open %s: %s", pins->dir, strerror(errno));
		return -1;
	}
	if (flock(pins->lock_fd, LOCK_EX)) {
		errmsg("cannot lock %s: %s", pins->dir, strerror(errno));
		close(pins->lock_fd);
		pins->lock_fd = -1;
		return -1;
	}
	return 0;
}

void pins_unlock(struct pins *pins)
{
	if (pins->lock_fd >= 0)
		close(pins->lock_fd);
	pins->lock_fd = -1;
}

int pins_try_open_map(const struct pins *pins, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pins->dir, name);
	return bpf_obj_get(path);
}

int pins_open_map(const struct pins *pins, const char *name)
{
	int fd = pins_try_open_map(pins, name);

	if (fd < 0)
		errmsg("cannot open map %s/%s: %s", pins->dir, name,
		       strerror(errno));
	return fd;
}

void fds_close(int *const fds[], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int pins_open_maps(const struct pins *pins, const char *const names[],
		   int *const fds[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		*fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		*fds[i] = pins_open_map(pins, names[i]);
		if (*fds[i] < 0) {
			fds_close(fds, n);
			return -1;
		}
	}
	return 0;
}

/* Calls fn for each of esprit's maps (esprit_*) of program prog_id;
 * -1 if the program cannot be read, else the sum of what fn returned. */
static int each_prog_map(__u32 prog_id,
			 int (*fn)(const struct pins *pins, int fd,
				   const struct bpf_map_info *mi,
				   const struct pin_names *names),
			 const struct pins *pins, const struct pin_names *names)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[256];
	int prog = bpf_prog_get_fd_by_id(prog_id), sum = 0;

	if (prog < 0)
		return -1;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog, &info, &len)) {
		close(prog);
		return -1;
	}
	close(prog);
	for (__u32 i = 0;
	     i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		/* esprit's own maps, not the object's .rodata or .bss */
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) &&
		    !strncmp(mi.name, "esprit_", 7))
			sum += fn(pins, fd, &mi, names);
		close(fd);
	}
	return sum;
}

static bool named(const struct pin_names *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], name))
			return true;
	return false;
}

static int pin_if_missing(const struct pins *pins, int fd,
			  const struct bpf_map_info *mi,
			  const struct pin_names *names)
{
	char path[PATH_MAX];
	int have;

	if (!named(names, mi->name))
		return 0; /* a map the object does not pin */
	have = pins_try_open_map(pins, mi->name);
	if (have >= 0) {
		close(have);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", pins->dir, mi->name);
	return !bpf_obj_pin(fd, path);
}

static int pinned_here(const struct pins *pins, int fd,
		       const struct bpf_map_info *mi,
		       const struct pin_names *names)
{
	struct bpf_map_info pinned = {};
	__u32 len = sizeof(pinned);
	int have = pins_try_open_map(pins, mi->name), same;

	(void)fd;
	(void)names;
	if (have < 0)
		return 0;
	same = !bpf_obj_get_info_by_fd(have, &pinned, &len) &&
	       pinned.id == mi->id;
	close(have);
	return same;
}

int pins_restore(const struct pins *pins, __u32 prog_id,
		 const struct pin_names *names)
{
	return each_prog_map(prog_id, pin_if_missing, pins, names);
}

bool pins_hold_prog_maps(const struct pins *pins, __u32 prog_id)
{
	return each_prog_map(prog_id, pinned_here, pins, NULL) > 0;
}

void pins_list(const struct pins *pins, struct pin_names *names)
{
	DIR *d = opendir(pins->dir);
	struct dirent *e;

	names->n = 0;
	while (d && (e = readdir(d)) && names->n < PIN_NAMES_MAX)
		if (!strncmp(e->d_name, "esprit_", 7) &&
		    strlen(e->d_name) < sizeof(names->name[0]))
			snprintf(names->name[names->n++],
				 sizeof(names->name[0]), "%s", e->d_name);
	if (d)
		closedir(d);
}
