#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install ydabm (editable) with the given extras.
# Usage: scripts/setup.sh [extras]      e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

find_python() {
  for cand in python3.12 python3.13; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  for cand in "$HOME"/.pyenv/versions/3.12*/bin/python3 "$HOME"/.pyenv/versions/3.13*/bin/python3; do
    if [ -x "$cand" ]; then echo "$cand"; return 0; fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(find_python) || { echo "ydabm needs Python >= 3.12 (none found; install one, e.g. with pyenv)" >&2; exit 1; }
  echo "Creating .venv with $py"
  "$py" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
