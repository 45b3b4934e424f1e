#!/usr/bin/env bash
# Installs what is missing, then configures (once) and builds Sluice in build/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
if [ ! -f build/CMakeCache.txt ]; then
    cmake --preset default >/dev/null
fi
cmake --build --preset default
