# Namespace tests for esprit daemon's lifecycle: SIGHUP applies only what
# changed; a broken file changes nothing; kill -9 and a restart lose no
# reply of the XDP responder, and the new daemon adopts the program.
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh

PINS=/sys/fs/bpf/esprit

responder_json() {
	ns mon "$ESPRIT" responder show --json --pin-dir "$PINS"
}

ids_registered() {
	bpftool -j map dump pinned "$PINS/esprit_echo_ids" |
		"$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

# The addresses in esprit_priority (the daemon's peers), sorted.
priority_addrs() {
	bpftool -j map dump pinned "$PINS/esprit_priority" | "$PY" -c '
import ipaddress, json, sys
out = []
for e in json.load(sys.stdin):
    k = e["formatted"]["key"]
    raw = bytes(int(b) for b in k["addr"])
    out.append(str(ipaddress.ip_address(raw[12:] if k["family"] == 2 else raw)))
print(" ".join(sorted(out)))'
}

xdp_prog_id() { # NS DEV
	ns "$1" ip -j link show "$2" | "$PY" -c '
import json, sys
print(json.load(sys.stdin)[0].get("xdp", {}).get("prog", {}).get("id", 0))'
}

test_sighup_applies_only_the_difference() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - {name: site4, address: $R4, interval: 100ms}
		  - {name: gone, address: $R4, interval: 100ms, dscp: [10]}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 'all(p["state"] == "up" for p in d["peers"]) and len(d["peers"]) == 2' 10
	assert_eq 0 "$(xdp_prog_id mon m6)" "m6 not attached yet"
	assert_eq 10000/s "$(responder_json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["rate"])')" \
		"rate before"
	assert_eq "$R4" "$(priority_addrs)" "the peers are priority sources"
	local changed ident sent4 id4
	changed=$(sj 's("site4")["changed_at"]')
	ident=$(sj 's("site4")["ident"]')
	sent4=$(sj 's("site4")["sent"]')
	id4=$(xdp_prog_id mon m4)
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}, {name: m6}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		responder:
		  rate_limit: 5000
		  allow: [192.0.2.0/24, 2001:db8::/32]
		peers:
		  - {name: site4, address: $R4, interval: 50ms, dscp: [0, 46]}
		  - {name: new6, address: $R6, interval: 100ms}
	EOF
	kill -HUP "$DAEMON_PID"
	wait_until 'sorted((p["name"], p["dscp"]) for p in d["peers"]) == [("new6", 0), ("site4", 0), ("site4", 46)]' 10
	log_has "reloaded $TEST_TMP/esprit.yaml: 2 interfaces, 2 peers, 3 streams \\(2 new, 1 stopped\\)" \
		"reload logged"
	# the stream that stayed kept its state, counters and Identifier
	assert_eq "$changed" "$(sj 's("site4")["changed_at"]')" "site4/0 not restarted"
	assert_eq "$ident" "$(sj 's("site4")["ident"]')" "same Identifier"
	assert_eq True "$(sj "s(\"site4\")[\"sent\"] > $sent4 and s(\"site4\")[\"interval_ms\"] == 50 and s(\"site4\")[\"state\"] == \"up\"")" \
		"site4/0 goes on at the new interval"
	wait_until 'all(p["state"] == "up" for p in d["peers"])' 10
	# m6 attached by the reload; m4's program untouched
	assert_ge 1 "$(xdp_prog_id mon m6)" "m6 attached"
	assert_eq "$id4" "$(xdp_prog_id mon m4)" "m4 not reloaded"
	assert_eq xdp "$(sj 's("new6")["rx"]["path"]')" "new6 replies in XDP on m6"
	log_has "m6: attached esprit's XDP program" "attach logged"
	# responder settings and allowlist in the maps
	assert_eq "5000/s True" "$(responder_json | "$PY" -c 'import json,sys; r = json.load(sys.stdin); print(r["rate"], r["allowlist"])')" \
		"responder settings"
	assert_eq "192.0.2.0/24 2001:db8::/32" \
		"$(ns mon "$ESPRIT" responder allow list --json --pin-dir "$PINS" | "$PY" -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin))))')" \
		"allowlist"
	assert_eq 3 "$(ids_registered)" "Identifiers registered"
	assert_eq "$R4 $R6" "$(priority_addrs)" "new6 a priority source"
	# and back: m6 and the allowlist go
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - {name: site4, address: $R4, interval: 50ms, dscp: [0, 46]}
	EOF
	kill -HUP "$DAEMON_PID"
	wait_until 'len(d["peers"]) == 2 and d["daemon"]["reloads"] == 2' 10
	assert_eq 0 "$(xdp_prog_id mon m6)" "m6 detached"
	assert_eq "[]" "$(ns mon "$ESPRIT" responder allow list --json --pin-dir "$PINS")" \
		"allowlist emptied"
	assert_eq "10000/s False" "$(responder_json | "$PY" -c 'import json,sys; r = json.load(sys.stdin); print(r["rate"], r["allowlist"])')" \
		"responder settings back to defaults"
	assert_eq 2 "$(ids_registered)" "Identifiers registered"
	assert_eq "$R4" "$(priority_addrs)" "new6 no longer one"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

test_sighup_broken_file_changes_nothing() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		responder: {rate_limit: 7000, allow: [10.21.4.0/24]}
		peers:
		  - name: site4
		    address: $R4
		    interval: 50ms
		    dscp: [0, 46]
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 'all(p["state"] == "up" for p in d["peers"]) and len(d["peers"]) == 2' 10
	local before resp allow id sent
	before=$(sj '[(p["name"], p["dscp"], p["ident"], p["changed_at"], p["interval_ms"]) for p in d["peers"]]')
	resp=$(responder_json)
	allow=$(ns mon "$ESPRIT" responder allow list --json --pin-dir "$PINS")
	id=$(xdp_prog_id mon m4)
	cp "$TEST_TMP/esprit.yaml" "$TEST_TMP/good.yaml"
	# a value out of range on line 9 (and a new peer above it)
	cat >"$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}, {name: m6}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		responder: {rate_limit: 1}
		peers:
		  - {name: new6, address: $R6}
		  - name: site4
		    address: $R4
		    interval: 0ms
	EOF
	sent=$(sj 's("site4")["sent"]')
	kill -HUP "$DAEMON_PID"
	wait_until 'd["daemon"]["reload_failures"] == 1' 10
	log_has "reload: $TEST_TMP/esprit.yaml:9: peers\\[1\\]\\.interval: .*; nothing changed" \
		"error with FILE:LINE"
	assert_eq "$before" "$(sj '[(p["name"], p["dscp"], p["ident"], p["changed_at"], p["interval_ms"]) for p in d["peers"]]')" \
		"streams unchanged"
	assert_eq "$resp" "$(responder_json)" "responder settings unchanged"
	assert_eq "$allow" "$(ns mon "$ESPRIT" responder allow list --json --pin-dir "$PINS")" \
		"allowlist unchanged"
	assert_eq "$id" "$(xdp_prog_id mon m4)" "program unchanged"
	assert_eq 0 "$(xdp_prog_id mon m6)" "m6 not attached"
	wait_until "s(\"site4\")[\"sent\"] > $sent + 10 and all(p[\"state\"] == \"up\" for p in d[\"peers\"])" 10
	# YAML that does not parse: FILE:LINE:COLUMN
	printf 'peers:\n  - name: [x\n' >"$TEST_TMP/esprit.yaml"
	kill -HUP "$DAEMON_PID"
	wait_until 'd["daemon"]["reload_failures"] == 2' 10
	log_has "reload: $TEST_TMP/esprit.yaml:[0-9]+:[0-9]+: .*nothing changed" \
		"YAML error with FILE:LINE"
	assert_eq "$before" "$(sj '[(p["name"], p["dscp"], p["ident"], p["changed_at"], p["interval_ms"]) for p in d["peers"]]')" \
		"streams unchanged"
	# a good file again is applied
	sed 's/rate_limit: 7000/rate_limit: 6000/' "$TEST_TMP/good.yaml" >"$TEST_TMP/esprit.yaml"
	kill -HUP "$DAEMON_PID"
	wait_until 'd["daemon"]["reloads"] == 1' 10
	assert_eq 6000/s "$(responder_json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["rate"])')" \
		"applied after the fix"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# The daemon killed with SIGKILL and started again while resp4 pings the
# responder it runs on m4: every request is answered, the program is the
# same, and the dead daemon's Identifiers are swept.
test_kill9_restart_loses_no_reply() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}]
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - {name: site4, address: $R4, interval: 50ms, dscp: [0, 46]}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 'all(p["state"] == "up" for p in d["peers"])' 10
	local id
	id=$(xdp_prog_id mon m4)
	ns resp4 "$ESPRIT" ping -q -c 300 -i 0.02 -W 5 "$MON4" >"$TEST_TMP/ping.out" 2>&1 &
	local ping_pid=$!
	sleep 1.5
	daemon_stop KILL
	assert_eq 137 "$DAEMON_RC" "killed"
	assert_eq 2 "$(ids_registered)" "the dead daemon's Identifiers, left behind"
	sleep 1
	assert_eq "$id" "$(xdp_prog_id mon m4)" "still attached"
	daemon_start mon "$TEST_TMP/esprit.yaml"
	log_has "m4: adopted esprit's XDP program already attached \\(program id $id, native mode\\)" \
		"adopted"
	assert_eq "$id" "$(xdp_prog_id mon m4)" "not reloaded"
	wait_until 'all(p["state"] == "up" and p["received"] >= 5 for p in d["peers"])' 10
	wait "$ping_pid" || true
	cat "$TEST_TMP/ping.out"
	grep -Eq '^300 packets transmitted, 300 received, 0% packet loss' "$TEST_TMP/ping.out" ||
		fail "replies lost across the restart"
	assert_eq 2 "$(ids_registered)" "only the new daemon's Identifiers"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}
