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

# Forwarded values never reach a command line, where any user of the host
# could read them (ps): the guest reads them from its terminal. Every byte
# arrives as it was, control characters, backslash escapes and a newline
# too, and no byte of the exchange shows in the output or the transcript.
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"envhex": {"command": ["sh", "-c",
    "printf 'v1=%s.' \"$ECHO_VAR\" | od -An -tx1 | tr -d ' \\n'; echo; printf 'v2=%s.\\n' \"$OTHER_VAR\""],
    "env": ["ECHO_VAR", "OTHER_VAR", "UNSET_VAR"], "install": "true"}}}
JSON
val=$'sk-a "b" \'c\' \\x41 \\c %b %s $HOME `id` \x01\x03\x04\x11\x13\x15\x16\x7f\x1b[31m é ✓\nline2'
unset UNSET_VAR
ECHO_VAR=$val OTHER_VAR=plain-value-2 ar_in "$P" envhex
assert_eq 0 "$RC" "envhex: $ERR"
out=$(printf '%s' "$OUT" | tr -d '\r')
assert_eq "$(printf 'v1=%s.' "$val" | od -An -tx1 | tr -d ' \n')
v2=plain-value-2." "$out" "values as they were"
grep -q "sk-a\|plain-value-2" "$CALLS" && fail "a forwarded value on the multipass command line: $(tail -n 1 "$CALLS")"
assert_not_contains "agentrun;env" "$OUT" "the mark is not output"
text=$(zstd -dc "$(latest_cast)")
assert_not_contains "agentrun;env" "$text" "the mark is not recorded"
assert_not_contains "plain-value-2" "$text" "the value is not recorded"
# An agent that reads its input gets the end of an empty stdin as an EOF
# (held behind the forwarded values, it reached the agent as a ^D byte
# and the session hung).
cat >"$XDG_CONFIG_HOME/agentrun/config.json" <<'JSON'
{"agents": {"reader": {"command": ["sh", "-c", "od -An -c; echo END"],
    "env": ["ECHO_VAR"], "install": "true"},
  "names": {"command": ["sh", "-c", "printf '<%s|%s|%s|%s>' \"$t\" \"$v\" \"$l\" \"$h\""],
    "env": ["t", "v", "l", "h"], "install": "true"}}}
JSON
OUT=$(cd "$P" && ECHO_VAR=x timeout 30 "$AGENTRUN" reader 2>"$T/stderr" </dev/null)
assert_eq 0 "$?" "reader, empty stdin: $(cat "$T/stderr")"
assert_eq "END" "$(printf %s "$OUT" | tr -d '\r')" "reader: EOF, no byte"
OUT=$(cd "$P" && printf 'ab\n' | ECHO_VAR=x timeout 30 "$AGENTRUN" reader 2>"$T/stderr")
assert_contains "a   b  \n" "$(printf %s "$OUT" | tr -d '\r')" "reader: piped input"
# Forwarded names the guest script used for itself (t, v, l, h) arrive.
t=tv v=vv l=lv h=hv ar_in "$P" names
assert_eq 0 "$RC" "names: $ERR"
assert_eq "<tv|vv|lv|hv>" "$(printf %s "$OUT" | tr -d '\r')" "names"
# Its own names, now prefixed, cannot be forwarded.
echo '{"agents": {"bad": {"env": ["_agentrun_t"]}}}' >"$XDG_CONFIG_HOME/agentrun/config.json"
ar_in "$P" run -- true
assert_eq 2 "$RC" "an _agentrun_ name"
assert_contains '"_agentrun_t": names starting with _agentrun_ are agentrun'"'"'s own' "$ERR"
write_config

# With nothing to forward, the guest reads nothing and prints no mark.
unset ANTHROPIC_API_KEY
ar_in "$P" run -- true
assert_eq 0 "$RC" "run: $ERR"
tail -n 1 "$CALLS" | grep -q "stty" && fail "a mark with nothing to forward: $(tail -n 1 "$CALLS")"
exit 0
