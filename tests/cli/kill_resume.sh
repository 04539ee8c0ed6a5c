#!/usr/bin/env bash
# Kill anywhere: SIGKILL a tiny training at 10 moments (seeded, so reproducible) spread over
# steps, epoch ends, validations and checkpoint writes, resuming each time; the run must end
# with exactly the metrics of an uninterrupted one and a best.pt that eval loads.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'jobs -p | xargs -r kill -9 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
# Six steps an epoch, a validation (and checkpoint) every 4 steps and at every epoch end.
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "bahdanau", "emb_dim": 32, "hidden_dim": 32, "dropout": 0.1},
 "train": {"epochs": 40, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8, "valid_every": 4,
           "schedule": "inverse_sqrt", "warmup_steps": 10},
 "decode": {"beam": 1}}
JSON
losses() { python3 "$root/tests/cli/metrics_lines.py" "$1"; }

start=$(date +%s.%N)
"$bin" --threads 1 train --config tiny.json --run whole > /dev/null 2>&1 || fail "uninterrupted run"
whole_s=$(python3 -c "import time; print(round(time.time() - $start, 2))")

# Start-up (loading LibTorch, the config, the state) measured on the complete run, which exits
# at once; the rest of the uninterrupted run is training.
start=$(date +%s.%N)
"$bin" --threads 1 train --run whole --resume > /dev/null 2>&1 || fail "resume of a complete run"
startup_s=$(python3 -c "import time; print(round(time.time() - $start, 2))")
# Ten delays from a fixed seed: 0.8 of the start-up plus up to 12% of the training each, so that
# the kills land in start-up, steps, epoch ends, validations and checkpoint writes, and the ten
# together cover about three quarters of the run.
mapfile -t delays < <(python3 -c "
import random; r = random.Random(15); s = $startup_s; t = max($whole_s - s, 1.0)
print('\n'.join(f'{0.8 * s + r.uniform(0, 0.12) * t:.3f}' for _ in range(10)))")
kills=0
steps=()
for delay in "${delays[@]}"; do
  if [ -f killed/config.json ]; then args=(train --run killed --resume); else args=(train --config tiny.json --run killed); fi
  "$bin" --threads 1 "${args[@]}" > /dev/null 2>> train.err &
  pid=$!
  sleep "$delay"
  if kill -9 $pid 2>/dev/null; then kills=$((kills + 1)); fi
  wait $pid 2>/dev/null || true
  steps+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' killed/state.json 2>/dev/null || echo -)")
done
"$bin" --threads 1 train --run killed --resume > /dev/null 2>> train.err || fail "final resume: $(tail -3 train.err)"
[ "$(printf '%s\n' "${steps[@]}" | sort -u | wc -l)" -ge 5 ] || fail "the kills did not spread over the run: steps ${steps[*]}"
[ $kills -ge 8 ] || fail "only $kills of 10 kills landed before the run ended (uninterrupted: ${whole_s}s)"
grep -q "^error" train.err && fail "a resume failed: $(grep '^error' train.err | head -3)"

diff <(losses whole/metrics.jsonl) <(losses killed/metrics.jsonl) > diff.txt \
  || fail "killed and resumed run differs from the uninterrupted one: $(head -5 diff.txt)"
python3 - <<'PY' || fail "final validation loss or state differs"
import json
last = lambda p: [json.loads(l) for l in open(p)][-1]
a, b = last("whole/metrics.jsonl"), last("killed/metrics.jsonl")
assert a["valid_loss"] == b["valid_loss"], (a["valid_loss"], b["valid_loss"])
sa, sb = json.load(open("whole/state.json")), json.load(open("killed/state.json"))
assert sb["complete"] and sa["step"] == sb["step"], (sa["step"], sb["step"])
# The weights are byte-identical (optimizer.pt is not, even between two uninterrupted runs:
# LibTorch's optimizer archive is not byte-deterministic).
for name in ("model.pt", "best.pt"):
    assert sa["checksums"][name] == sb["checksums"][name], name + ": the final weights differ"
PY
"$bin" --threads 1 eval --run killed --split test > /dev/null 2> eval.err || fail "eval of the killed run: $(tail -2 eval.err)"
ls killed | grep -qE '\.next$|\.tmp\.' && fail "leftover staged or temporary files: $(ls killed)"
echo "kill_resume: $kills kills, uninterrupted ${whole_s}s (start-up ${startup_s}s), delays ${delays[*]}, checkpoint step after each kill ${steps[*]}: ok"
