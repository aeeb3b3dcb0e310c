#!/usr/bin/env bash
# Fill Solara's local CDN cache with the npm packages its pages request, so the app renders offline.
# Needs npm and the npm registry; prints the cache folder. See docs/viz_offline.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m ydabm.viz.assets
