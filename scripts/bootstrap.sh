#!/usr/bin/env bash
# Installs the Debian 12 packages Sluice needs to build, run and test, and
# nothing when they are all present (so it is quick to run every time).
# Usage: scripts/bootstrap.sh        (as root, or with sudo available)
set -euo pipefail

packages=(
    # toolchain
    cmake ninja-build g++ ccache clang-format
    # Qt 6.4: libraries, tools and the QML runtime modules (named one by one:
    # with --no-install-recommends they are not pulled in)
    qt6-base-dev qt6-declarative-dev qt6-charts-dev qt6-websockets-dev qt6-httpserver-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-declarative-dev-tools
    libqt6sql6-sqlite libxkbcommon-dev qtkeychain-qt6-dev
    qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript
    qml6-module-qtquick qml6-module-qtquick-templates qml6-module-qtquick-controls
    qml6-module-qtquick-layouts qml6-module-qtquick-dialogs qml6-module-qtquick-window
    qml6-module-qtcharts qml6-module-qttest
    # tests and benchmarks
    libbenchmark-dev libvalijson-dev
    # headless runs, screenshots and the keychain in tests
    xvfb xauth xdotool dbus-x11 gnome-keyring libsecret-tools imagemagick
    # throwaway certificates for the TLS tests
    openssl
)

# One dpkg-query for all packages; anything not reported "installed" is missing.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null \
    | awk '$2 == "installed" { print $1 }' || true)
missing=()
for package in "${packages[@]}"; do
    grep -qx "$package" <<<"$installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "bootstrap: installing ${#missing[@]} missing package(s): ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
        echo "bootstrap: need root to install packages; run as root or install sudo" >&2
        exit 1
    }
    sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
