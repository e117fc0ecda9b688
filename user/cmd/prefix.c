// SPDX-License-Identifier: GPL-2.0
/*
 * esprit prefix: the prefix → origin-ASN table RISAV attributes source
 * addresses with. add/del edit the trie in place; import validates a whole
 * RPKI file first, then builds a new trie aside and swaps it in.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "esprit_maps.h"
#include "lib/addr.h"
#include "lib/asn.h"
#include "lib/options.h"
#include "cmd/commands.h"
#include "lib/output.h"
#include "lib/pins.h"
#include "risav/prefix_maps.h"
#include "risav/rpki.h"

static void prefix_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit prefix add PREFIX asn ASN|none\n"
		"       esprit prefix del PREFIX\n"
		"       esprit prefix list [--json]\n"
		"       esprit prefix import FILE|- [--dry-run] [--json]\n"
		"  (each takes --pin-dir DIR)\n"
		"  The table that maps source addresses to their origin AS "
		"(longest\n"
		"  prefix match). 'import' replaces all of it, atomically, "
		"with the VRPs\n"
		"  of rpki-client or Routinator JSON output (format detected); "
		"the whole\n"
		"  file is checked first, and nothing changes if any entry is "
		"wrong.\n"
		"  --dry-run checks and summarises without loading. 'asn none' "
		"attributes\n"
		"  a prefix to no AS (what import does with prefixes of "
		"several "
		"origins).\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_prefixes(const struct cli_common *o, struct pins *pins,
			 struct prefix_maps *m)
{
	if (pins_find(o->pin_dir, pins))
		return -1;
	m->trie = pins_open_map(pins, ESPRIT_MAP_PREFIXES);
	m->pfx4 = m->trie >= 0 ? pins_try_open_map(pins, ESPRIT_MAP_PFX4) : -1;
	return m->trie < 0 ? -1 : 0;
}

static void close_prefixes(struct prefix_maps *m)
{
	if (m->trie >= 0)
		close(m->trie);
	if (m->pfx4 >= 0)
		close(m->pfx4);
	m->trie = m->pfx4 = -1;
}

static int list(const struct cli_common *o)
{
	struct prefix_table t;
	struct pins pins;
	char err[256], buf[PREFIX_STRLEN];
	struct prefix_maps m;

	if (open_prefixes(o, &pins, &m))
		return EXIT_ERROR;
	if (prefixes_read(&m, &t, err, sizeof(err))) {
		errmsg("%s", err);
		close_prefixes(&m);
		return EXIT_ERROR;
	}
	close_prefixes(&m);
	/* one entry at a time: a DOM of 800k entries costs seconds */
	if (o->json)
		printf("[");
	for (size_t i = 0; i < t.n; i++) {
		const struct prefix_entry *e = &t.v[i];

		prefix_format(&e->key, buf, sizeof(buf));
		if (o->json) {
			json_t *j = json_pack("{s:s, s:o, s:s}", "prefix", buf,
					      "asn",
					      e->asn == ESPRIT_ASN_NONE
						      ? json_null()
						      : json_integer(e->asn),
					      "source",
					      prefix_source_name(e->source));

			printf("%s\n  ", i ? "," : "");
			json_dumpf(j, stdout, JSON_COMPACT);
			json_decref(j);
		} else if (e->asn == ESPRIT_ASN_NONE) {
			printf("%s none %s\n", buf,
			       prefix_source_name(e->source));
		} else {
			printf("%s %u %s\n", buf, e->asn,
			       prefix_source_name(e->source));
		}
	}
	if (o->json)
		printf("%s]\n", t.n ? "\n" : "");
	prefix_table_free(&t);
	return EXIT_OK;
}

static int parse_asn_or_none(const char *s, __u32 *asn, char *err,
			     size_t errlen)
{
	if (!strcmp(s, "none")) {
		*asn = ESPRIT_ASN_NONE;
		return 0;
	}
	return asn_parse(s, false, asn, err, errlen);
}

/* add and del: checked, then one write in place under the lock. */
static int edit(const struct cli_common *o, int argc, char **argv)
{
	bool add = !strcmp(argv[0], "add");
	struct esprit_prefix_key key;
	struct prefix_maps m;
	struct pins pins;
	char err[256];
	__u32 asn = 0;
	int rc = EXIT_ERROR;

	if (add ? argc != 4 || strcmp(argv[2], "asn") : argc != 2) {
		errmsg(add ? "usage: esprit prefix add PREFIX asn ASN|none"
			   : "usage: esprit prefix del PREFIX");
		return EXIT_ERROR;
	}
	if (table_prefix_parse(argv[1], &key, err, sizeof(err)) ||
	    (add && parse_asn_or_none(argv[3], &asn, err, sizeof(err)))) {
		errmsg("%s", err);
		return EXIT_ERROR;
	}
	if (open_prefixes(o, &pins, &m))
		return EXIT_ERROR;
	if (!pins_lock(&pins)) {
		if (add ? prefixes_set(&m, &key, asn, err, sizeof(err))
			: prefixes_del(&m, &key, err, sizeof(err)))
			errmsg("%s", err);
		else
			rc = EXIT_OK;
		pins_unlock(&pins);
	}
	close_prefixes(&m);
	return rc;
}

static void print_summary(const char *file, const struct rpki_summary *s,
			  const struct prefix_load_report *r, double total,
			  bool dry_run, bool json)
{
	if (json) {
		json_t *j = json_pack(
			"{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"file", file, "format", rpki_format_name(s->format),
			"dry_run", dry_run, "entries", (json_int_t)s->entries,
			"loaded", (json_int_t)s->loaded, "ipv4",
			(json_int_t)s->v4, "ipv6", (json_int_t)s->v6,
			"duplicates", (json_int_t)s->duplicates, "conflicts",
			(json_int_t)s->conflicts, "as0", (json_int_t)s->as0);

		json_object_set_new(j, "conflict_example",
				    s->conflicts
					    ? json_string(s->conflict_example)
					    : json_null());
		json_object_set_new(j, "map_id",
				    r->trie_id ? json_integer(r->trie_id)
					       : json_null());
		json_object_set_new(j, "index_map_id",
				    r->index_id ? json_integer(r->index_id)
						: json_null());
		json_object_set_new(
			j, "seconds",
			json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "total",
				  total, "parse", s->parse_seconds, "merge",
				  s->build_seconds, "fill", r->fill, "index",
				  r->index, "swap", r->swap));
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	printf("%s %s (%s format) in %.2f s\n",
	       dry_run ? "checked" : "imported", file,
	       rpki_format_name(s->format), total);
	printf("  entries read     %zu\n", s->entries);
	printf("  prefixes %s  %zu (%zu IPv4, %zu IPv6)\n",
	       dry_run ? "valid " : "loaded", s->loaded, s->v4, s->v6);
	printf("  duplicates       %zu\n", s->duplicates);
	printf("  several origins  %zu", s->conflicts);
	if (s->conflicts)
		printf(" (attributed to no AS; e.g. %s)", s->conflict_example);
	printf("\n  AS0 left out     %zu\n", s->as0);
	printf("  time             parse %.2f s, merge %.2f s",
	       s->parse_seconds, s->build_seconds);
	if (!dry_run)
		printf(", trie %.2f s, IPv4 index %.2f s, swap %.4f s", r->fill,
		       r->index, r->swap);
	printf("\n");
	if (!dry_run) {
		printf("  maps             trie id %u, IPv4 index ",
		       r->trie_id);
		if (r->index_id)
			printf("id %u\n", r->index_id);
		else
			printf("none\n");
	}
	if (!dry_run && !r->index_id && r->index_note[0])
		warnmsg("no IPv4 index (%s): IPv4 lookups walk the trie",
			r->index_note);
	if (!s->loaded && !dry_run)
		warnmsg("the prefix table is now empty");
}

static int import(const struct cli_common *o, int argc, char **argv)
{
	struct prefix_load_report report = {};
	struct prefix_maps m = {-1, -1};
	struct rpki_summary sum;
	struct rpki_errors errs;
	struct prefix_table t;
	struct pins pins;
	double t0 = now();
	char err[512];
	int rc = EXIT_ERROR;

	if (argc != 2) {
		errmsg("usage: esprit prefix import FILE|- [--dry-run]");
		return EXIT_ERROR;
	}
	/* the maps must be there before seconds go into parsing */
	if (!o->dry_run && open_prefixes(o, &pins, &m))
		return EXIT_ERROR;
	if (rpki_parse_file(argv[1], &t, &sum, &errs)) {
		for (size_t i = 0; i < errs.count && i < RPKI_ERRORS_SHOWN; i++)
			errmsg("%s", errs.msg[i]);
		if (errs.count > RPKI_ERRORS_SHOWN)
			errmsg("... %zu errors in all", errs.count);
		errmsg("nothing imported; the prefix table is unchanged");
		goto out;
	}
	if (!o->dry_run) {
		if (pins_lock(&pins))
			goto out_table;
		if (prefixes_replace(&m, &t, NULL, &report, err, sizeof(err))) {
			errmsg("%s; the prefix table is unchanged", err);
			pins_unlock(&pins);
			goto out_table;
		}
		pins_unlock(&pins);
	}
	print_summary(argv[1], &sum, &report, now() - t0, o->dry_run, o->json);
	rc = EXIT_OK;
out_table:
	prefix_table_free(&t);
out:
	close_prefixes(&m);
	return rc;
}

int cmd_prefix(int argc, char **argv)
{
	struct cli_common o;
	int r = cli_run(&argc, argv, NULL, CLI_JSON | CLI_DRY_RUN, &o,
			prefix_usage);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc == 1 && !strcmp(argv[0], "list"))
		return list(&o);
	if (argc >= 1 && (!strcmp(argv[0], "add") || !strcmp(argv[0], "del")))
		return edit(&o, argc, argv);
	if (argc >= 1 && !strcmp(argv[0], "import"))
		return import(&o, argc, argv);
	if (argc)
		errmsg("unknown prefix command '%s'", argv[0]);
	else
		errmsg("prefix needs a command");
	prefix_usage(stderr);
	return EXIT_ERROR;
}
