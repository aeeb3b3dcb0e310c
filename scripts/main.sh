#!/usr/bin/env bash
# Set up ydabm and run the main job: the barrier x specialization sweep at its reduced default,
# then draw its figures. Results go to results/barrier_specialization/.
#   Full 11 x 11 spec:  .venv/bin/ydabm sweep experiments/barrier_specialization/sweep.toml
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ydabm sweep experiments/barrier_specialization/quick.toml --out results/barrier_specialization --resume
.venv/bin/ydabm report results/barrier_specialization
