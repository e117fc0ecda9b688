# Namespace tests for the prefix table fed over RPKI-to-Router: stayrtr
# (Debian's RTR cache) serves an rpki-client style JSON file on a loopback
# port in resp; the daemon there syncs with it through rtrlib, takes the
# changes stayrtr announces after the file changes, keeps the data when the
# cache goes, fails over to the next cache by preference, and refuses a
# cache that sends garbage (tests/lib/rtr_bad_cache.py) without touching
# the table.
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh
# shellcheck source=tests/lib/risav_lib.sh
source tests/lib/risav_lib.sh

STAYRTR_PIDS=()

# vrps_file FILE VRP...: an rpki-client style file; a VRP is ASN,PREFIX,MAXLEN.
vrps_file() {
	local f=$1 first=1 v asn prefix max
	shift
	{
		printf '{"metadata": {"buildtime": "2026-12-05T00:00:00Z"}, "roas": ['
		for v in "$@"; do
			IFS=, read -r asn prefix max <<<"$v"
			[ "$first" ] || printf ','
			first=
			printf '\n  {"asn": "AS%s", "prefix": "%s", "maxLength": %s, "ta": "test"}' \
				"$asn" "$prefix" "$max"
		done
		printf '\n]}\n'
	} >"$f.tmp"
	mv "$f.tmp" "$f" # stayrtr reads it whole or not at all
}

# stayrtr_start PORT FILE: a cache on 127.0.0.1:PORT in resp, reading FILE
# every second.
stayrtr_start() {
	ns_bg resp stayrtr -bind "127.0.0.1:$1" -cache "$2" -refresh 1 \
		-checktime=false -protocol 1 -metrics.addr "" \
		-rtr.refresh 1 -rtr.retry 1 -rtr.expire 600 \
		-log.verbose=false -loglevel warn
	STAYRTR_PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		ns resp ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
		sleep 0.1
	done
	fail "stayrtr did not listen on port $1"
}

# rtr_config CACHES [EXTRA]: the file, with the peer 64501 enforced;
# CACHES "import" takes the prefixes from rpki.json instead.
rtr_config() {
	local metrics=${RTR_METRICS:-"{enabled: false}"} source
	source=$'rtr: '"$1"$'\n    retry: 1s'
	[ "$1" = import ] && source="import: rpki.json"
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: r0}]
		control: $TEST_TMP/esprit.sock
		metrics: $metrics
		risav:
		  local_asn: AS64500
		  contacts: [10.11.1.100]
		  prefixes:
		    $source
		    static:
		      - {prefix: "fc00:11::/64", asn: 64500}
		  peers: [{asn: 64501, mode: enforce}]
		  sas: [{spi: 0x1000, asn: 64501, alg: hmac-sha256-128, key_file: sa1.key}]
		${2:-}
	EOF
}

rtr_topo() {
	topo_pair
	xdp_pass cli c0
	echo "$KEY" >"$TEST_TMP/sa1.key"
	chmod 600 "$TEST_TMP/sa1.key"
}

rtr_start() { # CACHES [EXTRA]
	rtr_config "$@"
	daemon_start resp "$TEST_TMP/esprit.yaml"
}

prefixes() { # the table, one line
	e prefix list | tr '\n' ' ' | sed 's/ $//'
}

wait_prefixes() { # WANT SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(prefixes)" = "$1" ] && return 0
		sleep 0.1
	done
	status_json || true
	tail -n 30 "$DAEMON_LOG"
	assert_eq "$1" "$(prefixes)" "prefix table"
}

trie_id() {
	e risav --json | json_get 'j["prefixes"]["map_id"]'
}

cache() { # INDEX FIELD: a field of a cache in the status
	sj "d['rtr']['caches'][$1]['$2']"
}

test_sync_then_changes_reach_table_and_traffic() {
	vrps_file "$TEST_TMP/vrps.json" 64500,10.11.1.0/24,24 \
		64501,198.51.100.0/24,24 64501,2001:db8:201::/48,48 \
		64510,192.0.2.0/24,24 64511,192.0.2.0/24,24 0,100.64.0.0/10,10
	rtr_topo
	RTR_METRICS="{listen: 127.0.0.1:9556}" \
		rtr_start '[{address: 127.0.0.1, port: 3323, preference: 1}]'
	# the daemon is up before the cache: the table waits for it
	wait_until "d['rtr']['caches'][0]['state'] in ('connecting', 'error')" 5
	assert_eq False "$(sj "d['rtr']['installed']")" "nothing installed yet"
	stayrtr_start 3323 "$TEST_TMP/vrps.json"
	wait_until "d['rtr']['installed'] and d['rtr']['caches'][0]['state'] == 'up'" 20
	# MOAS: no single origin; AS0 attributes nothing; statics stay static
	assert_eq "10.11.1.0/24 64500 rtr 192.0.2.0/24 none rtr 198.51.100.0/24 64501 rtr 2001:db8:201::/48 64501 rtr fc00:11::/64 64500 static" \
		"$(prefixes)" "table after the first sync"
	assert_eq "5 1" "$(sj "d['rtr']['caches'][0]['vrps_ipv4'], d['rtr']['caches'][0]['vrps_ipv6']" | tr -d '(),')" \
		"VRP counts"
	assert_eq True "$(sj "isinstance(d['rtr']['caches'][0]['session_id'], int) and d['rtr']['caches'][0]['serial'] >= 0 and d['rtr']['caches'][0]['last_update'] > 0")" \
		"session id, serial, last update"
	log_has "the RTR data is in the table: 5 prefixes \\(1 static\\)" "full install logged"
	local out
	out=$(e status -s "$DAEMON_SOCK")
	assert_match $'\n127.0.0.1 port 3323 +1 up +established ' "$out" \
		"esprit status shows the cache"
	# the metrics say the same, in a form Prometheus takes
	ns resp curl -sS -o "$TEST_TMP/metrics" http://127.0.0.1:9556/metrics
	promtool check metrics <"$TEST_TMP/metrics" ||
		fail "promtool refuses the metrics"
	grep -q '^esprit_rtr_cache_state{cache="127.0.0.1 port 3323",state="up"} 1$' \
		"$TEST_TMP/metrics" || fail "cache state metric"
	grep -q '^esprit_rtr_cache_vrps{cache="127.0.0.1 port 3323",family="ipv4"} 5$' \
		"$TEST_TMP/metrics" || fail "VRP metric"
	grep -q '^esprit_rtr_table_prefixes 5$' "$TEST_TMP/metrics" ||
		fail "table metric"
	local serial trie
	serial=$(cache 0 serial)
	trie=$(trie_id)
	# before the change, 203.0.113.5 is nobody's: untagged, it passes
	listen_start
	peer_send plain 4 --tag none --src 203.0.113.5 --payload before
	listen_stop 1
	check_arrivals plain || fail "an address of no AS passes"
	assert_eq 0 "$(count_of risav-untagged)" "nothing untagged yet"
	# one VRP added, one withdrawn: stayrtr reads the file, notifies
	vrps_file "$TEST_TMP/vrps.json" 64500,10.11.1.0/24,24 \
		64501,203.0.113.0/24,24 64501,2001:db8:201::/48,48 \
		64510,192.0.2.0/24,24 64511,192.0.2.0/24,24 0,100.64.0.0/10,10
	wait_prefixes "10.11.1.0/24 64500 rtr 192.0.2.0/24 none rtr 203.0.113.0/24 64501 rtr 2001:db8:201::/48 64501 rtr fc00:11::/64 64500 static" 15
	assert_ge $((serial + 1)) "$(cache 0 serial)" "serial moved on"
	[ "$(trie_id)" != "$trie" ] || fail "the batch was not swapped in"
	assert_eq 1 "$(sj "d['rtr']['batches']")" "one batch"
	assert_eq 1 "$(sj "d['rtr']['installs']")" "still one whole table"
	# the source now maps to 64501, enforced: untagged, it is dropped
	peer_send late 4 --tag none --src 203.0.113.5 --payload after
	wait_count risav-untagged 1
	# a withdrawal of the last VRP of a prefix removes it; a MOAS
	# prefix losing one origin gets the other
	vrps_file "$TEST_TMP/vrps.json" 64500,10.11.1.0/24,24 \
		64501,203.0.113.0/24,24 64510,192.0.2.0/24,24
	wait_prefixes "10.11.1.0/24 64500 rtr 192.0.2.0/24 64510 rtr 203.0.113.0/24 64501 rtr fc00:11::/64 64500 static" 15
	assert_eq "3 0" "$(sj "d['rtr']['caches'][0]['vrps_ipv4'], d['rtr']['caches'][0]['vrps_ipv6']" | tr -d '(),')" \
		"VRP counts after withdrawals"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# The preferred cache goes away: its data stays (until its expire
# interval), the status says so, the next cache by preference takes over,
# and the hook hears of each change.
test_cache_down_data_kept_next_cache_takes_over() {
	vrps_file "$TEST_TMP/a.json" 64501,198.51.100.0/24,24
	vrps_file "$TEST_TMP/b.json" 64501,198.51.100.0/24,24 \
		64501,203.0.113.0/24,24
	rtr_topo
	stayrtr_start 3323 "$TEST_TMP/a.json"
	local a=${STAYRTR_PIDS[-1]}
	stayrtr_start 3324 "$TEST_TMP/b.json"
	rtr_start '[{address: 127.0.0.1, port: 3323, preference: 1}, {address: 127.0.0.1, port: 3324, preference: 2}]' \
		"hook: echo \"\$ESPRIT_EVENT \$ESPRIT_PEER|\$ESPRIT_OLD_STATE \$ESPRIT_NEW_STATE\" >> $TEST_TMP/hooks"
	wait_until "d['rtr']['installed'] and d['rtr']['caches'][0]['state'] == 'up'" 20
	assert_eq standby "$(cache 1 state)" "the second cache is not used"
	assert_eq "198.51.100.0/24 64501 rtr fc00:11::/64 64500 static" \
		"$(prefixes)" "the first cache's data"
	kill "$a"
	wait "$a" 2>/dev/null || true
	wait_until "d['rtr']['caches'][0]['state'] in ('error', 'connecting') and d['rtr']['caches'][1]['state'] == 'up'" 20
	# the first cache's data stays, the second's comes in
	wait_prefixes "198.51.100.0/24 64501 rtr 203.0.113.0/24 64501 rtr fc00:11::/64 64500 static" 10
	assert_eq True "$(cache 0 synced)" "the first cache's data is still held"
	assert_eq 1 "$(cache 0 vrps_ipv4)" "its VRPs"
	local out
	out=$(e status -s "$DAEMON_SOCK")
	assert_match $'\n127.0.0.1 port 3323 +1 (error|connecting) ' "$out" \
		"status says the first cache is down"
	assert_match $'\n127.0.0.1 port 3324 +2 up ' "$out" \
		"and the second up"
	log_has "RTR cache 127.0.0.1 port 3323: up -> (error|connecting)" \
		"the change logged"
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "^rtr-cache 127.0.0.1 port 3324|.* up$" "$TEST_TMP/hooks" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "^rtr-cache 127.0.0.1 port 3323|[a-z]* up$" "$TEST_TMP/hooks" ||
		fail "hook for the first cache coming up: $(cat "$TEST_TMP/hooks")"
	grep -Eq "^rtr-cache 127.0.0.1 port 3323\|up (error|connecting)$" "$TEST_TMP/hooks" ||
		fail "hook for the first cache going: $(cat "$TEST_TMP/hooks")"
	grep -q "^rtr-cache 127.0.0.1 port 3324|.* up$" "$TEST_TMP/hooks" ||
		fail "hook for the second cache: $(cat "$TEST_TMP/hooks")"
}

wait_count() { # REASON N
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(count_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	assert_eq "$2" "$(count_of "$1")" "$1 packets"
}

# A cache that sends garbage: each batch with a prefix longer than its
# family allows, a max length below the prefix length, or an unknown PDU
# is refused whole (the VRP before the bad PDU never reaches the table),
# logged with what was wrong, answered with an Error Report, and the
# session starts over with a Reset Query.
test_garbage_refused_table_unchanged() {
	rtr_topo
	ns_bg resp "$PY" "$TESTS_LIB/rtr_bad_cache.py" --port 3323 \
		--log "$TEST_TMP/cache.log" --ready "$TEST_TMP/cache.ready"
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$TEST_TMP/cache.ready" ] && break
		sleep 0.1
	done
	rtr_start '[{address: 127.0.0.1, port: 3323, preference: 1}]'
	wait_until "d['rtr']['installed']" 20
	local table="10.11.1.0/24 64500 rtr 198.51.100.0/24 64501 rtr fc00:11::/64 64500 static"
	assert_eq "$table" "$(prefixes)" "the good data"
	for ((i = 0; i < 300; i++)); do
		[ "$(grep -c '^error' "$TEST_TMP/cache.log")" -ge 4 ] && break
		assert_eq "$table" "$(prefixes)" "table while the cache misbehaves"
		sleep 0.1
	done
	cat "$TEST_TMP/cache.log"
	assert_eq 4 "$(grep -c '^error' "$TEST_TMP/cache.log")" "Error Reports"
	grep -q "^error 0 IPv4 Prefix PDU with prefix length 40 (at most 32)$" "$TEST_TMP/cache.log" ||
		fail "report of the long IPv4 prefix"
	grep -q "^error 0 IPv4 Prefix PDU with max length 20 for a /24 (must be 24-32)$" "$TEST_TMP/cache.log" ||
		fail "report of the short max length"
	grep -q "^error 5 unknown PDU type 99 (version 1)$" "$TEST_TMP/cache.log" ||
		fail "report of the unknown PDU"
	grep -q "^error 0 IPv6 Prefix PDU with prefix length 130 (at most 128)$" "$TEST_TMP/cache.log" ||
		fail "report of the long IPv6 prefix"
	# after each refusal the session starts over: a Reset Query
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c '^query reset' "$TEST_TMP/cache.log")" -ge 5 ] && break
		sleep 0.1
	done
	assert_eq 5 "$(grep -c '^query reset' "$TEST_TMP/cache.log")" "Reset Queries"
	for why in "IPv4 Prefix PDU with prefix length 40" \
		"IPv4 Prefix PDU with max length 20 for a /24" \
		"unknown PDU type 99" "IPv6 Prefix PDU with prefix length 130"; do
		log_has "RTR cache 127.0.0.1 port 3323: $why.*; Error Report sent, session reset, the table is as it was" \
			"log of $why"
	done
	wait_until "d['rtr']['caches'][0]['errors'] == 4" 5
	assert_eq "$table" "$(prefixes)" "the table after all of it"
	assert_eq 0 "$(sj "d['rtr']['batches']")" "no batch went in"
}

# The prefix source changes on reload: an import, then both (refused,
# naming both lines, nothing changed), then RTR (the imported table serves
# until the cache's data is in), then the import again.
test_reload_between_import_and_rtr() {
	rtr_topo
	vrps_file "$TEST_TMP/rpki.json" 64501,198.51.100.0/24,24
	vrps_file "$TEST_TMP/vrps.json" 64501,203.0.113.0/24,24
	stayrtr_start 3323 "$TEST_TMP/vrps.json"
	rtr_start import
	local imported="198.51.100.0/24 64501 import fc00:11::/64 64500 static"
	assert_eq "$imported" "$(prefixes)" "imported table"
	assert_eq False "$(sj "'rtr' in d")" "no RTR section without caches"
	# both sources: an error naming both lines
	sed -i 's/^    import: rpki.json$/    import: rpki.json\n    rtr: [{address: 127.0.0.1, port: 3323}]/' \
		"$TEST_TMP/esprit.yaml"
	kill -HUP "$DAEMON_PID"
	wait_until "d['daemon']['reload_failures'] == 1" 10
	log_has "reload: $TEST_TMP/esprit.yaml:9: risav.prefixes.rtr: and risav.prefixes.import \\(line 8\\) are alternatives: keep one; nothing changed" \
		"both sources refused"
	assert_eq "$imported" "$(prefixes)" "table after the refused reload"
	# to RTR: the cache's data replaces the import once it is in
	rtr_config '[{address: 127.0.0.1, port: 3323, preference: 1}]'
	kill -HUP "$DAEMON_PID"
	wait_until "d['daemon']['reloads'] == 1 and d['rtr']['installed']" 20
	assert_eq "203.0.113.0/24 64501 rtr fc00:11::/64 64500 static" \
		"$(prefixes)" "table from the cache"
	# and back
	rtr_config import
	kill -HUP "$DAEMON_PID"
	wait_until "d['daemon']['reloads'] == 2 and 'rtr' not in d" 10
	assert_eq "$imported" "$(prefixes)" "imported again"
	log_has "no RTR caches in $TEST_TMP/esprit.yaml any more" "feed stopped"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}
