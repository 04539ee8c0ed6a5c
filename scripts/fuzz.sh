#!/usr/bin/env bash
# Fuzzing and sanitizers: builds the torch-free library with clang under ASan + UBSan in its own
# build directory (build-fuzz/, apart from the GCC build), runs the torch-free unit tests there
# (seq2seq_tests_light), then each libFuzzer target in tests/fuzz/ for SECONDS (default 60).
#   scripts/fuzz.sh [SECONDS]          every target, one after the other
#   FUZZ_TARGETS="fuzz_text" scripts/fuzz.sh 600
# Corpora grow in build-fuzz/corpus/<target>/ (seeded from tests/fuzz/corpus/<target>/);
# crashes land in build-fuzz/artifacts/; each target's log in build-fuzz/logs/<target>.log.
# Exit 1 when a test fails or a target finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}
targets=${FUZZ_TARGETS:-$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//' | tr '\n' ' ')}

mkdir -p "$build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  -DSEQ2SEQ_FUZZ=ON -DSEQ2SEQ_SANITIZE=address,undefined -DSEQ2SEQ_UNITY_BUILD=OFF > "$build/configure.log" \
  || { cat "$build/configure.log"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" --parallel "$(nproc)" --target seq2seq_tests_light $targets

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== torch-free unit tests under address,undefined"
"$build/tests/seq2seq_tests_light" --gtest_brief=1

root=$(pwd)
mkdir -p "$build/corpus" "$build/artifacts" "$build/logs"
status=0
printf '%-22s %10s %8s %8s %s\n' target executions cov ft result
for target in $targets; do
  corpus="$root/$build/corpus/$target"
  mkdir -p "$corpus"
  # -jobs=1: one worker process, whose output libFuzzer writes to fuzz-0.log in the current
  # directory, hence a directory of its own.
  work="$root/$build/logs/$target"
  rm -rf "$work"
  mkdir -p "$work"
  log="$build/logs/$target.log"
  rc=0
  (cd "$work" && exec "$root/$build/tests/fuzz/$target" "$corpus" "$root/tests/fuzz/corpus/$target" \
    -max_total_time="$seconds" -jobs=1 -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$root/$build/artifacts/$target-") > "$work/main.log" 2>&1 || rc=$?
  cat "$work/main.log" "$work"/fuzz-*.log > "$log" 2>/dev/null || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
  result=ok
  if [ "$rc" != 0 ]; then
    result="CRASH (exit $rc; see $log)"
    status=1
    grep -E 'ERROR|invariant failed|runtime error|SUMMARY' "$log" | head -5 >&2 || true
  fi
  printf '%-22s %10s %8s %8s %s\n' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
