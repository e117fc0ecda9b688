# Helpers for the esprit daemon's namespace tests (tests/netns/daemon*.sh).
# shellcheck shell=bash

DAEMON_PID=
DAEMON_NS=
DAEMON_SOCK=
DAEMON_LOG=
DAEMON_CONF=

# Prober "mon" with a veth to each of two responders: resp4 (m4 <-> r4,
# IPv4 10.21.4.0/24) and resp6 (m6 <-> r6, IPv6 fc00:21:6::/64). The
# responders run esprit_xdp attached by hand (ip link); the daemon attaches
# to m4 and m6 itself.
MON4=10.21.4.2
R4=10.21.4.1
MON6=fc00:21:6::2
R6=fc00:21:6::1
topo_monitor() {
	ns_add mon resp4 resp6
	veth mon m4 02:00:00:21:04:02 resp4 r4 02:00:00:21:04:01
	veth mon m6 02:00:00:21:06:02 resp6 r6 02:00:00:21:06:01
	ns mon ip addr add "$MON4/24" dev m4
	ns resp4 ip addr add "$R4/24" dev r4
	ns mon ip addr add "$MON6/64" dev m6 nodad
	ns resp6 ip addr add "$R6/64" dev r6 nodad
	ns mon ip neigh replace "$R4" lladdr 02:00:00:21:04:01 dev m4 nud permanent
	ns resp4 ip neigh replace "$MON4" lladdr 02:00:00:21:04:02 dev r4 nud permanent
	ns mon ip neigh replace "$R6" lladdr 02:00:00:21:06:01 dev m6 nud permanent
	ns resp6 ip neigh replace "$MON6" lladdr 02:00:00:21:06:02 dev r6 nud permanent
	attach_ip_link resp4 r4
	attach_ip_link resp6 r6
}

# daemon_config FILE: the configuration on stdin, with the test's control
# socket and a free metrics port unless the text sets them.
daemon_config() {
	DAEMON_CONF=$1
	DAEMON_SOCK=${DAEMON_SOCK:-$TEST_TMP/esprit.sock}
	cat >"$DAEMON_CONF"
}

# daemon_start NS FILE: runs `esprit daemon -c FILE` in NS (its pid is the
# daemon's: nsenter execs it) and waits until it answers on its socket.
daemon_start() {
	DAEMON_NS=$1
	DAEMON_CONF=$2
	DAEMON_LOG=${DAEMON_LOG:-$TEST_TMP/daemon.log}
	echo "+ esprit daemon -c $DAEMON_CONF (in $DAEMON_NS)"
	nsenter --net="/run/netns/$DAEMON_NS" "$ESPRIT" daemon \
		-c "$DAEMON_CONF" 2>>"$DAEMON_LOG" &
	DAEMON_PID=$!
	BG_PIDS+=("$DAEMON_PID")
	local i
	for ((i = 0; i < 200; i++)); do
		if ns "$DAEMON_NS" "$ESPRIT" status -s "$DAEMON_SOCK" \
			>/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$DAEMON_LOG"
	fail "the daemon did not start"
}

# daemon_stop [SIGNAL]: signals the daemon and returns its exit status.
daemon_stop() {
	local sig=${1:-TERM} rc=0
	kill -"$sig" "$DAEMON_PID"
	wait "$DAEMON_PID" || rc=$?
	echo "+ daemon exited with $rc"
	DAEMON_RC=$rc
}

status_json() { # [PEER]
	ns "$DAEMON_NS" "$ESPRIT" status -s "$DAEMON_SOCK" --json "$@"
}

# sj EXPR [PEER]: evaluates a Python expression on the status document d;
# s(name, dscp) is one stream.
sj() {
	local expr=$1
	shift
	status_json "$@" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
def s(name, dscp=0):
    return next(p for p in d["peers"] if p["name"] == name and p["dscp"] == dscp)
print(eval(sys.argv[1]))' "$expr"
}

# wait_until EXPR SECONDS: polls the status until EXPR is True.
wait_until() {
	local expr=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(sj "$expr" 2>/dev/null)" = True ] && return 0
		sleep 0.1
	done
	status_json || true
	tail -n 30 "$DAEMON_LOG"
	fail "not within ${secs}s: $expr"
}

log_has() { # REGEX WHAT
	grep -Eq -- "$1" "$DAEMON_LOG" || {
		cat "$DAEMON_LOG"
		fail "$2: no log line matches /$1/"
	}
}

log_count() { # REGEX
	grep -Ec -- "$1" "$DAEMON_LOG" || true
}

now() {
	date +%s.%N
}
