#!/usr/bin/env bash
# Debian packages Glabella uses outside Python: fonts for certificates (Latin, Greek,
# Cyrillic, CJK, Arabic…), HarfBuzz's subsetter (WeasyPrint embeds only the glyphs a PDF
# uses; without it, it falls back to fontTools, which made a certificate 4x slower), zbar to
# decode QR codes in tests, poppler for PDF pictures, Chromium for the browser tests, and Node.js (its npm too) for the
# independent checkers (package.json: the credential verifier).
# Installs what is missing when run as root with apt; otherwise says what is missing and
# carries on (the tests that need it say so too).
set -uo pipefail
want=(fonts-dejavu-core fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 libzbar0 poppler-utils chromium nodejs)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "warning: could not install ${missing[*]}" >&2
else
  echo "note: missing system packages (install them with apt): ${missing[*]}" >&2
fi
exit 0
