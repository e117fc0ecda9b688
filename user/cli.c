// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "output.h"

int cli_parse(int *argc, char **argv, unsigned int allowed, struct cli_opts *o,
	      void (*usage)(FILE *out))
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"dry-run", no_argument, NULL, 'n'},
		{"pin-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int opt, words = 0;

	memset(o, 0, sizeof(*o));
	/* walk argv[1..] by hand so options may follow the words, while a
	 * lone "-" (standard input) stays a word */
	optind = 1;
	opterr = 0;
	while (optind < *argc) {
		if (argv[optind][0] != '-' || !strcmp(argv[optind], "-")) {
			argv[words++] = argv[optind++];
			continue;
		}
		opt = getopt_long(*argc, argv, "+jnp:h", opts, NULL);
		switch (opt) {
		case 'j':
			if (allowed & CLI_JSON) {
				o->json = true;
				continue;
			}
			break;
		case 'n':
			if (allowed & CLI_DRY_RUN) {
				o->dry_run = true;
				continue;
			}
			break;
		case 'p':
			o->pin_dir = optarg;
			continue;
		case 'h':
			usage(stdout);
			return 1;
		case -1:
			continue;
		case '?':
			if (optopt == 'p') {
				errmsg("--pin-dir needs a directory");
				usage(stderr);
				return -1;
			}
			break;
		default:
			break;
		}
		errmsg("unknown option '%s'", argv[optind - 1]);
		usage(stderr);
		return -1;
	}
	*argc = words;
	return 0;
}
