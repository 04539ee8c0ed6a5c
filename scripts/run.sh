#!/usr/bin/env bash
# The main job: setup, build, and report the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
"$BUILD_DIR/apps/seq2seq" doctor
