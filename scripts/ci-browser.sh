#!/usr/bin/env bash
# Makes sure the end-to-end tests have a real headless browser: Debian's chromium and
# chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver). Installs the two Debian packages when
# either is missing and this runs as root; never downloads a browser from anywhere else (Selenium
# Manager is kept offline by the tests). Exits 0 when both are present, 1 (loudly) when not: the
# E2E tests then skip with the same reason, or fail when CI=true.
#
#   scripts/ci-browser.sh
set -euo pipefail

say() { echo "ci-browser: $*" >&2; }
loud() {
    echo "ci-browser: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "ci-browser: !!! $*" >&2
    echo "ci-browser: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
}
present() { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }

if ! present && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing the Debian packages chromium, chromium-driver (and fonts-liberation, so pages have text fonts)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation >&2 || true
fi
if ! present; then
    loud "Debian's chromium and chromium-driver are not installed and could not be installed (run as root:
ci-browser: !!! apt-get install chromium chromium-driver): the end-to-end browser tests cannot run"
    exit 1
fi
say "$(/usr/bin/chromium --version 2>/dev/null | head -n 1); $(/usr/bin/chromedriver --version | head -n 1)"
