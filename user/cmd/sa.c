// SPDX-License-Identifier: GPL-2.0
/*
 * esprit sa: the RISAV SAs in the maps (user/risav/sa_in.h). Changes take the pin
 * directory's lock; a refused change leaves the maps as they were.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "lib/map_journal.h"
#include "lib/options.h"
#include "cmd/commands.h"
#include "lib/output.h"
#include "lib/parse.h"
#include "lib/pins.h"
#include "risav/sa_in.h"
#include "risav/sa_out.h"
#include "risav/seq_ledger.h"

static void sa_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit sa add in spi SPI asn ASN alg hmac-sha256-128 "
		"KEY [replay N]\n"
		"       esprit sa add out spi SPI asn ASN alg hmac-sha256-128 "
		"KEY [dscp LIST|any]\n"
		"       esprit sa del in|out spi SPI asn ASN\n"
		"       esprit sa list [--json]\n"
		"  (each takes --pin-dir DIR; add and del --state-dir DIR, "
		"where the\n"
		"  outbound sequence ledger lives: /var/lib/esprit)\n"
		"Inbound SAs verify the AS-scoped AH tags (RISAV) of packets "
		"from a peer AS;\n"
		"outbound SAs tag packets to a peer AS (TC egress, "
		"esprit_tc).\n"
		"  SPI     %u..4294967295, decimal or 0x-hex (0-255 are "
		"reserved)\n"
		"  ASN     the peer AS the SA belongs to: 64500 or AS64500\n"
		"  KEY     key-file PATH (root's, mode 0600 or 0400), key - "
		"(standard\n"
		"          input), or key HEX (labs: visible to ps); %u bytes "
		"as %u hex\n"
		"          digits; the maps keep only its HMAC midstates\n"
		"  replay  anti-replay window in packets: 0 = off (the "
		"default), or %u..%u\n"
		"  dscp    the DSCP values the SA carries: 0-63, ranges "
		"(10-14), names\n"
		"          (be, ef, va, cs0-cs7, af11-af43), comma-separated; "
		"or any (the\n"
		"          default: the DSCPs no other SA of the peer "
		"claims). The sets of\n"
		"          one peer's outbound SAs must not overlap.\n",
		ESPRIT_SPI_MIN, ESPRIT_HMAC_SHA256_KEY_LEN,
		2 * ESPRIT_HMAC_SHA256_KEY_LEN, ESPRIT_REPLAY_WINDOW_MIN,
		ESPRIT_REPLAY_WINDOW_MAX);
}

static int direction(int argc, char **argv, enum sa_dir *dir)
{
	if (argc < 2) {
		errmsg("'%s' needs a direction: in or out", argv[0]);
		sa_usage(stderr);
		return -1;
	}
	if (!strcmp(argv[1], "in")) {
		*dir = SA_DIR_IN;
		return 0;
	}
	if (!strcmp(argv[1], "out")) {
		*dir = SA_DIR_OUT;
		return 0;
	}
	errmsg("unknown direction '%s' (in or out)", argv[1]);
	return -1;
}

/* The key's hex digits leave this process's command line once read. */
static void hide_key(int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], "key"))
			memset(argv[i + 1], 'x', strlen(argv[i + 1]));
}

static int open_maps(const struct cli_common *o, bool lock, struct pins *pins,
		     struct sa_maps *m, struct sa_out_maps *om)
{
	if (pins_find(o->pin_dir, pins) || sa_maps_open(pins, m))
		return -1;
	if (sa_out_maps_open(pins, om)) {
		sa_maps_close(m);
		return -1;
	}
	if (lock && pins_lock(pins)) {
		sa_out_maps_close(om);
		sa_maps_close(m);
		return -1;
	}
	return 0;
}

static void close_maps(struct pins *pins, struct sa_maps *m,
		       struct sa_out_maps *om)
{
	pins_unlock(pins);
	sa_out_maps_close(om);
	sa_maps_close(m);
}

static int sa_add(const struct cli_common *o, const char *state_dir,
		  enum sa_dir dir, int argc, char **argv)
{
	struct seq_ledger ledger;
	union {
		struct sa_in in;
		struct sa_out out;
	} sa;
	struct map_journal j;
	struct sa_out_maps om;
	struct sa_maps m;
	struct pins pins;
	char err[512];
	int rc;

	rc = dir == SA_DIR_IN
		     ? sa_in_from_words(argc, argv, &sa.in, err, sizeof(err))
		     : sa_out_from_words(argc, argv, &sa.out, err, sizeof(err));
	hide_key(argc, argv);
	if (rc) {
		errmsg("%s", err);
		return EXIT_ERROR;
	}
	if (open_maps(o, true, &pins, &m, &om)) {
		explicit_bzero(&sa, sizeof(sa));
		return EXIT_ERROR;
	}
	mj_init(&j);
	seq_ledger_init(&ledger, state_dir);
	rc = mj_finish(&j, dir == SA_DIR_IN
				   ? sa_in_add(&m, &sa.in, &j, err, sizeof(err))
				   : sa_out_add(&om, &sa.out, &ledger, &j, err,
						sizeof(err)));
	seq_ledger_free(&ledger);
	explicit_bzero(&sa, sizeof(sa));
	close_maps(&pins, &m, &om);
	if (rc) {
		errmsg("%s; nothing changed", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int sa_del(const struct cli_common *o, const char *state_dir,
		  enum sa_dir dir, int argc, char **argv)
{
	struct seq_ledger ledger;
	struct map_journal j;
	struct sa_out_maps om;
	struct sa_maps m;
	struct pins pins;
	char err[512];
	__u32 spi, asn;
	int rc;

	if (sa_spi_asn_from_words(argc, argv, &spi, &asn, err, sizeof(err))) {
		errmsg("%s", err);
		return EXIT_ERROR;
	}
	if (open_maps(o, true, &pins, &m, &om))
		return EXIT_ERROR;
	mj_init(&j);
	if (dir == SA_DIR_IN) {
		struct esprit_sa_in_key k = {.spi = spi, .asn = asn};

		rc = sa_in_del(&m, &k, &j, err, sizeof(err));
	} else {
		struct esprit_sa_out_key k = {.spi = spi, .asn = asn};

		seq_ledger_init(&ledger, state_dir);
		rc = mj_finish(&j, sa_out_del(&om, &k, &ledger, &j, err,
					      sizeof(err)));
		seq_ledger_free(&ledger);
	}
	if (dir == SA_DIR_IN)
		rc = mj_finish(&j, rc);
	close_maps(&pins, &m, &om);
	if (rc) {
		errmsg("%s", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static json_t *row_json(const struct sa_in_row *r)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:s, s:I, s:I, s:I, "
			 "s:I, s:o}",
			 "dir", "in", "spi", (json_int_t)r->key.spi, "asn",
			 (json_int_t)r->key.asn, "alg", sa_alg_name(r->alg),
			 "icv_len", (json_int_t)r->icv_len, "replay_window",
			 (json_int_t)r->replay_window, "state",
			 sa_state_name(r->state), "packets",
			 (json_int_t)r->stats.packets, "bytes",
			 (json_int_t)r->stats.bytes, "bad_icv",
			 (json_int_t)r->stats.bad_icv, "replayed",
			 (json_int_t)r->stats.replayed, "highest_seq",
			 r->has_window_state ? json_integer(r->replay_top)
					     : json_null());
}

static void print_table(const struct sa_in_row *rows, size_t n)
{
	printf("%-3s %-10s %-10s %-15s %-6s %-6s %12s %14s %9s %9s %10s\n",
	       "dir", "spi", "asn", "alg", "replay", "state", "packets",
	       "bytes", "bad-icv", "replayed", "top-seq");
	for (size_t i = 0; i < n; i++) {
		const struct sa_in_row *r = &rows[i];
		char replay[16], top[16];

		snprintf(replay, sizeof(replay), "%u", r->replay_window);
		snprintf(top, sizeof(top), "%u", r->replay_top);
		printf("%-3s 0x%08x %-10u %-15s %-6s %-6s %12" PRIu64
		       " %14" PRIu64 " %9" PRIu64 " %9" PRIu64 " %10s\n",
		       "in", r->key.spi, r->key.asn, sa_alg_name(r->alg),
		       r->replay_window ? replay : "off",
		       sa_state_name(r->state), (uint64_t)r->stats.packets,
		       (uint64_t)r->stats.bytes, (uint64_t)r->stats.bad_icv,
		       (uint64_t)r->stats.replayed,
		       r->has_window_state ? top : "-");
	}
}

static json_t *out_row_json(const struct sa_out_row *r)
{
	char dscp[200];

	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:I, "
			 "s:I, s:I, s:I}",
			 "dir", "out", "spi", (json_int_t)r->key.spi, "asn",
			 (json_int_t)r->key.asn, "alg", sa_alg_name(r->alg),
			 "icv_len", (json_int_t)r->icv_len, "dscp",
			 dscp_set_format(r->dscp_mask, dscp, sizeof(dscp)),
			 "state",
			 r->exhausted ? "exhausted" : sa_state_name(r->state),
			 "seq", (json_int_t)r->seq, "dscp_selected",
			 (json_int_t)r->dscp_selected, "packets",
			 (json_int_t)r->stats.packets, "bytes",
			 (json_int_t)r->stats.bytes, "exhausted",
			 (json_int_t)r->stats.exhausted, "too_big",
			 (json_int_t)r->stats.too_big);
}

static void print_out_table(const struct sa_out_row *rows, size_t n)
{
	printf("\n%-3s %-10s %-10s %-15s %-9s %12s %14s %10s %9s  %s\n", "dir",
	       "spi", "asn", "alg", "state", "packets", "bytes", "seq",
	       "too-big", "dscp");
	for (size_t i = 0; i < n; i++) {
		const struct sa_out_row *r = &rows[i];
		char dscp[200];

		printf("%-3s 0x%08x %-10u %-15s %-9s %12" PRIu64 " %14" PRIu64
		       " %10" PRIu64 " %9" PRIu64 "  %s\n",
		       "out", r->key.spi, r->key.asn, sa_alg_name(r->alg),
		       r->exhausted ? "exhausted" : sa_state_name(r->state),
		       (uint64_t)r->stats.packets, (uint64_t)r->stats.bytes,
		       (uint64_t)r->seq, (uint64_t)r->stats.too_big,
		       dscp_set_format(r->dscp_mask, dscp, sizeof(dscp)));
	}
}

static int sa_list(const struct cli_common *o)
{
	struct sa_out_row *orows = NULL;
	struct sa_in_row *rows = NULL;
	struct sa_out_maps om;
	struct sa_maps m;
	struct pins pins;
	char err[256];
	size_t n = 0, on = 0;
	int rc;

	if (open_maps(o, false, &pins, &m, &om))
		return EXIT_ERROR;
	rc = sa_in_list(&m, &rows, &n, err, sizeof(err));
	if (!rc)
		rc = sa_out_list(&om, &orows, &on, err, sizeof(err));
	close_maps(&pins, &m, &om);
	if (rc) {
		free(rows);
		errmsg("%s", err);
		return EXIT_ERROR;
	}
	if (o->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, row_json(&rows[i]));
		for (size_t i = 0; i < on; i++)
			json_array_append_new(a, out_row_json(&orows[i]));
		json_dumpf(a, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(a);
	} else {
		print_table(rows, n);
		if (on)
			print_out_table(orows, on);
	}
	free(rows);
	free(orows);
	return EXIT_OK;
}

int cmd_sa(int argc, char **argv)
{
	const char *state_dir = NULL;
	const struct cli_option opts[] = {
		{"state-dir", 0, "DIR", .value = &state_dir},
		{},
	};
	struct cli_common o;
	enum sa_dir dir;
	int rc = cli_run(&argc, argv, opts, CLI_JSON, &o, sa_usage);

	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc < 1) {
		sa_usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[0], "list")) {
		if (argc > 1) {
			errmsg("unexpected '%s'", argv[1]);
			return EXIT_ERROR;
		}
		return sa_list(&o);
	}
	if (strcmp(argv[0], "add") && strcmp(argv[0], "del")) {
		errmsg("unknown subcommand '%s' (add, del, list)", argv[0]);
		sa_usage(stderr);
		return EXIT_ERROR;
	}
	if (o.json) {
		errmsg("--json goes with 'list'");
		return EXIT_ERROR;
	}
	if (direction(argc, argv, &dir))
		return EXIT_ERROR;
	if (!strcmp(argv[0], "add"))
		return sa_add(&o, state_dir, dir, argc - 2, argv + 2);
	return sa_del(&o, state_dir, dir, argc - 2, argv + 2);
}
