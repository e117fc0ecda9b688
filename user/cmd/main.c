// SPDX-License-Identifier: GPL-2.0
/* esprit: one binary, subcommands in the style of ip and bpftool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/output.h"

#ifndef ESPRIT_VERSION
#error "ESPRIT_VERSION comes from debian/changelog through the Makefile"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"attach", cmd_attach, "attach the XDP program to an interface"},
	{"detach", cmd_detach, "detach it"},
	{"stats", cmd_stats, "packet counters by reason"},
	{"responder", cmd_responder, "show or change responder settings"},
	{"ping", cmd_ping, "send ESP Echo Requests and time the replies"},
	{"local-asn", cmd_local_asn, "show or set the local AS (RISAV)"},
	{"prefix", cmd_prefix, "prefix to origin-AS table, RPKI import"},
	{"peer", cmd_peer, "RISAV peer ASes and their contacts"},
	{"risav", cmd_risav, "show or change RISAV settings"},
	{"daemon", cmd_daemon, "monitor peers: liveness, RTT and loss"},
	{"status", cmd_status, "the daemon's peers, brief or in detail"},
	{"sa", cmd_sa, "RISAV security associations"},
	{"monitor", cmd_monitor, "RISAV audit events as they arrive"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: esprit [-v] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\n'esprit COMMAND --help' describes each command.\n"
		     "Exit status: 0 success, 1 no result (e.g. no reply), "
		     "2 error.\n");
}

int main(int argc, char **argv)
{
	static char label[64];
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			esprit_verbose = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--"
								      "help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--"
								      "versio"
								      "n")) {
			printf("esprit %s\n", ESPRIT_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "esprit: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	libbpf_quiet_unless_verbose();
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name))
			continue;
		snprintf(label, sizeof(label), "esprit %s", commands[c].name);
		esprit_command = label;
		return commands[c].run(argc - i, argv + i);
	}
	fprintf(stderr, "esprit: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_ERROR;
}
