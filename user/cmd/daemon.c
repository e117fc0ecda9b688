// SPDX-License-Identifier: GPL-2.0
/* esprit daemon: the command line of user/daemon/daemon.c. */
#include <stdio.h>

#include "cmd/commands.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "lib/options.h"
#include "lib/output.h"

static void daemon_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit daemon [-c FILE] [--pin-dir DIR]\n"
		"  Attaches esprit's XDP program to the interfaces FILE "
		"lists,\n"
		"  keeps its maps as FILE says, and probes every peer and "
		"DSCP\n"
		"  class with ESP Echo: state, RTT and loss per peer and "
		"class,\n"
		"  on the control socket (esprit status) and as Prometheus\n"
		"  metrics. SIGHUP re-reads FILE; SIGTERM stops.\n"
		"  -c FILE   configuration (default %s)\n"
		"  --pin-dir DIR  where the maps are pinned (over the file's "
		"pin_dir)\n",
		ESPRIT_DEFAULT_CONFIG);
}

int cmd_daemon(int argc, char **argv)
{
	const char *file = ESPRIT_DEFAULT_CONFIG;
	const struct cli_option opts[] = {
		{"config", 'c', "FILE", .value = &file},
		{},
	};
	struct cli_common c;
	int rc;

	rc = cli_run(&argc, argv, opts, 0, &c, daemon_usage);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc) {
		errmsg("unexpected '%s'", argv[0]);
		daemon_usage(stderr);
		return EXIT_ERROR;
	}
	return daemon_main(file, c.pin_dir);
}
