#!/usr/bin/env bash
# Installs the PyInstaller build (dist/hipcheck) for the current user, or removes it again.
#   bash packaging/install.sh [DIST_DIR]     install (default DIST_DIR: dist/hipcheck)
#   bash packaging/install.sh --uninstall    remove the app, its menu entry, icon and autostart entry
#   bash packaging/install.sh --purge        also delete all HipCheck data (settings, history, logs)
# PREFIX (default ~/.local) moves everything; nothing outside PREFIX and your home is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${PREFIX:-$HOME/.local}"
app_id="io.github.hipcheck.HipCheck"
opt="$prefix/opt/hipcheck"
bin="$prefix/bin/hipcheck"
desktop="$prefix/share/applications/$app_id.desktop"
icon="$prefix/share/icons/hicolor/scalable/apps/$app_id.svg"
metainfo="$prefix/share/metainfo/$app_id.metainfo.xml"
autostart="${XDG_CONFIG_HOME:-$HOME/.config}/autostart/hipcheck.desktop"

remove_app() {
  rm -rf "$opt"
  rm -f "$bin" "$desktop" "$icon" "$metainfo" "$autostart"
}

case "${1:-}" in
  --uninstall)
    remove_app
    echo "HipCheck removed. Your data is kept; delete it with: bash packaging/install.sh --purge"
    exit 0 ;;
  --purge)
    remove_app
    rm -rf "${XDG_DATA_HOME:-$HOME/.local/share}/hipcheck" "${XDG_CONFIG_HOME:-$HOME/.config}/hipcheck" \
           "${XDG_STATE_HOME:-$HOME/.local/state}/hipcheck"
    echo "HipCheck and all its data removed."
    exit 0 ;;
  -*)
    echo "usage: bash packaging/install.sh [DIST_DIR | --uninstall | --purge]" >&2
    exit 2 ;;
esac

dist="${1:-dist/hipcheck}"
if [ ! -x "$dist/hipcheck" ]; then
  echo "install.sh: no built app in $dist (build it: .venv/bin/pyinstaller packaging/hipcheck.spec)" >&2
  exit 2
fi
rm -rf "$opt"
mkdir -p "$(dirname "$opt")" "$(dirname "$bin")"
cp -a "$dist" "$opt"
ln -sfn "$opt/hipcheck" "$bin"
install -Dm644 packaging/$app_id.desktop "$desktop"
install -Dm644 assets/hipcheck.svg "$icon"
install -Dm644 packaging/$app_id.metainfo.xml "$metainfo"
echo "HipCheck installed: $bin (make sure $(dirname "$bin") is on your PATH)"
