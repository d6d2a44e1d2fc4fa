#!/usr/bin/env bash
# tests/shell/man.sh: src/agentrun.1 renders without a warning (mandoc
# -T lint, groff -ww, man -l), and is in step with the binary: it names
# every command and every option of every --help text, the vm actions, the
# aliases of shell/agentrun.bash, every environment variable the sources
# read, the exit statuses, and which commands take abbreviated options.
. "$(dirname "$0")/../lib/common.sh"
PAGE=$ROOT/src/agentrun.1
[ -f "$PAGE" ] || fail "no $PAGE"
command -v mandoc >/dev/null 2>&1 || command -v groff >/dev/null 2>&1 ||
	skip "needs mandoc or groff"

if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -T lint -W style "$PAGE" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] || fail "mandoc -T lint ($rc): $out"
	TEXT=$(mandoc -T ascii -O width=200 "$PAGE" | col -bx)
fi
if command -v groff >/dev/null 2>&1; then
	out=$(groff -ww -man -Tutf8 -z "$PAGE" 2>&1)
	[ -z "$out" ] || fail "groff -ww -man: $out"
	for w in 80 60; do
		out=$(groff -ww -man -Tutf8 -rLL=${w}n -z "$PAGE" 2>&1)
		[ -z "$out" ] || fail "groff -ww at $w columns: $out"
	done
	[ -n "${TEXT-}" ] ||
		TEXT=$(groff -man -Tascii -rLL=200n "$PAGE" 2>/dev/null | col -bx)
fi
if command -v man >/dev/null 2>&1; then
	out=$(MANWIDTH=80 man --warnings=all -l "$PAGE" 2>&1 >"$T/man.txt")
	rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] || fail "man -l ($rc): $out"
	grep -q 'AGENTRUN(1)' "$T/man.txt" || fail "man -l: no header"
fi

has() {	# has TEXT WHAT: the rendered page contains TEXT
	grep -qF -- "$1" <<<"$TEXT" || fail "the man page lacks [$1] ($2)"
}
# Every command of 'agentrun help', as an entry of its own.
cmds=$("$AGENTRUN" help | sed -nE '/^Commands:/,/^$/s/^  ([a-z_-]+) .*/\1/p')
[ -n "$cmds" ] || fail "no commands in agentrun help"
for c in $cmds __complete; do
	grep -qE "^ +$c( |$)" <<<"$TEXT" || fail "the man page lacks command $c"
done
# Every option of every --help text.
for c in "" $cmds; do
	# shellcheck disable=SC2086
	for o in $("$AGENTRUN" $c --help | sed -nE \
	    's/^ +(-[A-Za-z]|--[a-z-]+)(, (--[a-z-]+))?( .*)?$/\1 \3/p'); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" <<<"$TEXT" ||
			fail "the man page lacks option $o of ${c:-agentrun}"
	done
done
# The commands whose long options may be abbreviated are those the page
# lists, no more and no fewer (tried with --hel; claude's words go to
# claude).
abbr=$(grep -oE 'long ones abbreviated, as the options of [a-z, ]+\.' \
	<<<"$TEXT" | sed -E 's/.* of //; s/ and /, /; s/[,.]//g')
[ -n "$abbr" ] || fail "the man page lacks the abbreviation sentence"
"$AGENTRUN" --hel >/dev/null 2>&1 || fail "--hel: the global --help"
for c in $cmds; do
	[ "$c" = claude ] && continue
	out=$("$AGENTRUN" "$c" --hel 2>/dev/null </dev/null)
	rc=$?
	case " $abbr " in
	*" $c "*)
		[ $rc -eq 0 ] && [[ $out == "usage: agentrun $c"* ]] ||
			fail "$c --hel: status $rc, but the man page says" \
			    "its options may be abbreviated" ;;
	*)	[ $rc -eq 2 ] ||
			fail "$c --hel: status $rc, but the man page says" \
			    "its options are written in full" ;;
	esac
done
for a in status start stop delete mounts provision; do
	grep -qE "^ +$a( |$)" <<<"$TEXT" || fail "the man page lacks vm $a"
done
# The aliases, as shell/agentrun.bash defines them.
n=0
while read -r name words; do
	grep -qE "^ +$name +$words\$" <<<"$TEXT" ||
		fail "the man page lacks alias $name ($words)"
	n=$((n + 1))
done < <(sed -nE "s/^[[:space:]]*alias ([a-z]+)='([^']*)'$/\1 \2/p" \
	"$ROOT/shell/agentrun.bash")
[ $n -ge 5 ] || fail "found only $n aliases in shell/agentrun.bash"
# Every environment variable the sources read.
for v in $(grep -ohE '(getenv|xdg_dir)\("[A-Z_]+"' "$ROOT"/src/*.c |
    sed -E 's/.*"([A-Z_]+)"/\1/' | sort -u); do
	has "$v" "environment variable"
done
for s in 0 1 2 125 126 127 128+n; do
	grep -qE "^ +${s/+/[+]}( |\$)" <<<"$TEXT" ||
		fail "the man page lacks status $s"
done
has "Multipass 1.16.x" "the Multipass version followed"
has "config.json" "files"
exit 0
