#!/usr/bin/env bash
# Arguments reach claude in the VM byte for byte (spaces, quotes, $(),
# globs, a leading dash, empty, newline, UTF-8); forwarded variables reach
# it and others do not.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj p)
args=("a b" "it's" '"double"' '$(touch /tmp/pwned-agentrun)' '`id`' '*' --dash -p
	"" $'new\nline' 'back\slash' '$HOME' 'é ✓' ';' '&&' '|' '>x')
export ANTHROPIC_API_KEY='sk-secret value'
export NOT_FORWARDED=leak
ar_in "$P" claude "${args[@]}"
[ "$RC" = 0 ] || fail "status $RC: $ERR"
got=$(printf '%s\n' "$OUT" | tr -d '\r' | sed -n 's/^argx: //p')
want=$(for a in "${args[@]}"; do hex "$a"; echo; done)
[ "$got" = "$want" ] || fail "arguments differ:
got:
$got
want:
$want"
[ ! -e /tmp/pwned-agentrun ] || fail "an argument was run by a shell"
[ ! -e "$P/x" ] || fail "an argument was a redirection"
assert_contains "key=sk-secret value" "$OUT" "forwarded variable"
assert_contains "other=unset" "$OUT" "not forwarded"

# The transcript never holds the forwarded value.
cast=$(latest_cast)
if [ -n "$cast" ]; then
	text=$(zstd -dc "$cast" 2>/dev/null)
	assert_not_contains "sk-secret value" "$text" "transcript"
	assert_contains "[redacted:ANTHROPIC_API_KEY]" "$text" "transcript"
fi

# run: the same through run, and the command's own options.
ar_in "$P" run -- printf '[%s]' "a b" "-n" '$(x)'
assert_eq "[a b][-n][\$(x)]" "$(printf %s "$OUT" | tr -d '\r')" "run"

# An agent from the config, with its own forwarded variable.
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"echoer": {"command": ["printf", "<%s>"], "env": ["ECHO_VAR"],
                       "install": "true"}}}
JSON
ECHO_VAR=v1 ar_in "$P" echoer "x y" -z
assert_eq 0 "$RC" "echoer: $ERR"
assert_eq "<x y><-z>" "$(printf %s "$OUT" | tr -d '\r')" "echoer"
grep -q "env ECHO_VAR=v1 bash -lc" "$CALLS" || fail "ECHO_VAR not forwarded: $(tail -n 1 "$CALLS")"
exit 0
