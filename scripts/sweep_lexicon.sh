#!/usr/bin/env bash
# The lexicon sweep: the plain RNN and Bahdanau at several lexicon sizes of the synthetic corpus,
# at the main job's budget (configs/quick), to tell "has not learned the words" apart from "cannot
# hold a long sentence" (docs/results.md). Each size: a corpus of 4,000/500/1,000 pairs of 3-60
# words from `data synth --lemmas N` (640, every content lemma, is the whole lexicon), both models trained two at a time with one thread each, then the
# comparison, whose BLEU-by-length table is the sweep's row.
#   scripts/sweep_lexicon.sh [SIZE ...]     default: 60 150 640
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
bin="$BUILD_DIR/apps/seq2seq"
[ -x "$bin" ] || { echo "scripts/sweep_lexicon.sh: $bin not found; run scripts/setup.sh first" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(60 150 640)
for n in "${sizes[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] && [ "$n" -le 640 ] || { echo "scripts/sweep_lexicon.sh: size '$n': give a number of content lemmas, 8 to 640" >&2; exit 2; }
done
start=$(date +%s)
"$bin" doctor >&2
for n in "${sizes[@]}"; do
  data=data/synth-lex$n
  lemmas=(); [ "$n" = 640 ] || lemmas=(--lemmas "$n")
  [ -f "$data/train.de" ] || "$bin" data synth --out "$data" --train 4000 --valid 500 --test 1000 --min-words 3 \
    --max-words 60 --seed 1 "${lemmas[@]}" >&2
  sets=()
  for split in train valid test; do sets+=(--set "data.$split.src=$data/$split.de" --set "data.$split.tgt=$data/$split.en"); done
  echo "== lexicon $n ($data)"
  "$bin" compare --configs configs/quick/rnn.json configs/quick/bahdanau.json --train --jobs 2 "${sets[@]}" \
    --runs-dir "runs/sweep/lex$n" --out "runs/sweep/lex$n/compare"
done
echo "total time: $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s"
