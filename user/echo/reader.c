// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "esprit_maps.h"
#include "lib/counters.h"
#include "echo/reader.h"
#include "lib/attach.h"
#include "esprit_limits.h"
#include "lib/pins.h"
#include "lib/prog_maps.h"

struct echo_reader {
	struct echo_maps maps; /* our own fds */
	int ring_fd;
	struct ring_buffer *rb;
	echo_reply_fn fn;
	void *ctx;
	int slot; /* -1: none claimed */
	__u64 drops_released; /* counted in slots given back */
	__u32 pid;
	__u16 *idents;
	size_t nidents, cap;
};

void echo_maps_init(struct echo_maps *m)
{
	memset(m, 0, sizeof(*m));
	m->config_fd = m->ids_fd = m->rings_fd = m->drops_fd = -1;
	m->counters_fd = m->allow_fd = m->local_fd = m->priority_fd = -1;
}

void echo_maps_close(struct echo_maps *m)
{
	int *fds[] = {&m->config_fd, &m->ids_fd,      &m->rings_fd,
		      &m->drops_fd,  &m->counters_fd, &m->allow_fd,
		      &m->local_fd,  &m->priority_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int echo_maps_open_prog_fd(int prog_fd, struct echo_maps *m, char *err,
			   size_t errlen)
{
	struct prog_map_want want[] = {
		{ESPRIT_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, 4,
		 sizeof(struct esprit_config), &m->config_fd, true,
		 &m->config_id, NULL},
		{ESPRIT_MAP_ECHO_IDS, BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_echo_id),
		 sizeof(struct esprit_echo_reader), &m->ids_fd, true, NULL,
		 NULL},
		{ESPRIT_MAP_RINGS, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 0,
		 &m->rings_fd, true, NULL, &m->ring_slots},
		{ESPRIT_MAP_RB_DROPS, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8,
		 &m->drops_fd, true, NULL, NULL},
		/* optional: not needed for capture */
		{ESPRIT_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		 sizeof(struct esprit_counter), &m->counters_fd, false, NULL,
		 NULL},
		{ESPRIT_MAP_ALLOW, BPF_MAP_TYPE_LPM_TRIE,
		 sizeof(struct esprit_prefix_key), 4, &m->allow_fd, false, NULL,
		 NULL},
		{ESPRIT_MAP_LOCAL, BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_addr), 4, &m->local_fd, false, NULL,
		 NULL},
		{ESPRIT_MAP_PRIORITY, BPF_MAP_TYPE_HASH,
		 sizeof(struct esprit_addr), 4, &m->priority_fd, false, NULL,
		 NULL},
	};

	echo_maps_init(m);
	if (prog_maps_open(prog_fd, want, sizeof(want) / sizeof(want[0]),
			   &m->prog_id, err, errlen))
		return -1;
	if (!m->ring_slots) {
		snprintf(err, errlen, "esprit_rings has no slots");
		echo_maps_close(m);
		return -1;
	}
	return 0;
}

int echo_maps_open_prog_id(__u32 prog_id, struct echo_maps *m, char *err,
			   size_t errlen)
{
	int fd = bpf_prog_get_fd_by_id(prog_id), rc;

	if (fd < 0) {
		echo_maps_init(m);
		snprintf(err, errlen, "cannot open XDP program id %u: %s",
			 prog_id, strerror(errno));
		return -1;
	}
	rc = echo_maps_open_prog_fd(fd, m, err, errlen);
	close(fd);
	return rc;
}

int echo_maps_config(const struct echo_maps *m, struct esprit_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(m->config_fd, &zero, cfg) ? -errno : 0;
}

/*
 * Slot claims are read-then-write on an array of maps, which has no
 * insert-if-absent: one lock serialises every reader on the host. The bpffs
 * root exists wherever the maps are reachable and is private to a mount
 * namespace exactly when the pins are.
 */
static int capture_lock(void)
{
	int fd = open(ESPRIT_BPFFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX)) {
		int err = -errno;

		if (err != -EINTR) {
			close(fd);
			return err;
		}
	}
	return fd;
}

static void capture_unlock(int fd)
{
	close(fd);
}

static bool pid_alive(__u32 pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static bool owner_gone(const struct esprit_echo_reader *val)
{
	return val->owner_pid && !pid_alive(val->owner_pid);
}

static int sweep_locked(const struct echo_maps *m)
{
	struct esprit_echo_id key, next, *stale = NULL;
	struct esprit_echo_reader val;
	size_t nstale = 0, cap = 0;
	bool *used, first = true;
	int removed = 0, err = 0;

	used = calloc(m->ring_slots, sizeof(*used));
	if (!used)
		return -ENOMEM;
	while (!bpf_map_get_next_key(m->ids_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(m->ids_fd, &key, &val))
			continue; /* deleted meanwhile by its owner */
		if (!owner_gone(&val)) {
			if (val.ring_slot < m->ring_slots)
				used[val.ring_slot] = true;
			continue;
		}
		if (nstale == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *p = realloc(stale, ncap * sizeof(*stale));

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			stale = p;
			cap = ncap;
		}
		stale[nstale++] = key;
	}
	for (size_t i = 0; i < nstale; i++)
		removed += !bpf_map_delete_elem(m->ids_fd, &stale[i]);
	for (__u32 slot = 0; slot < m->ring_slots; slot++) {
		__u32 ring_id;

		if (used[slot] ||
		    bpf_map_lookup_elem(m->rings_fd, &slot, &ring_id))
			continue;
		removed += !bpf_map_delete_elem(m->rings_fd, &slot);
	}
out:
	free(stale);
	free(used);
	return err ? err : removed;
}

int echo_maps_sweep(const struct echo_maps *m)
{
	int lock = capture_lock(), rc;

	if (lock < 0)
		return lock;
	rc = sweep_locked(m);
	capture_unlock(lock);
	return rc;
}

static int dup_fd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct echo_reader *r = ctx;
	struct esprit_echo_reply_event ev;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.type == ESPRIT_EV_ECHO_REPLY)
		r->fn(r->ctx, &ev);
	return 0;
}

struct echo_reader *echo_reader_new(const struct echo_maps *m,
				    size_t ring_bytes, echo_reply_fn fn,
				    void *ctx, char *err, size_t errlen)
{
	long page = sysconf(_SC_PAGESIZE);
	struct echo_reader *r;

	if (!ring_bytes)
		ring_bytes = ESPRIT_RING_BYTES;
	if (ring_bytes < (size_t)page || ring_bytes > UINT32_MAX ||
	    (ring_bytes & (ring_bytes - 1))) {
		snprintf(err, errlen,
			 "ring size %zu is not a power of two of at least "
			 "%ld bytes",
			 ring_bytes, page);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	echo_maps_init(&r->maps);
	r->ring_fd = -1;
	r->slot = -1;
	r->fn = fn;
	r->ctx = ctx;
	r->pid = (__u32)getpid();
	r->maps.prog_id = m->prog_id;
	r->maps.ring_slots = m->ring_slots;
	r->maps.config_fd = dup_fd(m->config_fd);
	r->maps.ids_fd = dup_fd(m->ids_fd);
	r->maps.rings_fd = dup_fd(m->rings_fd);
	r->maps.drops_fd = dup_fd(m->drops_fd);
	if (r->maps.config_fd < 0 || r->maps.ids_fd < 0 ||
	    r->maps.rings_fd < 0 || r->maps.drops_fd < 0) {
		snprintf(err, errlen, "cannot duplicate map fds: %s",
			 strerror(errno));
		goto fail;
	}
	r->ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, ESPRIT_MAP_READER, 0,
				    0, (__u32)ring_bytes, NULL);
	if (r->ring_fd < 0) {
		snprintf(err, errlen, "cannot create a ring buffer: %s",
			 strerror(errno));
		goto fail;
	}
	r->rb = ring_buffer__new(r->ring_fd, on_sample, r, NULL);
	if (!r->rb) {
		snprintf(err, errlen, "cannot map the ring buffer: %s",
			 strerror(errno));
		goto fail;
	}
	return r;
fail:
	echo_reader_free(r);
	return NULL;
}

static int drops_zero(const struct echo_reader *r, __u32 slot)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *zeros;
	int err = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	zeros = calloc((size_t)ncpus, sizeof(*zeros));
	if (!zeros)
		return -ENOMEM;
	if (bpf_map_update_elem(r->maps.drops_fd, &slot, zeros, BPF_ANY))
		err = -errno;
	free(zeros);
	return err;
}

static int claim_slot_locked(struct echo_reader *r)
{
	int swept = sweep_locked(&r->maps);

	if (swept < 0)
		return swept;
	for (__u32 slot = 0; slot < r->maps.ring_slots; slot++) {
		__u32 ring_id;
		int err;

		if (!bpf_map_lookup_elem(r->maps.rings_fd, &slot, &ring_id))
			continue;
		if (errno != ENOENT)
			return -errno;
		err = drops_zero(r, slot);
		if (err)
			return err;
		if (bpf_map_update_elem(r->maps.rings_fd, &slot, &r->ring_fd,
					BPF_ANY))
			return -errno;
		r->slot = (int)slot;
		return 0;
	}
	return -ENOSPC;
}

static void release_slot_locked(struct echo_reader *r)
{
	__u32 slot = (__u32)r->slot;
	__u64 drops = 0;

	if (r->slot < 0)
		return;
	bpf_map_delete_elem(r->maps.rings_fd, &slot);
	if (!percpu_u64_sum(r->maps.drops_fd, slot, &drops))
		r->drops_released += drops;
	r->slot = -1;
}

static int insert_ident_locked(struct echo_reader *r, __u16 ident,
			       const struct esprit_addr *peer)
{
	struct esprit_echo_id key = {.ident = ident};
	struct esprit_echo_reader val = {.ring_slot = (__u32)r->slot,
					 .owner_pid = r->pid};
	struct esprit_echo_reader old;

	if (peer)
		val.peer = *peer;

	if (!bpf_map_update_elem(r->maps.ids_fd, &key, &val, BPF_NOEXIST))
		return 0;
	if (errno == E2BIG)
		return -ENOSPC;
	if (errno != EEXIST)
		return -errno;
	/* Left by a process that is gone: ours now (its slot is swept later). */
	if (bpf_map_lookup_elem(r->maps.ids_fd, &key, &old) ||
	    !owner_gone(&old))
		return -EEXIST;
	if (bpf_map_update_elem(r->maps.ids_fd, &key, &val, BPF_EXIST))
		return -errno;
	return 0;
}

int echo_reader_add(struct echo_reader *r, __u16 ident,
		    const struct esprit_addr *peer)
{
	int lock, err;

	for (size_t i = 0; i < r->nidents; i++)
		if (r->idents[i] == ident)
			return -EEXIST;
	if (r->nidents == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 8;
		__u16 *p = realloc(r->idents, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->idents = p;
		r->cap = ncap;
	}
	lock = capture_lock();
	if (lock < 0)
		return lock;
	err = r->slot < 0 ? claim_slot_locked(r) : 0;
	if (!err)
		err = insert_ident_locked(r, ident, peer);
	if (!err)
		r->idents[r->nidents++] = ident;
	else if (!r->nidents)
		release_slot_locked(r);
	capture_unlock(lock);
	return err;
}

bool echo_ident_usable(__u16 v)
{
	__u8 first = (__u8)(v >> 8);

	return v != 0 && first != ESPRIT_SUBTYPE_REQUEST &&
	       first != ESPRIT_SUBTYPE_RESPONSE;
}

int echo_reader_add_random(struct echo_reader *r,
			   const struct esprit_addr *peer, __u16 *ident)
{
	/* With at most 4096 of 65536 taken, 64 draws all colliding is ~0. */
	for (int tries = 0; tries < 64; tries++) {
		__u16 v;
		int err;

		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			return -errno;
		if (!echo_ident_usable(v))
			continue;
		err = echo_reader_add(r, v, peer);
		if (err == -EEXIST)
			continue;
		if (!err)
			*ident = v;
		return err;
	}
	return -EEXIST;
}

int echo_reader_remove(struct echo_reader *r, __u16 ident)
{
	struct esprit_echo_id key = {.ident = ident};
	size_t i;
	int lock;

	for (i = 0; i < r->nidents && r->idents[i] != ident; i++)
		;
	if (i == r->nidents)
		return -ENOENT;
	lock = capture_lock();
	if (lock < 0)
		return lock;
	bpf_map_delete_elem(r->maps.ids_fd, &key);
	r->idents[i] = r->idents[--r->nidents];
	if (!r->nidents)
		release_slot_locked(r);
	capture_unlock(lock);
	return 0;
}

int echo_reader_fd(const struct echo_reader *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

int echo_reader_consume(struct echo_reader *r)
{
	return ring_buffer__consume(r->rb);
}

int echo_reader_slot(const struct echo_reader *r)
{
	return r->slot;
}

__u64 echo_reader_drops(const struct echo_reader *r)
{
	__u64 now = 0;

	if (r->slot >= 0)
		percpu_u64_sum(r->maps.drops_fd, (__u32)r->slot, &now);
	return r->drops_released + now;
}

void echo_reader_free(struct echo_reader *r)
{
	int lock;

	if (!r)
		return;
	if (r->nidents || r->slot >= 0) {
		lock = capture_lock();
		for (size_t i = 0; i < r->nidents; i++) {
			struct esprit_echo_id key = {.ident = r->idents[i]};

			bpf_map_delete_elem(r->maps.ids_fd, &key);
		}
		r->nidents = 0;
		release_slot_locked(r);
		if (lock >= 0)
			capture_unlock(lock);
	}
	ring_buffer__free(r->rb);
	if (r->ring_fd >= 0)
		close(r->ring_fd);
	echo_maps_close(&r->maps);
	free(r->idents);
	free(r);
}

int echo_capture_maps(int ifindex, const char *ifname, struct echo_maps *m,
		      char *why, size_t len)
{
	struct xdp_attachment att;
	struct esprit_config cfg;
	char err[160];
	int e;

	echo_maps_init(m);
	if (xdp_attachment_query(ifindex, &att)) {
		snprintf(why, len, "cannot see the XDP programs of %s", ifname);
		return -1;
	}
	if (!att.prog_id) {
		snprintf(why, len, "esprit's XDP program is not attached to %s",
			 ifname);
		return -1;
	}
	if (echo_maps_open_prog_id(att.prog_id, m, err, sizeof(err))) {
		snprintf(why, len, "cannot use esprit's maps on %s: %s", ifname,
			 err);
		return -1;
	}
	e = echo_maps_config(m, &cfg);
	if (e)
		snprintf(why, len, "cannot read esprit_config: %s",
			 strerror(-e));
	else if (cfg.echo_flags & ESPRIT_ECHO_NO_CAPTURE)
		snprintf(why, len, "capture is off on %s", ifname);
	else if (cfg.spi_reply && cfg.spi_reply != ESPRIT_DEFAULT_SPI_REPLY)
		snprintf(why, len, "XDP on %s captures reply SPI %u, not %u",
			 ifname, cfg.spi_reply, ESPRIT_DEFAULT_SPI_REPLY);
	else
		return 0;
	echo_maps_close(m);
	return -1;
}
