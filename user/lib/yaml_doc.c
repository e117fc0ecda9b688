// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/parse.h"
#include "lib/yaml_doc.h"

int ydoc_load(struct ydoc *d, const char *file, char *err, size_t errlen)
{
	yaml_parser_t parser;
	FILE *f;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->file = file;
	d->err = err;
	d->errlen = errlen;
	err[0] = '\0';
	f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot start the YAML parser", file);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &d->doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", file,
			 parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "invalid YAML",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		rc = -1;
	} else {
		d->loaded = true;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

void ydoc_free(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

size_t yline(const yaml_node_t *n)
{
	return n ? n->start_mark.line + 1 : 0;
}

int yerr(struct ydoc *d, const yaml_node_t *node, const char *path,
	 const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	if (d->err[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node)
		snprintf(d->err, d->errlen, "%s:%zu: %s%s%s", d->file,
			 yline(node), path ? path : "", path ? ": " : "", msg);
	else
		snprintf(d->err, d->errlen, "%s: %s%s%s", d->file,
			 path ? path : "", path ? ": " : "", msg);
	return -1;
}

bool yis_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

bool yis_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

bool yis_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

const char *yscalar(const yaml_node_t *n)
{
	return yis_scalar(n) ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *ymap_get(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	if (!yis_map(map))
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, pair->key);
		const char *s = yscalar(k);

		if (s && !strcmp(s, key))
			return yaml_document_get_node(&d->doc, pair->value);
	}
	return NULL;
}

int ymap_only(struct ydoc *d, yaml_node_t *map, const char *path,
	      const char *const allowed[])
{
	yaml_node_pair_t *pair;

	if (!yis_map(map))
		return yerr(d, map, path, "expected a mapping of keys");
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, pair->key);
		const char *s = yscalar(k);
		bool known = false;

		for (int i = 0; s && allowed[i] && !known; i++)
			known = !strcmp(s, allowed[i]);
		if (!known)
			return yerr(d, k, path, "unknown key '%s'",
				    s ? s : "(not a string)");
		/* a key given twice would silently shadow the first */
		for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
		     p < pair; p++) {
			const char *o = yscalar(
				yaml_document_get_node(&d->doc, p->key));

			if (o && !strcmp(o, s))
				return yerr(d, k, path, "key '%s' given twice",
					    s);
		}
	}
	return 0;
}

size_t yseq_len(const yaml_node_t *seq)
{
	if (!yis_seq(seq))
		return 0;
	return seq->data.sequence.items.top - seq->data.sequence.items.start;
}

yaml_node_t *yseq_at(struct ydoc *d, yaml_node_t *seq, size_t i)
{
	if (i >= yseq_len(seq))
		return NULL;
	return yaml_document_get_node(&d->doc,
				      seq->data.sequence.items.start[i]);
}

int yget_string(struct ydoc *d, yaml_node_t *n, const char *path, char *out,
		size_t outlen)
{
	const char *s = yscalar(n);

	if (!s)
		return yerr(d, n, path, "expected a string");
	if (strlen(s) >= outlen)
		return yerr(d, n, path, "longer than %zu characters",
			    outlen - 1);
	snprintf(out, outlen, "%s", s);
	return 0;
}

int yget_bool(struct ydoc *d, yaml_node_t *n, const char *path, bool *out)
{
	const char *s = yscalar(n);

	if (parse_bool(s, out))
		return yerr(d, n, path, "expected true or false, not '%s'",
			    s ? s : "(not a scalar)");
	return 0;
}

int yget_u32(struct ydoc *d, yaml_node_t *n, const char *path,
	     unsigned long min, unsigned long max, __u32 *out)
{
	const char *s = yscalar(n);

	if (!s)
		return yerr(d, n, path, "expected a number");
	if (parse_u32(s, min, max, out))
		return yerr(d, n, path,
			    "expected a number from %lu to %lu, "
			    "not '%s'",
			    min, max, s);
	return 0;
}

int yget_duration(struct ydoc *d, yaml_node_t *n, const char *path,
		  __u64 min_ns, __u64 max_ns, __u64 *out)
{
	const char *s = yscalar(n);
	uint64_t ns;

	if (!s)
		return yerr(d, n, path, "expected a duration such as 100ms");
	if (parse_duration(s, 0, 0, UINT64_MAX, &ns))
		return yerr(d, n, path,
			    "'%s' is not a duration (a number with ns, us, ms "
			    "or s)",
			    s);
	if (ns < min_ns || ns > max_ns)
		return yerr(d, n, path, "'%s' is outside %gms .. %gs", s,
			    min_ns / 1e6, max_ns / 1e9);
	*out = ns;
	return 0;
}

int yget_addr(struct ydoc *d, yaml_node_t *n, const char *path,
	      struct esprit_addr *out)
{
	char err[128];
	const char *s = yscalar(n);

	if (!s)
		return yerr(d, n, path, "expected an IPv4 or IPv6 address");
	if (addr_parse(s, out, err, sizeof(err)))
		return yerr(d, n, path, "%s", err);
	return 0;
}

int yget_prefix(struct ydoc *d, yaml_node_t *n, const char *path,
		struct esprit_prefix_key *out)
{
	char err[128];
	const char *s = yscalar(n);

	if (!s)
		return yerr(d, n, path, "expected a prefix");
	if (prefix_parse(s, true, out, err, sizeof(err)))
		return yerr(d, n, path, "%s", err);
	return 0;
}

int yget_path(struct ydoc *d, yaml_node_t *v, const char *path,
	      const char *base_file, char *out, size_t outlen)
{
	char given[PATH_MAX], dir[PATH_MAX];

	if (yget_string(d, v, path, given, sizeof(given)))
		return -1;
	if (!given[0])
		return yerr(d, v, path, "empty path");
	if (given[0] == '/') {
		snprintf(out, outlen, "%s", given);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", base_file);
	if ((size_t)snprintf(out, outlen, "%s/%s", dirname(dir), given) >=
	    outlen)
		return yerr(d, v, path, "path too long");
	return 0;
}
