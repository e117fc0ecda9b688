/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way every command reads its command line. A command lists its
 * options in a table; the options every command takes (--pin-dir DIR,
 * --help, and --json / --dry-run where the command says so) are added.
 * Options may stand anywhere among the words ("esprit sa list --json"),
 * long ones as --name VALUE or --name=VALUE, short ones as -c 5, -c5 or
 * grouped flags (-4q); "--" ends the options, and a lone "-" (standard
 * input) is a word.
 *
 *	bool force = false;
 *	const char *mode = NULL;
 *	const struct cli_option opts[] = {
 *		{"force", 'f', NULL, .flag = &force},
 *		{"mode", 'm', "MODE", .value = &mode},
 *		{},
 *	};
 *	struct cli_common c;
 *	int rc = cli_run(&argc, argv, opts, CLI_JSON, &c, usage);
 *	if (rc) return rc > 0 ? EXIT_OK : EXIT_ERROR;
 *	// argv[0..argc) are the words; the command's name is gone
 */
#ifndef ESPRIT_LIB_OPTIONS_H
#define ESPRIT_LIB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Common options a command offers besides --pin-dir and --help. */
#define CLI_JSON    (1U << 0)
#define CLI_DRY_RUN (1U << 1)

struct cli_option {
	const char *name; /* long name, without "--" */
	char short_name; /* 0: none */
	const char *arg; /* the value's name in messages; NULL: a flag */
	bool *flag; /* a flag: set to true */
	const char **value; /* an option with a value: set to it */
	/* or, for a value that needs checking: 0, or -1 with err */
	int (*parse)(const char *value, void *ctx, char *err, size_t errlen);
	void *ctx;
	bool *given; /* with a value: set to true once it is given */
};

struct cli_common {
	bool json;
	bool dry_run;
	const char *pin_dir;
};

enum cli_result {
	CLI_ERROR = -1, /* err says what was wrong */
	CLI_OK = 0,
	CLI_HELP = 1, /* --help or -h: print the usage, exit 0 */
};

/*
 * Takes the options out of argv[1..*argc) (argv[0] is the command's name)
 * and leaves the words in argv[0..*argc), in order. opts may be NULL.
 */
enum cli_result cli_parse(int *argc, char **argv, const struct cli_option *opts,
			  unsigned int common, struct cli_common *c, char *err,
			  size_t errlen);

/* cli_parse(), printing the help on stdout or the error and the usage on
 * stderr. */
enum cli_result cli_run(int *argc, char **argv, const struct cli_option *opts,
			unsigned int common, struct cli_common *c,
			void (*usage)(FILE *out));

#endif
