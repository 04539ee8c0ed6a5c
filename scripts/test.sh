#!/usr/bin/env bash
# The test command: setup, build, then every test (unit + CLI) under ctest; then the translate
# tests against a binary built without libedit (SEQ2SEQ_LIBEDIT=OFF), so the fallback stays working.
set -euo pipefail
cd "$(dirname "$0")/.."
# Paths relative to the checkout in ccache's keys: the second build directory below then hits
# the cache of the first for every file but the one that differs.
export CCACHE_BASEDIR="$PWD"
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900 --parallel "$(nproc)" "$@"

NOLIBEDIT_DIR=${NOLIBEDIT_DIR:-build-nolibedit}
if [ ! -f "$NOLIBEDIT_DIR/build.ninja" ]; then
  cmake -S . -B "$NOLIBEDIT_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSEQ2SEQ_LIBEDIT=OFF -DSEQ2SEQ_BUILD_TESTS=OFF >&2
fi
cmake --build "$NOLIBEDIT_DIR" --target seq2seq --parallel "$(nproc)" >&2
echo "test.sh: translate tests against $NOLIBEDIT_DIR/apps/seq2seq (no libedit)" >&2
bash tests/cli/translate_repl.sh "$(cd "$NOLIBEDIT_DIR" && pwd)/apps/seq2seq" "$PWD"
