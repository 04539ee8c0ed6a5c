#!/usr/bin/env bash
# SIGTERM, what SLURM, systemd and Kubernetes send before SIGKILL, saves like Ctrl-C: the step
# finishes, a checkpoint is written at that step, the exit code is 143, and --resume continues.
# For a one-process run, for `train --nproc 2` (the launcher passes it on to every worker), and
# for `compare --configs ... --train`, in this process and side by side (--jobs 2).
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'jobs -p | xargs -r kill -9 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}: 48 training pairs
# Many epochs and no validation before the end: the only checkpoint a stop can leave is its own.
cat > long.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "rnn", "emb_dim": 16, "hidden_dim": 16},
 "train": {"epochs": 100000, "batch_size": 8, "lr": 0.005, "valid_every": 1000000000},
 "decode": {"beam": 1}}
JSON
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# Waits (at most 60 s) until FILE mentions PATTERN.
wait_for() {
  for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  fail "$1 never showed '$2': $(tail -3 "$1")"
}
# The stop wrote a checkpoint at the step it stopped: the result line's step is state.json's.
saved_at_stop() {  # saved_at_stop RUN RESULT_FILE
  [ -f "$1/state.json" ] || fail "$1: no checkpoint after SIGTERM"
  local steps; steps=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["steps"])' "$2")
  [ "$steps" -gt 0 ] && [ "$steps" = "$(field "$1/state.json" step)" ] \
    || fail "$1: stopped at step $steps, checkpoint at step $(field "$1/state.json" step)"
  grep -q '"stop_reason":"interrupted"' "$2" || fail "$1: result line $(cat "$2")"
}

# 1. One process.
"$bin" --threads 1 train --config long.json --run one > one.out 2> one.err &
pid=$!
wait_for one.err "epoch 2/"
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" = 143 ] || fail "one process: SIGTERM exit code $rc: $(tail -3 one.err)"
saved_at_stop one one.out
grep -q -- "--resume" one.err || fail "no resume hint after SIGTERM: $(tail -3 one.err)"
step=$(field one/state.json step)
"$bin" --threads 1 train --run one --resume --max-steps $((step + 3)) > one2.out 2> one2.err \
  || fail "resume after SIGTERM: $(tail -3 one2.err)"
[ "$(field one/state.json step)" = $((step + 3)) ] || fail "resumed to step $(field one/state.json step), not $((step + 3))"
echo "one process: SIGTERM at step $step, exit 143, resumed"

# 2. Data-parallel workers: the launcher passes SIGTERM on; rank 0 checkpoints; exit 143.
if "$bin" doctor --no-gemm --json | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["distributed"]["available"] else 1)'; then
  "$bin" --threads 1 train --nproc 2 --config long.json --run two > two.out 2> two.err &
  pid=$!
  wait_for two.err "epoch 2/"
  kill -TERM $pid
  set +e; wait $pid; rc=$?; set -e
  [ "$rc" = 143 ] || fail "--nproc 2: SIGTERM exit code $rc: $(tail -3 two.err)"
  grep -q "terminated (SIGTERM): asking every worker" two.err || fail "the launcher did not pass SIGTERM on: $(tail -3 two.err)"
  saved_at_stop two two.out
  echo "--nproc 2: SIGTERM at step $(field two/state.json step), exit 143"
else
  echo "SKIP --nproc 2: this build has no distributed training"
fi

# 3. compare --train, in this process and side by side: each run checkpointed, exit 143, and
#    running the command again resumes.
cp long.json a.json; cp long.json b.json
sed -i 's/"emb_dim": 16/"emb_dim": 8/' b.json
for jobs in 1 2; do
  rm -rf runs
  "$bin" --threads 2 compare --configs a.json b.json --train --jobs $jobs > cmp.out 2> cmp.err &
  pid=$!
  if [ $jobs = 1 ]; then wait_for cmp.err "epoch 2/"; else for _ in $(seq 600); do
    grep -q "epoch 2/" runs/a.log 2>/dev/null && grep -q "epoch 2/" runs/b.log 2>/dev/null && break; sleep 0.1; done; fi
  kill -TERM $pid
  set +e; wait $pid; rc=$?; set -e
  [ "$rc" = 143 ] || fail "compare --jobs $jobs: SIGTERM exit code $rc: $(tail -3 cmp.err)"
  grep -q "interrupted and checkpointed" cmp.err || fail "compare --jobs $jobs: no resume note: $(tail -3 cmp.err)"
  [ -f runs/a/state.json ] || fail "compare --jobs $jobs: runs/a has no checkpoint"
  [ "$(field runs/a/state.json step)" -gt 0 ] || fail "compare --jobs $jobs: runs/a checkpointed at step 0"
  if [ $jobs = 2 ]; then [ -f runs/b/state.json ] || fail "compare --jobs 2: runs/b has no checkpoint"; fi
  echo "compare --jobs $jobs: SIGTERM, exit 143, runs/a at step $(field runs/a/state.json step)"
done
echo "OK sigterm"
