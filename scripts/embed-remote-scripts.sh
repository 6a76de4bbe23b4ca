#!/usr/bin/env bash
# Embeds remote/*.sh into the binary as Swift string literals, so lvmguard ships as one file.
# Usage: scripts/embed-remote-scripts.sh OUTPUT.swift. SwiftPM runs it at build time (Plugins/EmbedRemoteScripts)
# whenever a script changes; nothing generated is committed.
set -euo pipefail
out=${1:?usage: $0 OUTPUT.swift}
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$(dirname "$0")/.."
{
    echo "// swift-format-ignore-file"
    echo "// Generated at build time by scripts/embed-remote-scripts.sh (Plugins/EmbedRemoteScripts) from remote/*.sh."
    echo "extension RemoteScripts {"
    for file in remote/*.sh; do
        name=$(basename "$file" .sh | awk -F- '{ for (i = 1; i <= NF; i++) printf "%s", (i == 1 ? $i : toupper(substr($i, 1, 1)) substr($i, 2)) }')
        grep -q '"""####' "$file" && { echo "$file contains the literal delimiter" >&2; exit 1; }
        echo "    /// remote/$(basename "$file")"
        echo "    static let $name = ####\"\"\""
        cat "$file"
        echo  # a multi-line literal drops the newline before its closing delimiter: keep the file's own
        echo "\"\"\"####"
    done
    echo "}"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out" >&2
