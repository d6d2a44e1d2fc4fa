#!/usr/bin/env bash
# tests/shell/install.sh: 'make install DESTDIR=... PREFIX=/usr' puts the
# binary, the bash and zsh completions and the man page in the standard
# places, identical to the sources and to what the installed binary
# prints; bash-completion and zsh's compinit find them there; 'make
# uninstall' removes them again.
. "$(dirname "$0")/../lib/common.sh"
need make

# A make started from 'make check' must not try to join its jobserver,
# and installs the binary under test: -o, never a rebuild of it.
unset MAKEFLAGS MAKELEVEL MFLAGS
margs=(-s -C "$ROOT" -o "$BUILD/agentrun" BUILD="$BUILD" DESTDIR="$T/d"
	PREFIX=/usr)
[ "${SANITIZE-}" = 1 ] && margs+=(SANITIZE=1)
case $BUILD in *-nosfd) margs+=(NO_SIGNALFD=1) ;; esac
out=$(make "${margs[@]}" install 2>&1) || fail "make install: $out"

D=$T/d/usr
BIN=$D/bin/agentrun
BASHC=$D/share/bash-completion/completions/agentrun
ZSHC=$D/share/zsh/site-functions/_agentrun
MAN=$D/share/man/man1/agentrun.1
for f in "$BIN" "$BASHC" "$ZSHC" "$MAN"; do
	[ -f "$f" ] || fail "not installed: ${f#"$T/d"}"
done
assert_eq 755 "$(stat -c %a "$BIN")" "mode of bin/agentrun"
for f in "$BASHC" "$ZSHC" "$MAN"; do
	assert_eq 644 "$(stat -c %a "$f")" "mode of ${f#"$T/d"}"
done
cmp -s "$BASHC" "$ROOT/completions/agentrun.bash" || fail "bash completion differs"
cmp -s "$ZSHC" "$ROOT/completions/_agentrun" || fail "zsh completion differs"
cmp -s "$MAN" "$ROOT/src/agentrun.1" || fail "man page differs"
cmp -s "$BIN" "$AGENTRUN" || fail "the installed binary is not the one tested"
"$BIN" completion bash | cmp -s - "$BASHC" || fail "completion bash != installed"
"$BIN" completion zsh | cmp -s - "$ZSHC" || fail "completion zsh != installed"
# Where pkg-config says bash-completion looks, when it can say.
if command -v pkg-config >/dev/null 2>&1 &&
    dir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null) &&
    [ -n "$dir" ]; then
	assert_eq /usr/share/bash-completion/completions "$dir" \
		"bash-completion's completionsdir"
fi

# bash-completion loads it on demand from the installed tree.
BC=/usr/share/bash-completion/bash_completion
if [ -f "$BC" ]; then
	out=$(XDG_DATA_DIRS=$D/share PATH=$D/bin:$PATH bash --norc --noprofile -c '
		source "$1"
		_completion_loader agentrun
		complete -p agentrun' bash "$BC" 2>&1)
	assert_eq "complete -F _agentrun agentrun" "$out" "bash-completion loader"
fi
# zsh's compinit finds it on $fpath.
if command -v zsh >/dev/null 2>&1; then
	out=$(zsh -f -c 'fpath=($1 $fpath); autoload -Uz compinit
		compinit -D; print -r -- $_comps[agentrun]' zsh \
		"$D/share/zsh/site-functions" 2>&1)
	assert_eq "_agentrun" "$out" "zsh compinit"
fi
if command -v man >/dev/null 2>&1; then
	out=$(MANWIDTH=80 man --warnings=all -l "$MAN" 2>&1 >/dev/null) ||
		fail "man -l of the installed page failed: $out"
	[ -z "$out" ] || fail "man -l of the installed page: $out"
fi

out=$(make "${margs[@]}" uninstall 2>&1) || fail "make uninstall: $out"
for f in "$BIN" "$BASHC" "$ZSHC" "$MAN"; do
	[ ! -e "$f" ] || fail "left after uninstall: ${f#"$T/d"}"
done
exit 0
