#!/usr/bin/env bash
# The man page and the --help texts agree the other way round from
# tests/shell/man.sh: every option the page gives a command (in its entry,
# up to the next command's) is in that command's --help (or is a global
# one), and every option of OPTIONS is in agentrun --help. An option
# documented but gone, or added to the page alone, fails here.
. "$(dirname "$0")/../lib/common.sh"
PAGE=${MAN_PAGE:-$ROOT/src/agentrun.1}
if command -v mandoc >/dev/null 2>&1; then
	TEXT=$(mandoc -T ascii -O width=200 "$PAGE" | col -bx)
elif command -v groff >/dev/null 2>&1; then
	TEXT=$(groff -man -Tascii -rLL=200n "$PAGE" 2>/dev/null | col -bx)
else
	skip "needs mandoc or groff"
fi
# Words in the page that look like options but are another program's.
others=" -e "	# init: 'set -e'

opts() {	# the options written in stdin's text, one a line
	grep -oE -- '(^|[] [(,|])--?[A-Za-z][A-Za-z-]*' | sed -E 's/^[] [(,|]//' |
		sort -u
}
in_help() {	# option help-text: the option is named in the text
	grep -qE -- "(^|[^A-Za-z-])$1([^A-Za-z-]|\$)" <<<"$2"
}

global=$("$AGENTRUN" --help)
# OPTIONS: each entry's tag.
section=$(sed -nE '/^OPTIONS/,/^[A-Z]/p' <<<"$TEXT")
tags=$(sed -nE 's/^ {7}(-[A-Za-z-]+)(, (--[a-z-]+))?( .*)?$/\1 \3/p' <<<"$section")
[ -n "$tags" ] || fail "no entries in OPTIONS"
for o in $tags; do
	in_help "$o" "$global" || fail "OPTIONS has $o, agentrun --help does not"
done

cmds=$("$AGENTRUN" help | sed -nE '/^Commands:/,/^$/s/^  ([a-z_-]+) .*/\1/p')
alt=$(echo $cmds __complete | tr ' ' '|')
n=0
for c in $cmds; do
	block=$(awk -v re="^       $c( |\$)" -v alt="^       ($alt)( |\$)" '
		!on && $0 ~ re { on = 1; print; next }
		on && ($0 ~ alt || $0 ~ /^[A-Z]/) { exit }
		on { print }' <<<"$TEXT")
	[ -n "$block" ] || fail "the man page has no entry for $c"
	h=$("$AGENTRUN" "$c" --help)
	for o in $(opts <<<"$block"); do
		case $others in *" $o "*) continue ;; esac
		n=$((n + 1))
		in_help "$o" "$h" || in_help "$o" "$global" ||
			fail "the man page gives $c the option $o; agentrun $c --help does not"
	done
done
[ "$n" -ge 30 ] || fail "only $n options found in the command entries"
exit 0
