#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit,
# integration, ui, lint) headless, with HOME and XDG_* in a temporary folder.
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh

scratch=$(mktemp -d -t sluice-test-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{home,cache,config,data,runtime}
chmod 700 "$scratch/runtime"

export HOME="$scratch/home"
export XDG_CACHE_HOME="$scratch/cache"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_DATA_HOME="$scratch/data"
export XDG_RUNTIME_DIR="$scratch/runtime"
export QT_QPA_PLATFORM=offscreen
unset OPENAI_API_KEY ANTHROPIC_API_KEY

ctest --preset default "$@"
