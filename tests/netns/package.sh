# The Debian package, built from this tree (scripts/deb.sh: source and
# binary, lintian clean), installed on this machine with apt-get, used
# through its installed paths only (no reference to the build tree),
# and purged: nothing of it is left.
# shellcheck shell=bash

SBIN=/usr/sbin/esprit

# Every path the package puts on the system, and the state its scripts
# make (the unit enabled by deb-systemd-helper).
PACKAGE_PATHS=(/usr/sbin/esprit /usr/lib/esprit /lib/systemd/system/esprit.service
	/etc/esprit /usr/share/esprit /usr/share/doc/esprit
	/usr/share/man/man8/esprit.8.gz /usr/share/man/man5/esprit.yaml.5.gz
	/usr/share/bash-completion/completions/esprit
	/etc/systemd/system/multi-user.target.wants/esprit.service
	/var/lib/systemd/deb-systemd-helper-enabled/esprit.service.dsh-also)

# On the way out of a failed test: the package goes, the test's status
# stays what it was.
purge_then_cleanup() {
	local rc=$?
	apt-get purge -y esprit >/dev/null 2>&1 || true
	(exit "$rc")
	netns_cleanup
}

test_build_install_use_purge() {
	if dpkg -s esprit >/dev/null 2>&1; then
		fail "an esprit package is installed already; purge it first"
	fi
	scripts/deb.sh "$TEST_TMP/deb" >"$TEST_TMP/deb.log" 2>&1 || {
		tail -40 "$TEST_TMP/deb.log"
		fail "make deb"
	}
	grep -q "^lintian: no errors or warnings" "$TEST_TMP/deb.log" ||
		fail "lintian"
	local deb
	deb=$(ls "$TEST_TMP"/deb/esprit_*_amd64.deb)
	# whatever happens next, the machine is left without the package
	trap 'purge_then_cleanup' EXIT
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" \
		>"$TEST_TMP/install.log" 2>&1 || {
		cat "$TEST_TMP/install.log"
		fail "apt-get install"
	}
	assert_eq "esprit $(dpkg-parsechangelog -l debian/changelog -S Version)" \
		"$($SBIN --version)" "installed version"
	# the conffile, the unit enabled and not started
	dpkg-query -W -f='${Conffiles}\n' esprit | grep -q "/etc/esprit/esprit.yaml" ||
		fail "/etc/esprit/esprit.yaml is no conffile"
	[ -L /etc/systemd/system/multi-user.target.wants/esprit.service ] ||
		fail "the unit is not enabled"
	systemd-analyze verify /lib/systemd/system/esprit.service ||
		fail "systemd-analyze verify"
	ldd "$SBIN" | grep -q "$PWD" && fail "the binary refers to the build tree"
	# the responder attached by hand from the installed object, and
	# esprit ping answered through it
	topo_pair
	xdp_pass cli c0
	ns resp ip link set dev r0 xdpdrv obj /usr/lib/esprit/esprit_xdp.bpf.o sec xdp
	local out
	out=$(ns cli "$SBIN" ping -c 3 -i 0.2 -W 3 "$RESP4") ||
		fail "esprit ping through the installed package: $out"
	echo "$out"
	assert_match "3 packets transmitted, 3 received, 0% packet loss" "$out" "replies"
	ns resp "$SBIN" stats | grep -q "echo" || fail "esprit stats"
	ns resp ip link set dev r0 xdp off
	# and esprit attach, the installed binary's own programs
	ns resp "$SBIN" attach r0 || fail "esprit attach"
	out=$(ns cli "$SBIN" ping -c 2 -i 0.2 -W 3 "$RESP4") ||
		fail "esprit ping after esprit attach: $out"
	ns resp "$SBIN" detach r0
	# purge: nothing of the package is left
	apt-get purge -y esprit >"$TEST_TMP/purge.log" 2>&1 || {
		cat "$TEST_TMP/purge.log"
		fail "apt-get purge"
	}
	dpkg -s esprit >/dev/null 2>&1 && fail "still installed"
	local p
	for p in "${PACKAGE_PATHS[@]}"; do
		[ -e "$p" ] && fail "$p is left after purge"
	done
	[ -z "$(ls -A /var/lib/esprit 2>/dev/null)" ] ||
		fail "state left in /var/lib/esprit: $(ls -A /var/lib/esprit)"
	trap netns_cleanup EXIT
}
