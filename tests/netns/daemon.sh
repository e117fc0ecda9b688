# Namespace tests for esprit daemon through the real binary: a daemon in
# "mon" probing responders in "resp4" (IPv4) and "resp6" (IPv6), each in
# two DSCP classes; its status, metrics, errors, exit, and the systemd unit.
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh

two_peer_config() { # FILE [EXTRA ROOT KEYS]
	daemon_config "$1" <<-EOF
		interfaces:
		  - name: m4
		  - name: m6
		control: $TEST_TMP/esprit.sock
		hook: echo "\$ESPRIT_PEER \$ESPRIT_DSCP \$ESPRIT_ADDRESS \$ESPRIT_OLD_STATE \$ESPRIT_NEW_STATE" >> $TEST_TMP/hooks
		${2:-}
		peers:
		  - name: site4
		    address: $R4
		    interval: 50ms
		    dscp: [0, 46]
		  - name: site6
		    address: $R6
		    interval: 50ms
		    dscp: [0, 46]
	EOF
}

wire_count() { # DEV ip|ip6 DSCP: ESP requests of that class out of DEV
	local sym=cs0
	[ "$3" = 46 ] && sym=ef
	ns mon nft list table netdev "cls_$1" |
		sed -n "s/.* $2 dscp $sym counter packets \([0-9]*\).*/\1/p"
}

all_up='all(p["state"] == "up" for p in d["peers"]) and len(d["peers"]) == 4'

test_two_responders_ipv4_ipv6_two_classes() {
	topo_monitor
	# requests counted by class on the prober's egress
	for dev in m4 m6; do
		nft_netdev mon "$dev" egress "cls_$dev" "
			meta l4proto esp ip dscp 46 counter
			meta l4proto esp ip dscp 0 counter
			meta l4proto esp ip6 dscp 46 counter
			meta l4proto esp ip6 dscp 0 counter"
	done
	two_peer_config "$TEST_TMP/esprit.yaml"
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until "$all_up" 10
	wait_until 'min(p["received"] for p in d["peers"]) >= 40' 20
	status_json
	# the keys the issue fixes, with values of the right kind
	assert_eq True "$(sj 'all(set(["name","address","dscp","state","since","sent","received","loss_ratio","rtt_ns"]) <= set(p) and set(["last","min","avg","max","p50","p90","p99"]) <= set(p["rtt_ns"]) for p in d["peers"])')" \
		"status keys"
	assert_eq "['site4', 'site4', 'site6', 'site6']" \
		"$(sj 'sorted(p["name"] for p in d["peers"])')" "streams"
	assert_eq "$R4 $R6" "$(sj 's("site4",46)["address"] + " " + s("site6",0)["address"]')" \
		"addresses"
	# every reply taken and timestamped in XDP, in the class it was sent
	assert_eq True "$(sj 'all(p["rx"]["path"] == "xdp" and p["dscp_changed"] == 0 and p["ignored"]["foreign"] == 0 for p in d["peers"])')" \
		"XDP receive path"
	assert_eq True "$(sj 'all(0 < p["rtt_ns"]["min"] <= p["rtt_ns"]["p50"] <= p["rtt_ns"]["p90"] <= p["rtt_ns"]["p99"] <= p["rtt_ns"]["max"] for p in d["peers"])')" \
		"RTT figures ordered"
	assert_eq True "$(sj 'all(p["sent"] >= p["received"] + p["lost"] and p["lost"] == 0 for p in d["peers"])')" \
		"counters"
	# RTTs close to what ping measures on the same links
	local p4 p6 ours4 ours6
	p4=$(ns mon ping -q -c 20 -i 0.05 "$R4" | sed -n 's|^rtt .* = [0-9.]*/\([0-9.]*\)/.*|\1|p')
	p6=$(ns mon ping -q -c 20 -i 0.05 "$R6" | sed -n 's|^rtt .* = [0-9.]*/\([0-9.]*\)/.*|\1|p')
	ours4=$(sj 's("site4",0)["rtt_ns"]["p50"] / 1e6')
	ours6=$(sj 's("site6",46)["rtt_ns"]["p50"] / 1e6')
	echo "ping avg: $p4 ms (IPv4), $p6 ms (IPv6); esprit p50: $ours4, $ours6 ms"
	assert_eq True "$("$PY" -c "print(abs($ours4 - $p4) < 1.0 and abs($ours6 - $p6) < 1.0)")" \
		"RTT within 1 ms of ping's average"
	# the classes on the wire, as many as the daemon sent: read the wire
	# before and after the status, the count sent lies between
	local w1 w2 sent
	for c in "m4 ip 46 site4" "m4 ip 0 site4" "m6 ip6 46 site6" "m6 ip6 0 site6"; do
		set -- $c
		w1=$(wire_count "$1" "$2" "$3")
		sent=$(sj "s(\"$4\",$3)[\"sent\"]")
		w2=$(wire_count "$1" "$2" "$3")
		echo "$4 DSCP $3 on $1: $w1 <= $sent sent <= $w2"
		assert_ge "$w1" "$sent" "$4 DSCP $3 requests on the wire (before)"
		assert_le "$w2" "$sent" "$4 DSCP $3 requests on the wire (after)"
		assert_ge 20 "$w1" "$4 DSCP $3 requests on the wire"
	done
	assert_eq 0 "$(wire_count m4 ip6 0)" "no IPv6 ESP out of m4"
	# brief table and detail view
	local out
	out=$(ns mon "$ESPRIT" status -s "$DAEMON_SOCK")
	echo "$out"
	assert_match "Streams: 4 \(4 up, 0 down, 0 init\)" "$out" "brief header"
	assert_match "site6 +fc00:21:6::1 +46 up " "$out" "brief line"
	out=$(ns mon "$ESPRIT" status -s "$DAEMON_SOCK" site4)
	echo "$out"
	assert_match "peer site4" "$out" "detail title"
	assert_match "dscp 46:" "$out" "detail class"
	assert_match "replies: taken in XDP on m4" "$out" "detail receive path"
	# one log line and one hook run per change: init -> up, 4 times
	assert_eq 4 "$(log_count 'init -> up')" "log lines"
	sleep 0.5
	assert_eq 4 "$(grep -c ' init up$' "$TEST_TMP/hooks")" "hook runs"
	grep -q "^site4 46 $R4 init up$" "$TEST_TMP/hooks" || fail "hook environment"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status on SIGTERM"
}

# Replies read from the raw socket where no esprit program runs, and said.
test_raw_socket_fallback_reported() {
	topo_monitor
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		control: $TEST_TMP/esprit.sock
		metrics: {enabled: false}
		peers:
		  - {name: site4, address: $R4, interval: 50ms}
	EOF
	xdp_pass mon m4
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 's("site4")["state"] == "up" and s("site4")["received"] >= 10' 10
	assert_eq raw "$(sj 's("site4")["rx"]["path"]')" "receive path"
	assert_match "^raw socket with kernel receive timestamps \(esprit's XDP program is not attached to m4\)$" \
		"$(sj 's("site4")["rx"]["note"]')" "note"
	# once esprit runs there, the next path check (10 s) moves it to XDP
	# (replies sent while m4 had no program at all are lost: veth)
	ns mon ip link set dev m4 xdp off
	ns mon "$ESPRIT" attach m4
	wait_until 's("site4")["rx"]["path"] == "xdp"' 25
	local before lost
	before=$(sj 's("site4")["received"]')
	lost=$(sj 's("site4")["lost"] + s("site4")["in_flight"]')
	wait_until "s(\"site4\")[\"received\"] >= $before + 10 and s(\"site4\")[\"state\"] == \"up\"" 10
	assert_le "$lost" "$(sj 's("site4")["lost"]')" "lost after the move to XDP"
	assert_match "^taken in XDP on m4 \(program id [0-9]+, ring slot 0\)" \
		"$(sj 's("site4")["rx"]["note"]')" "note"
	log_has "peer site4 dscp 0 \($R4\): init -> up" "state change logged"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

test_metrics_scraped_and_parsed() {
	topo_monitor
	two_peer_config "$TEST_TMP/esprit.yaml" "metrics: {listen: 127.0.0.1:9555}"
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until "$all_up" 10
	wait_until 'min(p["received"] for p in d["peers"]) >= 20' 20
	ns mon curl -sS -D "$TEST_TMP/headers" -o "$TEST_TMP/metrics" \
		http://127.0.0.1:9555/metrics
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$TEST_TMP/headers" ||
		fail "content type"
	# Prometheus's own parser says the format is right; the Prometheus
	# client library's reads the samples for what follows
	promtool check metrics <"$TEST_TMP/metrics" || fail "promtool check metrics"
	local q='import sys
from prometheus_client.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
# the library names a counter family without its _total
f = {}
for fam in fams:
    f[fam.name] = f[fam.name + "_total"] = fam.type
S = [[s.name, s.labels, s.value] for fam in fams for s in fam.samples]
def v(name, **labels):
    return [s[2] for s in S if s[0] == name and all(s[1].get(k) == x for k, x in labels.items())]
print(eval(sys.argv[2]))'
	pq() { "$PY" -c "$q" "$TEST_TMP/metrics" "$1"; }
	assert_eq "gauge counter counter histogram counter counter" \
		"$(pq '" ".join(f[n] for n in ["esprit_peer_up", "esprit_probes_sent_total", "esprit_replies_received_total", "esprit_rtt_seconds", "esprit_xdp_packets_total", "esprit_ring_buffer_drops_total"])')" \
		"families and types"
	assert_eq "[1.0, 1.0, 1.0, 1.0]" "$(pq 'v("esprit_peer_up")')" "all up"
	assert_eq "gauge [1.0, 1.0, 1.0, 1.0] 24" \
		"$(pq 'f["esprit_peer_reason"] + " " + str(v("esprit_peer_reason", reason="none")) + " " + str(len(v("esprit_peer_reason")))')" \
		"the reason: none of the six, per stream"
	assert_eq True "$(pq 'sorted((s[1]["peer"], s[1]["dscp"]) for s in S if s[0] == "esprit_peer_up") == [("site4","0"),("site4","46"),("site6","0"),("site6","46")]')" \
		"labels peer and dscp"
	assert_eq True "$(pq 'all(v("esprit_rtt_seconds_count", peer=p, dscp=c)[0] <= v("esprit_replies_received_total", peer=p, dscp=c)[0] <= v("esprit_probes_sent_total", peer=p, dscp=c)[0] for p in ("site4","site6") for c in ("0","46"))')" \
		"counters consistent"
	# base units: seconds, and plausible for a veth (under 10 ms)
	assert_eq True "$(pq 'all(0 < s[2] / v("esprit_rtt_seconds_count", **s[1])[0] < 0.01 for s in S if s[0] == "esprit_rtt_seconds_sum")')" \
		"mean RTT in seconds"
	assert_eq True "$(pq 'v("esprit_xdp_packets_total", reason="echo-reply-captured", action="drop")[0] >= 80')" \
		"XDP counters by reason"
	assert_eq "[0.0]" "$(pq 'v("esprit_ring_buffer_drops_total")')" "ring drops"
	# other paths and methods
	assert_eq 404 "$(ns mon curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9555/)" \
		"404 elsewhere"
	assert_eq 405 "$(ns mon curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9555/metrics)" \
		"405 for POST"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

# systemd's side of Type=notify, WatchdogSec and ExecReload=SIGHUP: what
# the daemon sends to $NOTIFY_SOCKET, read by a datagram listener.
test_sd_notify_ready_watchdog_reload() {
	local sock=$TEST_TMP/notify msgs=$TEST_TMP/notify.log
	"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        for line in s.recv(4096).decode().splitlines():
            print(line, file=out, flush=True)
' "$sock" "$msgs" &
	BG_PIDS+=($!)
	local i
	for ((i = 0; i < 50; i++)); do
		[ -S "$sock" ] && break
		sleep 0.1
	done
	[ -S "$sock" ] || fail "notify listener did not start"

	topo_monitor
	two_peer_config "$TEST_TMP/esprit.yaml"
	# 300 ms watchdog: systemd expects a ping at least every 300 ms
	NOTIFY_SOCKET=$sock WATCHDOG_USEC=300000 daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until "$all_up" 10
	grep -qx 'READY=1' "$msgs" || fail "no READY=1"
	grep -q '^STATUS=4 streams: ' "$msgs" || fail "no STATUS line"
	local before after
	before=$(grep -cx 'WATCHDOG=1' "$msgs")
	sleep 1
	after=$(grep -cx 'WATCHDOG=1' "$msgs")
	echo "watchdog pings in 1 s: $((after - before))"
	[ $((after - before)) -ge 5 ] || fail "fewer than 5 watchdog pings in 1 s at 300 ms"

	# a reload is announced and ends with READY=1 again, also a failed one
	local n
	for conf in good bad; do
		n=$(wc -l <"$msgs")
		[ "$conf" = bad ] && echo "peers: [" >"$TEST_TMP/esprit.yaml"
		kill -HUP "$DAEMON_PID"
		for ((i = 0; i < 50; i++)); do
			tail -n +"$((n + 1))" "$msgs" | grep -qx 'READY=1' && break
			sleep 0.1
		done
		tail -n +"$((n + 1))" "$msgs" | grep -v '^WATCHDOG=1$' >"$TEST_TMP/reload.msgs"
		echo "$conf reload: $(tr '\n' ' ' <"$TEST_TMP/reload.msgs")"
		assert_eq "RELOADING=1" "$(grep -m1 -x 'RELOADING=1\|READY=1' "$TEST_TMP/reload.msgs")" \
			"$conf reload: RELOADING=1 first"
		grep -qx 'READY=1' "$TEST_TMP/reload.msgs" || fail "$conf reload: READY=1 after"
	done
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

test_status_errors() {
	topo_monitor
	local out rc
	# no daemon: a clear message, exit 2
	set +e
	out=$(ns mon "$ESPRIT" status -s "$TEST_TMP/none.sock" 2>&1)
	rc=$?
	set -e
	echo "$out"
	assert_eq 2 "$rc" "exit status without a daemon"
	assert_match "the esprit daemon is not running \(no control socket $TEST_TMP/none.sock\)" \
		"$out" "message"
	# a socket file nobody listens on (daemon killed)
	"$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
		"$TEST_TMP/dead.sock"
	set +e
	out=$(ns mon "$ESPRIT" status -s "$TEST_TMP/dead.sock" --json 2>&1)
	rc=$?
	set -e
	assert_eq 2 "$rc" "exit status with a dead socket"
	assert_match "not running \(nobody listens on $TEST_TMP/dead.sock\)" "$out" \
		"message"
	two_peer_config "$TEST_TMP/esprit.yaml"
	daemon_start mon "$TEST_TMP/esprit.yaml"
	set +e
	out=$(ns mon "$ESPRIT" status -s "$DAEMON_SOCK" nosuch 2>&1)
	rc=$?
	set -e
	assert_eq 2 "$rc" "exit status for an unknown peer"
	assert_match "no such peer: nosuch" "$out" "message"
	# a second daemon on the same socket, or the same metrics port, refuses
	# to start and changes nothing
	local id
	id=$(ns mon ip -j link show m4 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')
	set +e
	out=$(ns mon "$ESPRIT" daemon -c "$TEST_TMP/esprit.yaml" 2>&1)
	rc=$?
	set -e
	assert_eq 2 "$rc" "second daemon, same socket"
	assert_match "another esprit daemon answers on $DAEMON_SOCK already" "$out" \
		"message"
	sed "s|$TEST_TMP/esprit.sock|$TEST_TMP/other.sock|" "$TEST_TMP/esprit.yaml" \
		>"$TEST_TMP/other.yaml"
	set +e
	out=$(ns mon "$ESPRIT" daemon -c "$TEST_TMP/other.yaml" 2>&1)
	rc=$?
	set -e
	echo "$out"
	assert_eq 2 "$rc" "second daemon, same metrics port"
	assert_match "cannot listen for metrics on 127.0.0.1:9469" "$out" "message"
	[ ! -e "$TEST_TMP/other.sock" ] || fail "the refused daemon left its socket"
	assert_eq "$id" "$(ns mon ip -j link show m4 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')" \
		"program untouched"
	# a broken file at start: FILE:LINE, exit 2
	printf 'peers:\n  - name: x\n    adress: 192.0.2.1\n' >"$TEST_TMP/bad.yaml"
	set +e
	out=$(ns mon "$ESPRIT" daemon -c "$TEST_TMP/bad.yaml" 2>&1)
	rc=$?
	set -e
	assert_eq 2 "$rc" "broken file"
	assert_match "$TEST_TMP/bad.yaml:3: peers\[0\]" "$out" "FILE:LINE"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
}

xdp_prog_id() { # NS DEV
	ns "$1" ip -j link show "$2" | "$PY" -c '
import json, sys
print(json.load(sys.stdin)[0].get("xdp", {}).get("prog", {}).get("id", 0))'
}

# SIGTERM leaves the program attached (detach_on_exit: false) or detaches
# it (true); the socket goes either way, and nothing stays registered.
test_sigterm_leaves_or_detaches() {
	topo_monitor
	two_peer_config "$TEST_TMP/esprit.yaml"
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until "$all_up" 10
	local id
	id=$(xdp_prog_id mon m4)
	assert_ge 1 "$id" "program attached to m4"
	assert_eq 4 "$(bpftool -j map dump pinned /sys/fs/bpf/esprit/esprit_echo_ids | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
		"Identifiers registered"
	daemon_stop TERM
	assert_eq 0 "$DAEMON_RC" "exit status"
	assert_eq "$id" "$(xdp_prog_id mon m4)" "still attached"
	[ ! -e "$DAEMON_SOCK" ] || fail "control socket left behind"
	assert_eq 0 "$(bpftool -j map dump pinned /sys/fs/bpf/esprit/esprit_echo_ids | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
		"Identifiers left registered"
	log_has "signal 15: stopping" "stop logged"
	# the next daemon adopts it
	two_peer_config "$TEST_TMP/esprit.yaml" "detach_on_exit: true"
	daemon_start mon "$TEST_TMP/esprit.yaml"
	log_has "m4: adopted esprit's XDP program already attached \(program id $id" \
		"adopted"
	assert_eq "$id" "$(xdp_prog_id mon m4)" "not reloaded"
	wait_until "$all_up" 10
	daemon_stop INT
	assert_eq 0 "$DAEMON_RC" "exit status"
	assert_eq 0 "$(xdp_prog_id mon m4)" "detached from m4"
	assert_eq 0 "$(xdp_prog_id mon m6)" "detached from m6"
	log_has "m6: detached esprit's XDP program" "detach logged"
}

# make install: binary, objects, unit and example config; an existing
# configuration is kept; the unit passes systemd-analyze verify.
test_install_and_systemd_unit() {
	local root=$TEST_TMP/prefix unit out
	make -s -C "$PWD" _install PREFIX="$root" SYSCONFDIR="$root/etc" \
		BUILD="$ESPRIT_BUILD" >"$TEST_TMP/install.log" 2>&1 ||
		{ cat "$TEST_TMP/install.log"; fail "make install"; }
	for f in sbin/esprit lib/esprit/esprit_xdp.bpf.o \
		lib/esprit/esprit_tc.bpf.o \
		lib/systemd/system/esprit.service etc/esprit/esprit.yaml \
		share/doc/esprit/esprit.yaml.example share/doc/esprit/README.md \
		share/man/man8/esprit.8 share/man/man8/esprit-daemon.8 \
		share/man/man5/esprit.yaml.5 \
		share/bash-completion/completions/esprit; do
		[ -e "$root/$f" ] || fail "not installed: $f"
	done
	# the installed manual is found by man through its path
	MANPATH=$root/share/man man -w esprit-risav >/dev/null ||
		fail "man finds esprit-risav(8)"
	unit=$root/lib/systemd/system/esprit.service
	cat "$unit"
	grep -q "^ExecStart=$root/sbin/esprit daemon -c $root/etc/esprit/esprit.yaml$" "$unit" ||
		fail "ExecStart"
	for line in Type=notify WatchdogSec= 'ExecReload=/bin/kill -HUP $MAINPID' \
		Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict \
		ReadWritePaths=/sys/fs/bpf RuntimeDirectory=esprit \
		StateDirectory=esprit 'Documentation=man:esprit-daemon(8)' \
		'CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_NET_ADMIN CAP_NET_RAW'; do
		grep -qF -- "$line" "$unit" || fail "unit lacks $line"
	done
	# its Documentation= man pages are those just installed
	out=$(MANPATH=$root/share/man systemd-analyze verify "$unit" 2>&1) ||
		{ echo "$out"; fail "systemd-analyze verify"; }
	echo "systemd-analyze verify: '${out}'"
	assert_eq "" "$out" "systemd-analyze verify says nothing"
	# an existing configuration is never overwritten
	echo "# mine" >>"$root/etc/esprit/esprit.yaml"
	make -s -C "$PWD" _install PREFIX="$root" SYSCONFDIR="$root/etc" \
		BUILD="$ESPRIT_BUILD" >"$TEST_TMP/install.log" 2>&1 || fail "make install again"
	grep -q "^# mine$" "$root/etc/esprit/esprit.yaml" || fail "configuration overwritten"
	grep -q "keeping $root/etc/esprit/esprit.yaml" "$TEST_TMP/install.log" || fail "not said"
	# the installed daemon reads the installed example
	"$root/sbin/esprit" daemon --help >/dev/null
}
