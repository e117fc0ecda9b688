#!/bin/bash
# Runs one namespace test: tests/lib/netns_run.sh FILE FUNCTION.
# Called inside `unshare --mount --net`, so the mounts below, every
# namespace the test adds and every pin it makes are private to this run.
set -u
file=$1
test=$2

mkdir -p /run/netns
mount -t tmpfs -o mode=0755 netns-tmp /run/netns
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
# the outbound sequence ledger's directory, fresh for every test
mkdir -p /var/lib/esprit
mount -t tmpfs -o mode=0700 esprit-state /var/lib/esprit
ip link set lo up

# shellcheck source=tests/lib/netns.sh
source tests/lib/netns.sh
# shellcheck disable=SC1090
source "$file"
trap netns_cleanup EXIT
set -e
echo "== $file $test"
"$test"
echo "== PASS"
