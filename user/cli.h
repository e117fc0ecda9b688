/* SPDX-License-Identifier: GPL-2.0 */
/* The options the RISAV commands share, accepted anywhere on the line. */
#ifndef ESPRIT_USER_CLI_H
#define ESPRIT_USER_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_JSON    (1U << 0)
#define CLI_DRY_RUN (1U << 1)

struct cli_opts {
	bool json;
	bool dry_run;
	const char *pin_dir;
};

/*
 * Takes --pin-dir DIR, --help and the options in allowed out of argv and
 * leaves the words in argv[0..*argc). Returns 0, 1 after printing the
 * help (exit 0), or -1 after a message and the usage (exit 2).
 */
int cli_parse(int *argc, char **argv, unsigned int allowed, struct cli_opts *o,
	      void (*usage)(FILE *out));

#endif
