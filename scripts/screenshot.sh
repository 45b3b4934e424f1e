#!/usr/bin/env bash
# Opens the workbench under Xvfb on the embedded simulator (first run: no
# key, empty settings), runs the sample prompt (Ctrl+Enter), then shows every
# page with its Ctrl+N shortcut and saves one PNG per page, named after it.
# Usage: scripts/screenshot.sh [out-dir]   (default build/screenshots/)
# SLUICE_BUILD_DIR=build-x uses that build instead of building build/.
# SLUICE_THEME=dark takes the pictures in the dark theme.
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
if [ -n "${SLUICE_THEME:-}" ]; then
    printf '[ui]\ntheme=%s\n' "$SLUICE_THEME" >"$scratch/config/Sluice/Sluice.conf"
fi
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
    n=1
    for page in $PAGES; do
        xdotool key "ctrl+$n"
        sleep 1.5
        import -window "$window" "$OUT/$page.png"
        echo "screenshot: $OUT/$page.png"
        n=$((n + 1))
    done
'
