#!/usr/bin/env bash
# Speed, side by side: `seq2seq bench` and the PyTorch reference harness, run alternately
# (ours, reference, ours, reference, ...) on this machine, then a markdown table of medians and
# ratios ours/reference for every figure. Raw JSON and logs go to a results folder.
#
# Usage: scripts/bench.sh [options]
#   --pairs N           alternating pairs per training figure (default 3; the issue asks for >= 3)
#   --decode-pairs N    pairs of decoding runs (default: --pairs)
#   --steps N           timed training steps per run (default 20, as the reference's RESULTS.md)
#   --warmup N          warm-up training steps (default 3)
#   --models "M ..."    subset of: rnn bahdanau transformer (default: all three)
#   --modes "M ..."     subset of: fixed corpus (default: both)
#   --no-decode         skip the decoding runs
#   --no-variant        skip the reference's best variant (rnn, bahdanau; mode fixed)
#   --decode-sentences N  validation sentences to decode (default 500)
#   --threads N         threads for both programs (default: the number of cores)
#   --out DIR           results folder (default runs/bench/<date-time>)
#   --no-setup          do not run scripts/setup.sh (use the binary already built)
#   --quick             --pairs 1 --steps 3 --warmup 1 --decode-sentences 40: a smoke run of minutes
#   --distributed       also data-parallel training: 2 workers x 1 thread (train --nproc 2) against
#                       1 process x 2 threads and 1 process x 1 thread, --dist-steps real Multi30k
#                       steps each, alternating, --pairs times: tokens/s and scaling efficiency
#   --distributed-only  only that comparison
#   --dist-steps N      training steps per distributed-comparison run (default 40)
# Environment: REFERENCE_DIR (default ../shared/bench/pytorch_reference), BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PY=/usr/bin/python3

pairs=3 decode_pairs="" steps=20 warmup=3 models="rnn bahdanau transformer" modes="fixed corpus"
decode=1 variant=1 sentences=500 threads=$(nproc) out="" setup=1 distributed=0 reference=1 dist_steps=40
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs=$2; shift 2 ;;
    --decode-pairs) decode_pairs=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --no-decode) decode=0; shift ;;
    --no-variant) variant=0; shift ;;
    --decode-sentences) sentences=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-setup) setup=0; shift ;;
    --quick) pairs=1 steps=3 warmup=1 sentences=40 dist_steps=10; shift ;;
    --distributed) distributed=1; shift ;;
    --distributed-only) distributed=1 reference=0; shift ;;
    --dist-steps) dist_steps=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
decode_pairs=${decode_pairs:-$pairs}
for m in $models; do case $m in rnn|bahdanau|transformer) ;; *) echo "error: unknown model '$m'" >&2; exit 2 ;; esac; done
for m in $modes; do case $m in fixed|corpus) ;; *) echo "error: unknown mode '$m'" >&2; exit 2 ;; esac; done

REFERENCE_DIR=${REFERENCE_DIR:-$root/../shared/bench/pytorch_reference}
BUILD_DIR=${BUILD_DIR:-build}
[ -f "$REFERENCE_DIR/bench.py" ] || { echo "error: $REFERENCE_DIR/bench.py not found; set REFERENCE_DIR" >&2; exit 1; }

# Packages (python3-torch for the reference) and our build.
if [ "$setup" = 1 ]; then BUILD_DIR=$BUILD_DIR scripts/setup.sh; fi
bin=$root/$BUILD_DIR/apps/seq2seq
[ -x "$bin" ] || { echo "error: $bin not built (run scripts/setup.sh or drop --no-setup)" >&2; exit 1; }
"$PY" -c 'import torch' 2>/dev/null || { echo "error: $PY cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

# Data: both programs read the same files.
if [ -d "$root/../shared/data/multi30k" ]; then
  scripts/get_data.sh multi30k --from "$root/../shared/data/multi30k" >&2
else
  scripts/get_data.sh multi30k >&2
fi
data=$root/data/multi30k

out=${out:-runs/bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
echo "bench: results in $out" >&2

# run NAME CMD...: full output to NAME.log, the JSON last line of stdout to NAME.json.
run() {
  local name=$1; shift
  local t0=$SECONDS
  echo "== $(date +%T) $name" >&2
  if "$@" > "$out/$name.out" 2> "$out/$name.log"; then
    tail -n 1 "$out/$name.out" > "$out/$name.json"
    echo "   $((SECONDS - t0)) s" >&2
  else
    echo "   FAILED after $((SECONDS - t0)) s (see $out/$name.log)" >&2
  fi
}
ours() { "$bin" bench --config "configs/bench/$1.json" --data-dir "$data" --threads "$threads" --json "${@:2}"; }
ref() { "$PY" "$REFERENCE_DIR/bench.py" --model "$1" --data-dir "$data" --threads "$threads" "${@:2}"; }
ref_mode() { [ "$1" = corpus ] && echo multi30k || echo fixed; }
best_variant() {
  case $1 in
    rnn) echo "--decoder-proj hoisted" ;;
    bahdanau) echo "--decoder-proj hoisted --attn-impl precompute" ;;
  esac
}

cat > "$out/machine.json" <<EOF
{"cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/"/\\"/g')",
 "cores": $(nproc), "threads": $threads, "date": "$(date -u +%Y-%m-%dT%H:%MZ)",
 "steps": $steps, "warmup": $warmup, "pairs": $pairs, "decode_pairs": $decode_pairs, "decode_sentences": $sentences}
EOF

for m in $models; do
  [ "$reference" = 1 ] || break
  for mode in $modes; do
    for i in $(seq 1 "$pairs"); do
      # Our fixed-mode runs also measure the GEMM rate (after the timed steps) for "% of peak".
      gemm=--no-gemm; [ "$mode" = fixed ] && gemm=""
      run "${m}_${mode}_ours_$i" ours "$m" --mode "$mode" --steps "$steps" --warmup "$warmup" $gemm
      run "${m}_${mode}_ref_$i" ref "$m" --mode "$(ref_mode "$mode")" --steps "$steps" --warmup "$warmup"
      if [ "$variant" = 1 ] && [ "$mode" = fixed ] && [ -n "$(best_variant "$m")" ]; then
        # shellcheck disable=SC2046
        run "${m}_${mode}_refbest_$i" ref "$m" --mode fixed --steps "$steps" --warmup "$warmup" $(best_variant "$m")
      fi
    done
  done
  if [ "$decode" = 1 ]; then
    for i in $(seq 1 "$decode_pairs"); do
      run "${m}_decode_ours_$i" ours "$m" --steps 0 --decode --decode-sentences "$sentences" --no-gemm
      run "${m}_decode_ref_$i" ref "$m" --steps 0 --decode --decode-sentences "$sentences"
    done
  fi
done

[ "$reference" = 0 ] || "$PY" scripts/bench_table.py "$out" | tee "$out/table.md"

# Data-parallel training: the same global batches (train.batch_size sentences) trained by one
# process with 2 threads, by 2 workers with 1 thread each (c10d/Gloo on loopback), and by one
# process with 1 thread (the base of the scaling efficiency). tokens/s = target tokens / time
# inside training steps (the result line's tokens and train_s), so start-up is not counted.
if [ "$distributed" = 1 ]; then
  dist() {  # dist NAME MODEL THREADS NPROC
    local dir="$out/dist/$1"
    rm -rf "$dir"
    local nproc=(); [ "$4" -gt 1 ] && nproc=(--nproc "$4")
    run "dist_$1" "$bin" --threads "$3" train "${nproc[@]}" --config "configs/bench/$2.json" --run "$dir" \
      --max-steps "$dist_steps" --set train.valid_bleu_max=0 --set train.log_every=1000
  }
  mkdir -p "$out/dist"
  for m in $models; do
    for i in $(seq 1 "$pairs"); do
      dist "${m}_2x1_$i" "$m" 1 2
      dist "${m}_1x2_$i" "$m" 2 1
      dist "${m}_1x1_$i" "$m" 1 1
    done
  done
  "$PY" - "$out" "$models" <<'PY' | tee "$out/distributed.md"
import json, statistics, sys, glob, os
out, models = sys.argv[1], sys.argv[2].split()
def tps(name):
    values = []
    for path in sorted(glob.glob(os.path.join(out, f"dist_{name}_*.json"))):
        r = json.load(open(path))
        values.append(r["tokens"] / r["train_s"])
    return statistics.median(values) if values else float("nan"), len(values)
print("| model | 2 workers x 1 thread | 1 process x 2 threads | 1 process x 1 thread | 2x1 / 1x2 | scaling efficiency 2x1 / (2 * 1x1) |")
print("|---|---:|---:|---:|---:|---:|")
for m in models:
    (a, n), (b, _), (c, _) = tps(f"{m}_2x1"), tps(f"{m}_1x2"), tps(f"{m}_1x1")
    print(f"| {m} | {a:,.0f} tok/s | {b:,.0f} tok/s | {c:,.0f} tok/s | {a / b:.2f} | {a / (2 * c):.0%} |")
print(f"\nmedians of {n} runs each; target tokens per second inside training steps")
PY
fi
