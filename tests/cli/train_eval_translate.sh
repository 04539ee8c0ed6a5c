#!/usr/bin/env bash
# End to end through the binary: train, eval, translate (pipe and terminal), compare, SIGINT + resume.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

# A tiny corpus: "der hund sieht die katze ." -> "the dog sees the cat ."
python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.0},
 "train": {"epochs": 4, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8},
 "decode": {"beam": 3}}
JSON

"$bin" train --config tiny.json --run runs/att --device cpu > train.out 2> train.err || fail "train: $(tail -3 train.err)"
for f in config.json vocab.src.json vocab.tgt.json model.pt best.pt optimizer.pt state.json metrics.jsonl train.log; do
  [ -f runs/att/$f ] || fail "run directory lacks $f"
done
"$bin" train --config tiny.json --run runs/plain --set model.type=rnn --device cpu > /dev/null 2>&1 || fail "train rnn"

# eval: summary with the band table; files written; one hypothesis per source line.
"$bin" eval --run runs/att --split test > eval.out 2> eval.err || fail "eval: $(tail -3 eval.err)"
grep -q "^BLEU" eval.out || fail "eval summary lacks BLEU: $(cat eval.out)"
grep -q "chrF2" eval.out || fail "eval summary lacks chrF"
grep -q "1-10" eval.out || fail "eval summary lacks the length bands"
grep -q "^Teacher-forced, by source length" eval.out || fail "eval summary lacks the teacher-forced table: $(cat eval.out)"
grep -q "^Teacher-forced accuracy % by relative target position" eval.out || fail "eval summary lacks the position table"
# The teacher-forced statistics: every pair's tokens once in the bands and once in the position
# bins, and the mean cross-entropy is the reported loss (the same teacher-forced pass).
python3 - runs/att/eval/test.json <<'PY' || fail "teacher_forced in eval/test.json"
import json, math, sys
r = json.load(open(sys.argv[1])); tf = r["teacher_forced"]
assert tf["sentences"] == 12 and tf["tokens"] > 12, tf
assert sum(b["tokens"] for b in tf["bands"]) == tf["tokens"], tf["bands"]
assert len(tf["position_tokens"]["all"]) == 10 and sum(tf["position_tokens"]["all"]) == tf["tokens"], tf
assert abs(tf["cross_entropy"] - r["loss"]) < 1e-5, (tf["cross_entropy"], r["loss"])
assert 0 <= tf["accuracy"] <= 1 and tf["position_accuracy"]["bands"]["1-10"][0] is not None, tf
PY
[ "$(wc -l < runs/att/eval/test.hyp)" = 12 ] || fail "test.hyp line count"
"$bin" eval --run runs/att --src test.de --ref test.en --json --beam 1 | python3 -c '
import json,sys; r=json.load(sys.stdin); assert r["sentences"]==12 and 0<=r["bleu"]["score"]<=100 and r["bands"], r'

# translate through a pipe: one output line per input line, empty line -> empty line.
printf 'Der Hund sieht den Mann.\n\nDie Katze mag den Vogel.\nDer Zauberer ruft den Hund.\n' \
  | "$bin" translate --run runs/att --beam 2 > tr.out 2> tr.err || fail "translate: $(tail -3 tr.err)"
[ "$(wc -l < tr.out)" = 4 ] || fail "translate gave $(wc -l < tr.out) lines for 4: $(cat tr.out)"
[ -z "$(sed -n 2p tr.out)" ] || fail "empty input line did not give an empty output line"
grep -q "zauberer" tr.err || fail "unknown word was not reported: $(cat tr.err)"
printf 'Der Hund sieht den Mann.\n' | "$bin" translate --run runs/att --show-attention --attention-svg att.svg > /dev/null 2> att.err
grep -q "<svg" att.svg || fail "no SVG heatmap written"
printf 'Der Hund sieht den Mann.\n' | "$bin" translate --run runs/plain --show-attention > /dev/null 2> plain.err
grep -q "has no attention" plain.err || fail "rnn --show-attention did not say it has no attention"
printf 'Der Hund sieht den Mann.\n' | "$bin" translate --run runs/att --nbest 2 | grep -c ' ||| ' | grep -q '^2$' \
  || fail "--nbest 2 did not print two hypotheses"

# translate at a terminal: a prompt, an answer per line, :quit ends it.
python3 - "$bin" <<'PY' || fail "interactive translate under a pseudo-terminal"
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "--log-level", "error", "translate", "--run", "runs/att"])
def read_until(marker, timeout=60):
    buf = b""; end = time.time() + timeout
    while marker not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try: buf += os.read(fd, 4096)
            except OSError: break
    return buf
assert b"de> " in read_until(b"de> "), "no prompt"
os.write(fd, "Der Hund sieht den Mann.\n".encode())
out = read_until(b"de> ")
assert b"en> " in out and out.count(b"de> ") == 1, out
os.write(fd, b":quit\n")
_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
PY

# compare: every format, the config diff, the charts.
"$bin" compare runs/att runs/plain > cmp.txt 2> cmp.err || fail "compare: $(tail -3 cmp.err)"
grep -q "BLEU by source length" cmp.txt || fail "compare table lacks the band table"
[ -f runs/plain/eval/test.json ] || fail "compare did not evaluate the run without eval results"
grep -q "^  model.type: att=\"bahdanau\" | plain=\"rnn\"" cmp.txt || fail "config diff: $(cat cmp.txt)"
[ "$(sed -n '/^Config differences/,$p' cmp.txt | grep -c '^  ')" = 1 ] || fail "config diff lists other keys"
"$bin" compare runs/att runs/plain --format markdown | grep -q '^| run' || fail "markdown"
"$bin" compare runs/att runs/plain --format csv | head -1 | grep -q '^run,model,' || fail "csv"
"$bin" compare runs/att runs/plain --format json --out cmpout | python3 -c '
import json,sys; d=json.load(sys.stdin); assert len(d["runs"])==2 and list(d["config_differences"])==["model.type"], d'
for f in compare.json compare.md bleu_by_length.svg valid_loss.svg position_accuracy.svg; do
  [ -s cmpout/$f ] || fail "compare --out lacks $f"
done
grep -q "short sources (1-10 words)" cmpout/position_accuracy.svg || fail "position chart lacks its short panel"
grep -q "long sources" cmpout/position_accuracy.svg || fail "position chart lacks its long panel"
# Eval results written before eval had teacher-forced statistics: compare shows "-" for them.
python3 -c 'import json,sys; p=sys.argv[1]; r=json.load(open(p)); del r["teacher_forced"]; json.dump(r, open(p,"w"))' \
  runs/plain/eval/test.json
"$bin" compare runs/att runs/plain --out cmpold > cmpold.txt 2> cmpold.err || fail "compare with older results: $(tail -3 cmpold.err)"
grep -A3 "^Teacher-forced cross-entropy" cmpold.txt | grep -q "^1-10 .* - " || fail "older results not shown as -: $(cat cmpold.txt)"
grep -q "plain (rnn)" cmpold/position_accuracy.svg || fail "position chart lacks the run without statistics in its legend"
set +e
"$bin" compare runs/att "$tmp" 2> notrun.err; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "not a run directory" notrun.err || fail "non-run directory: rc=$rc $(cat notrun.err)"
"$bin" compare --configs tiny.json "$root/configs/transformer.json" | grep -q "^model.type: tiny=\"bahdanau\" | transformer=\"transformer\"" \
  || fail "compare --configs"

# SIGINT: finish the step, checkpoint, exit 130; --resume completes the run.
"$bin" train --config tiny.json --run runs/sig --set train.epochs=2000 --device cpu > sig.out 2> sig.err &
pid=$!
for _ in $(seq 100); do [ -f runs/sig/state.json ] && break; sleep 0.2; done
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" = 130 ] || fail "SIGINT exit code $rc: $(tail -3 sig.err)"
grep -q -- "--resume" sig.err || fail "no resume hint after SIGINT"
python3 -c 'import json; s=json.load(open("runs/sig/state.json")); assert s["stop_reason"]=="" or not s["complete"], s'
"$bin" train --run runs/sig --resume --set train.epochs=2 --device cpu > /dev/null 2> resume.err || fail "resume: $(tail -3 resume.err)"
echo ok
