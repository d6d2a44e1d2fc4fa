#!/usr/bin/env bash
# The config's text is JSON, which cJSON reads more loosely: bytes that
# are not UTF-8 (JSON text is UTF-8; an agent's description goes to the
# terminal by 'agentrun help') and raw control characters (in a string,
# or between tokens, where cJSON takes any as white space) are refused,
# each with one line that says where, and status 2. A key or a value
# quoted in an error is written with its control characters escaped, so
# that the message stays one line and sends the terminal no sequence.
. "$(dirname "$0")/../lib/common.sh"
cd "$T" || exit 1
cfg=$XDG_CONFIG_HOME/agentrun/config.json
mkdir -p "${cfg%/*}"
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] || fail "not one line: [$1]"; }
ESC=$'\033'

refused() {	# printf-text expected-message what
	printf "$1" >"$cfg"
	ar --backend local run -- true
	assert_eq 2 "$RC" "status: $3"
	one_line "$ERR"
	assert_eq "agentrun: $cfg: $2" "$ERR" "$3"
	assert_not_contains "$ESC" "$ERR" "$3"
}

# Not UTF-8: a lone byte, a cut sequence, an overlong '/', a surrogate.
refused '{"vm": {"image": "\377"}}' \
	"a byte that is not UTF-8 at line 1, column 19" "a lone 0xff"
refused '{"agents": {"foo": {"description": "caf\303"}}}' \
	"a byte that is not UTF-8 at line 1, column 40" "a cut sequence"
refused '{\n "vm": {"image": "\300\257"}}' \
	"a byte that is not UTF-8 at line 2, column 19" "an overlong"
refused '{"vm": {"image": "\355\240\200"}}' \
	"a byte that is not UTF-8 at line 1, column 19" "a surrogate"
# Raw control characters in a string: JSON wants them escaped.
CTL="a control character in a string (JSON wants it escaped, as \\n or \\u001b)"
refused '{"agents": {"foo": {"install": "make\n install"}}}' \
	"$CTL at line 1, column 37" "a raw newline"
refused '{"agents": {"foo": {"command": ["a\tb"]}}}' \
	"$CTL at line 1, column 35" "a raw tab"
refused '{"agents": {"foo": {"command": ["x\033[2J"]}}}' \
	"$CTL at line 1, column 35" "a raw escape"
refused '{"a\nb": 1}' "$CTL at line 1, column 4" "in a key"
refused '{\001"vm": {}}' "a control character at line 1, column 2" \
	"between tokens"

# Control characters that come from escapes, in keys and values quoted
# in a message, are escaped there.
refused '{"vm": {"x\\u001b[31mred": 1}}' \
	'vm.x\u001b[31mred: unknown key' "an escape in an unknown key"
refused '{"a\\nb": 1}' 'a\nb: unknown key' "a newline in an unknown key"
refused '{"agents": {"a\\u009b": {}}}' \
	"agents.a\\u009b: an agent name is lower-case letters, digits, '-' and '_', starting with a letter" \
	"a C1 control in an agent name"
refused '{"vm": {"name": "a\\nb"}}' \
	'vm.name: VM name "a\nb" is not valid: use letters, digits and hyphens, starting with a letter and not ending with a hyphen' \
	"a newline in a VM name"
refused '{"vm": {"cloud_init": "a\\r\\tb"}}' \
	'vm.cloud_init: "a\r\tb" is a relative path, which would be read from the current folder (often the project, which the agent can write): use an absolute path or one starting with ~/' \
	"a relative path"
refused '{"agents": {"a\\nb": {}, "a\\nb": {}}}' \
	'agents.a\nb: duplicate key' "a duplicate key"

# An unknown key that is a likely typo of a known one says which.
refused '{"vm": {"cpu": 4}}' 'vm.cpu: unknown key (did you mean "cpus"?)' \
	"a typo of cpus"
refused '{"vm": {"cloud-init": "/ci.yaml"}}' \
	'vm.cloud-init: unknown key (did you mean "cloud_init"?)' "a '-' for '_'"
refused '{"Backend": "local"}' \
	'Backend: unknown key (did you mean "backend"?)' "a capital"
refused '{"agents": {"x": {"comand": "x"}}}' \
	'agents.x.comand: unknown key (did you mean "command"?)' "an agent key"
refused '{"vm": {"colour": "red"}}' 'vm.colour: unknown key' "no near key"

# What JSON allows still goes: UTF-8, white space between tokens, a BOM,
# escapes, and the last NUL byte that was allowed before.
printf '\357\273\277{\r\n\t"agents": {"foo": {"description": "caf\303\251 \360\237\230\200 \\u00e9"}}}\n' >"$cfg"
ar help
assert_eq 0 "$RC" "valid UTF-8: $ERR"
assert_contains "café 😀 é" "$OUT" "the description"
printf '{"vm": {"image": "24.04"}}\n\000' >"$cfg"
ar --backend local run -- true
assert_eq 0 "$RC" "a last NUL byte: $ERR"
# A comment that holds a quote is still said to be a comment.
printf '{\n  // the "vm\n  "vm": {}\n}\n' >"$cfg"
ar --backend local run -- true
assert_eq 2 "$RC" "a comment"
assert_contains "line 2, column 3: JSON has no comments" "$ERR"
exit 0
