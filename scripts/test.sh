#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run the whole test suite on every core.
#   - Debian's chromium for the browser tests (never a downloaded browser)
#   - .venv with ydabm and its test extras
#   - Solara's offline asset cache (npm packages from the npm registry)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian chromium for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
bash scripts/setup.sh test
bash scripts/fetch_solara_assets.sh
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# one process per core, each test file kept in one process (its module fixtures are built once);
# "-n 0" after the command runs everything in this process
exec .venv/bin/python -m pytest -q -n auto --dist loadfile "$@"
