#!/usr/bin/env bash
# Times lvmguard's lvm.conf edit + diff on Debian's real 2,450-line lvm.conf in a release build.
# Target (issue 3): under 5 ms per edit+diff. Prints medians; a measurement, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-inputs.sh >/dev/null 2>&1
swift build -c release --product lvmguard-bench >/dev/null
for file in .build/test-inputs/debian-lvm.conf .build/test-inputs/default-withcomments.conf; do
    .build/release/lvmguard-bench "$file" "${1:-300}"
done
