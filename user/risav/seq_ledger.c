// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lib/file.h"
#include "lib/sha256.h"
#include "risav/seq_ledger.h"

#define HEADER "esprit-seq-ledger 1"

/* The counter value past which no SA sends: spent stays spent. */
#define SEQ_CEILING (ESPRIT_SA_OUT_SEQ_LAST)

void seq_ledger_init(struct seq_ledger *l, const char *dir)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->dir, sizeof(l->dir), "%s", dir ? dir : SEQ_LEDGER_DIR);
	snprintf(l->path, sizeof(l->path), "%s/%s", l->dir, SEQ_LEDGER_FILE);
}

void seq_ledger_free(struct seq_ledger *l)
{
	free(l->entries);
	l->entries = NULL;
	l->n = l->cap = 0;
}

void seq_ledger_keyid(const struct esprit_sa_out *sa,
		      __u8 keyid[SEQ_LEDGER_KEYID_LEN])
{
	static const char domain[] = "esprit sa-out key id";
	__u8 buf[sizeof(domain) + sizeof(sa->auth)];
	__u8 digest[ESPRIT_SHA256_DIGEST_LEN];

	memcpy(buf, domain, sizeof(domain));
	memcpy(buf + sizeof(domain), &sa->auth, sizeof(sa->auth));
	sha256(buf, sizeof(buf), digest);
	memcpy(keyid, digest, SEQ_LEDGER_KEYID_LEN);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(digest, sizeof(digest));
}

static struct seq_ledger_entry *find(struct seq_ledger *l,
				     const struct esprit_sa_out_key *key,
				     const __u8 *keyid)
{
	for (size_t i = 0; i < l->n; i++)
		if (!memcmp(&l->entries[i].key, key, sizeof(*key)) &&
		    !memcmp(l->entries[i].keyid, keyid, SEQ_LEDGER_KEYID_LEN))
			return &l->entries[i];
	return NULL;
}

static struct seq_ledger_entry *append(struct seq_ledger *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct seq_ledger_entry *e =
			realloc(l->entries, cap * sizeof(*e));

		if (!e)
			return NULL;
		l->entries = e;
		l->cap = cap;
	}
	memset(&l->entries[l->n], 0, sizeof(l->entries[0]));
	return &l->entries[l->n++];
}

static int hex_keyid(const char *s, __u8 *out)
{
	for (size_t i = 0; i < SEQ_LEDGER_KEYID_LEN; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1 ||
		    !strchr("0123456789abcdef", s[2 * i]) ||
		    !strchr("0123456789abcdef", s[2 * i + 1]))
			return -1;
		out[i] = (__u8)b;
	}
	return s[2 * SEQ_LEDGER_KEYID_LEN] ? -1 : 0;
}

/* One "SPI ASN KEY-ID RESERVED" line into e: 0 or -1. */
static int parse_line(char *line, struct seq_ledger_entry *e)
{
	char keyid[2 * SEQ_LEDGER_KEYID_LEN + 2], end;
	unsigned long long reserved;
	__u32 spi, asn;

	if (sscanf(line, "%" SCNu32 " %" SCNu32 " %33s %llu %c", &spi, &asn,
		   keyid, &reserved, &end) != 4 ||
	    hex_keyid(keyid, e->keyid) || reserved > SEQ_CEILING)
		return -1;
	e->key.spi = spi;
	e->key.asn = asn;
	e->reserved = reserved;
	return 0;
}

static int parse(struct seq_ledger *l, char *text, char *err, size_t errlen)
{
	size_t lineno = 0;
	char *next;

	for (char *line = text; line && *line; line = next) {
		struct seq_ledger_entry *e;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, HEADER)) {
				snprintf(err, errlen,
					 "%s:1: not a sequence ledger (the "
					 "first line is not '%s')",
					 l->path, HEADER);
				return -1;
			}
			continue;
		}
		e = append(l);
		if (!e) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (parse_line(line, e)) {
			snprintf(err, errlen,
				 "%s:%zu: expected SPI ASN KEY-ID RESERVED "
				 "(KEY-ID: %d hex digits, RESERVED at most "
				 "%llu)",
				 l->path, lineno, 2 * SEQ_LEDGER_KEYID_LEN,
				 (unsigned long long)SEQ_CEILING);
			return -1;
		}
	}
	if (!lineno) {
		snprintf(err, errlen, "%s: empty (a truncated write?)",
			 l->path);
		return -1;
	}
	return 0;
}

int seq_ledger_load(struct seq_ledger *l, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int fd, rc;

	l->n = 0;
	fd = open(l->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", l->path, strerror(errno));
		return -1;
	}
	text = fd_read_all(fd, &len);
	if (!text) {
		snprintf(err, errlen, "%s: %s", l->path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s: holds a NUL byte", l->path);
		rc = -1;
	} else {
		rc = parse(l, text, err, errlen);
	}
	free(text);
	if (rc)
		l->n = 0;
	return rc;
}

static int save(struct seq_ledger *l, char *err, size_t errlen)
{
	size_t cap = sizeof(HEADER) + 1 + l->n * 80, len;
	char *buf = malloc(cap);
	int rc;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	len = (size_t)snprintf(buf, cap, "%s\n", HEADER);
	for (size_t i = 0; i < l->n; i++) {
		const struct seq_ledger_entry *e = &l->entries[i];

		len += (size_t)snprintf(buf + len, cap - len, "%u %u ",
					e->key.spi, e->key.asn);
		for (size_t b = 0; b < SEQ_LEDGER_KEYID_LEN; b++)
			len += (size_t)snprintf(buf + len, cap - len, "%02x",
						e->keyid[b]);
		len += (size_t)snprintf(buf + len, cap - len, " %llu\n",
					(unsigned long long)e->reserved);
	}
	rc = file_replace(l->path, buf, len, 0600);
	free(buf);
	if (rc)
		snprintf(err, errlen, "cannot save %s: %s", l->path,
			 strerror(errno));
	return rc;
}

/* Locks the ledger and reads it afresh: the lock's fd, or -1 with err. */
static int begin(struct seq_ledger *l, char *err, size_t errlen)
{
	char lock[1200];
	int fd;

	if (mkdir(l->dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", l->dir,
			 strerror(errno));
		return -1;
	}
	snprintf(lock, sizeof(lock), "%s.lock", l->path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", lock,
			 strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX)) {
		snprintf(err, errlen, "cannot lock %s: %s", lock,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (seq_ledger_load(l, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

static __u64 step_above(__u64 seq)
{
	return seq >= SEQ_CEILING - SEQ_LEDGER_STEP ? SEQ_CEILING
						    : seq + SEQ_LEDGER_STEP;
}

/* Whether a counter at seq needs the reservation e (may be NULL) moved. */
static bool needs_move(const struct seq_ledger_entry *e, __u64 seq)
{
	if (!e)
		return true;
	if (e->reserved >= SEQ_CEILING)
		return false;
	return seq + SEQ_LEDGER_STEP / 2 > e->reserved;
}

/* Moves (or makes) the entry of key/keyid up to a counter at seq. */
static int reserve_above(struct seq_ledger *l,
			 const struct esprit_sa_out_key *key, const __u8 *keyid,
			 __u64 seq)
{
	struct seq_ledger_entry *e = find(l, key, keyid);

	if (!needs_move(e, seq))
		return 0;
	if (!e) {
		e = append(l);
		if (!e)
			return -1;
		e->key = *key;
		memcpy(e->keyid, keyid, SEQ_LEDGER_KEYID_LEN);
	}
	if (step_above(seq) > e->reserved)
		e->reserved = step_above(seq);
	return 0;
}

int seq_ledger_reserve(struct seq_ledger *l, const struct sa_out *sa,
		       __u64 floor, __u64 *start, char *err, size_t errlen)
{
	__u8 keyid[SEQ_LEDGER_KEYID_LEN];
	struct seq_ledger_entry *e;
	char why[512];
	int lock, rc = -1;

	lock = begin(l, why, sizeof(why));
	if (lock < 0)
		goto refuse;
	seq_ledger_keyid(&sa->value, keyid);
	e = find(l, &sa->key, keyid);
	*start = e && e->reserved > floor ? e->reserved : floor;
	if (reserve_above(l, &sa->key, keyid, *start)) {
		snprintf(why, sizeof(why), "out of memory");
		goto refuse;
	}
	if (save(l, why, sizeof(why)))
		goto refuse;
	rc = 0;
	goto out;
refuse:
	snprintf(err, errlen,
		 "no sequence state to trust (%s): refusing to send on SPI "
		 "0x%x to AS%u, whose key may have sent numbers before",
		 why, sa->key.spi, sa->key.asn);
out:
	if (lock >= 0)
		close(lock);
	return rc;
}

int seq_ledger_retire(struct seq_ledger *l, const struct sa_out *sa, __u64 last,
		      char *err, size_t errlen)
{
	__u8 keyid[SEQ_LEDGER_KEYID_LEN];
	struct seq_ledger_entry *e;
	int lock, rc = 0;

	lock = begin(l, err, errlen);
	if (lock < 0)
		return -1;
	seq_ledger_keyid(&sa->value, keyid);
	e = find(l, &sa->key, keyid);
	if (!e && !(e = append(l))) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else {
		e->key = sa->key;
		memcpy(e->keyid, keyid, SEQ_LEDGER_KEYID_LEN);
		e->reserved = last >= SEQ_CEILING - SA_OUT_SEQ_SKIP
				      ? SEQ_CEILING
				      : last + SA_OUT_SEQ_SKIP;
		rc = save(l, err, errlen);
	}
	close(lock);
	return rc;
}

struct counter {
	struct sa_out sa;
	__u64 seq;
	__u64 saved; /* its reservation in the file as last read; 0: none */
};

/*
 * The checkpoint could not be saved: an SA whose counter comes near the
 * reservation the file holds stops tagging (its peer's policy applies)
 * rather than send numbers a restart would send again. Its counter is
 * written SA_OUT_SEQ_SKIP on, above what the tagger may take between the
 * read and this write. Returns how many were held.
 */
static size_t hold_near_saved(int out_fd, struct counter *due, size_t n)
{
	size_t held = 0;

	for (size_t i = 0; i < n; i++) {
		struct esprit_sa_out v = due[i].sa.value;

		/* saved 0: no reservation of it is known here; a held SA
		 * would not get one either */
		if (v.state != ESPRIT_SA_ACTIVE || !due[i].saved ||
		    due[i].seq + 2 * SA_OUT_SEQ_SKIP < due[i].saved)
			continue;
		v.state = ESPRIT_SA_HELD;
		v.seq = due[i].seq + SA_OUT_SEQ_SKIP;
		if (!bpf_map_update_elem(out_fd, &due[i].sa.key, &v, BPF_EXIST))
			held++;
		explicit_bzero(&v, sizeof(v));
	}
	return held;
}

/* Saved again: the SAs held go back to tagging (a held SA takes no
 * numbers, so its value is written back as it was read). */
static void release_held(int out_fd, struct counter *due, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct esprit_sa_out v = due[i].sa.value;

		if (v.state != ESPRIT_SA_HELD)
			continue;
		v.state = ESPRIT_SA_ACTIVE;
		bpf_map_update_elem(out_fd, &due[i].sa.key, &v, BPF_EXIST);
		explicit_bzero(&v, sizeof(v));
	}
}

int seq_ledger_checkpoint(struct seq_ledger *l, int out_fd, bool *changed,
			  char *err, size_t errlen)
{
	struct esprit_sa_out_key key, next, *prev = NULL;
	struct seq_ledger_entry *saved = NULL;
	struct counter *due = NULL;
	size_t n = 0, cap = 0, saved_n = 0;
	int lock, rc = 0;

	*changed = false;
	*err = '\0';
	while (!bpf_map_get_next_key(out_fd, prev, &next)) {
		struct counter c = {.sa.key = next};
		struct seq_ledger_entry *ent;
		__u8 keyid[SEQ_LEDGER_KEYID_LEN];

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(out_fd, &key, &c.sa.value))
			continue;
		c.seq = c.sa.value.seq;
		seq_ledger_keyid(&c.sa.value, keyid);
		ent = find(l, &key, keyid);
		c.saved = ent ? ent->reserved : 0;
		if (needs_move(ent, c.seq) ||
		    c.sa.value.state == ESPRIT_SA_HELD) {
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 8;
				struct counter *d =
					realloc(due, nc * sizeof(*d));

				if (!d) {
					rc = -1;
					explicit_bzero(&c, sizeof(c));
					break;
				}
				due = d;
				cap = nc;
			}
			due[n++] = c;
		}
		explicit_bzero(&c, sizeof(c));
	}
	if (rc || !n)
		goto out;
	lock = begin(l, err, errlen);
	if (lock < 0) {
		rc = -1;
		goto failed;
	}
	/* the file as read, to go back to if it cannot be saved */
	saved_n = l->n;
	saved = saved_n ? malloc(saved_n * sizeof(*saved)) : NULL;
	if (saved_n && !saved) {
		close(lock);
		rc = -1;
		goto failed;
	}
	if (saved_n)
		memcpy(saved, l->entries, saved_n * sizeof(*saved));
	for (size_t i = 0; i < n; i++) {
		struct seq_ledger_entry *ent;
		__u8 keyid[SEQ_LEDGER_KEYID_LEN];

		seq_ledger_keyid(&due[i].sa.value, keyid);
		ent = find(l, &due[i].sa.key, keyid);
		due[i].saved = ent ? ent->reserved : 0;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		__u8 keyid[SEQ_LEDGER_KEYID_LEN];

		seq_ledger_keyid(&due[i].sa.value, keyid);
		rc = reserve_above(l, &due[i].sa.key, keyid, due[i].seq);
	}
	if (!rc) {
		rc = save(l, err, errlen);
		*changed = !rc;
	}
	close(lock);
	if (!rc) {
		release_held(out_fd, due, n);
		goto out;
	}
	if (saved_n)
		memcpy(l->entries, saved, saved_n * sizeof(*saved));
	l->n = saved_n;
failed : {
	size_t held = hold_near_saved(out_fd, due, n);
	size_t len = strlen(err);

	if (held && len < errlen)
		snprintf(err + len, errlen - len,
			 "; %zu outbound SA%s held from tagging near "
			 "the last reservation saved",
			 held, held == 1 ? "" : "s");
}
out:
	if (rc && !*err)
		snprintf(err, errlen, "out of memory");
	if (due)
		explicit_bzero(due, n * sizeof(*due));
	free(due);
	free(saved);
	return rc;
}
