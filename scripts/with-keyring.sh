#!/usr/bin/env bash
# Runs a command against a real secret service: a private D-Bus session with
# its own gnome-keyring, unlocked, whose keyrings live in a scratch folder (the
# user's own keyring is never touched). The keychain tests run under it.
# Usage: scripts/with-keyring.sh <command...>
#   SLUICE_KEYRING=locked  start the keyring daemon without unlocking it (no
#                          usable login collection), for the "locked" tests.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 <command...>" >&2
    exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || {
        echo "with-keyring: $tool is missing; run scripts/bootstrap.sh" >&2
        exit 1
    }
done

scratch=$(mktemp -d -t sluice-keyring-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/data" "$scratch/runtime"
chmod 700 "$scratch/runtime"
# gnome-keyring keeps keyrings in $XDG_DATA_HOME/keyrings and its control
# socket in $XDG_RUNTIME_DIR/keyring.
export XDG_DATA_HOME="$scratch/data"
export XDG_RUNTIME_DIR="$scratch/runtime"
export SLUICE_KEYRING="${SLUICE_KEYRING:-unlocked}"

status=0
dbus-run-session -- bash -c '
    if [ "$SLUICE_KEYRING" = locked ]; then
        gnome-keyring-daemon --start --components=secrets >/dev/null
    else
        # A fresh login keyring, created and unlocked with a throwaway password.
        printf %s sluice-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    fi
    exec "$@"' with-keyring "$@" || status=$?
exit "$status"
