#!/usr/bin/env bash
# The main job: RNN vs attention on long sentences, in one command.
#   scripts/run.sh            synthetic corpus (sentences up to 60 words), configs/quick/*, ~20 min on 2 cores
#   scripts/run.sh multi30k   Multi30k with the full configs/*.json (fetches the data first; hours on a CPU)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-synth}
start=$(date +%s)
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
bin="$BUILD_DIR/apps/seq2seq"
"$bin" doctor >&2

case "$corpus" in
  synth)
    if [ ! -f data/synth/train.de ]; then
      "$bin" data synth --out data/synth --train 12000 --valid 500 --test 1000 --min-words 3 --max-words 60 --seed 1 >&2
    fi
    configs=(configs/quick/rnn.json configs/quick/bahdanau.json configs/quick/transformer.json)
    runs_dir=runs/quick
    ;;
  multi30k)
    if [ -d ../shared/data/multi30k ]; then
      scripts/get_data.sh multi30k --from ../shared/data/multi30k >&2
    else
      scripts/get_data.sh multi30k >&2
    fi
    configs=(configs/rnn.json configs/bahdanau.json configs/transformer.json)
    runs_dir=runs/multi30k
    ;;
  *) echo "usage: scripts/run.sh [synth|multi30k]" >&2; exit 2 ;;
esac

# Trains each config (complete runs are skipped, interrupted ones resumed), evaluates on the
# test split, prints the comparison and writes the charts.
"$bin" compare --configs "${configs[@]}" --train --runs-dir "$runs_dir" --out "$runs_dir/compare"
echo
echo "charts: $runs_dir/compare/bleu_by_length.svg and $runs_dir/compare/valid_loss.svg (open them in a browser)"
echo "total time: $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s"
