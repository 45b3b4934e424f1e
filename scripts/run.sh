#!/usr/bin/env bash
# Installs what is missing, builds, and opens the workbench. With no API key
# configured it runs on the embedded simulator (sluice-sim) in-process.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
exec build/src/app/sluice "$@"
