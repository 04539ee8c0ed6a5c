#!/usr/bin/env bash
# The main job: RNN vs attention on long sentences, in one command.
#   scripts/run.sh            synthetic corpus (4,000 training pairs of 3-60 words, 60 content lemmas), configs/quick/*
#   scripts/run.sh multi30k   Multi30k with configs/hour/* (an hour of training per model on 2 cores; bf16 where the CPU has it; fetches the data first)
#   --seeds N                 train each config N times (runs NAME.s1 ... NAME.sN), report mean ± sd
#   --jobs N                  runs trained at once, one thread each on 2 cores (default: 2 for synth, 1 for multi30k)
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: scripts/run.sh [synth|multi30k] [--seeds N] [--jobs N]" >&2; exit 2; }
corpus=synth
seeds=()
jobs=
while [ $# -gt 0 ]; do
  case "$1" in
    synth|multi30k) corpus=$1 ;;
    --seeds)
      [ $# -ge 2 ] || usage
      [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "scripts/run.sh: --seeds $2: give a whole number of at least 1" >&2; exit 2; }
      seeds=(--seeds "$2"); shift ;;
    --seeds=*)
      n=${1#--seeds=}
      [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "scripts/run.sh: --seeds $n: give a whole number of at least 1" >&2; exit 2; }
      seeds=(--seeds "$n") ;;
    --jobs)
      [ $# -ge 2 ] || usage
      [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "scripts/run.sh: --jobs $2: give a whole number of at least 1" >&2; exit 2; }
      jobs=$2; shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) usage ;;
  esac
  shift
done
start=$(date +%s)
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
bin="$BUILD_DIR/apps/seq2seq"
"$bin" doctor >&2

case "$corpus" in
  synth)
    # 4,000 training pairs: every model trains until early stopping on validation BLEU in under
    # 20 minutes for one seed (README, Results). data/synth (12,000 pairs) is the ablation's corpus.
    # 60 of the lexicon's 640 content lemmas: each then occurs about 800 times in training, so
    # that the plain RNN learns the words and what is left is length (scripts/sweep_lexicon.sh).
    if [ ! -f data/synth-lex60/train.de ]; then
      "$bin" data synth --out data/synth-lex60 --train 4000 --valid 500 --test 1000 --min-words 3 --max-words 60 \
        --seed 1 --lemmas 60 >&2
    fi
    configs=(configs/quick/rnn.json configs/quick/bahdanau.json configs/quick/transformer.json)
    # Two runs at a time with one thread each get ~20% more work out of 2 cores than one run
    # with two threads (README, Results).
    jobs=${jobs:-2}
    runs_dir=runs/quick
    ;;
  multi30k)
    if [ -d ../shared/data/multi30k ]; then
      scripts/get_data.sh multi30k --from ../shared/data/multi30k >&2
    else
      scripts/get_data.sh multi30k >&2
    fi
    # Epochs that filled an hour on a 2-vCPU CPU with native bfloat16 (docs/results.md): the
    # Transformer alone with 2 threads, bahdanau and rnn two at a time with one thread each; the
    # older fp32 configs are configs/{rnn_bidir,bahdanau,transformer_spm}.json.
    configs=(configs/hour/rnn.json configs/hour/bahdanau.json configs/hour/transformer.json)
    jobs=${jobs:-1}
    runs_dir=runs/hour
    ;;
esac

# Trains each config (complete runs are skipped, interrupted ones resumed), evaluates on the
# test split, prints the comparison and writes the charts. With seeds the runs and the
# comparison go elsewhere, so that one-seed and N-seed results stay apart.
out="$runs_dir/compare"
[ ${#seeds[@]} -eq 0 ] || out="$runs_dir/compare-seeds${seeds[1]}"
"$bin" compare --configs "${configs[@]}" --train --jobs "$jobs" ${seeds[@]+"${seeds[@]}"} --runs-dir "$runs_dir" --out "$out"

# Multi30k has no test sentence over 30 words. Joining K = 1..4 consecutive test sentences into one
# line gives sources of up to about 60 words; every model was trained on sentences of at most
# about 30, so this measures the plain RNN's bottleneck together with how each model carries
# over to lengths it never saw (docs/results.md).
if [ "$corpus" = multi30k ]; then
  test_src=data/multi30k/test_2016_flickr.de.gz; test_tgt=data/multi30k/test_2016_flickr.en.gz
  long=data/multi30k/joined
  mkdir -p "$long"
  : > "$long/all.de"; : > "$long/all.en"
  for k in 1 2 3 4; do
    "$bin" data concat --src "$test_src" --tgt "$test_tgt" --join $k --out "$long/k$k" --force >&2
    cat "$long/k$k"/*.join$k.de >> "$long/all.de"; cat "$long/k$k"/*.join$k.en >> "$long/all.en"
  done
  for config in "${configs[@]}"; do
    name=$(basename "$config" .json)
    for run in "$runs_dir/$name" "$runs_dir/$name".s*; do
      [ -d "$run" ] || continue
      echo
      echo "== $run on test2016 joined 1-4 sentences per line (BLEU by source length):"
      "$bin" eval --run "$run" --src "$long/all.de" --ref "$long/all.en" --out joined
    done
  done
fi

echo
echo "charts: $out/bleu_by_length.svg, $out/position_accuracy.svg and $out/valid_loss.svg (open them in a browser)"
echo "total time: $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s"
