#!/usr/bin/env bash
# The Python tools the tests use as oracles, from PyPI into a venv of their own (never the system's):
# prometheus-client parses `lvmguard check --format prometheus`; ansible-core is the oracle for inventories. Idempotent; prints the venv's python.
# Usage: scripts/python-deps.sh   (venv at $LVMGUARD_VENV, default /var/cache/lvmguard-venv)
set -euo pipefail
venv=${LVMGUARD_VENV:-/var/cache/lvmguard-venv}
requirements=("prometheus-client==0.26.0" "ansible-core==2.19.4")
if ! "$venv/bin/python" -c 'import prometheus_client, ansible' 2>/dev/null; then
    echo "[deps] creating $venv with ${requirements[*]}" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${requirements[@]}" >&2
fi
echo "$venv/bin/python"
