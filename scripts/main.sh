#!/usr/bin/env bash
# Set up ydabm and run the main job: the barrier x specialization sweep at its reduced default
# (experiments/barrier_specialization/quick.toml, 108 runs, a few minutes on 2 cores), then draw its
# figures. Results: results/barrier_specialization-quick/ (figures in its figures/ folder).
#   Full 11 x 11 spec:  .venv/bin/ydabm sweep experiments/barrier_specialization/sweep.toml
#                       .venv/bin/ydabm report results/barrier_specialization
# Running it again resumes: finished runs are kept, only missing ones run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ydabm sweep experiments/barrier_specialization/quick.toml --resume
.venv/bin/ydabm report results/barrier_specialization-quick
