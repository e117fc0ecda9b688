// SPDX-License-Identifier: GPL-2.0
/*
 * esprit local-asn | peer | risav: the RISAV identity, peers and settings.
 * Each change reads the whole RISAV state under the pin directory's lock,
 * edits it in memory and applies it (user/risav/state.h): a rejected change
 * leaves the maps as they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "lib/addr.h"
#include "lib/asn.h"
#include "lib/options.h"
#include "cmd/commands.h"
#include "lib/output.h"
#include "lib/pins.h"
#include "risav/pfx4_index.h"
#include "risav/prefix_maps.h"
#include "risav/state.h"

typedef int (*state_edit)(struct risav_state *s, int argc, char **argv,
			  char *err, size_t errlen);

static void print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(v);
}

static json_t *contacts_json(__u32 n, const struct esprit_addr *list)
{
	json_t *a = json_array();
	char buf[ADDR_STRLEN];

	for (__u32 i = 0; i < n; i++)
		json_array_append_new(a, json_string(addr_format(&list[i], buf,
								 sizeof(buf))));
	return a;
}

static void print_contacts(__u32 n, const struct esprit_addr *list)
{
	char buf[ADDR_STRLEN];

	if (!n)
		printf("-");
	for (__u32 i = 0; i < n; i++)
		printf("%s%s", i ? " " : "",
		       addr_format(&list[i], buf, sizeof(buf)));
}

/* Opens the maps and reads the state; with lock, under the pin lock. */
static int begin(const struct cli_common *o, bool lock, struct pins *pins,
		 struct risav_maps *maps, struct risav_state *st)
{
	char err[256];

	if (pins_find(o->pin_dir, pins))
		return -1;
	if (risav_maps_open(pins, maps))
		return -1;
	if (lock && pins_lock(pins)) {
		risav_maps_close(maps);
		return -1;
	}
	if (risav_state_read(maps, st, err, sizeof(err))) {
		errmsg("%s", err);
		pins_unlock(pins);
		risav_maps_close(maps);
		return -1;
	}
	return 0;
}

static void end(struct pins *pins, struct risav_maps *maps,
		struct risav_state *st)
{
	risav_state_free(st);
	pins_unlock(pins);
	risav_maps_close(maps);
}

/* Reads, edits with fn, applies; all under the lock. */
static int change(const struct cli_common *o, state_edit fn, int argc,
		  char **argv)
{
	struct risav_state st;
	struct risav_maps maps;
	struct pins pins;
	char err[512];
	int rc = EXIT_ERROR;

	if (begin(o, true, &pins, &maps, &st))
		return EXIT_ERROR;
	if (fn(&st, argc, argv, err, sizeof(err)) ||
	    risav_state_apply(&maps, &st, err, sizeof(err)))
		errmsg("%s; nothing changed", err);
	else
		rc = EXIT_OK;
	end(&pins, &maps, &st);
	return rc;
}

/* ---- esprit local-asn --------------------------------------------------- */

static void local_asn_usage(FILE *out)
{
	fprintf(out, "usage: esprit local-asn [--json]\n"
		     "       esprit local-asn ASN [contact ADDR]...\n"
		     "       esprit local-asn off\n"
		     "  (each takes --pin-dir DIR)\n"
		     "  Shows or sets the local AS: packets to its prefixes "
		     "are "
		     "checked for\n"
		     "  RISAV tags. ASN is 1-4294967295, optionally written "
		     "AS64500. "
		     "The contact\n"
		     "  addresses (at most one IPv4 and one IPv6) are the AS's "
		     "announced\n"
		     "  contact IPs: traffic to or from them is never checked. "
		     "Setting the\n"
		     "  local AS replaces its contact list; 'off' turns RISAV "
		     "off "
		     "and clears it.\n");
}

static int edit_local(struct risav_state *s, int argc, char **argv, char *err,
		      size_t errlen)
{
	memset(s->local_contact, 0, sizeof(s->local_contact));
	s->local_contact_count = 0;
	if (!strcmp(argv[0], "off") || !strcmp(argv[0], "none")) {
		if (argc > 1) {
			snprintf(err, errlen,
				 "'local-asn off' takes no contacts");
			return -1;
		}
		s->config.local_asn = 0;
		return 0;
	}
	if (asn_parse(argv[0], false, &s->config.local_asn, err, errlen))
		return -1;
	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "contact") || i + 1 >= argc) {
			snprintf(err, errlen,
				 "expected 'contact ADDR', not '%s'", argv[i]);
			return -1;
		}
		if (risav_contact_add(&s->local_contact_count, s->local_contact,
				      argv[i + 1], err, errlen))
			return -1;
	}
	return 0;
}

static int show_local(const struct cli_common *o)
{
	struct risav_state st;
	struct risav_maps maps;
	struct pins pins;

	if (begin(o, false, &pins, &maps, &st))
		return EXIT_ERROR;
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "local_asn",
				    st.config.local_asn
					    ? json_integer(st.config.local_asn)
					    : json_null());
		json_object_set_new(j, "contacts",
				    contacts_json(st.local_contact_count,
						  st.local_contact));
		print_json(j);
	} else if (!st.config.local_asn) {
		printf("local-asn none (RISAV off)\n");
	} else {
		printf("local-asn %u\n", st.config.local_asn);
		printf("contacts  ");
		print_contacts(st.local_contact_count, st.local_contact);
		printf("\n");
	}
	end(&pins, &maps, &st);
	return EXIT_OK;
}

int cmd_local_asn(int argc, char **argv)
{
	struct cli_common o;
	int r = cli_run(&argc, argv, NULL, CLI_JSON, &o, local_asn_usage);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc == 0)
		return show_local(&o);
	return change(&o, edit_local, argc, argv);
}

/* ---- esprit peer -------------------------------------------------------- */

static void peer_usage(FILE *out)
{
	fprintf(out, "usage: esprit peer add ASN mode enforce|testing|off "
		     "[policy untagged|drop] [contact ADDR]...\n"
		     "       esprit peer del ASN\n"
		     "       esprit peer list [--json]\n"
		     "  (each takes --pin-dir DIR)\n"
		     "  A RISAV peer AS and what the XDP program does with "
		     "packets "
		     "from its\n"
		     "  prefixes: enforce (drop what fails or has no tag), "
		     "testing "
		     "(verify and\n"
		     "  count, never drop) or off. Contact addresses (at most "
		     "one "
		     "IPv4 and one\n"
		     "  IPv6) are the peer's announced contact IPs, never "
		     "checked. "
		     "'add' on an\n"
		     "  existing peer replaces its mode, policy and "
		     "contacts.\n"
		     "  policy: what the egress tagger does with a packet "
		     "to the peer when\n"
		     "  no outbound SA covers its DSCP: send it untagged "
		     "(default) or drop it.\n");
}

static int edit_peer_add(struct risav_state *s, int argc, char **argv,
			 char *err, size_t errlen)
{
	struct risav_peer p = {};
	bool have_mode = false, have_policy = false;

	if (argc < 1) {
		snprintf(err, errlen, "peer add needs an ASN");
		return -1;
	}
	if (asn_parse(argv[0], false, &p.asn, err, errlen))
		return -1;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc) {
			snprintf(err, errlen, "'%s' needs a value", argv[i]);
			return -1;
		}
		if (!strcmp(argv[i], "mode")) {
			if (have_mode) {
				snprintf(err, errlen, "mode given twice");
				return -1;
			}
			if (peer_mode_parse(argv[i + 1], &p.v.mode, err,
					    errlen))
				return -1;
			have_mode = true;
		} else if (!strcmp(argv[i], "policy")) {
			if (have_policy) {
				snprintf(err, errlen, "policy given twice");
				return -1;
			}
			if (peer_no_sa_parse(argv[i + 1], &p.v.no_sa, err,
					     errlen))
				return -1;
			have_policy = true;
		} else if (!strcmp(argv[i], "contact")) {
			char why[256];

			if (risav_contact_add(&p.v.contact_count, p.v.contact,
					      argv[i + 1], why, sizeof(why))) {
				snprintf(err, errlen, "peer AS%u: %s", p.asn,
					 why);
				return -1;
			}
		} else {
			snprintf(err, errlen,
				 "unknown word '%s' (mode, policy, contact)",
				 argv[i]);
			return -1;
		}
	}
	if (!have_mode) {
		snprintf(err, errlen,
			 "peer add needs 'mode enforce|testing|off'");
		return -1;
	}
	if (risav_peer_put(s, &p)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int edit_peer_del(struct risav_state *s, int argc, char **argv,
			 char *err, size_t errlen)
{
	__u32 asn;

	if (argc != 1) {
		snprintf(err, errlen, "usage: esprit peer del ASN");
		return -1;
	}
	if (asn_parse(argv[0], false, &asn, err, errlen))
		return -1;
	if (risav_peer_remove(s, asn)) {
		snprintf(err, errlen, "AS%u is not a peer", asn);
		return -1;
	}
	return 0;
}

static int list_peers(const struct cli_common *o)
{
	struct risav_state st;
	struct risav_maps maps;
	struct pins pins;
	json_t *arr;

	if (begin(o, false, &pins, &maps, &st))
		return EXIT_ERROR;
	arr = o->json ? json_array() : NULL;
	for (size_t i = 0; i < st.npeers; i++) {
		const struct risav_peer *p = &st.peers[i];

		if (arr) {
			json_array_append_new(
				arr,
				json_pack("{s:I, s:s, s:s, s:o}", "asn",
					  (json_int_t)p->asn, "mode",
					  peer_mode_name(p->v.mode), "policy",
					  peer_no_sa_name(p->v.no_sa),
					  "contacts",
					  contacts_json(p->v.contact_count,
							p->v.contact)));
			continue;
		}
		printf("%-12u %-8s %-8s ", p->asn, peer_mode_name(p->v.mode),
		       peer_no_sa_name(p->v.no_sa));
		print_contacts(p->v.contact_count, p->v.contact);
		printf("\n");
	}
	if (arr)
		print_json(arr);
	end(&pins, &maps, &st);
	return EXIT_OK;
}

int cmd_peer(int argc, char **argv)
{
	struct cli_common o;
	int r = cli_run(&argc, argv, NULL, CLI_JSON, &o, peer_usage);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc >= 1 && !strcmp(argv[0], "list") && argc == 1)
		return list_peers(&o);
	if (argc >= 1 && !strcmp(argv[0], "add"))
		return change(&o, edit_peer_add, argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "del"))
		return change(&o, edit_peer_del, argc - 1, argv + 1);
	if (argc)
		errmsg("unknown peer command '%s'", argv[0]);
	else
		errmsg("peer needs a command");
	peer_usage(stderr);
	return EXIT_ERROR;
}

/* ---- esprit risav ------------------------------------------------------- */

static void risav_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit risav [show] [--json]\n"
		"       esprit risav set KEY VALUE [KEY VALUE]...\n"
		"  (each takes --pin-dir DIR)\n"
		"keys:\n"
		"  fragments drop|pass   fragments from enforced peers, which "
		"XDP cannot\n"
		"                        verify (drop)\n"
		"  green-channel contacts|any-contact  untagged and unchecked:"
		" packets\n"
		"                        between a peer's contact and ours "
		"(contacts), or\n"
		"                        to or from any contact (any-contact, "
		"weaker)\n"
		"  audit-rate N|default  audit events/s for failed checks "
		"(%d)\n"
		"  too-big-rate N|default  ICMP errors/s per source for "
		"packets too big\n"
		"                        once tagged (%d)\n"
		"The local ASN has its own command: esprit local-asn.\n",
		ESPRIT_DEFAULT_AUDIT_RATE, ESPRIT_DEFAULT_TOO_BIG_RATE);
}

static int edit_settings(struct risav_state *s, int argc, char **argv,
			 char *err, size_t errlen)
{
	if (argc == 0 || argc % 2) {
		snprintf(err, errlen, "set takes KEY VALUE pairs");
		return -1;
	}
	for (int i = 0; i < argc; i += 2)
		if (risav_set(&s->config, argv[i], argv[i + 1], err, errlen))
			return -1;
	return 0;
}

static int show_risav(const struct cli_common *o)
{
	struct risav_state st;
	struct risav_maps maps;
	size_t modes[3] = {}, v4, v6;
	struct pins pins;
	char err[256];
	__u32 trie_id, index_id;

	if (begin(o, false, &pins, &maps, &st))
		return EXIT_ERROR;
	struct prefix_maps pm = {maps.prefixes, maps.pfx4};

	trie_id = prefix_trie_current_id(maps.prefixes);
	index_id = pfx4_index_current_id(maps.pfx4);
	if (prefixes_count(&pm, &v4, &v6, err, sizeof(err))) {
		errmsg("%s", err);
		end(&pins, &maps, &st);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < st.npeers; i++)
		if (st.peers[i].v.mode <= ESPRIT_PEER_ENFORCE)
			modes[st.peers[i].v.mode]++;
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "local_asn",
				    st.config.local_asn
					    ? json_integer(st.config.local_asn)
					    : json_null());
		json_object_set_new(j, "contacts",
				    contacts_json(st.local_contact_count,
						  st.local_contact));
		json_object_set_new(
			j, "fragments",
			json_string(st.config.risav_flags &
						    ESPRIT_RISAV_PASS_FRAGMENTS
					    ? "pass"
					    : "drop"));
		json_object_set_new(
			j, "green_channel",
			json_string(
				st.config.risav_flags &
						ESPRIT_RISAV_GREEN_ANY_CONTACT
					? "any-contact"
					: "contacts"));
		json_object_set_new(j, "audit_rate",
				    json_integer(risav_audit_rate(&st.config)));
		json_object_set_new(
			j, "too_big_rate",
			json_integer(risav_too_big_rate(&st.config)));
		json_object_set_new(
			j, "peers",
			json_pack("{s:I, s:I, s:I, s:I}", "total",
				  (json_int_t)st.npeers, "enforce",
				  (json_int_t)modes[ESPRIT_PEER_ENFORCE],
				  "testing",
				  (json_int_t)modes[ESPRIT_PEER_TESTING], "off",
				  (json_int_t)modes[ESPRIT_PEER_OFF]));
		json_object_set_new(
			j, "prefixes",
			json_pack("{s:I, s:I, s:I, s:o, s:o}", "total",
				  (json_int_t)(v4 + v6), "ipv4", (json_int_t)v4,
				  "ipv6", (json_int_t)v6, "map_id",
				  trie_id ? json_integer(trie_id) : json_null(),
				  "index_map_id",
				  index_id ? json_integer(index_id)
					   : json_null()));
		print_json(j);
	} else {
		if (st.config.local_asn)
			printf("local-asn   %u\n", st.config.local_asn);
		else
			printf("local-asn   none (RISAV off)\n");
		printf("contacts    ");
		print_contacts(st.local_contact_count, st.local_contact);
		printf("\nfragments   %s\n",
		       st.config.risav_flags & ESPRIT_RISAV_PASS_FRAGMENTS
			       ? "pass"
			       : "drop");
		printf("green       %s\n",
		       st.config.risav_flags & ESPRIT_RISAV_GREEN_ANY_CONTACT
			       ? "any-contact (to or from any contact "
				 "address)"
			       : "contacts (contact to contact only)");
		printf("audit-rate  %u/s\n", risav_audit_rate(&st.config));
		printf("too-big     %u ICMP errors/s per source\n",
		       risav_too_big_rate(&st.config));
		printf("peers       %zu (%zu enforce, %zu testing, %zu off)\n",
		       st.npeers, modes[ESPRIT_PEER_ENFORCE],
		       modes[ESPRIT_PEER_TESTING], modes[ESPRIT_PEER_OFF]);
		printf("prefixes    %zu (%zu IPv4, %zu IPv6)", v4 + v6, v4, v6);
		if (trie_id)
			printf(", trie map id %u", trie_id);
		if (index_id)
			printf(", IPv4 index map id %u", index_id);
		printf("\n");
	}
	end(&pins, &maps, &st);
	return EXIT_OK;
}

int cmd_risav(int argc, char **argv)
{
	struct cli_common o;
	int r = cli_run(&argc, argv, NULL, CLI_JSON, &o, risav_usage);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_ERROR;
	if (argc == 0 || (argc == 1 && !strcmp(argv[0], "show")))
		return show_risav(&o);
	if (!strcmp(argv[0], "set"))
		return change(&o, edit_settings, argc - 1, argv + 1);
	errmsg("unknown risav command '%s'", argv[0]);
	risav_usage(stderr);
	return EXIT_ERROR;
}
