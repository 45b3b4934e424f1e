#!/usr/bin/env bash
# Opens the workbench under Xvfb on the embedded simulator, types a prompt,
# runs it (Ctrl+Enter) and saves a screenshot of the screen.
# Usage: scripts/screenshot.sh [out.png]   (default build/screenshots/compose.png)
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-build/screenshots/compose.png}")
scripts/build.sh >/dev/null
mkdir -p "$(dirname "$out")"

scratch=$(mktemp -d -t sluice-shot-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{home,cache,config,data,runtime}
chmod 700 "$scratch/runtime"
export HOME="$scratch/home" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config"
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
export QT_QPA_PLATFORM=xcb OUT="$out"
unset OPENAI_API_KEY

xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    set -euo pipefail
    build/src/app/sluice &
    app=$!
    trap "kill $app 2>/dev/null || true" EXIT
    window=""
    for _ in $(seq 100); do
        window=$(xdotool search --name "^Sluice$" 2>/dev/null | head -n 1 || true)
        [ -n "$window" ] && break
        sleep 0.1
    done
    [ -n "$window" ] || { echo "screenshot: the window did not appear" >&2; exit 1; }
    sleep 1
    # No window manager under Xvfb: focus the window, then click into the prompt.
    xdotool windowfocus --sync "$window"
    xdotool mousemove --window "$window" 400 160 click 1
    xdotool type --delay 20 "Summarise the plot of Hamlet in two sentences."
    xdotool key ctrl+Return
    sleep 2
    import -window "$window" "$OUT"
'
echo "screenshot: $out"
