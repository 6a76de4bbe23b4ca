#!/usr/bin/env bash
# Builds lvmguard as one self-contained binary (the Swift runtime linked in statically) and installs it with
# its shell completions and man page, so it runs on a controller that has no Swift toolchain.
# Usage: scripts/install.sh [PREFIX]   (default /usr/local; PREFIX/bin/lvmguard, PREFIX/share/...)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
scratch=.build-release
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product lvmguard >&2
binary="$scratch/release/lvmguard"
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 755 "$binary" "$prefix/bin/lvmguard"
# Debug symbols are a third of the size and no use on a controller.
if command -v strip >/dev/null 2>&1; then strip "$prefix/bin/lvmguard"; fi
"$binary" --generate-completion-script bash > "$prefix/share/bash-completion/completions/lvmguard"
"$binary" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_lvmguard"
"$binary" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/lvmguard.fish"
# The man page comes from the command definitions (swift-argument-parser's generate-manual plugin).
man=$(mktemp -d)
trap 'rm -rf "$man"' EXIT
swift package --scratch-path "$scratch" --allow-writing-to-directory "$man" generate-manual --output-directory "$man" >&2
install -m 644 "$man/lvmguard.1" "$prefix/share/man/man1/lvmguard.1"
echo "installed $prefix/bin/lvmguard ($(du -h "$prefix/bin/lvmguard" | cut -f1)), its man page and bash/zsh/fish completions" >&2
