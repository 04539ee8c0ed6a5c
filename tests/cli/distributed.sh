#!/usr/bin/env bash
# Data-parallel training through the binary, on loopback (127.0.0.1), 2 workers x 1 thread:
#  - the run directory is complete, and eval and translate use it like any other;
#  - stopped by --max-steps, or by Ctrl-C on the launcher, then resumed: the same metrics and the
#    same weights as the uninterrupted run;
#  - a resume with another number of workers is refused, naming the right one;
#  - SIGKILL to one worker ends the job within 30 s with that rank named, and the last checkpoint
#    resumes; the workers get their job as data, not as a command line.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'jobs -p | xargs -r kill -9 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}: 48 training pairs
if ! "$bin" doctor --no-gemm --json | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["distributed"]["available"] else 1)'; then
  # A build without c10d/Gloo: --nproc must say why, and nothing else is testable.
  echo '{"data": {"train": {"src": "train.de", "tgt": "train.en"}}, "model": {"type": "rnn"}}' > x.json
  set +e; "$bin" train --nproc 2 --config x.json --run x > out.txt 2> err.txt; code=$?; set -e
  [ "$code" = 2 ] && grep -q "not available in this build" err.txt || fail "--nproc without c10d: $(cat err.txt)"
  echo "SKIP: this build has no distributed training ($(cat err.txt))"
  exit 0
fi

# 6 steps an epoch, dropout on (so the workers' random draws matter), a validation every epoch.
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "bahdanau", "emb_dim": 32, "hidden_dim": 32, "dropout": 0.1},
 "train": {"epochs": 60, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8},
 "decode": {"beam": 1}}
JSON
metrics() { python3 "$root/tests/cli/metrics_lines.py" "$1"; }
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
weights() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["checksums"]["model.pt"])' "$1/state.json"; }
train2() { "$bin" --threads 1 train --nproc 2 "$@"; }

# 1. A complete 2-worker run: one result line, the run directory, eval and translate.
train2 --config tiny.json --run whole > whole.out 2> whole.err || fail "2-worker run: $(tail -3 whole.err)"
[ "$(wc -l < whole.out)" = 1 ] || fail "expected one result line, got: $(cat whole.out)"
python3 -c 'import json, sys; r = json.load(open("whole.out")); sys.exit(0 if r["workers"] == 2 and r["stop_reason"] == "epochs" and r["steps"] == 360 else 1)' \
  || fail "result line: $(cat whole.out)"
for f in config.json vocab.src.json vocab.tgt.json model.pt optimizer.pt best.pt state.json metrics.jsonl train.log; do
  [ -s "whole/$f" ] || fail "whole/$f missing"
done
[ "$(field whole/state.json world_size)" = 2 ] || fail "state.json world_size"
[ "$(wc -l < whole/metrics.jsonl)" = 60 ] || fail "metrics.jsonl: $(wc -l < whole/metrics.jsonl) lines"
grep -q "data parallel: 2 workers" whole/train.log || fail "train.log does not record the job"
"$bin" --threads 1 eval --run whole --split test > eval.json 2> eval.err || fail "eval: $(tail -2 eval.err)"
grep -q "^BLEU " eval.json && [ -s whole/eval/test.json ] || fail "eval output: $(head -c 300 eval.json)"
printf 'Der hund sieht den mann.\nDie katze mag den vogel.\n' | "$bin" --threads 1 translate --run whole > tr.txt 2> tr.err \
  || fail "translate: $(tail -2 tr.err)"
[ "$(wc -l < tr.txt)" = 2 ] && [ -n "$(head -1 tr.txt)" ] || fail "translate output: $(cat tr.txt)"

# 2. Stopped by --max-steps inside an epoch, then resumed: the uninterrupted run exactly.
train2 --config tiny.json --run part --max-steps 40 > part.out 2> part.err || fail "--max-steps: $(tail -3 part.err)"
[ "$(field part.out stop_reason)" = max_steps ] || fail "stop reason: $(cat part.out)"
train2 --run part --resume > resume.out 2> resume.err || fail "resume: $(tail -3 resume.err)"
diff <(metrics whole/metrics.jsonl) <(metrics part/metrics.jsonl) > /dev/null || fail "stopped+resumed metrics differ from the uninterrupted run"
[ "$(weights whole)" = "$(weights part)" ] || fail "stopped+resumed weights differ from the uninterrupted run"

# 3. Another number of workers is refused, naming the one to use.
set +e; "$bin" --threads 1 train --run whole --resume > /dev/null 2> one.err; code=$?; set -e
[ "$code" = 2 ] && grep -q -- "--nproc 2" one.err || fail "1-process resume of a 2-worker run: code $code, $(cat one.err)"
set +e; "$bin" --threads 1 train --nproc 3 --run whole --resume > /dev/null 2> three.err; code=$?; set -e
[ "$code" = 2 ] && grep -q -- "--nproc 2" three.err || fail "3-worker resume of a 2-worker run: code $code, $(cat three.err)"
set +e; WORLD_SIZE=2 RANK=0 "$bin" train --nproc 2 --config tiny.json --run nested > /dev/null 2> nested.err; code=$?; set -e
[ "$code" = 2 ] && grep -q "cannot be given to a worker" nested.err || fail "--nproc inside a worker: $(cat nested.err)"

# 4. Ctrl-C on the launcher: every worker stops after the same step, rank 0 writes a checkpoint,
#    exit 130; resuming gives the uninterrupted run.
wait_lines() {  # wait_lines FILE N: until FILE has N lines (at most 60 s)
  for _ in $(seq 600); do
    [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "$1 never reached $2 lines"
}
"$bin" --threads 1 train --nproc 2 --config tiny.json --run int > int.out 2> int.err &  # not through train2: $! must be the launcher
pid=$!
wait_lines int/metrics.jsonl 3
kill -INT "$pid"
set +e; wait "$pid"; code=$?; set -e
[ "$code" = 130 ] || fail "Ctrl-C: exit $code, $(tail -3 int.err)"
grep -q "interrupted (SIGINT): asking every worker" int.err || fail "the launcher did not pass Ctrl-C on: $(tail -3 int.err)"
steps=$(field int/state.json step)
[ "$steps" -gt 0 ] && [ "$steps" -lt 360 ] || fail "interrupted at step $steps"
train2 --run int --resume > /dev/null 2> int2.err || fail "resume after Ctrl-C: $(tail -3 int2.err)"
diff <(metrics whole/metrics.jsonl) <(metrics int/metrics.jsonl) > /dev/null || fail "Ctrl-C+resumed metrics differ from the uninterrupted run"
[ "$(weights whole)" = "$(weights int)" ] || fail "Ctrl-C+resumed weights differ from the uninterrupted run"

# 5. SIGKILL one worker: the job ends within 30 s, naming rank 1; the checkpoint resumes.
"$bin" --threads 1 train --nproc 2 --config tiny.json --run killed --set train.epochs=2000 > killed.out 2> killed.err &
pid=$!
wait_lines killed/metrics.jsonl 2
worker=$(sed -n 's/.*worker rank 1: pid \([0-9]*\).*/\1/p' killed.err | head -1)
[ -n "$worker" ] || fail "the launcher did not log rank 1's pid: $(head -5 killed.err)"
# The worker got its job as data (SEQ2SEQ_CHILD_JOB), not the launcher's command line.
tr '\0' ' ' < "/proc/$worker/cmdline" | grep -q -- "--config\|--nproc" && fail "worker command line: $(tr '\0' ' ' < "/proc/$worker/cmdline")"
tr '\0' '\n' < "/proc/$worker/environ" | grep -q '^SEQ2SEQ_CHILD_JOB=' || fail "worker environment lacks its job"
start=$(date +%s.%N)
kill -9 "$worker"
set +e; wait "$pid"; code=$?; set -e
took=$(python3 -c "import time; print(round(time.time() - $start, 1))")
[ "$code" != 0 ] || fail "the launcher exited 0 after a worker was killed"
python3 -c "import sys; sys.exit(0 if $took < 30 else 1)" || fail "the job took $took s to end after the kill"
grep -q "worker rank 1 (pid $worker) was killed by signal 9 (SIGKILL)" killed.err || fail "rank 1 not named: $(tail -4 killed.err)"
echo "killed worker: the job ended in $took s with exit $code"
step=$(field killed/state.json step)
train2 --run killed --resume --max-steps $((step + 6)) > killed2.out 2> killed2.err || fail "resume after the kill: $(tail -3 killed2.err)"
[ "$(field killed2.out steps)" = $((step + 6)) ] || fail "resumed run: $(cat killed2.out)"
echo "OK distributed"
