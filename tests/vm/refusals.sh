#!/usr/bin/env bash
# Each refusal of DESIGN section 5: one clear line, exit 2, and the VM's
# mounts unchanged.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/data/multipass/vm-setup.sh"

P=$(mkproj ok)
ar_in "$P" run -- true
[ "$RC" = 0 ] || fail "setup: $RC: $ERR"
before=$(vm_mounts)
assert_eq "$P => $P" "$before"

refuse() {	# dir want-glob [agentrun args...]
	local d=$1 want=$2
	shift 2
	reset_calls
	ar_in "$d" "$@" run -- true
	[ "$RC" = 2 ] || fail "$d: status $RC, want 2: $ERR"
	assert_match "agentrun: $want" "$ERR" "$d"
	assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" "one line for $d"
	assert_eq "$before" "$(vm_mounts)" "mounts after $d"
	# Nothing in the VM was touched: no mount, umount, exec.
	if grep -Eq '^multipass (mount|umount|exec|launch)' "$CALLS"; then
		fail "$d: changed the VM: $(cat "$CALLS")"
	fi
}

refuse "$HOME" "refusing to mount your home folder $HOME: *"
refuse / "refusing to mount /: *"
refuse "$T" "refusing to mount $T: it contains your home folder $HOME*"
refuse /etc "refusing to mount /etc: /etc is a system folder"
refuse /usr/share "refusing to mount /usr/share: /usr is a system folder"
for d in /mnt /srv /media /opt; do
	[ -d "$d" ] || continue
	refuse "$d" "refusing to mount $d: it holds many folders*"
	break
done
mkdir -p "$HOME/.ssh/keys"
refuse "$HOME/.ssh/keys" "refusing to mount $HOME/.ssh/keys: it is inside $HOME/.ssh*"
refuse "$XDG_CONFIG_HOME/agentrun" "refusing to mount $XDG_CONFIG_HOME/agentrun: it is inside*"

# Symlinks resolve before any check.
ln -s "$HOME" "$T/homelink"
refuse "$T/homelink" "refusing to mount your home folder $HOME: *"
ln -s / "$T/rootlink"
refuse "$T/rootlink" "refusing to mount /: *"
ln -s /etc "$T/etclink"
refuse "$T/etclink" "refusing to mount /etc: /etc is a system folder"
# -C too.
refuse "$P" "refusing to mount your home folder $HOME: *" -C "$T/homelink"

# Paths multipass cannot express.
mkdir -p "$T/a:b"
refuse "$T/a:b" "cannot mount $T/a:b: multipass cannot express a path with ':'*"

# Agentrun's own state outside HOME.
mkdir -p "$T/state"
XDG_STATE_HOME=$T/state/inner refuse "$T/state" "refusing to mount $T/state: it holds agentrun's own files*"
# A state folder not made yet, named with '..' through the project, is
# not in it: taken by its resolved path (the name was compared as it was,
# and the project refused).
XDG_STATE_HOME=$P/../state-new ar_in "$P" run -- true
assert_eq 0 "$RC" "state folder named through the project with '..': $ERR"
XDG_STATE_HOME=$P/sub/../state-in refuse "$P" "refusing to mount $P: it holds agentrun's own files ($P/state-in/agentrun)*"
# What exists again after a missing folder and '..' is resolved: a link
# there leads into the project (it was taken by its name, outside it).
mkdir -p "$T/lk"
ln -s "$P" "$T/lk/to-proj"
XDG_STATE_HOME=$T/lk/gone/../to-proj/st refuse "$P" "refusing to mount $P: it holds agentrun's own files ($P/st/agentrun)*"

# The config file linked into the project (a dotfiles repository): the
# agent could change the next session's backend, agents or VM.
cfg=$XDG_CONFIG_HOME/agentrun/config.json
mv "$cfg" "$P/config.json" && ln -s "$P/config.json" "$cfg"
refuse "$P" "refusing to mount $P: it holds agentrun's config ($P/config.json), which the agent could change"
rm "$cfg" && mv "$P/config.json" "$cfg"
# The multipass agentrun would run is in the project (a venv's bin on
# PATH): refused before it runs. One in a folder named relative to where
# agentrun runs (".", an empty PATH entry) is never taken.
mkdir -p "$P/.venv/bin"
printf '#!/bin/sh
touch "%s"
exec "%s" "$@"
' "$T/PWNED" "$T/bin/multipass" >"$P/.venv/bin/multipass"
chmod +x "$P/.venv/bin/multipass"
PATH=$P/.venv/bin:$PATH refuse "$P" "refusing to mount $P: it holds the multipass program agentrun runs ($P/.venv/bin/multipass), which the agent could change"
cp "$P/.venv/bin/multipass" "$P/multipass"
PATH=.:$PATH ar_in "$P" run -- true
assert_eq 0 "$RC" "with . on PATH: $ERR"
PATH=:$PATH ar_in "$P" run -- true
assert_eq 0 "$RC" "with an empty PATH entry: $ERR"
[ ! -e "$T/PWNED" ] || fail "a multipass in the project ran"
rm -r "$P/.venv" "$P/multipass"
# A folder in the project on PATH before multipass, with no multipass in
# it yet (direnv's PATH_add bin, an empty venv), or with a link to the
# real one: the agent could put its own there. Refused. After multipass,
# it is never searched: allowed.
mkdir -p "$P/bin"
PATH=$P/bin:$PATH refuse "$P" "refusing to mount $P: $P/bin is on PATH before multipass, and the agent could put a multipass there *"
PATH=$P/nothere/bin:$PATH refuse "$P" "refusing to mount $P: $P/nothere/bin is on PATH before multipass*"
ln -s "$T/bin/multipass" "$P/bin/multipass"
PATH=$P/bin:$PATH refuse "$P" "refusing to mount $P: $P/bin is on PATH before multipass*"
rm "$P/bin/multipass"
PATH=$PATH:$P/bin ar_in "$P" run -- true
assert_eq 0 "$RC" "a project folder on PATH after multipass: $ERR"
rm -r "$P/bin"

# The VM name primary: Multipass mounts HOME into it.
refuse "$P" "the VM name \"primary\" is refused: *" --vm primary
refuse "$P" "VM name \"bad_name\" is not valid: *" --vm bad_name
# $HOME is not the only home: the account's own (and under sudo, the
# invoking user's) is guarded too, whatever HOME says.
pwhome=$(getent passwd "$(id -u)" | cut -d: -f6)
if [ -n "$pwhome" ] && [ "$pwhome" != / ] && [ -w "$pwhome" ] && [ "$pwhome" != "$HOME" ]; then
	hid=$(mktemp -d "$pwhome/.agentrun-test.XXXXXX")
	trap 'rm -rf "$hid"; cleanup' EXIT
	mkdir -p "$hid/p"
	HOME=$T/elsewhere refuse "$hid/p" "refusing to mount $hid/p: it is inside $hid*"
	HOME=/ refuse "$hid/p" "refusing to mount $hid/p: it is inside $hid*"
	rm -rf "$hid"
else
	echo "skip: the account's home ($pwhome) is not writable here"
fi
exit 0
