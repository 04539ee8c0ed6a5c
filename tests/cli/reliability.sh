#!/usr/bin/env bash
# The run directory's guarantees through the binary: extending a complete run gives exactly the
# longer run (constant and inverse_sqrt schedules; linear and cosine plan again), identity overrides refused before anything is
# rewritten, every resume recorded, one trainer per run (lock, stale lock), checksums (a corrupt
# best.pt/model.pt/optimizer.pt refused by eval, translate and --resume; old runs unchecked), a
# failed write (ulimit -f) leaving the previous checkpoint intact, invalid UTF-8 refused by score
# and eval --src/--ref.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'jobs -p | xargs -r kill -9 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.1},
 "train": {"epochs": 1, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 4, "valid_every": 4},
 "decode": {"beam": 1}}
JSON

# What must agree between two runs: every metrics line without its timings.
losses() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    print(m["step"], m["epoch"], repr(m["train_loss"]), repr(m["valid_loss"]), repr(m["valid_bleu"]), repr(m["lr"]), m["best"])' "$1"; }

# 1. Extension: 1 epoch, then --resume --set train.epochs=2 == 2 epochs from the start.
for schedule in constant inverse_sqrt; do
  sched=(--set train.schedule=$schedule --set train.warmup_steps=3)
  s2s train --config tiny.json --run full_$schedule "${sched[@]}" --set train.epochs=2 > /dev/null 2>&1 \
    || fail "train 2 epochs ($schedule)"
  s2s train --config tiny.json --run ext_$schedule "${sched[@]}" > /dev/null 2>&1 || fail "train 1 epoch ($schedule)"
  s2s train --run ext_$schedule --resume --set train.epochs=2 > /dev/null 2> ext.err || fail "extend: $(tail -2 ext.err)"
  grep -q "extending the complete run" ext.err || fail "extension not announced: $(cat ext.err)"
  diff <(losses full_$schedule/metrics.jsonl) <(losses ext_$schedule/metrics.jsonl) \
    || fail "$schedule: extending 1 -> 2 epochs differs from 2 epochs trained at once"
  [ "$(wc -l < ext_$schedule/metrics.jsonl)" -ge 4 ] || fail "too few validations"
  python3 - ext_$schedule <<'PY' || fail "$schedule: state.json after the extension"
import json, sys
s = json.load(open(sys.argv[1] + "/state.json"))
assert s["complete"] and s["epoch"] == 2, s
assert len(s["resumes"]) == 1 and s["resumes"][0]["overrides"] == ["train.epochs=2"], s["resumes"]
assert set(s["checksums"]) == {"model.pt", "optimizer.pt", "best.pt", "config.json", "vocab.src.json",
                               "vocab.tgt.json"}, s["checksums"]
assert json.load(open(sys.argv[1] + "/config.json"))["train"]["epochs"] == 2
# The resume's new config.json is the one state.json records.
import hashlib
assert hashlib.sha256(open(sys.argv[1] + "/config.json", "rb").read()).hexdigest() == s["checksums"]["config.json"]
PY
done
run=ext_constant

# 1b. Schedules planned to the end of the budget (linear, cosine): the plan is in state.json and
# ends at the run's last step at train.min_lr; a run stopped by --max-steps and resumed gives the
# uninterrupted run's lines; extending a complete run plans again for the new budget, says so,
# and from there on uses the longer run's rates.
for schedule in linear cosine; do
  sched=(--set train.schedule=$schedule --set train.warmup_steps=3 --set train.min_lr=0.0005)
  s2s train --config tiny.json --run plan_full_$schedule "${sched[@]}" --set train.epochs=2 > /dev/null 2> plan.err \
    || fail "train ($schedule): $(tail -2 plan.err)"
  grep -q "learning rate: warmup to 0.005 over 3 steps, then $schedule decay to 0.0005 at step" plan.err \
    || fail "$schedule: no plan line: $(grep -i 'learning rate' plan.err)"
  s2s train --config tiny.json --run plan_cut_$schedule "${sched[@]}" --set train.epochs=2 --max-steps 5 > /dev/null 2>&1 \
    || fail "train --max-steps ($schedule)"
  s2s train --run plan_cut_$schedule --resume > /dev/null 2> cut.err || fail "resume ($schedule): $(tail -2 cut.err)"
  diff <(losses plan_full_$schedule/metrics.jsonl) <(losses plan_cut_$schedule/metrics.jsonl) \
    || fail "$schedule: stopped at step 5 and resumed differs from the uninterrupted run"
  s2s train --config tiny.json --run plan_ext_$schedule "${sched[@]}" > /dev/null 2>&1 || fail "train 1 epoch ($schedule)"
  s2s train --run plan_ext_$schedule --resume --set train.epochs=2 > /dev/null 2> ext.err || fail "extend: $(tail -2 ext.err)"
  grep -q "learning rate re-planned for 2 epochs: the $schedule decay now reaches 0.0005 at step" ext.err \
    || fail "$schedule: the extension does not say it re-planned: $(cat ext.err)"
  python3 - plan_full_$schedule plan_ext_$schedule <<'PY' || fail "$schedule: plans"
import json, sys
full, ext = sys.argv[1], sys.argv[2]
state = json.load(open(full + "/state.json"))
last = state["step"]
assert state["schedule"]["planned_steps"] == last, (state["schedule"], last)  # the plan ends at the run's end
assert json.load(open(ext + "/state.json"))["schedule"]["planned_steps"] == last
lines = {m["step"]: m for m in map(json.loads, open(full + "/metrics.jsonl"))}
# The rate logged with the last validation is the one for the step after the end: the floor.
assert abs(lines[last]["lr"] - 0.0005) < 1e-12, lines[last]["lr"]
# After the extension, the extended run's rates are the two-epoch run's.
ext_lines = [m for m in map(json.loads, open(ext + "/metrics.jsonl"))]
half = json.load(open(ext + "/state.json"))["resumes"][0]["step"]
later = [m for m in ext_lines if m["step"] > half]
assert later, "no validation after the extension"
for m in later:
    assert m["lr"] == lines[m["step"]]["lr"], (m["step"], m["lr"], lines[m["step"]]["lr"])
PY
done

# 2. Nothing to extend: exit 0, one line, nothing rewritten.
cp $run/config.json config.before; cp $run/state.json state.before
s2s train --run $run --resume > out.txt 2> err.txt || fail "resume of a complete run exits non-zero"
grep -q "already complete" err.txt || fail "no 'already complete': $(cat err.txt)"
cmp -s config.before $run/config.json && cmp -s state.before $run/state.json || fail "a no-op resume rewrote the run"

# 3. Overrides that make it another run: exit 2, one line naming the keys, nothing rewritten.
set +e
s2s train --run $run --resume --set train.epochs=3 --set model.hidden_dim=32 --set train.lr=0.1 \
  --set data.min_freq=2 > /dev/null 2> err.txt
rc=$?
set -e
[ $rc = 2 ] || fail "identity overrides: exit $rc, expected 2"
[ "$(grep -c . err.txt)" = 1 ] && grep -q '^error: ' err.txt || fail "identity overrides: not one line: $(cat err.txt)"
for key in model.hidden_dim train.lr data.min_freq; do grep -q "$key" err.txt || fail "refusal does not name $key: $(cat err.txt)"; done
grep -q "train.epochs" <(sed 's/only .*//' err.txt) && fail "train.epochs named as refused: $(cat err.txt)"
cmp -s config.before $run/config.json && cmp -s state.before $run/state.json || fail "a refused resume rewrote the run"

# 4. One trainer per run: a second one is refused at once with the holder's pid; a killed
# holder's lock does not block.
"$bin" --threads 1 train --config tiny.json --run locked --set train.epochs=100000 > /dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do [ "$(cat locked/.lock 2>/dev/null)" = "$holder" ] && break; sleep 0.1; done
[ "$(cat locked/.lock 2>/dev/null)" = "$holder" ] || fail "locked/.lock does not hold the trainer's pid"
set +e
timeout 20 "$bin" --threads 1 train --run locked --resume > /dev/null 2> err.txt; rc=$?
set -e
[ $rc = 1 ] || fail "second trainer: exit $rc, expected 1 ($(cat err.txt))"
grep -q "pid $holder" err.txt || fail "second trainer's error lacks the holder's pid: $(cat err.txt)"
[ "$(wc -l < err.txt)" = 1 ] || fail "lock refusal not one line: $(cat err.txt)"
kill -9 $holder; wait $holder 2>/dev/null || true
[ -f locked/state.json ] || sleep 2
s2s train --run locked --resume --max-steps 1 > /dev/null 2> err.txt || fail "stale lock blocks: $(cat err.txt)"

# 5. Checksums: a corrupt best.pt / model.pt / optimizer.pt is refused with one line, exit 1.
xor_middle() { python3 - "$1" <<'PY'
import sys
path = sys.argv[1]; data = bytearray(open(path, "rb").read()); mid = len(data) // 2 - 1000
for i in range(mid, mid + 2000): data[i] ^= 0x5A
open(path, "wb").write(bytes(data))
PY
}
refused() {  # refused FILE-PATTERN COMMAND...: exit 1 and one line naming the file
  local pattern=$1; shift
  set +e; "$@" > /dev/null 2> err.txt < /dev/null; local rc=$?; set -e
  [ $rc = 1 ] || fail "$* on a corrupt file: exit $rc, expected 1 ($(cat err.txt))"
  [ "$(grep -c '^error:' err.txt)" = 1 ] || fail "$*: not one error line: $(cat err.txt)"
  grep '^error:' err.txt | grep -q "$pattern: checksum mismatch" || fail "$*: error does not name $pattern: $(cat err.txt)"
}
cp -r $run corrupt
s2s eval --run corrupt --split test > /dev/null 2>&1 || fail "eval before corruption"
xor_middle corrupt/best.pt
refused "corrupt/best.pt" s2s eval --run corrupt --split test
refused "corrupt/best.pt" bash -c "echo 'Der Hund sieht den Mann.' | \"$bin\" --threads 1 translate --run corrupt"
s2s eval --run corrupt --split test --checkpoint last > /dev/null 2>&1 || fail "eval of the intact model.pt"
cp -r $run corrupt_last; xor_middle corrupt_last/model.pt
refused "corrupt_last/model.pt" s2s train --run corrupt_last --resume --set train.epochs=3
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["train"]["epochs"] == 2' corrupt_last/config.json \
  || fail "a refused resume rewrote config.json"
cp -r $run corrupt_opt; xor_middle corrupt_opt/optimizer.pt
refused "corrupt_opt/optimizer.pt" s2s train --run corrupt_opt --resume --set train.epochs=3

# A run written before checksums (no "checksums" in state.json) loads, unchecked, with an info line.
cp -r $run old
python3 -c '
import json, sys
p = sys.argv[1]; s = json.load(open(p)); del s["checksums"]; del s["resumes"]; json.dump(s, open(p, "w"))' old/state.json
s2s eval --run old --split test > /dev/null 2> err.txt || fail "old run does not load: $(cat err.txt)"
grep -q "no checksum recorded" err.txt || fail "old run: no 'unchecked' line: $(cat err.txt)"
s2s train --run old --resume --set train.epochs=3 > /dev/null 2>&1 || fail "old run does not resume"

# 6. A failed write (file size limit) keeps the previous checkpoint intact and says so.
cp -r $run full_disk
model_kb=$(( $(stat -c %s full_disk/model.pt) / 1024 ))
state_kb=$(( $(stat -c %s full_disk/state.json) / 1024 + 4 ))
[ $state_kb -lt $model_kb ] || fail "test setup: model.pt ($model_kb KB) not larger than state.json ($state_kb KB)"
set +e
(ulimit -f $state_kb; exec "$bin" --threads 1 train --run full_disk --resume --set train.epochs=3) > /dev/null 2> err.txt
rc=$?
set -e
[ $rc = 1 ] || fail "write past ulimit -f: exit $rc, expected 1 ($(cat err.txt))"
[ "$(grep -c '^error:' err.txt)" = 1 ] || fail "failed write: not one error line: $(cat err.txt)"
grep -q "previous checkpoint (step [0-9]*) is intact" err.txt || fail "failed write does not say the checkpoint is intact: $(cat err.txt)"
ls full_disk | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls full_disk)"
s2s eval --run full_disk --split test --checkpoint last > /dev/null 2>&1 || fail "model.pt unloadable after a failed write"
s2s train --run full_disk --resume --set train.epochs=3 > /dev/null 2>&1 || fail "resume after a failed write"
s2s train --run ext_constant_3 --config tiny.json --set train.epochs=3 --set train.warmup_steps=3 > /dev/null 2>&1
diff <(losses ext_constant_3/metrics.jsonl) <(losses full_disk/metrics.jsonl) \
  || fail "after the failed write the run differs from one trained at once"

# 7. Invalid UTF-8: score and eval --src/--ref refuse it with file and line, as the corpus readers.
printf 'The dog sees the man.\n' > ref.txt; printf 'The dog \xff sees.\n' > bad.txt
printf 'x\nDer Hund\xc3\n' > bad.de; printf 'x\ny\n' > ok.en
set +e; s2s score --hyp bad.txt --ref ref.txt > /dev/null 2> err.txt; rc=$?; set -e
[ $rc = 1 ] && grep -q "bad.txt:1: invalid UTF-8 at byte 9" err.txt || fail "score on invalid UTF-8: exit $rc: $(cat err.txt)"
set +e; s2s score --hyp ref.txt --ref bad.txt > /dev/null 2> err.txt; rc=$?; set -e
[ $rc = 1 ] && grep -q "bad.txt:1: invalid UTF-8" err.txt || fail "score --ref on invalid UTF-8: exit $rc: $(cat err.txt)"
set +e; s2s eval --run $run --src bad.de --ref ok.en > /dev/null 2> err.txt; rc=$?; set -e
[ $rc = 1 ] && grep -q "bad.de:2: invalid UTF-8 at byte 9" err.txt || fail "eval --src on invalid UTF-8: exit $rc: $(cat err.txt)"
echo "reliability: ok"
