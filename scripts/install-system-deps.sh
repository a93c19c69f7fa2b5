#!/usr/bin/env bash
# Debian packages the tests and benchmarks need: PostgreSQL (storage tests run on it too), Chromium (end-to-end
# browser tests, no browser download), poppler-utils (PDF pages to PNG), zbar-tools (reading the QR codes back),
# Liberation fonts 2.x, LibreOffice Calc (spreadsheets written are opened by it). Idempotent:
# installs only what is missing. Needs root (CI runs as root) or sudo.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 || need+=(poppler-utils)  # pdfsig: signatures
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation2)
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)  # a PKCS#11 token for the signing tests
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing from Debian's packages: ${need[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
