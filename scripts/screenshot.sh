#!/usr/bin/env bash
# Opens the workbench under Xvfb on the embedded simulator (first run: no
# key; only gate limits of 120 requests and 60,000 tokens per minute preset,
# so that the gates show), runs the sample prompt (Ctrl+Enter), starts a
# batch over the sample reviews, then shows every page with its Ctrl+N
# shortcut and saves one PNG per page, named after it.
# Usage: scripts/screenshot.sh [out-dir]   (default build/screenshots/)
# SLUICE_BUILD_DIR=build-x uses that build instead of building build/.
# SLUICE_THEME=dark takes the pictures in the dark theme;
# SLUICE_MONITOR_SECONDS (default 25) is how long the Monitor watches the run.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-build/screenshots}")
build=${SLUICE_BUILD_DIR:-build}
if [ -z "${SLUICE_BUILD_DIR:-}" ]; then
    scripts/build.sh >/dev/null
fi
app=$(realpath "$build/src/app/sluice")
mkdir -p "$out"

# The pages in tab order, as Main.qml lists them (Ctrl+1 is the first).
pages=$(grep -oE '^ *\{ name: "[a-z]+"' qml/Main.qml | grep -oE '"[a-z]+"' | tr -d '"' | tr '\n' ' ')

scratch=$(mktemp -d -t sluice-shot-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{home,cache,config/Sluice,data,runtime}
chmod 700 "$scratch/runtime"
printf '[limits]\nrpm=120\ntpm=60000\n[ui]\ntheme=%s\n' "${SLUICE_THEME:-system}" \
    >"$scratch/config/Sluice/Sluice.conf"
export HOME="$scratch/home" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config"
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
export QT_QPA_PLATFORM=xcb OUT="$out" APP="$app" PAGES="$pages"
unset OPENAI_API_KEY ANTHROPIC_API_KEY DBUS_SESSION_BUS_ADDRESS

xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    set -euo pipefail
    "$APP" &
    app=$!
    trap "kill $app 2>/dev/null || true" EXIT
    window=""
    for _ in $(seq 100); do
        window=$(xdotool search --name "^Sluice$" 2>/dev/null | head -n 1 || true)
        [ -n "$window" ] && break
        sleep 0.1
    done
    [ -n "$window" ] || { echo "screenshot: the window did not appear" >&2; exit 1; }
    # No window manager under Xvfb: place and focus the window ourselves.
    xdotool windowmove --sync "$window" 0 0
    xdotool windowsize --sync "$window" 1280 800
    xdotool windowfocus --sync "$window"
    sleep 1
    xdotool key ctrl+1
    xdotool key ctrl+Return
    sleep 2
    # Batch (Ctrl+3): "Use the sample reviews", then Start. Clicks by position
    # (the page has no shortcuts): if the layout moves, the run does not start
    # and the pictures show the idle pages.
    xdotool key ctrl+3
    sleep 1
    xdotool mousemove --window "$window" 190 92 click 1
    sleep 1
    xdotool mousemove --window "$window" 201 418 click 1
    # The Monitor samples while it is shown: let it watch the run a while.
    xdotool key ctrl+4
    sleep "${SLUICE_MONITOR_SECONDS:-25}"
    n=1
    for page in $PAGES; do
        xdotool key "ctrl+$n"
        sleep 1.5
        import -window "$window" "$OUT/$page.png"
        echo "screenshot: $OUT/$page.png"
        n=$((n + 1))
    done
'
