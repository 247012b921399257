#!/usr/bin/env bash
# Installs SoftHSM2 from Debian's packages for the PKCS#11 tests (tests/Keyhub.Pkcs11.Tests).
# Does nothing when the module is already there. Needs root (CI runs as root on Debian 12).
set -euo pipefail

if [ -e /usr/lib/softhsm/libsofthsm2.so ]; then
  exit 0
fi

echo "SoftHSM2 is missing: installing it from Debian's packages" >&2
apt-get update -qq && apt-get install -y -qq softhsm2 >/dev/null
