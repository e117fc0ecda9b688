# The manual against the program: every man page renders without a
# warning, every command, subcommand, option and setting key that --help
# prints is in its page, every counter reason and map is in the manual,
# and bash completion offers the commands, subcommands, options and
# interface names.
# shellcheck shell=bash

MAN_DIR=$ESPRIT_BUILD/man
PAGES=(esprit.8 esprit-attach.8 esprit-responder.8 esprit-ping.8
	esprit-stats.8 esprit-risav.8 esprit-daemon.8 esprit-status.8
	esprit.yaml.5)

# The page a command is documented in.
page_of() {
	case $1 in
	"") echo esprit.8 ;;
	attach | detach) echo esprit-attach.8 ;;
	local-asn | peer | risav | prefix | sa | monitor) echo esprit-risav.8 ;;
	*) echo "esprit-$1.8" ;;
	esac
}

# A page as text on one line per paragraph: no hyphenation to split words.
page_text() {
	MANWIDTH=2000 man -l "$MAN_DIR/$1" 2>/dev/null | col -bx
}

test_pages_render_without_warnings() {
	local p out
	for p in "${PAGES[@]}"; do
		[ -s "$MAN_DIR/$p" ] || fail "$p was not built"
		out=$(MANWIDTH=80 man --warnings -l "$MAN_DIR/$p" 2>&1 >/dev/null)
		[ -z "$out" ] || fail "$p: $out"
	done
	# every page the build made is one of these
	for p in "$MAN_DIR"/*; do
		printf '%s\n' "${PAGES[@]}" | grep -qx "${p##*/}" ||
			fail "${p##*/} is not checked here"
	done
}

# The words a --help text names: options (-x, --long), and the literal
# words of its usage lines and "keys:" lists.
help_words() {
	"$PY" -c '
import re, sys
text = sys.stdin.read()
words = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z0-9])(?![\w-])", text))
in_keys = False
for line in text.splitlines():
    s = line.strip()
    if s.startswith(("usage: esprit", "esprit ")):
        in_keys = False
        for tok in re.split(r"[\s\[\]|]+", s):
            if re.fullmatch(r"[a-z][a-z0-9-]*", tok) and tok not in ("usage", "esprit"):
                words.add(tok)
    elif s == "keys:":
        in_keys = True
    elif in_keys and line.startswith("  ") and not line.startswith("    "):
        words.add(s.split()[0])
    else:
        in_keys = False
print("\n".join(sorted(words)))'
}

test_help_is_in_the_pages() {
	local cmd help page text w missing=()
	for cmd in "" $("$ESPRIT" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p'); do
		help=$("$ESPRIT" $cmd --help) || fail "esprit $cmd --help"
		page=$(page_of "$cmd")
		[ -s "$MAN_DIR/$page" ] || fail "no page $page for '$cmd'"
		text=$(page_text "$page")
		# the command itself is in esprit(8) and in its own page
		if [ -n "$cmd" ]; then
			grep -qw -- "$cmd" <<<"$text" || missing+=("$page: $cmd")
			grep -qw -- "$cmd" <<<"$(page_text esprit.8)" ||
				missing+=("esprit.8: $cmd")
		fi
		while read -r w; do
			[ -n "$w" ] || continue
			grep -qF -- "$w" <<<"$text" || missing+=("$page: $w (esprit $cmd --help)")
		done < <(help_words <<<"$help")
	done
	[ ${#missing[@]} -eq 0 ] || fail "not in the manual: ${missing[*]}"
}

test_every_reason_and_map_in_the_manual() {
	local stats maps r m missing=()
	stats=$(page_text esprit-stats.8)
	while read -r r; do
		grep -qF -- "$r" <<<"$stats" || missing+=("reason $r")
	done < <(sed -n 's/.*X([A-Z_0-9]*, "\([a-z0-9-]*\)".*/\1/p' headers/esprit_counters.h)
	maps=$(page_text esprit.8)
	for m in $(sed -n 's/^#define ESPRIT_MAP_[A-Z0-9_]*[[:space:]]*"\(esprit_[a-z0-9_]*\)".*/\1/p' headers/esprit_maps.h); do
		grep -qF -- "$m" <<<"$maps" || missing+=("map $m")
	done
	[ ${#missing[@]} -eq 0 ] || fail "not in the manual: ${missing[*]}"
	# and the reasons listed are those of the header, no more
	local listed known
	listed=$(sed -n 's/^\*\([a-z0-9-]*\)\* (\(tx\|pass\|drop\|event\))$/\1/p' docs/man/esprit-stats.8.scd | sort)
	known=$(sed -n 's/.*X([A-Z_0-9]*, "\([a-z0-9-]*\)".*/\1/p' headers/esprit_counters.h | sort)
	assert_eq "$known" "$listed" "reasons in esprit-stats(8)"
}

# complete WORD...: what bash completion offers for the last word.
complete_words() {
	bash -c '
source etc/bash-completion/esprit
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
_esprit
printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}

offers() { # WHAT WORD... :: EXPECTED...
	local what=$1 words=() got e
	shift
	while [ "$1" != "::" ]; do
		words+=("$1")
		shift
	done
	shift
	got=$(complete_words "${words[@]}")
	for e in "$@"; do
		grep -qx -- "$e" <<<"$got" || fail "$what: '$e' not offered for '${words[*]}' (got: $(echo $got))"
	done
}

test_bash_completion() {
	local cmd w
	ns_add comp
	ip link add "esp-if-a" netns comp type veth peer name "esp-if-b" netns comp
	# every command
	for cmd in $("$ESPRIT" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p'); do
		offers command esprit "" :: "$cmd"
	done
	offers "partial command" esprit at :: attach
	# interface names, from the namespace's own interfaces
	ns comp bash -c 'source etc/bash-completion/esprit; COMP_WORDS=(esprit attach esp-); COMP_CWORD=2; _esprit; printf "%s\n" "${COMPREPLY[@]}"' |
		grep -qx esp-if-a || fail "interface names for attach"
	offers "ping interface" esprit ping -I lo :: lo
	# every option --help prints, for every command
	for cmd in $("$ESPRIT" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p'); do
		for w in $("$ESPRIT" "$cmd" --help | grep -oE '(^|[ [|])--[a-z][a-z0-9-]*' | tr -d ' [|' | sort -u); do
			offers "$cmd option" esprit "$cmd" -- :: "$w"
		done
	done
	# subcommands and their words
	offers "responder subcommands" esprit responder "" :: show set allow local
	offers "responder keys" esprit responder set "" :: enabled formats rate ttl spi-request local-only capture
	offers "ping forms" esprit ping --format "" :: subtyped seed empty
	offers "responder values" esprit responder set enabled "" :: on off
	offers "allow words" esprit responder allow "" :: add del list clear
	offers "local words" esprit responder local "" :: add del list sync clear
	offers "prefix subcommands" esprit prefix "" :: add del list import
	offers "peer subcommands" esprit peer "" :: add del list
	offers "peer modes" esprit peer add 64501 mode "" :: enforce testing off
	offers "peer policy" esprit peer add 64501 mode enforce policy "" :: untagged drop
	offers "risav keys" esprit risav set "" :: fragments audit-rate
	offers "sa subcommands" esprit sa "" :: add del list
	offers "sa directions" esprit sa add "" :: in out
	offers "sa words in" esprit sa add in "" :: spi asn alg key replay
	offers "sa words out" esprit sa add out spi 300 "" :: asn alg key dscp
	offers "dscp names" esprit sa add out dscp "" :: ef af41 cs1 any
	offers "attach modes" esprit attach eth0 --mode "" :: native skb
	offers "global options" esprit - :: --help --version --verbose
}
