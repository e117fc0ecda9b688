# Helpers for the RISAV namespace tests (tests/netns/risav_sa.sh,
# daemon_risav.sh): scapy (tests/lib/risav_peer.py) plays a peer AS's
# border router on cli, tests/lib/risav_listen.py the host behind ours on
# resp, and check_arrivals compares what arrived with what was sent.
# shellcheck shell=bash

GLOBALS=/sys/fs/bpf/xdp/globals
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
PEER4=198.51.100.7
PEER6=2001:db8:201::7

e() { # esprit in resp; stdout only
	ns resp "$ESPRIT" "$@"
}

expect_fail() { # regex args...: exit 2 and a message matching regex
	local want=$1 rc=0 out
	shift
	out=$(ns resp "$ESPRIT" "$@" 2>&1) || rc=$?
	echo "esprit $* -> $rc: $out"
	assert_eq 2 "$rc" "exit status of 'esprit $*'"
	assert_match "$want" "$out" "message of 'esprit $*'"
}

json_get() { # python expression on j, JSON on stdin
	"$PY" -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

count_of() { # reason
	e stats --json | json_get "sum(r['packets'] for r in j['counters'] if r['reason'] == '$1')"
}

sa_field() { # spi field
	e sa list --json | json_get "[s['$2'] for s in j if s['spi'] == $1][0]"
}

listen_start() {
	rm -f "$TEST_TMP/ready" "$TEST_TMP/recv"
	ns_bg resp "$PY" "$TESTS_LIB/risav_listen.py" --iface r0 \
		--addr4 "$RESP4" --addr6 "$RESP6" --port 5000 \
		--out "$TEST_TMP/recv" --ready "$TEST_TMP/ready"
	LISTENER=$!
	for _ in $(seq 100); do
		[ -e "$TEST_TMP/ready" ] && return 0
		sleep 0.1
	done
	fail "listener not ready"
}

# Waits until N datagrams arrived (or 5 s), then a little longer for any
# that should not arrive, and stops the listener.
listen_stop() { # N
	for _ in $(seq 50); do
		[ "$(grep -c '"udp"' "$TEST_TMP/recv" 2>/dev/null)" -ge "$1" ] &&
			break
		sleep 0.1
	done
	sleep 0.5
	kill "$LISTENER" 2>/dev/null || true
	wait "$LISTENER" 2>/dev/null || true
}

# Sends from the peer AS to resp; the JSON goes to $TEST_TMP/sent.KIND.
peer_send() { # KIND 4|6 risav_peer.py-args...
	local kind=$1 src=$PEER4 dst=$RESP4
	[ "$2" = 6 ] && src=$PEER6 dst=$RESP6
	shift 2
	ns cli "$PY" "$TESTS_LIB/risav_peer.py" --iface c0 \
		--src-mac "$CLI_MAC" --dst-mac "$RESP_MAC" --key "$KEY" \
		--src "$src" --dst "$dst" "$@" >>"$TEST_TMP/sent.$kind"
}

# What arrived against what was sent: the datagrams must be exactly the
# payloads of the packets in the `want` files, the packets the stack saw
# exactly those packets (before tagging) byte for byte, and no AH.
check_arrivals() { # want-kinds...
	"$PY" - "$TEST_TMP" "$@" <<'EOF'
import json, sys
from scapy.all import IP, IPv6, UDP

tmp, kinds = sys.argv[1], sys.argv[2:]
want = []
for k in kinds:
    for line in open(f"{tmp}/sent.{k}"):
        want += json.loads(line)["plain"]

def payload(h):
    b = bytes.fromhex(h)
    p = IP(b) if b[0] >> 4 == 4 else IPv6(b)
    return bytes(p[UDP].payload).hex()

got_udp, got_ip = [], []
for line in open(f"{tmp}/recv"):
    r = json.loads(line)
    (got_udp if "udp" in r else got_ip).append(r.get("udp") or r.get("ip"))
bad = []
if sorted(got_udp) != sorted(payload(h) for h in want):
    bad.append(f"datagrams: got {len(got_udp)}, want {len(want)}: "
               f"{sorted(set(got_udp) ^ set(payload(h) for h in want))[:4]}")
if sorted(got_ip) != sorted(want):
    extra = [h for h in got_ip if h not in want]
    bad.append(f"packets at the stack: got {len(got_ip)}, want {len(want)}; "
               f"not as sent: {extra[:2]}")
print(f"{len(got_udp)} datagrams, {len(got_ip)} packets, {len(want)} wanted")
if bad:
    sys.exit("\n".join(bad))
EOF
}
