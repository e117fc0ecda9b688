# Namespace tests for the RISAV control plane through the real binary:
# local-asn, prefix (add/del/list/import), peer, risav; on a program
# attached by `esprit attach` and by `ip link set ... xdp obj`.
# shellcheck shell=bash

# shellcheck source=tests/lib/risav_lib.sh
source tests/lib/risav_lib.sh

OWN=/sys/fs/bpf/esprit

# bpftool's JSON, with BTF-formatted keys and values where there are some.
bpf_dump() { # bpftool map dump ARGS...
	bpftool -j map dump "$@" | "$PY" -c '
import json, sys
print(json.dumps([x.get("formatted", x) for x in json.load(sys.stdin)]))'
}

bpf_lookup() { # bpftool map lookup ARGS...
	bpftool -j map lookup "$@" | "$PY" -c '
import json, sys
x = json.load(sys.stdin)
print(json.dumps(x.get("formatted", x)))'
}

trie_id() {
	e risav --json | json_get 'j["prefixes"]["map_id"]'
}

# Everything the RISAV maps hold, as one text for before/after compares.
risav_state() {
	e risav --json
	e peer list --json
	e prefix list --json
	bpf_dump pinned "$1/esprit_contacts" | "$PY" -c '
import json, sys
print(sorted(json.dumps(x, sort_keys=True) for x in json.load(sys.stdin)))'
}

write_rpki_client() { # FILE: three VRPs, one MOAS prefix, one AS0
	cat >"$1" <<'EOF'
{
	"metadata": {
		"buildmachine": "test",
		"buildtime": "2025-01-01T00:00:00Z"
	},
	"roas": [
		{ "asn": 64500, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "test", "expires": 1 },
		{ "asn": 64501, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "test", "expires": 1 },
		{ "asn": 64502, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "test", "expires": 1 },
		{ "asn": 64500, "prefix": "2001:db8::/32", "maxLength": 48, "ta": "test", "expires": 1 },
		{ "asn": 64500, "prefix": "2001:db8::/32", "maxLength": 32, "ta": "other", "expires": 1 },
		{ "asn": 0, "prefix": "203.0.113.0/24", "maxLength": 24, "ta": "test", "expires": 1 }
	],
	"aspas": []
}
EOF
}

write_routinator() { # FILE
	cat >"$1" <<'EOF'
{
  "metadata": {
    "generated": 1626853335,
    "generatedTime": "2021-07-21T07:42:15Z"
  },
  "roas": [
    { "asn": "AS64600", "prefix": "10.0.0.0/8", "maxLength": 24, "ta": "test" },
    { "asn": "AS64601", "prefix": "2001:db8:1::/48", "maxLength": 48, "ta": "test" }
  ]
}
EOF
}

test_local_asn_and_settings() {
	topo_pair
	attach_ip_link resp r0
	local out
	out=$(e local-asn)
	assert_eq "local-asn none (RISAV off)" "$out" "unset local ASN"
	assert_eq None "$(e local-asn --json | json_get 'j["local_asn"]')" \
		"JSON null"
	e local-asn AS64500 contact 192.0.2.1 contact 2001:db8::1
	assert_eq 64500 "$(e local-asn --json | json_get 'j["local_asn"]')" \
		"local ASN"
	assert_eq "['192.0.2.1', '2001:db8::1']" \
		"$(e local-asn --json | json_get 'j["contacts"]')" "contacts"
	# the config map holds it, by field name
	bpf_dump pinned "$GLOBALS/esprit_risav" |
		json_get 'j[0]["value"]["local_asn"]' | grep -qx 64500 ||
		fail "esprit_risav local_asn"
	assert_eq 64500 "$(bpf_lookup pinned "$GLOBALS/esprit_contacts" \
		key 2 0 0 0 0 0 0 0 0 0 0 0 0 0 255 255 192 0 2 1 |
		json_get 'j["value"]')" "contact index entry"

	e risav set fragments pass audit-rate 50
	out=$(e risav --json)
	assert_eq pass "$(json_get 'j["fragments"]' <<<"$out")" "fragments"
	assert_eq 50 "$(json_get 'j["audit_rate"]' <<<"$out")" "audit rate"
	e risav show | grep -q "^audit-rate  50/s" || fail "text show"

	local before
	before=$(risav_state "$GLOBALS")
	expect_fail "out of range \(1-4294967295\)" local-asn 0
	expect_fail "out of range" local-asn 4294967296
	expect_fail "is not an AS number" local-asn 645x0
	expect_fail "'192.0.2.256' is not an IPv4 or IPv6 address" \
		local-asn 64500 contact 192.0.2.256
	expect_fail "two IPv4 contact addresses" \
		local-asn 64500 contact 192.0.2.1 contact 192.0.2.2
	expect_fail "at most 2 contact addresses" local-asn 64500 \
		contact 192.0.2.1 contact 2001:db8::1 contact 2001:db8::2
	expect_fail "cannot be a contact address \(multicast\)" \
		local-asn 64500 contact 224.0.0.5
	expect_fail "expected 'contact ADDR'" local-asn 64500 address 192.0.2.1
	expect_fail "audit-rate: expected events/s" risav set fragments drop \
		audit-rate 0
	expect_fail "fragments: expected drop or pass" risav set fragments no
	expect_fail "unknown key 'bogus'" risav set bogus 1
	expect_fail "KEY VALUE pairs" risav set fragments
	assert_eq "$before" "$(risav_state "$GLOBALS")" "state after rejections"

	# changing the ASN keeps nothing of the old contacts unless repeated
	e local-asn 64510 contact 192.0.2.9
	assert_eq "['192.0.2.9']" \
		"$(e local-asn --json | json_get 'j["contacts"]')" "new contacts"
	assert_eq 1 "$(bpf_dump pinned "$GLOBALS/esprit_contacts" |
		json_get 'len(j)')" "old contacts gone"
	e local-asn off
	assert_eq "local-asn none (RISAV off)" "$(e local-asn)" "off"
	assert_eq 0 "$(bpf_dump pinned "$GLOBALS/esprit_contacts" |
		json_get 'len(j)')" "contacts cleared"
}

test_peers_on_esprit_attach() {
	topo_pair
	ns resp "$ESPRIT" attach r0 >/dev/null
	e local-asn 64500 contact 192.0.2.1
	e peer add 64501 mode enforce contact 198.51.100.1 contact 2001:db8:1::1
	e peer add AS64502 mode testing
	e peer add 64503 mode off contact 203.0.113.3
	local out
	out=$(e peer list)
	echo "$out"
	assert_match "^64501 +enforce +untagged +198.51.100.1 2001:db8:1::1" "$out" "row 1"
	assert_match $'\n64502 +testing +untagged +-' "$out" "row 2"
	out=$(e peer list --json)
	assert_eq "[64501, 64502, 64503]" "$(json_get '[p["asn"] for p in j]' <<<"$out")" \
		"peer ASNs"
	assert_eq "['enforce', 'testing', 'off']" \
		"$(json_get '[p["mode"] for p in j]' <<<"$out")" "modes"
	# bpftool shows the peer value by field
	assert_eq 2 "$(bpf_lookup pinned "$OWN/esprit_peers" \
		key 0xf5 0xfb 0 0 | json_get 'j["value"]["mode"]')" \
		"esprit_peers[64501].mode"
	# the contact index: exactly the peers' contacts and ours
	assert_eq "[64500, 64501, 64501, 64503]" \
		"$(bpf_dump pinned "$OWN/esprit_contacts" |
			json_get 'sorted(x["value"] for x in j)')" "contact owners"

	local before
	before=$(risav_state "$OWN")
	expect_fail "is not an AS number" peer add 64x mode enforce
	expect_fail "out of range" peer add 0 mode enforce
	expect_fail "unknown mode 'strict'" peer add 64504 mode strict
	expect_fail "needs 'mode enforce\|testing\|off'" peer add 64504
	expect_fail "is not an IPv4 or IPv6 address" peer add 64504 \
		mode enforce contact 10.0.0.x
	expect_fail "at most 2 contact addresses" peer add 64504 mode enforce \
		contact 10.0.0.1 contact 2001:db8::4 contact 2001:db8::5
	expect_fail "already the contact address of peer AS64501" \
		peer add 64504 mode enforce contact 198.51.100.1
	expect_fail "already the contact address of the local AS64500" \
		peer add 64504 mode enforce contact 192.0.2.1
	expect_fail "AS64500 is the local AS" peer add 64500 mode enforce
	expect_fail "AS64599 is not a peer" peer del 64599
	expect_fail "unknown word 'contacts'" peer add 64504 mode off \
		contacts 10.0.0.1
	expect_fail "unknown peer command 'show'" peer show
	assert_eq "$before" "$(risav_state "$OWN")" "state after rejections"

	# changing a peer replaces its contacts; deleting removes them
	e peer add 64501 mode testing contact 198.51.100.11
	assert_eq "[64500, 64501, 64503]" \
		"$(bpf_dump pinned "$OWN/esprit_contacts" |
			json_get 'sorted(x["value"] for x in j)')" "after change"
	e peer del 64503
	e peer del AS64501
	assert_eq "[64500]" \
		"$(bpf_dump pinned "$OWN/esprit_contacts" |
			json_get 'sorted(x["value"] for x in j)')" "after deletes"
	assert_eq "[64502]" "$(e peer list --json | json_get '[p["asn"] for p in j]')" \
		"remaining peers"
}

test_full_peer_map() {
	topo_pair
	attach_ip_link resp r0
	local n max vsize zeros batch="$TEST_TMP/fill.batch"
	max=$(bpftool -j map show pinned "$GLOBALS/esprit_peers" |
		json_get 'j["max_entries"]')
	vsize=$(bpftool -j map show pinned "$GLOBALS/esprit_peers" |
		json_get 'j["bytes_value"]')
	# fill it in one bpftool process: mode off, no contacts
	zeros=$(printf '0 %.0s' $(seq "$vsize"))
	for ((n = 1; n <= max; n++)); do
		printf 'map update pinned %s/esprit_peers key %d %d %d %d value %s\n' \
			"$GLOBALS" $((n & 255)) $((n >> 8 & 255)) 0 0 "$zeros"
	done >"$batch"
	bpftool batch file "$batch" >/dev/null
	assert_eq "$max" "$(e peer list | wc -l)" "map full"
	local before
	before=$(risav_state "$GLOBALS")
	expect_fail "$((max + 1)) peers do not fit: esprit_peers holds $max" \
		peer add 70000 mode enforce
	assert_eq "$before" "$(risav_state "$GLOBALS")" "full map unchanged"
	# replacing one that is there still works
	e peer add 1 mode enforce contact 192.0.2.77
	assert_eq enforce "$(e peer list --json | json_get '[p["mode"] for p in j if p["asn"] == 1][0]')" \
		"replaced in a full map"
}

test_prefix_add_del_list() {
	topo_pair
	attach_ip_link resp r0
	assert_eq "" "$(e prefix list)" "empty table"
	assert_eq "[]" "$(e prefix list --json | json_get 'j')" "empty JSON"
	e prefix add 192.0.2.0/24 asn 64500
	e prefix add 2001:db8::/32 asn AS64501
	e prefix add 198.51.100.0/24 asn none
	local out
	out=$(e prefix list)
	assert_eq $'192.0.2.0/24 64500 cli\n198.51.100.0/24 none cli\n2001:db8::/32 64501 cli' \
		"$out" "list"
	out=$(e prefix list --json)
	assert_eq "[('192.0.2.0/24', 64500, 'cli'), ('198.51.100.0/24', None, 'cli'), ('2001:db8::/32', 64501, 'cli')]" \
		"$(json_get '[(p["prefix"], p["asn"], p["source"]) for p in j]' <<<"$out")" "JSON"
	# replacing an ASN in place keeps the same trie
	local id
	id=$(trie_id)
	e prefix add 192.0.2.0/24 asn 64502
	assert_eq "$id" "$(trie_id)" "edited in place"
	e prefix list | grep -qx "192.0.2.0/24 64502 cli" || fail "replaced ASN"

	local before
	before=$(e prefix list --json)
	expect_fail "host bits set beyond /24" prefix add 192.0.2.1/24 asn 1
	expect_fail "prefix length must be 0-32" prefix add 192.0.2.0/33 asn 1
	expect_fail "has no prefix length" prefix add 192.0.2.0 asn 1
	expect_fail "covers ::ffff:0:0/96" prefix add ::/0 asn 1
	expect_fail "out of range" prefix add 10.0.0.0/8 asn 4294967296
	expect_fail "usage: esprit prefix add PREFIX asn ASN" prefix add 10.0.0.0/8 64500
	expect_fail "10.0.0.0/8 is not in the prefix table" prefix del 10.0.0.0/8
	expect_fail "unknown prefix command 'show'" prefix show
	expect_fail "unknown option '--bogus'" prefix list --bogus
	assert_eq "$before" "$(e prefix list --json)" "table after rejections"
	e prefix del 198.51.100.0/24
	assert_eq 2 "$(e prefix list | wc -l)" "after del"
}

# Imports on one attach method; checks the swap and the replacement.
import_swap() { # PIN_DIR
	local dir=$1 a="$TEST_TMP/a.json" b="$TEST_TMP/b.json" out id1 id2
	write_rpki_client "$a"
	write_routinator "$b"
	e prefix add 172.16.0.0/12 asn 65000 # to be replaced by the import
	out=$(e prefix import "$a")
	echo "$out"
	assert_match "imported .*a.json \(rpki-client format\)" "$out" "summary"
	assert_match "entries read +6" "$out" "entries"
	assert_match "prefixes loaded +3 \(2 IPv4, 1 IPv6\)" "$out" "loaded"
	assert_match "duplicates +1" "$out" "duplicates"
	assert_match "several origins +1 .*198.51.100.0/24: AS64501, AS64502" \
		"$out" "MOAS"
	assert_match "AS0 left out +1" "$out" "AS0"
	assert_match "maps +trie id [0-9]+, IPv4 index id [0-9]+" "$out" "map ids"
	assert_eq $'192.0.2.0/24 64500 import\n198.51.100.0/24 none import\n2001:db8::/32 64500 import' \
		"$(e prefix list)" "table after the first import"
	id1=$(trie_id)
	# the outer map's slot holds the new trie's id ...
	assert_eq "$id1" "$(bpf_dump pinned "$dir/esprit_prefixes" |
		json_get 'j[0]["inner_map_id"] if "inner_map_id" in j[0] else int.from_bytes(bytes(int(x, 16) for x in j[0]["value"]), "little")')" \
		"esprit_prefixes slot 0"
	# ... and bpftool prints that trie by field name
	assert_eq "[(120, 64500), (120, 0), (32, 64500)]" \
		"$(bpf_dump id "$id1" | json_get '[(x["key"]["prefixlen"], x["value"]["asn"]) for x in sorted(j, key=lambda x: x["key"]["addr"])]')" \
		"bpftool dump of the trie"

	# the IPv4 index beside it: 192.0.2.0/24 is /24 cell 0xc00002, in
	# element 0x600001 (two cells each), pointing to origin 0 = AS64500
	local idx
	idx=$(e risav --json | json_get 'j["prefixes"]["index_map_id"]')
	assert_match "^[0-9]+$" "$idx" "IPv4 index installed"
	assert_eq "[1, 0]" "$(bpf_lookup id "$idx" key 0x01 0x00 0x60 0x00 |
		json_get 'j["value"]["cell"]')" "index cell of 192.0.2.0/24"
	assert_eq "[64500, 0]" "$(bpf_lookup id "$idx" key 0x00 0x00 0x80 0x00 |
		json_get 'j["value"]["cell"]')" "origins 0 and 1"

	out=$(e prefix import "$b" --json)
	assert_eq routinator "$(json_get 'j["format"]' <<<"$out")" "format"
	assert_eq "(2, 2, 1, 1, 0)" "$(json_get '(j["entries"], j["loaded"], j["ipv4"], j["ipv6"], j["conflicts"])' <<<"$out")" \
		"JSON summary"
	id2=$(trie_id)
	assert_eq "$id2" "$(json_get 'j["map_id"]' <<<"$out")" "map id reported"
	[ "$id1" != "$id2" ] || fail "the import did not swap in a new trie"
	local idx2
	idx2=$(json_get 'j["index_map_id"]' <<<"$out")
	assert_match "^[0-9]+$" "$idx2" "new IPv4 index"
	[ "$idx" != "$idx2" ] || fail "the import did not swap in a new index"
	# the second import replaced the first entirely
	assert_eq $'10.0.0.0/8 64600 import\n2001:db8:1::/48 64601 import' "$(e prefix list)" \
		"table after the second import"
	assert_eq 2 "$(bpf_dump id "$id2" | json_get 'len(j)')" \
		"new trie entries"
	# the old trie is gone once nothing holds it
	local tries=0
	while bpftool map show id "$id1" >/dev/null 2>&1 && [ $tries -lt 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	bpftool map show id "$id1" >/dev/null 2>&1 && fail "old trie $id1 still exists"
	# standard input works too
	e prefix import - <"$a" >/dev/null
	assert_eq 3 "$(e prefix list | wc -l)" "import from stdin"
}

test_import_swap_ip_link() {
	topo_pair
	attach_ip_link resp r0
	import_swap "$GLOBALS"
}

test_import_swap_esprit_attach() {
	topo_pair
	ns resp "$ESPRIT" attach r0 >/dev/null
	import_swap "$OWN"
	# and with the directory given explicitly
	write_routinator "$TEST_TMP/c.json"
	e prefix import "$TEST_TMP/c.json" --pin-dir "$OWN" >/dev/null
	assert_eq 2 "$(e prefix list --pin-dir "$OWN" | wc -l)" "--pin-dir"
}

test_import_errors_change_nothing() {
	topo_pair
	attach_ip_link resp r0
	local good="$TEST_TMP/good.json" f="$TEST_TMP/bad.json" before id
	write_rpki_client "$good"
	e prefix import "$good" >/dev/null
	before=$(e prefix list --json)
	id=$(trie_id)

	bad_file() { # sed expression applied to the good file
		sed "$1" "$good" >"$f"
	}
	bad_file '7s/24, "ta"/24 "ta"/'
	expect_fail "bad.json:7:[0-9]+: roas\[0\]: .*expected" prefix import "$f"
	bad_file '10s/},$/}/'
	expect_fail "bad.json:11:[0-9]+: " prefix import "$f"
	head -c 300 "$good" >"$f"
	expect_fail "bad.json:[0-9]+:[0-9]+: premature end of input" prefix import "$f"
	bad_file 's/"roas"/"vrps"/'
	expect_fail "bad.json: no \"roas\" array" prefix import "$f"
	bad_file '9s|198.51.100.0/24|198.51.100.0/33|'
	expect_fail "bad.json:9: roas\[2\]: prefix '198.51.100.0/33': prefix length must be 0-32" \
		prefix import "$f"
	bad_file '7s|192.0.2.0/24|192.0.2.1/24|'
	expect_fail "bad.json:7: roas\[0\]: prefix '192.0.2.1/24' has host bits" \
		prefix import "$f"
	bad_file '11s|64500|4294967296|'
	expect_fail "bad.json:11: roas\[4\]: asn: ASN 4294967296 is out of range" \
		prefix import "$f"
	bad_file '10s|"maxLength": 48|"maxLength": 129|'
	expect_fail "bad.json:10: roas\[3\]: maxLength 129 is outside 32-128" \
		prefix import "$f"
	bad_file '9s|"maxLength": 24|"maxLength": 23|'
	expect_fail "bad.json:9: roas\[2\]: maxLength 23 is outside 24-32" \
		prefix import "$f"
	sed 's/"asn": \([0-9]*\)/"asn": "AS\1"/; 8s/"AS64501"/"ASx"/' \
		"$good" >"$f"
	expect_fail "bad.json:8: roas\[1\]: asn: 'ASx' is not an AS number" \
		prefix import "$f"
	# several bad entries: all counted, the first ones shown in order
	sed 's|"maxLength": [0-9]*|"maxLength": 200|' "$good" >"$f"
	local out rc=0
	out=$(e prefix import "$f" 2>&1) || rc=$?
	echo "$out"
	assert_eq 2 "$rc" "exit status"
	assert_match "roas\[0\].*roas\[1\].*roas\[2\].*roas\[3\].*roas\[4\]" \
		"$(tr '\n' ' ' <<<"$out")" "errors in file order"
	assert_match "\.\.\. 6 errors in all" "$out" "error count"
	assert_match "nothing imported; the prefix table is unchanged" "$out" \
		"closing line"
	expect_fail "nosuch.json: No such file or directory" \
		prefix import "$TEST_TMP/nosuch.json"
	expect_fail "usage: esprit prefix import" prefix import
	assert_eq "$before" "$(e prefix list --json)" "table after bad imports"
	assert_eq "$id" "$(trie_id)" "same trie after bad imports"
}

test_import_dry_run_and_empty() {
	topo_pair
	attach_ip_link resp r0
	local f="$TEST_TMP/a.json" out
	write_rpki_client "$f"
	out=$(e prefix import "$f" --dry-run)
	assert_match "^checked .*\(rpki-client format\)" "$out" "dry run summary"
	assert_eq "" "$(e prefix list)" "dry run loads nothing"
	assert_eq None "$(trie_id)" "no trie after a dry run"
	out=$(e prefix import --dry-run --json "$f")
	assert_eq "(True, 3, None)" "$(json_get '(j["dry_run"], j["loaded"], j["map_id"])' <<<"$out")" \
		"dry run JSON"
	e prefix import "$f" >/dev/null
	echo '{"roas": []}' >"$TEST_TMP/empty.json"
	out=$(e prefix import "$TEST_TMP/empty.json" 2>&1)
	echo "$out"
	assert_match "warning: the prefix table is now empty" "$out" "warning"
	assert_eq "" "$(e prefix list)" "empty import empties the table"
	[ "$(trie_id)" != None ] || fail "an empty import still installs a trie"
}

test_not_loaded_and_pin_dir() {
	topo_pair
	expect_fail "esprit is not loaded" prefix list
	expect_fail "esprit is not loaded" peer list
	expect_fail "esprit is not loaded" local-asn
	expect_fail "esprit is not loaded" risav
	expect_fail "no esprit maps in /nonexistent" peer list --pin-dir /nonexistent
	expect_fail "--pin-dir needs a value \\(DIR\\)" peer list --pin-dir
	attach_ip_link resp r0
	e peer add 64501 mode enforce --pin-dir "$GLOBALS"
	assert_eq 1 "$(e peer list | wc -l)" "--pin-dir"
	e prefix --help | grep -q "esprit prefix import FILE" || fail "prefix --help"
	e peer --help | grep -q "mode enforce|testing|off" || fail "peer --help"
	e local-asn --help | grep -q "esprit local-asn ASN" || fail "local-asn --help"
	e risav --help | grep -q "audit-rate N" || fail "risav --help"
}

test_parallel_peer_changes_do_not_interleave() {
	topo_pair
	attach_ip_link resp r0
	local i pids=()
	for i in $(seq 1 20); do
		e peer add $((64600 + i)) mode enforce contact "198.18.0.$i" &
		pids+=($!)
	done
	e local-asn 64500 contact 192.0.2.1 &
	pids+=($!)
	for i in "${pids[@]}"; do
		wait "$i" || fail "a parallel command failed"
	done
	assert_eq 20 "$(e peer list | wc -l)" "peers"
	assert_eq 21 "$(bpf_dump pinned "$GLOBALS/esprit_contacts" |
		json_get 'len(j)')" "contact index"
	assert_eq 64500 "$(e local-asn --json | json_get 'j["local_asn"]')" \
		"local ASN"
}

# An import killed (-9) at any point leaves the whole old table or the
# whole new one: it is built aside and swapped in with one update.
test_import_killed_leaves_old_or_new_table() {
	topo_pair
	attach_ip_link resp r0
	write_routinator "$TEST_TMP/small.json"
	e prefix import "$TEST_TMP/small.json" >/dev/null
	local old new
	old=$(e prefix list | wc -l)
	"$PY" - "$TEST_TMP/big.json" <<-'PYEOF'
		import json, sys
		roas = [{"asn": 64500 + i % 100, "prefix": f"10.{i >> 8 & 255}.{i & 255}.0/24",
		         "maxLength": 24} for i in range(60000)]
		json.dump({"roas": roas}, open(sys.argv[1], "w"))
	PYEOF
	new=60000
	local delay
	for delay in 0.02 0.04 0.06 0.08 0.1 0.15 0.3; do
		e prefix import "$TEST_TMP/small.json" >/dev/null
		ns resp "$ESPRIT" prefix import "$TEST_TMP/big.json" >/dev/null 2>&1 &
		local pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		local n
		n=$(e prefix list | wc -l)
		echo "killed after ${delay}s: $n prefixes"
		[ "$n" = "$old" ] || [ "$n" = "$new" ] ||
			fail "killed after ${delay}s: $n prefixes, neither $old nor $new"
	done
}
