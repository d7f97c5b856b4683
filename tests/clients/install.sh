#!/usr/bin/env bash
# Install the real iCalendar parsers used by tests/unit/test_ics_clients.py:
#   * ical.js (pinned by package-lock.json) for node, in tests/clients/node_modules
#   * libical's GObject bindings for Debian's /usr/bin/python3
#     (Debian packages python3-gi and gir1.2-ical-3.0)
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install.sh: need root to run: $*" >&2
        exit 1
    fi
}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

packages=()
if ! command -v node >/dev/null 2>&1; then
    # Debian's nodejs; a node from elsewhere (e.g. NodeSource) is used as is.
    packages+=(nodejs npm)
fi
for package in python3-gi gir1.2-ical-3.0; do
    installed "$package" || packages+=("$package")
done
if [ ! -x /usr/bin/python3 ]; then
    packages+=(python3)
fi

if [ "${#packages[@]}" -gt 0 ]; then
    echo "install.sh: apt-get install ${packages[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "install.sh: node is installed but npm is not" >&2
    exit 1
fi

# npm ci only when node_modules does not hold exactly the locked ical.js.
wanted="$(node -e 'console.log(require(process.argv[1]).packages["node_modules/ical.js"].version)' \
    "$here/package-lock.json")"
have="$(node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' \
    "$here/node_modules/ical.js/package.json")"
if [ "$have" != "$wanted" ]; then
    echo "install.sh: npm ci (ical.js $wanted)"
    npm ci --prefix "$here" --no-audit --no-fund --ignore-scripts
fi

# Smoke test both helpers.
(cd "$here" && node --input-type=module -e 'import ICAL from "ical.js"; if (!ICAL.parse) process.exit(1)')
env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV /usr/bin/python3 -c \
    "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
echo "install.sh: ical.js $wanted and libical (ICalGLib 3.0) ready"
