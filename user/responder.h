/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ESPRIT_RESPONDER_H
#define ESPRIT_RESPONDER_H

#include <stddef.h>
#include "esprit_config.h"
#include "pins.h"

/* Applies one KEY VALUE setting to cfg; -1 with a message in err. */
int responder_config_set(struct esprit_config *cfg, const char *key,
			 const char *value, char *err, size_t errlen);

int responder_config_read(const struct pins *pins, struct esprit_config *cfg);
int responder_config_write(const struct pins *pins,
			   const struct esprit_config *cfg);

/* Makes esprit_local hold exactly the host's addresses. Returns 0/-errno. */
int local_addresses_sync(int local_map_fd);

#endif
