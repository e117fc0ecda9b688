// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "lib/options.h"
#include "lib/output.h"

/* The common options, as table entries: they go through the same code. */
enum { COMMON_PIN_DIR, COMMON_JSON, COMMON_DRY_RUN, COMMON_HELP, NCOMMON };

struct parse_state {
	const struct cli_option *opts;
	unsigned int common;
	struct cli_common *c;
	bool help;
	char *err;
	size_t errlen;
};

static bool common_offered(const struct parse_state *ps, int which)
{
	return which == COMMON_PIN_DIR || which == COMMON_HELP ||
	       (which == COMMON_JSON && (ps->common & CLI_JSON)) ||
	       (which == COMMON_DRY_RUN && (ps->common & CLI_DRY_RUN));
}

static void common_table(struct parse_state *ps, struct cli_option t[NCOMMON],
			 bool *json, bool *dry_run)
{
	memset(t, 0, NCOMMON * sizeof(*t));
	t[COMMON_PIN_DIR] = (struct cli_option){
		.name = "pin-dir", .arg = "DIR", .value = &ps->c->pin_dir};
	t[COMMON_JSON] = (struct cli_option){.name = "json", .flag = json};
	t[COMMON_DRY_RUN] =
		(struct cli_option){.name = "dry-run", .flag = dry_run};
	t[COMMON_HELP] = (struct cli_option){
		.name = "help", .short_name = 'h', .flag = &ps->help};
}

/* The option named by a long name (len bytes) or a short letter. */
static const struct cli_option *find(struct parse_state *ps,
				     const struct cli_option *common,
				     const char *name, size_t len, char letter)
{
	for (const struct cli_option *o = ps->opts; o && o->name; o++)
		if (letter ? o->short_name == letter
			   : strlen(o->name) == len &&
				     !strncmp(o->name, name, len))
			return o;
	for (int i = 0; i < NCOMMON; i++) {
		const struct cli_option *o = &common[i];

		if (!common_offered(ps, i))
			continue;
		if (letter ? o->short_name == letter
			   : strlen(o->name) == len &&
				     !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

static int apply(struct parse_state *ps, const struct cli_option *o,
		 const char *shown, const char *value)
{
	if (!o->arg) {
		*o->flag = true;
		return 0;
	}
	if (!value) {
		snprintf(ps->err, ps->errlen, "%s needs a value (%s)", shown,
			 o->arg);
		return -1;
	}
	if (o->parse) {
		char why[256];

		if (o->parse(value, o->ctx, why, sizeof(why))) {
			snprintf(ps->err, ps->errlen, "%s '%s': %s", shown,
				 value, why);
			return -1;
		}
	} else {
		*o->value = value;
	}
	if (o->given)
		*o->given = true;
	return 0;
}

/* "--name[=value]": how many argv entries it used, or -1. */
static int take_long(struct parse_state *ps, const struct cli_option *common,
		     char **argv, int i, int argc)
{
	const char *name = argv[i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_option *o = find(ps, common, name, len, 0);
	char shown[80];

	if (!o) {
		snprintf(ps->err, ps->errlen, "unknown option '--%.*s'",
			 (int)len, name);
		return -1;
	}
	snprintf(shown, sizeof(shown), "--%s", o->name);
	if (!o->arg) {
		if (eq) {
			snprintf(ps->err, ps->errlen, "%s takes no value",
				 shown);
			return -1;
		}
		return apply(ps, o, shown, NULL) ? -1 : 1;
	}
	if (eq)
		return apply(ps, o, shown, eq + 1) ? -1 : 1;
	return apply(ps, o, shown, i + 1 < argc ? argv[i + 1] : NULL) ? -1 : 2;
}

/* "-x", "-xVALUE", "-x VALUE", "-xy": argv entries used, or -1. */
static int take_short(struct parse_state *ps, const struct cli_option *common,
		      char **argv, int i, int argc)
{
	for (const char *p = argv[i] + 1; *p; p++) {
		const struct cli_option *o = find(ps, common, NULL, 0, *p);
		char shown[4] = {'-', *p};

		if (!o) {
			snprintf(ps->err, ps->errlen, "unknown option '-%c'",
				 *p);
			return -1;
		}
		if (!o->arg) {
			apply(ps, o, shown, NULL);
			continue;
		}
		if (p[1])
			return apply(ps, o, shown, p + 1) ? -1 : 1;
		return apply(ps, o, shown, i + 1 < argc ? argv[i + 1] : NULL)
			       ? -1
			       : 2;
	}
	return 1;
}

enum cli_result cli_parse(int *argc, char **argv, const struct cli_option *opts,
			  unsigned int common, struct cli_common *c, char *err,
			  size_t errlen)
{
	struct parse_state ps = {.opts = opts,
				 .common = common,
				 .c = c,
				 .err = err,
				 .errlen = errlen};
	struct cli_option table[NCOMMON];
	int words = 0, i = 1;

	memset(c, 0, sizeof(*c));
	common_table(&ps, table, &c->json, &c->dry_run);
	while (i < *argc) {
		const char *a = argv[i];
		int used;

		if (!strcmp(a, "--")) {
			for (i++; i < *argc; i++)
				argv[words++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			argv[words++] = argv[i++];
			continue;
		}
		used = a[1] == '-' ? take_long(&ps, table, argv, i, *argc)
				   : take_short(&ps, table, argv, i, *argc);
		if (used < 0)
			return CLI_ERROR;
		if (ps.help)
			return CLI_HELP;
		i += used;
	}
	*argc = words;
	return CLI_OK;
}

enum cli_result cli_run(int *argc, char **argv, const struct cli_option *opts,
			unsigned int common, struct cli_common *c,
			void (*usage)(FILE *out))
{
	char err[512];
	enum cli_result r =
		cli_parse(argc, argv, opts, common, c, err, sizeof(err));

	if (r == CLI_HELP)
		usage(stdout);
	if (r == CLI_ERROR) {
		errmsg("%s", err);
		usage(stderr);
	}
	return r;
}
