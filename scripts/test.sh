#!/usr/bin/env bash
# Runs every test: the .NET suites (unit, storage, end-to-end with the official Azure SDK), the
# JavaScript end-to-end suite (@azure/keyvault-secrets + @azure/identity against a real Keyhub), and the
# benchmark harness in smoke mode (every scenario answers 200 with nonzero throughput; no figures kept).
# Installs what it needs (npm packages from the lockfile; Node.js and SoftHSM2 from Debian if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v node >/dev/null 2>&1; then
  echo "Node.js is missing: installing it from Debian's packages" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

# SoftHSM2: the PKCS#11 token the HSM seal and premium-vault tests run against (tokens live in test folders).
bash scripts/install-softhsm.sh
# Every HSM test must run here: a missing SoftHSM2 fails them rather than skipping them.
export KEYHUB_REQUIRE_HSM=1

dotnet build Keyhub.slnx -c Release -nologo -clp:ErrorsOnly
dotnet test Keyhub.slnx -c Release --no-build --nologo

cd tests/js
npm ci --no-audit --no-fund --loglevel=error
KEYHUB_DLL="$(pwd)/../../src/Keyhub/bin/Release/net10.0/keyhub.dll" node run.mjs
cd ../..

bash bench/run.sh --smoke
