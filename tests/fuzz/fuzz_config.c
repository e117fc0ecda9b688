// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the daemon's YAML configuration loader, on whatever
 * bytes a file may hold. A file it refuses must leave the configuration
 * empty, with a message that names the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

static char path[64];
static int fd = -1;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct daemon_config cfg;
	char err[2048];

	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/esprit-fuzz-config.XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (config_load(path, &cfg, err, sizeof(err))) {
		/* refused: named, and nothing kept */
		if (!strstr(err, path) && !strstr(err, "out of memory"))
			abort();
		if (cfg.risav.sas || cfg.risav.statics.v)
			abort();
		return 0;
	}
	config_free(&cfg);
	return 0;
}
