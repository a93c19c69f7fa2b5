#!/usr/bin/env bash
# Debian's Chromium for the end-to-end tests (tests/e2e): installs it with apt-get when /usr/bin/chromium is
# missing, then prints its path. Idempotent: does nothing but print the path when it is already installed.
# Never downloads a browser from anywhere else (no `playwright install`): the tests launch this executable.
#   scripts/install-browser.sh            → /usr/bin/chromium
set -euo pipefail
browser=/usr/bin/chromium

if [ ! -x "$browser" ]; then
  if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
  echo "installing Chromium from Debian's packages…" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >&2
fi
if [ ! -x "$browser" ]; then
  echo "chromium is not at $browser after installing" >&2
  exit 1
fi
echo "$browser"
