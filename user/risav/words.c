// SPDX-License-Identifier: GPL-2.0
/*
 * The words of RISAV's settings as operators write them: peer modes and
 * no-SA policies, contact addresses, and `esprit risav set` keys. The CLI
 * and the daemon's configuration take them the same way.
 */
#include <stdio.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/parse.h"
#include "risav/state.h"

static const __u8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int peer_mode_parse(const char *s, __u32 *mode, char *err, size_t errlen)
{
	if (!strcmp(s, "enforce"))
		*mode = ESPRIT_PEER_ENFORCE;
	else if (!strcmp(s, "testing"))
		*mode = ESPRIT_PEER_TESTING;
	else if (!strcmp(s, "off"))
		*mode = ESPRIT_PEER_OFF;
	else {
		snprintf(err, errlen,
			 "unknown mode '%s' (enforce, testing or off)", s);
		return -1;
	}
	return 0;
}

const char *peer_mode_name(__u32 mode)
{
	switch (mode) {
	case ESPRIT_PEER_ENFORCE:
		return "enforce";
	case ESPRIT_PEER_TESTING:
		return "testing";
	case ESPRIT_PEER_OFF:
		return "off";
	default:
		return "unknown";
	}
}

int peer_no_sa_parse(const char *s, __u32 *policy, char *err, size_t errlen)
{
	if (!strcmp(s, "untagged"))
		*policy = ESPRIT_NO_SA_UNTAGGED;
	else if (!strcmp(s, "drop"))
		*policy = ESPRIT_NO_SA_DROP;
	else {
		snprintf(err, errlen, "unknown policy '%s' (untagged or drop)",
			 s);
		return -1;
	}
	return 0;
}

const char *peer_no_sa_name(__u32 policy)
{
	switch (policy) {
	case ESPRIT_NO_SA_UNTAGGED:
		return "untagged";
	case ESPRIT_NO_SA_DROP:
		return "drop";
	default:
		return "unknown";
	}
}

/* Why a (parsed) address cannot be a contact, or NULL if it can. */
static const char *contact_unfit(const struct esprit_addr *a)
{
	static const __u8 zero[16];
	const __u8 *v4 = a->addr + 12;

	if (a->family == ESPRIT_AF_INET) {
		if (!memcmp(v4, zero, 4))
			return "unspecified";
		if (v4[0] == 127)
			return "loopback";
		if (v4[0] >= 224 && v4[0] <= 239)
			return "multicast";
		if (v4[0] == 169 && v4[1] == 254)
			return "link-local";
		if (v4[0] == 255 && v4[1] == 255 && v4[2] == 255 &&
		    v4[3] == 255)
			return "broadcast";
		return NULL;
	}
	if (!memcmp(a->addr, zero, 16))
		return "unspecified";
	if (!memcmp(a->addr, zero, 15) && a->addr[15] == 1)
		return "loopback";
	if (a->addr[0] == 0xff)
		return "multicast";
	if (a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
		return "link-local";
	if (!memcmp(a->addr, v4_mapped, 12))
		return "IPv4-mapped (write it as IPv4)";
	return NULL;
}

static const char *family_name(const struct esprit_addr *a)
{
	return a->family == ESPRIT_AF_INET ? "IPv4" : "IPv6";
}

/* Checks a contact list: fit addresses, at most one per family. */
int risav_contacts_check(__u32 count, const struct esprit_addr *list, char *err,
			 size_t errlen)
{
	char buf[ADDR_STRLEN];

	if (count > ESPRIT_PEER_CONTACTS) {
		snprintf(err, errlen,
			 "%u contact addresses; at most %d (one IPv4, one "
			 "IPv6)",
			 count, ESPRIT_PEER_CONTACTS);
		return -1;
	}
	for (__u32 i = 0; i < count; i++) {
		const char *why = contact_unfit(&list[i]);

		if (list[i].family != ESPRIT_AF_INET &&
		    list[i].family != ESPRIT_AF_INET6) {
			snprintf(err, errlen,
				 "contact %u has unknown address family %u", i,
				 list[i].family);
			return -1;
		}
		if (why) {
			snprintf(err, errlen,
				 "%s cannot be a contact address (%s)",
				 addr_format(&list[i], buf, sizeof(buf)), why);
			return -1;
		}
		for (__u32 j = 0; j < i; j++) {
			char a[ADDR_STRLEN], b[ADDR_STRLEN];

			if (list[j].family != list[i].family)
				continue;
			if (!memcmp(&list[j], &list[i], sizeof(list[i]))) {
				snprintf(err, errlen,
					 "contact %s is given twice",
					 addr_format(&list[i], a, sizeof(a)));
				return -1;
			}
			snprintf(err, errlen,
				 "two %s contact addresses (%s and %s): a "
				 "RISAV "
				 "announcement has one per address family",
				 family_name(&list[i]),
				 addr_format(&list[j], a, sizeof(a)),
				 addr_format(&list[i], b, sizeof(b)));
			return -1;
		}
	}
	return 0;
}

int risav_contact_add(__u32 *count, struct esprit_addr *list, const char *addr,
		      char *err, size_t errlen)
{
	struct esprit_addr a;
	struct esprit_addr tmp[ESPRIT_PEER_CONTACTS + 1];

	if (addr_parse(addr, &a, err, errlen))
		return -1;
	if (*count >= ESPRIT_PEER_CONTACTS) {
		snprintf(err, errlen,
			 "contact %s: at most %d contact addresses (one "
			 "IPv4, one IPv6)",
			 addr, ESPRIT_PEER_CONTACTS);
		return -1;
	}
	memcpy(tmp, list, *count * sizeof(*list));
	tmp[*count] = a;
	if (risav_contacts_check(*count + 1, tmp, err, errlen))
		return -1;
	list[(*count)++] = a;
	return 0;
}

int risav_set(struct esprit_risav_config *cfg, const char *key,
	      const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "fragments")) {
		if (!strcmp(value, "drop"))
			cfg->risav_flags &= ~ESPRIT_RISAV_PASS_FRAGMENTS;
		else if (!strcmp(value, "pass"))
			cfg->risav_flags |= ESPRIT_RISAV_PASS_FRAGMENTS;
		else {
			snprintf(err, errlen,
				 "fragments: expected drop or pass, not '%s'",
				 value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "green-channel")) {
		if (!strcmp(value, "contacts"))
			cfg->risav_flags &= ~ESPRIT_RISAV_GREEN_ANY_CONTACT;
		else if (!strcmp(value, "any-contact"))
			cfg->risav_flags |= ESPRIT_RISAV_GREEN_ANY_CONTACT;
		else {
			snprintf(err, errlen,
				 "green-channel: expected contacts or "
				 "any-contact, not '%s'",
				 value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "audit-rate")) {
		if (!strcmp(value, "default")) {
			cfg->audit_rate = 0;
			return 0;
		}
		if (parse_u32(value, 1, RISAV_AUDIT_RATE_MAX,
			      &cfg->audit_rate)) {
			snprintf(err, errlen,
				 "audit-rate: expected events/s 1-%d or "
				 "'default', not '%s'",
				 RISAV_AUDIT_RATE_MAX, value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "too-big-rate")) {
		if (!strcmp(value, "default")) {
			cfg->too_big_rate = 0;
			return 0;
		}
		if (parse_u32(value, 1, ESPRIT_TOO_BIG_RATE_MAX,
			      &cfg->too_big_rate)) {
			snprintf(err, errlen,
				 "too-big-rate: expected ICMP errors/s per "
				 "source 1-%d or 'default', not '%s'",
				 ESPRIT_TOO_BIG_RATE_MAX, value);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "unknown key '%s' (fragments, green-channel, audit-rate, "
		 "too-big-rate; the local ASN is set with 'esprit local-asn')",
		 key);
	return -1;
}

__u32 risav_audit_rate(const struct esprit_risav_config *cfg)
{
	return cfg->audit_rate ? cfg->audit_rate : ESPRIT_DEFAULT_AUDIT_RATE;
}

__u32 risav_too_big_rate(const struct esprit_risav_config *cfg)
{
	return cfg->too_big_rate ? cfg->too_big_rate
				 : ESPRIT_DEFAULT_TOO_BIG_RATE;
}
