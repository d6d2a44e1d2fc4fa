#!/usr/bin/env bash
# The agent can write the project's .git (config, attributes, hooks), and
# git runs what they say: with the VM, agentrun never runs git on this
# machine. An fsmonitor and a clean filter set by one session run neither
# after it nor before the next. HEAD is still recorded, read from the
# files: a branch, a detached HEAD, packed refs, a linked worktree.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"
need git
need python3

P=$(mkproj p)
g() { git -C "$P" -c user.email=a@b -c user.name=a "$@"; }
echo one >"$P/a"
g add a && g commit -qm one || fail "commit"
head=$(g rev-parse HEAD)

# git_of FIELD: the newest session's git.FIELD, or "-".
git_of() {
	python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s.get("git", {}).get(sys.argv[1], "-"))' "$1" <"$(ls -1t "$STORE"/*.json | head -n 1)"
}

# The "agent" (the emulator runs it here, in the project) sets both.
ar_in "$P" run -- sh -c "git config core.fsmonitor 'touch $T/PWNED-fsmonitor; false'
git config filter.x.clean 'touch $T/PWNED-filter; cat'
echo '* filter=x' > .gitattributes; echo changed > a"
assert_eq 0 "$RC" "the session that writes .git/config: $ERR"
ar_in "$P" run -- true
assert_eq 0 "$RC" "the next session: $ERR"
[ ! -e "$T/PWNED-fsmonitor" ] || fail "the agent's core.fsmonitor ran on this machine"
[ ! -e "$T/PWNED-filter" ] || fail "the agent's clean filter ran on this machine"
assert_eq "$head" "$(git_of head_before)" "HEAD before, read from the files"
assert_eq "$head" "$(git_of head_after)" "HEAD after"
assert_eq "-" "$(git_of dirty_before)" "no dirty flag: it needs git to run"
ar show latest
assert_contains "git before:        $head" "$OUT"
g config --unset core.fsmonitor
g config --unset filter.x.clean
rm "$P/.gitattributes"

# A commit made in the session is HEAD after it; packed refs and a
# detached HEAD read the same.
ar_in "$P" run -- sh -c 'git -c user.email=a@b -c user.name=a commit -qam two'
assert_eq "$head" "$(git_of head_before)" "before the session's commit"
two=$(g rev-parse HEAD)
[ "$two" != "$head" ] || fail "no commit made"
assert_eq "$two" "$(git_of head_after)" "the session's commit"
g pack-refs --all
[ ! -e "$P/.git/refs/heads/$(g symbolic-ref --short HEAD)" ] || fail "refs not packed"
ar_in "$P" run -- true
assert_eq "$two" "$(git_of head_before)" "a packed ref"
g checkout -q --detach "$head"
ar_in "$P" run -- true
assert_eq "$head" "$(git_of head_before)" "a detached HEAD"
g checkout -q -

# A linked worktree: .git is a file, the branch lives in the common dir.
g worktree add -q -b side "$T/wt" >/dev/null 2>&1 || fail "worktree"
ar_in "$T/wt" run -- true
assert_eq 0 "$RC" "in a worktree: $ERR"
assert_eq "$two" "$(git_of head_before)" "a worktree's branch"

# A HEAD that names something outside refs/ is not followed.
echo 'ref: ../../../etc/passwd' >"$P/.git/HEAD"
ar_in "$P" run -- true
assert_eq "-" "$(git_of head_before)" "a HEAD out of refs/"
exit 0
