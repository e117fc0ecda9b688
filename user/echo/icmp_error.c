// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/errqueue.h>

#include "echo/icmp_error.h"

static const char *icmp4_text(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
		[0] = "Destination Net Unreachable",
		[1] = "Destination Host Unreachable",
		[2] = "Destination Protocol Unreachable",
		[3] = "Destination Port Unreachable",
		[4] = "Frag needed",
		[5] = "Source Route Failed",
		[6] = "Destination Net Unknown",
		[7] = "Destination Host Unknown",
		[9] = "Destination Net Prohibited",
		[10] = "Destination Host Prohibited",
		[13] = "Communication prohibited by filter",
	};

	switch (type) {
	case 3:
		if (code < sizeof(unreach) / sizeof(unreach[0]) &&
		    unreach[code])
			return unreach[code];
		return "Destination Unreachable";
	case 11:
		return code ? "Frag reassembly time exceeded"
			    : "Time to live exceeded";
	case 12:
		return "Parameter problem";
	default:
		return NULL;
	}
}

static const char *icmp6_text(uint8_t type, uint8_t code)
{
	switch (type) {
	case 1:
		switch (code) {
		case 0:
			return "Destination unreachable: No route";
		case 1:
			return "Destination unreachable: Administratively "
			       "prohibited";
		case 3:
			return "Destination unreachable: Address unreachable";
		case 4:
			return "Destination unreachable: Port unreachable";
		default:
			return "Destination unreachable";
		}
	case 2:
		return "Packet too big";
	case 3:
		return "Time exceeded: Hop limit";
	case 4:
		return code == 1 ? "Parameter problem: unrecognized Next "
				   "Header"
				 : "Parameter problem";
	default:
		return NULL;
	}
}

const char *icmp_error_describe(const struct icmp_error *e, char *buf,
				size_t len)
{
	const char *text = NULL;
	bool too_big = false;

	if (e->origin == SO_EE_ORIGIN_ICMP) {
		text = icmp4_text(e->type, e->code);
		too_big = e->type == 3 && e->code == 4;
	} else if (e->origin == SO_EE_ORIGIN_ICMP6) {
		text = icmp6_text(e->type, e->code);
		too_big = e->type == 2;
	}
	if (e->origin == SO_EE_ORIGIN_LOCAL)
		snprintf(buf, len, "local error: %s", strerror(e->err));
	else if (!text)
		snprintf(buf, len, "ICMP%s type %u code %u",
			 e->origin == SO_EE_ORIGIN_ICMP6 ? "v6" : "", e->type,
			 e->code);
	else
		snprintf(buf, len, "%s", text);
	if (too_big || (e->origin == SO_EE_ORIGIN_LOCAL && e->info)) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, ": mtu=%u", e->info);
	}
	return buf;
}

void icmp_error_quote(const struct icmp_error *e, enum esprit_echo_format f,
		      struct icmp_quote *q)
{
	const uint8_t *b = e->quote;
	size_t at = f == ESPRIT_ECHO_FMT_SUBTYPED ? 12 : 8;

	memset(q, 0, sizeof(*q));
	if (e->quote_len >= ESPRIT_ESP_HDR_LEN) {
		q->has_esp_seq = true;
		q->esp_seq = (uint32_t)b[4] << 24 | b[5] << 16 | b[6] << 8 |
			     b[7];
	}
	if (f == ESPRIT_ECHO_FMT_EMPTY || e->quote_len < at + 4)
		return;
	if (f == ESPRIT_ECHO_FMT_SUBTYPED && b[8] != ESPRIT_SUBTYPE_REQUEST)
		return;
	q->has_ident = true;
	q->ident = (uint16_t)(b[at] << 8 | b[at + 1]);
	q->seq = (uint16_t)(b[at + 2] << 8 | b[at + 3]);
}

enum icmp_diagnosis icmp_error_diagnose(const struct icmp_error *e)
{
	switch (e->origin) {
	case SO_EE_ORIGIN_ICMP:
		if (e->type == 3 && e->code == 2)
			return ICMP_NO_ESP;
		if (e->type == 3 && e->code == 4)
			return ICMP_TOO_BIG;
		return ICMP_UNREACHABLE;
	case SO_EE_ORIGIN_ICMP6:
		if (e->type == 4 && e->code == 1)
			return ICMP_NO_ESP;
		if (e->type == 2)
			return ICMP_TOO_BIG;
		return ICMP_UNREACHABLE;
	default:
		return e->err == EMSGSIZE ? ICMP_TOO_BIG : ICMP_LOCAL;
	}
}
