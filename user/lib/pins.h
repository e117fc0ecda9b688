/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the maps are pinned, and a lock so two commands never interleave
 * their changes. esprit pins under /sys/fs/bpf/esprit; iproute2's
 * `ip link set ... xdp obj` pins under /sys/fs/bpf/xdp/globals.
 */
#ifndef ESPRIT_PINS_H
#define ESPRIT_PINS_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

#define ESPRIT_BPFFS	       "/sys/fs/bpf"
#define ESPRIT_PIN_DIR	       "/sys/fs/bpf/esprit"
#define ESPRIT_IPROUTE_PIN_DIR "/sys/fs/bpf/xdp/globals"
#define PINS_DIR_MAX	       1024

struct pins {
	char dir[PINS_DIR_MAX];
	int lock_fd; /* -1 when not locked */
};

/*
 * Finds the directory holding esprit's maps: dir if given, else the first
 * of the two defaults that has them. Returns 0, or -1 after a message.
 */
int pins_find(const char *dir, struct pins *pins);

/* Makes sure bpffs is mounted and dir exists (for loading). */
int pins_prepare(const char *dir, struct pins *pins);

/* Takes an exclusive lock on the pin directory (blocks until free). */
int pins_lock(struct pins *pins);
void pins_unlock(struct pins *pins);

/* Opens the pinned map by name; -1 after a message if it is not there. */
int pins_open_map(const struct pins *pins, const char *name);

/* Same, silently, for maps an older object may not have. */
int pins_try_open_map(const struct pins *pins, const char *name);

/*
 * Opens names[i] into *fds[i] for each i, in order: 0, or -1 after a
 * message with every *fds[i] closed and -1.
 */
int pins_open_maps(const struct pins *pins, const char *const names[],
		   int *const fds[], size_t n);

/* The names of esprit's maps pinned in a directory. */
#define PIN_NAMES_MAX 128
struct pin_names {
	char name[PIN_NAMES_MAX][16]; /* BPF_OBJ_NAME_LEN */
	size_t n;
};

void pins_list(const struct pins *pins, struct pin_names *names);

/*
 * Pins again the maps of program prog_id that names holds and the
 * directory lacks (someone removed them): the number pinned, or -1 if
 * the program cannot be read.
 */
int pins_restore(const struct pins *pins, __u32 prog_id,
		 const struct pin_names *names);

/* Whether any of program prog_id's maps is the one pinned in the
 * directory under its name. */
bool pins_hold_prog_maps(const struct pins *pins, __u32 prog_id);

/* Closes each *fds[i] that is open and sets it to -1. */
void fds_close(int *const fds[], size_t n);

#endif
