// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix table a configuration asks for: the RPKI import, read and
 * digested, parsed only when its content changed, with the static
 * entries put over it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config_risav.h"
#include "lib/file.h"
#include "lib/sha256.h"
#include "risav/rpki.h"

static char *read_file(const char *path, size_t *len, struct stat *st,
		       char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, st)) {
		snprintf(err, errlen, "cannot stat %s: %s", path,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	buf = fd_read_all(fd, len);
	if (!buf)
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
	close(fd);
	return buf;
}

static bool same_file(const char *path, const struct risav_prefixes *prev)
{
	struct stat st;

	return !stat(path, &st) && st.st_dev == prev->dev &&
	       st.st_ino == prev->ino && st.st_size == prev->size &&
	       st.st_mtim.tv_sec == prev->mtime.tv_sec &&
	       st.st_mtim.tv_nsec == prev->mtime.tv_nsec &&
	       st.st_ctim.tv_sec == prev->ctime.tv_sec &&
	       st.st_ctim.tv_nsec == prev->ctime.tv_nsec;
}

int config_risav_load_prefixes(const struct config_risav *r, const char *file,
			       const struct risav_prefixes *prev,
			       const struct prefix_table *prev_statics,
			       struct risav_prefixes *out, bool *unchanged,
			       char *err, size_t errlen)
{
	struct rpki_summary sum;
	struct rpki_errors errs;
	char why[PATH_MAX + 128];
	size_t len = 0;
	char *buf = NULL;

	memset(out, 0, sizeof(*out));
	prefix_table_init(&out->table);
	*unchanged = false;
	if (r->import[0] && prev && prev_statics && prev->imported &&
	    prefix_table_equal(prev_statics, &r->statics) &&
	    same_file(r->import, prev)) {
		*out = *prev;
		prefix_table_init(&out->table);
		*unchanged = true;
		return 0;
	}
	if (r->import[0]) {
		struct stat st;

		buf = read_file(r->import, &len, &st, why, sizeof(why));
		if (!buf) {
			snprintf(err, errlen,
				 "%s:%zu: risav.prefixes.import: %s", file,
				 r->import_line, why);
			return -1;
		}
		sha256(buf, len, out->digest);
		out->imported = true;
		out->dev = st.st_dev;
		out->ino = st.st_ino;
		out->size = st.st_size;
		out->mtime = st.st_mtim;
		out->ctime = st.st_ctim;
	}
	if (prev && prev_statics && prev->imported == out->imported &&
	    !memcmp(prev->digest, out->digest, sizeof(out->digest)) &&
	    prefix_table_equal(prev_statics, &r->statics)) {
		*unchanged = true;
		free(buf);
		return 0;
	}
	if (buf) {
		int rc = rpki_parse(r->import, buf, len, &out->table, &sum,
				    &errs);

		free(buf);
		if (rc) {
			snprintf(err, errlen,
				 "%s:%zu: risav.prefixes.import: %s%s", file,
				 r->import_line,
				 errs.count ? errs.msg[0] : "cannot parse",
				 errs.count > 1 ? " (and more errors)" : "");
			return -1;
		}
		out->import_entries = out->table.n;
	}
	for (size_t i = 0; i < r->statics.n; i++)
		if (prefix_table_put(&out->table, &r->statics.v[i].key,
				     r->statics.v[i].asn,
				     ESPRIT_PREFIX_FROM_STATIC)) {
			prefix_table_free(&out->table);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	if (out->table.n > ESPRIT_PREFIXES_MAX) {
		snprintf(err, errlen,
			 "%s:%zu: risav.prefixes: %zu prefixes; the table "
			 "holds %d",
			 file, r->import_line, out->table.n,
			 ESPRIT_PREFIXES_MAX);
		prefix_table_free(&out->table);
		return -1;
	}
	return 0;
}

void risav_prefixes_free(struct risav_prefixes *p)
{
	prefix_table_free(&p->table);
	memset(p, 0, sizeof(*p));
}
