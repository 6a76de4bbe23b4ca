#!/usr/bin/env bash
# Checks an install made by scripts/install.sh PREFIX as a controller without Swift would use it: the binary
# links no Swift runtime library, runs `validate` from a directory of its own with only /usr/bin:/bin on PATH,
# and its man page and completion scripts are there and well-formed.
# Usage: scripts/check-install.sh PREFIX
set -euo pipefail
prefix=${1:?usage: check-install.sh PREFIX}
repo=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "check-install: $*" >&2; exit 1; }
if ldd "$prefix/bin/lvmguard" | grep -q 'libswift\|libFoundation'; then fail "the binary links the Swift runtime: $(ldd "$prefix/bin/lvmguard" | grep swift)"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo/inventory.example.yaml" "$repo/playbooks/compute-guest-lvm.yaml" "$work/"
out=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" "$prefix/bin/lvmguard" validate -i inventory.example.yaml compute-guest-lvm.yaml) \
    || fail "validate failed without a toolchain on PATH"
grep -q '^targets' <<< "$out" || fail "validate printed no targets: $out"
grep -q '^\.Dt LVMGUARD 1' "$prefix/share/man/man1/lvmguard.1" || fail "no man page"
bash -n "$prefix/share/bash-completion/completions/lvmguard" || fail "the bash completion does not parse"
grep -q 'diagnose' "$prefix/share/zsh/site-functions/_lvmguard" || fail "the zsh completion lacks the commands"
grep -q "complete -c 'lvmguard'" "$prefix/share/fish/vendor_completions.d/lvmguard.fish" || fail "no fish completion"
echo "check-install: ok ($(du -h "$prefix/bin/lvmguard" | cut -f1), $(echo "$out" | grep -c '^  ') hosts listed)"
