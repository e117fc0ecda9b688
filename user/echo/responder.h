/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ESPRIT_RESPONDER_H
#define ESPRIT_RESPONDER_H

#include <stddef.h>
#include "esprit_config.h"
#include "lib/pins.h"

/* Applies one KEY VALUE setting to cfg; -1 with a message in err. */
int responder_config_set(struct esprit_config *cfg, const char *key,
			 const char *value, char *err, size_t errlen);

/*
 * Checks what no single key can: the request and reply SPIs differ and
 * are IANA's (1-255). 0, or -1 with the reason in err.
 */
int responder_config_check(const struct esprit_config *cfg, char *err,
			   size_t errlen);

int responder_config_read(const struct pins *pins, struct esprit_config *cfg);
int responder_config_write(const struct pins *pins,
			   const struct esprit_config *cfg);

/* The value in force for a setting whose 0 means the default. */
__u32 responder_or_default(__u32 v, __u32 def);

/* "10000/s" or "unlimited"; "seed,empty,subtyped" or "none". */
void responder_rate_text(__u32 rate, char *buf, size_t len);
const char *responder_formats_text(__u32 flags, char *buf, size_t len);

/* Makes esprit_local hold exactly the host's addresses. Returns 0/-errno. */
int local_addresses_sync(int local_map_fd);

#endif
