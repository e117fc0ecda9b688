/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A YAML document with the position of every node, and typed readers that
 * report errors as FILE:LINE: PATH: what was wrong.
 */
#ifndef ESPRIT_YAML_DOC_H
#define ESPRIT_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "esprit_types.h"

struct ydoc {
	yaml_document_t doc;
	bool loaded;
	const char *file;
	char *err; /* caller's buffer for the first error */
	size_t errlen;
};

/* Loads FILE; on failure writes "FILE:LINE:COL: problem" into err. */
int ydoc_load(struct ydoc *d, const char *file, char *err, size_t errlen);
void ydoc_free(struct ydoc *d);

yaml_node_t *ydoc_root(struct ydoc *d);

/* Records an error at node's line (first error wins); returns -1. */
int yerr(struct ydoc *d, const yaml_node_t *node, const char *path,
	 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

bool yis_map(const yaml_node_t *n);
bool yis_seq(const yaml_node_t *n);
bool yis_scalar(const yaml_node_t *n);
const char *yscalar(const yaml_node_t *n);
size_t yline(const yaml_node_t *n);

/* The value under key in a mapping, or NULL. */
yaml_node_t *ymap_get(struct ydoc *d, yaml_node_t *map, const char *key);

/* Fails on any key not in allowed (NULL-terminated): typos never pass. */
int ymap_only(struct ydoc *d, yaml_node_t *map, const char *path,
	      const char *const allowed[]);

size_t yseq_len(const yaml_node_t *seq);
yaml_node_t *yseq_at(struct ydoc *d, yaml_node_t *seq, size_t i);

/* Typed scalars: each returns 0, or -1 after recording an error. */
int yget_string(struct ydoc *d, yaml_node_t *n, const char *path, char *out,
		size_t outlen);
int yget_bool(struct ydoc *d, yaml_node_t *n, const char *path, bool *out);
int yget_u32(struct ydoc *d, yaml_node_t *n, const char *path,
	     unsigned long min, unsigned long max, __u32 *out);
/* "250us", "100ms", "1.5s": nanoseconds within [min_ns, max_ns]. */
int yget_duration(struct ydoc *d, yaml_node_t *n, const char *path,
		  __u64 min_ns, __u64 max_ns, __u64 *out);
int yget_addr(struct ydoc *d, yaml_node_t *n, const char *path,
	      struct esprit_addr *out);
int yget_prefix(struct ydoc *d, yaml_node_t *n, const char *path,
		struct esprit_prefix_key *out);

/* A path; a relative one is taken from base_file's directory. */
int yget_path(struct ydoc *d, yaml_node_t *v, const char *path,
	      const char *base_file, char *out, size_t outlen);

#endif
