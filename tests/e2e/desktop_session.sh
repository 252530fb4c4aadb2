#!/usr/bin/env bash
# A throw-away desktop for tests/e2e/test_desktop.py; run it under `dbus-run-session`.
#   desktop_session.sh OUT_DIR -- COMMAND...
# Starts Xvfb on a free display, trayer (tray host), dunst (notifications) and dbus-monitor
# (watching Notify calls), writes DISPLAY and DBUS_SESSION_BUS_ADDRESS to OUT_DIR/env, runs
# COMMAND (the app) in the background, and lives until OUT_DIR/stop appears or COMMAND exits.
set -u
out="$1"; shift; [ "$1" = "--" ] && shift
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT TERM INT

# -displayfd: Xvfb picks a free display itself and tells us its number.
exec 3>"$out/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
pids+=($!)
exec 3>&-
for _ in $(seq 100); do [ -s "$out/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -n1 "$out/display")"
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# A dark root window makes the screenshot readable.
xsetroot -solid '#30343a' 2>/dev/null || true
trayer --edge top --align right --widthtype pixel --width 160 --height 32 \
  --SetDockType true --transparent false --tint 0x202020 --expand false >"$out/trayer.log" 2>&1 &
pids+=($!)
export HOME="$out/home"; mkdir -p "$HOME"   # no user dunstrc
dunst >"$out/dunst.log" 2>&1 &
pids+=($!)
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$out/monitor.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null \
    | grep -q "boolean true" && break
  sleep 0.1
done
printf 'DISPLAY=%s\nDBUS_SESSION_BUS_ADDRESS=%s\n' "$DISPLAY" "$DBUS_SESSION_BUS_ADDRESS" >"$out/env.tmp"
mv "$out/env.tmp" "$out/env"

"$@" >"$out/app.log" 2>&1 &
app=$!
while [ ! -e "$out/stop" ] && kill -0 "$app" 2>/dev/null; do sleep 0.2; done
kill -TERM "$app" 2>/dev/null
for _ in $(seq 150); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$app" 2>/dev/null
wait "$app"; echo "$?" >"$out/app.rc"
