// SPDX-License-Identifier: GPL-2.0
/*
 * esprit status [PEER] [--json]: the daemon's probe streams, read over its
 * control socket. Brief by default, one line per peer and class, as FRR's
 * `show bfd peers brief`; with PEER, every detail of its classes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmd/commands.h"
#include "daemon/config.h"
#include "daemon/control.h"
#include "lib/options.h"
#include "lib/output.h"

static void status_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit status [PEER] [--json] [-s PATH]\n"
		"  The esprit daemon's peers: one line per peer and DSCP "
		"class,\n"
		"  or every detail of PEER's classes.\n"
		"  --json    the daemon's JSON document\n"
		"  -s PATH   control socket (default %s)\n"
		"Exit status: 0, or 2 if the daemon cannot be asked or has no "
		"such peer.\n",
		ESPRIT_DEFAULT_CONTROL);
}

static const char *duration(double s, char *buf, size_t len)
{
	unsigned long t = (unsigned long)s;

	if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (t < 3600)
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%luh%02lum", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%lud%02luh", t / 86400, t % 86400 / 3600);
	return buf;
}

static const char *ms(json_t *v, char *buf, size_t len)
{
	if (!json_is_integer(v))
		return "-";
	snprintf(buf, len, "%.3f", (double)json_integer_value(v) / 1e6);
	return buf;
}

static const char *percent(json_t *v, char *buf, size_t len)
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, len, "%.1f%%", 100 * json_number_value(v));
	return buf;
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The RPKI-to-Router caches, when the daemon has any. */
static void print_rtr(json_t *doc)
{
	json_t *rtr = json_object_get(doc, "rtr"), *c;
	size_t i;

	if (!rtr)
		return;
	printf("\nRTR: %s, %lld prefixes; %lld whole tables, %lld batches, "
	       "%lld refused; on_expire %s\n",
	       json_is_true(json_object_get(rtr, "installed")) ? "in the table"
							       : "waiting for "
								 "data",
	       (long long)num(rtr, "prefixes"), (long long)num(rtr, "installs"),
	       (long long)num(rtr, "batches"), (long long)num(rtr, "failures"),
	       json_string_value(json_object_get(rtr, "on_expire")));
	printf("%-36s %4s %-10s %-12s %10s %10s %9s %9s %6s %s\n", "CACHE",
	       "PREF", "STATE", "SESSION", "SESSION-ID", "SERIAL", "VRPS-V4",
	       "VRPS-V6", "ERRORS", "LAST-UPDATE");
	json_array_foreach(json_object_get(rtr, "caches"), i, c)
	{
		json_t *last = json_object_get(c, "last_update");
		char when[32] = "never", sid[16] = "-", ser[16] = "-";

		if (json_is_number(last)) {
			time_t t = (time_t)json_number_value(last);
			struct tm tm;

			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S",
				 localtime_r(&t, &tm));
		}
		if (json_is_integer(json_object_get(c, "session_id"))) {
			snprintf(sid, sizeof(sid), "%lld",
				 (long long)num(c, "session_id"));
			snprintf(ser, sizeof(ser), "%lld",
				 (long long)num(c, "serial"));
		}
		printf("%-36s %4lld %-10s %-12s %10s %10s %9lld %9lld %6lld "
		       "%s%s\n",
		       json_string_value(json_object_get(c, "cache")),
		       (long long)num(c, "preference"),
		       json_string_value(json_object_get(c, "state")),
		       json_string_value(json_object_get(c, "session_state")),
		       sid, ser, (long long)num(c, "vrps_ipv4"),
		       (long long)num(c, "vrps_ipv6"),
		       (long long)num(c, "errors"), when,
		       json_is_true(json_object_get(c, "expired")) ? " ("
								     "expired, "
								     "kept)"
								   : "");
		if (*json_string_value(json_object_get(c, "last_error")))
			printf("    last error: %s\n",
			       json_string_value(json_object_get(c, "last_"
								    "error")));
	}
}

static void print_brief(json_t *doc)
{
	json_t *info = json_object_get(doc, "daemon");
	json_t *peers = json_object_get(doc, "peers"), *p;
	size_t i;

	printf("Streams: %lld (%lld up, %lld down, %lld init)",
	       (long long)num(info, "streams"), (long long)num(info, "up"),
	       (long long)num(info, "down"), (long long)num(info, "init"));
	if (num(info, "ring_drops"))
		printf("; ring buffer drops: %lld", (long long)num(info, "ring_"
									 "drop"
									 "s"));
	printf("\n%-16s %-28s %4s %-5s %-15s %9s %9s %9s %7s %7s %9s %9s\n",
	       "PEER", "ADDRESS", "DSCP", "STATE", "REASON", "SINCE", "SENT",
	       "RECEIVED", "LOSS", "LOSS1M", "RTT-AVG", "RTT-P99");
	json_array_foreach(peers, i, p)
	{
		json_t *rtt = json_object_get(p, "rtt_ns");
		char a[32], b[32], c[32], e[32], f[32];

		printf("%-16s %-28s %4lld %-5s %-15s %9s %9lld %9lld %7s %7s "
		       "%9s %9s\n",
		       json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "address")),
		       (long long)num(p, "dscp"),
		       json_string_value(json_object_get(p, "state")),
		       json_string_value(json_object_get(p, "reason")),
		       duration(json_number_value(json_object_get(p, "since")),
				a, sizeof(a)),
		       (long long)num(p, "sent"), (long long)num(p, "received"),
		       percent(json_object_get(p, "loss_ratio"), b, sizeof(b)),
		       percent(json_object_get(p, "loss_ratio_1m"), c,
			       sizeof(c)),
		       ms(json_object_get(rtt, "avg"), e, sizeof(e)),
		       ms(json_object_get(rtt, "p99"), f, sizeof(f)));
	}
	printf("(RTT in ms; LOSS since the stream started, LOSS1M over the "
	       "last minute)\n");
}

static void print_detail(json_t *doc)
{
	json_t *peers = json_object_get(doc, "peers"), *p;
	size_t i;

	json_array_foreach(peers, i, p)
	{
		json_t *rtt = json_object_get(p, "rtt_ns");
		json_t *rx = json_object_get(p, "rx");
		json_t *ign = json_object_get(p, "ignored");
		const char *detail = json_string_value(json_object_get(p, "reas"
									  "on_"
									  "deta"
									  "i"
									  "l"));
		char t[8][32];

		if (!detail)
			detail = "";
		if (i == 0)
			printf("peer %s\n\taddress: %s\n",
			       json_string_value(json_object_get(p, "name")),
			       json_string_value(json_object_get(p, "addres"
								    "s")));
		printf("\tdscp %lld:\n", (long long)num(p, "dscp"));
		printf("\t\tstate: %s, since %s\n",
		       json_string_value(json_object_get(p, "state")),
		       duration(json_number_value(json_object_get(p, "since")),
				t[0], sizeof(t[0])));
		printf("\t\treason: %s%s%s%s\n",
		       json_string_value(json_object_get(p, "reason")),
		       detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
		printf("\t\t%s form, interval %.1f ms, detect multiplier %lld "
		       "(detection %.1f ms), up after %lld, %lld bytes of "
		       "Data, ident 0x%04llx\n",
		       json_string_value(json_object_get(p, "format")),
		       json_number_value(json_object_get(p, "interval_ms")),
		       (long long)num(p, "detect_multiplier"),
		       json_number_value(json_object_get(p, "interval_ms")) *
			       (double)num(p, "detect_multiplier"),
		       (long long)num(p, "up_after"), (long long)num(p, "size"),
		       (long long)num(p, "ident"));
		printf("\t\tprobes: %lld sent, %lld received, %lld lost, %lld "
		       "in flight; %lld late, %lld duplicated\n",
		       (long long)num(p, "sent"), (long long)num(p, "received"),
		       (long long)num(p, "lost"),
		       (long long)num(p, "in_flight"),
		       (long long)num(p, "late"),
		       (long long)num(p, "duplicated"));
		printf("\t\tloss: %s since the start, %s over the last "
		       "minute\n",
		       percent(json_object_get(p, "loss_ratio"), t[0],
			       sizeof(t[0])),
		       percent(json_object_get(p, "loss_ratio_1m"), t[1],
			       sizeof(t[1])));
		printf("\t\trtt (ms): last %s min %s avg %s max %s mdev %s\n",
		       ms(json_object_get(rtt, "last"), t[0], sizeof(t[0])),
		       ms(json_object_get(rtt, "min"), t[1], sizeof(t[1])),
		       ms(json_object_get(rtt, "avg"), t[2], sizeof(t[2])),
		       ms(json_object_get(rtt, "max"), t[3], sizeof(t[3])),
		       ms(json_object_get(rtt, "mdev"), t[4], sizeof(t[4])));
		printf("\t\trtt percentiles (ms): p50 %s p90 %s p99 %s\n",
		       ms(json_object_get(rtt, "p50"), t[5], sizeof(t[5])),
		       ms(json_object_get(rtt, "p90"), t[6], sizeof(t[6])),
		       ms(json_object_get(rtt, "p99"), t[7], sizeof(t[7])));
		printf("\t\terrors: %lld sends failed, %lld ICMP errors; %lld "
		       "replies with another DSCP\n",
		       (long long)num(p, "send_errors"),
		       (long long)num(p, "icmp_errors"),
		       (long long)num(p, "dscp_changed"));
		printf("\t\tignored: %lld bad tag, %lld stale, %lld foreign; "
		       "%lld received before they were sent, by the clocks "
		       "(not timed)\n",
		       (long long)num(ign, "bad_tag"),
		       (long long)num(ign, "stale"),
		       (long long)num(ign, "foreign"),
		       (long long)num(p, "untimed"));
		printf("\t\treplies: %s\n",
		       json_string_value(json_object_get(rx, "note")));
	}
}

int cmd_status(int argc, char **argv)
{
	const char *path = ESPRIT_DEFAULT_CONTROL, *peer = NULL;
	const struct cli_option opts[] = {
		{"socket", 's', "PATH", .value = &path},
		{},
	};
	char request[CONTROL_REQUEST_MAX], err[512], *reply;
	struct cli_common c;
	int rc, not_running;
	json_error_t jerr;
	json_t *doc;

	rc = cli_run(&argc, argv, opts, CLI_JSON, &c, status_usage);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc > 1 ||
	    (argc == 1 && strlen(argv[0]) >= CONFIG_PEER_NAME_MAX)) {
		errmsg("one peer name at most, shorter than %d characters",
		       CONFIG_PEER_NAME_MAX);
		status_usage(stderr);
		return EXIT_ERROR;
	}
	peer = argc ? argv[0] : NULL;
	snprintf(request, sizeof(request), "status%s%s", peer ? " " : "",
		 peer ? peer : "");
	reply = control_request(path, request, err, sizeof(err), &not_running);
	if (!reply) {
		errmsg("%s", err);
		return EXIT_ERROR;
	}
	doc = json_loads(reply, 0, &jerr);
	free(reply);
	if (!doc) {
		errmsg("the daemon's answer is not JSON: %s", jerr.text);
		return EXIT_ERROR;
	}
	if (json_object_get(doc, "error")) {
		errmsg("%s%s%s",
		       json_string_value(json_object_get(doc, "error")),
		       peer ? ": " : "", peer ? peer : "");
		json_decref(doc);
		return EXIT_ERROR;
	}
	if (c.json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else if (peer) {
		print_detail(doc);
	} else {
		print_brief(doc);
		print_rtr(doc);
	}
	json_decref(doc);
	return EXIT_OK;
}
