#!/usr/bin/env bash
# A bind mount shows a folder at a path realpath cannot see through: the
# home folder, a folder above it, one of its hidden folders or a system
# folder bound at another path (or inside the project, whose whole tree
# reaches the VM) is refused as by its own name. Each case runs agentrun
# in a mount namespace of its own (unshare -m), where it may bind.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

NS=(unshare -m)
[ "$(id -u)" = 0 ] || NS=(unshare -m -r)
"${NS[@]}" sh -c 'mkdir -p "$1/a" "$1/b" && mount --bind "$1/a" "$1/b"' sh "$T/probe" 2>/dev/null ||
	skip "needs unshare -m and mount --bind"

P=$(mkproj ok)
ar_in "$P" run -- true
[ "$RC" = 0 ] || fail "setup: $RC: $ERR"
before=$(vm_mounts)

# in_ns SRC DST DIR: bind SRC at DST, then run agentrun in DIR; OUT, ERR,
# RC as ar_in.
in_ns() {
	OUT=$("${NS[@]}" sh -c 'mount --bind "$1" "$2" && cd "$3" && shift 3 &&
		exec "$@"' sh "$1" "$2" "$3" "$AGENTRUN" run -- true 2>"$T/stderr" </dev/null)
	RC=$?
	ERR=$(cat "$T/stderr")
}
refuse() {	# src dst dir want-glob
	reset_calls
	in_ns "$1" "$2" "$3"
	[ "$RC" = 2 ] || fail "$1 at $2: status $RC, want 2: $ERR"
	assert_match "agentrun: $4" "$ERR" "$1 at $2"
	assert_eq "$before" "$(vm_mounts)" "mounts after $1 at $2"
	if grep -Eq '^multipass (mount|umount|exec|launch)' "$CALLS"; then
		fail "$1 at $2: changed the VM: $(cat "$CALLS")"
	fi
}

mkdir -p "$T/view" "$HOME/.ssh"
refuse "$HOME" "$T/view" "$T/view" "refusing to mount $T/view: it is your home folder $HOME, mounted there too; *"
refuse "$T" "$T/view" "$T/view" "refusing to mount $T/view: it is $T, which contains your home folder $HOME; *"
refuse "$HOME/.ssh" "$T/view" "$T/view" "refusing to mount $T/view: it is $HOME/.ssh, where settings and credentials live*"
refuse /etc "$T/view" "$T/view" "refusing to mount $T/view: it is /etc, a system folder, mounted there too; *"
# A folder inside a hidden folder, a system folder or one that holds many,
# bound elsewhere, is that folder too (the bind's source, from mountinfo),
# and so is a folder inside such a bind.
mkdir -p "$HOME/.ssh/keys/sub" "$T/view2"
refuse "$HOME/.ssh/keys" "$T/view" "$T/view" "refusing to mount $T/view: it is $HOME/.ssh/keys (through a bind mount), inside $HOME/.ssh, where settings and credentials live"
refuse "$HOME/.ssh" "$T/view" "$T/view/keys/sub" "refusing to mount $T/view/keys/sub: it is $HOME/.ssh/keys/sub (through a bind mount), inside $HOME/.ssh, where*"
refuse /etc/default "$T/view" "$T/view" "refusing to mount $T/view: it is /etc/default (through a bind mount), and /etc is a system folder"
for many in /srv /opt /mnt /media; do [ -d "$many" ] && break; done
refuse "$many" "$T/view" "$T/view" "refusing to mount $T/view: it is $many (through a bind mount), which holds many folders, not one project; *"
# Inside the project: its whole tree goes into the VM.
mkdir -p "$P/home view"
refuse "$HOME" "$P/home view" "$P" "refusing to mount $P: $P/home view in it is your home folder $HOME, mounted there too; *"
refuse "$HOME/.ssh/keys" "$P/home view" "$P" "refusing to mount $P: $P/home view in it is $HOME/.ssh/keys (through a bind mount), inside $HOME/.ssh, where*"
# A folder that is none of them, bound into the project, is fine.
mkdir -p "$T/data"
in_ns "$T/data" "$P/home view" "$P"
assert_eq 0 "$RC" "a harmless bind inside the project: $ERR"
# Nor is a project bound elsewhere, or a folder of home that is not hidden.
mkdir -p "$HOME/src/other"
in_ns "$P" "$T/view" "$T/view"
assert_eq 0 "$RC" "the project bound elsewhere: $ERR"
in_ns "$HOME/src/other" "$P/home view" "$P"
assert_eq 0 "$RC" "a plain folder of home bound inside the project: $ERR"
exit 0
