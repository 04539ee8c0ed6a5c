#!/usr/bin/env bash
# compare through the binary: --seeds (NAME.s1, NAME.s2 with their own train.seed), mean ± sd,
# paired bootstrap p-values in the table, the JSON and the CSV, the new run columns, and a
# config diff without the keys a model type ignores.
set -euo pipefail
bin=$1; here=$(cd "$(dirname "$0")" && pwd)
tmp=${KEEP_TMP:-$(mktemp -d)}; [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }

# A tiny corpus: "der hund sieht den mann ." -> "the dog sees the man ."
python3 "$here/tiny_corpus.py" 28  # train/valid/test.{de,en}
data='"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
      "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1'
# The rnn sets Transformer-only keys (heads, ff_dim): it ignores them, so the diff must too.
cat > plain.json <<JSON
{"data": {$data},
 "model": {"type": "rnn", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.0, "heads": 2, "ff_dim": 32},
 "train": {"epochs": 3, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8, "seed": 7},
 "decode": {"beam": 1}}
JSON
cat > att.json <<JSON
{"data": {$data},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.0},
 "train": {"epochs": 3, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8, "seed": 7},
 "decode": {"beam": 1}}
JSON

# Config diff alone: model.type, not the keys only the Transformer reads.
s2s compare --configs plain.json att.json > diff.txt 2> diff.err || fail "compare --configs: $(tail -3 diff.err)"
grep -q '^model.type: plain="rnn" | att="bahdanau"' diff.txt || fail "config diff: $(cat diff.txt)"
grep -q 'model.heads\|model.ff_dim' diff.txt && fail "config diff lists keys the models ignore: $(cat diff.txt)"
s2s compare --configs plain.json att.json --format json | python3 -c '
import json,sys; d=json.load(sys.stdin); assert list(d)==["model.type"], d'

# Usage errors: one line, exit 2.
set +e
s2s compare --configs plain.json att.json --seeds 2 > /dev/null 2> e1.err; rc1=$?
s2s compare --configs plain.json --train --seeds 0 > /dev/null 2> e2.err; rc2=$?
set -e
[ "$rc1" = 2 ] && grep -q -- "--seeds goes with" e1.err || fail "--seeds without --train: rc=$rc1 $(cat e1.err)"
[ "$rc2" = 2 ] && grep -q -- "--seeds" e2.err || fail "--seeds 0: rc=$rc2 $(cat e2.err)"
[ ! -d runs ] || fail "a refused compare created runs/"

# Two seeds of each config.
s2s compare --configs plain.json att.json --train --seeds 2 --runs-dir runs --device cpu --out out \
  > table.txt 2> train.err || fail "compare --train --seeds 2: $(tail -5 train.err)"
for run in plain.s1 plain.s2 att.s1 att.s2; do
  [ -f runs/$run/best.pt ] && [ -f runs/$run/eval/test.json ] || fail "runs/$run incomplete: $(ls runs/$run)"
done
[ ! -e runs/plain ] && [ ! -e runs/att ] || fail "--seeds also trained unsuffixed runs"
python3 - <<'PY' || fail "seeds in config.json"
import json
seeds = {r: json.load(open(f"runs/{r}/config.json"))["train"]["seed"] for r in ["plain.s1", "plain.s2", "att.s1", "att.s2"]}
assert seeds == {"plain.s1": 7, "plain.s2": 8, "att.s1": 7, "att.s2": 8}, seeds
state = json.load(open("runs/att.s1/state.json"))
assert state["best_epoch"] >= 1 and state["tokens"] > 0, state
PY

# The table: the new columns, mean ± sd, p-values and their footnote.
header=$(head -1 table.txt)
for column in params "train time" "tokens seen" "best epoch" stop seed BLEU p; do
  echo "$header" | grep -q "$column" || fail "runs table lacks \"$column\": $header"
done
grep -q "^att.s2 .* early_stopping\|^att.s2 .* epochs" table.txt || fail "no stop reason for att.s2: $(cat table.txt)"
grep -q "Mean ± sd over seeds" table.txt || fail "no mean ± sd table: $(cat table.txt)"
grep -q "^att .* ± " table.txt || fail "no mean ± sd row for att: $(cat table.txt)"
grep -q "BLEU by source length (words), mean ± sd over seeds" table.txt || fail "band table title"
grep -q "^Teacher-forced cross-entropy (nats/token) and token accuracy by source length (words), mean ± sd over seeds" \
  table.txt || fail "no teacher-forced table with seeds: $(cat table.txt)"
grep -A3 "^Teacher-forced cross-entropy" table.txt | grep -q "^1-10 .* ± " || fail "teacher-forced band without mean ± sd"
tr '\n' ' ' < table.txt | grep -q "largest p over the seeds" || fail "no footnote on the largest p: $(cat table.txt)"
grep -q "^  model.type: plain=\"rnn\" | att=\"bahdanau\"$" table.txt || fail "config diff with seeds: $(cat table.txt)"
[ "$(sed -n '/^Config differences/,$p' table.txt | grep -c '^  ')" = 1 ] || fail "config diff lists more: $(cat table.txt)"

# JSON: every pair's p (seed k against seed k), mean and sd per config and band.
s2s compare runs/plain.s1 runs/plain.s2 runs/att.s1 runs/att.s2 --format json > cmp.json 2> cmp.err \
  || fail "compare --format json: $(tail -3 cmp.err)"
grep -q "evaluating" cmp.err && fail "compare evaluated again runs whose results were current: $(cat cmp.err)"
python3 - <<'PY' || fail "compare JSON"
import json
d = json.load(open("cmp.json"))
runs = {r["name"]: r for r in d["runs"]}
assert runs["plain.s1"]["significance"] is None and runs["plain.s2"]["significance"] is None
for k in (1, 2):
    sig = runs[f"att.s{k}"]["significance"]
    assert sig["baseline"] == f"plain.s{k}", sig
    b = sig["bleu"]
    assert 0 < b["p_value"] <= 1 and b["resamples"] == 1000 and b["seed"] == 12345 and b["sentences"] == 20, b
    assert abs(b["system"]["score"] - runs[f"att.s{k}"]["bleu"]) < 1e-6, (b, runs[f"att.s{k}"]["bleu"])
    assert abs(b["baseline"]["score"] - runs[f"plain.s{k}"]["bleu"]) < 1e-6
    assert sig["bands"] and all(0 < v["p_value"] <= 1 for v in sig["bands"].values()), sig["bands"]
    assert runs[f"att.s{k}"]["best_epoch"] >= 1 and runs[f"att.s{k}"]["tokens"] > 0
groups = {g["name"]: g for g in d["groups"]}
assert list(groups) == ["plain", "att"], list(groups)
att = groups["att"]
assert att["runs"] == ["att.s1", "att.s2"] and att["seeds"] == [7, 8], att
assert isinstance(att["bleu"]["mean"], float) and isinstance(att["bleu"]["sd"], float), att["bleu"]
assert len(att["p_value"]["values"]) == 2 and att["p_value"]["max"] == max(att["p_value"]["values"]), att["p_value"]
assert groups["plain"]["p_value"]["max"] is None
assert all("sd" in band["bleu"] and "max" in band["p_value"] for band in att["bands"]), att["bands"]
assert d["significance"]["baseline"] == "plain" and d["significance"]["resamples"] == 1000, d["significance"]
assert list(d["config_differences"]) == ["model.type"], d["config_differences"]
PY
for f in compare.json compare.md bleu_by_length.svg valid_loss.svg position_accuracy.svg; do
  [ -s out/$f ] || fail "--out lacks $f"
done
grep -q 'class="error-bar"' out/bleu_by_length.svg || fail "BLEU-by-length chart has no error bars"
grep -q "2 seeds" out/bleu_by_length.svg || fail "chart legend does not say how many seeds"
grep -q "att (bahdanau), 2 seeds" out/position_accuracy.svg || fail "position chart: no line per config with seeds"

# CSV: sd and p columns; per-run rows carry each pair's p, and one "mean" row per config.
s2s compare runs/plain.s1 runs/plain.s2 runs/att.s1 runs/att.s2 --format csv > cmp.csv 2> /dev/null
python3 - <<'PY' || fail "compare CSV: $(cat cmp.csv)"
import csv
rows = list(csv.DictReader(open("cmp.csv", newline="")))
for column in ["seed", "BLEU", "BLEU sd", "p", "best epoch", "stop", "tokens seen", "p 1-10", "BLEU sd 1-10"]:
    assert column in rows[0], (column, list(rows[0]))
by = {(r["run"], r["seed"]): r for r in rows}
assert by[("att.s1", "7")]["p"] and by[("att.s2", "8")]["p"] and by[("plain.s1", "7")]["p"] == ""
mean = by[("att", "mean")]
assert mean["BLEU sd"] != "" and float(mean["p"]) == max(float(by[("att.s1", "7")]["p"]), float(by[("att.s2", "8")]["p"]))
assert int(by[("att.s1", "7")]["tokens seen"]) > 0
PY

# Run again: complete runs are skipped, nothing is trained twice.
s2s compare --configs plain.json att.json --train --seeds 2 --runs-dir runs --device cpu > again.txt 2> again.err \
  || fail "second compare: $(tail -3 again.err)"
[ "$(grep -c "already trained; skipping" again.err)" = 4 ] || fail "second compare retrained: $(cat again.err)"

# A run against an exact copy of itself: difference 0, p = 1.
cp -rp runs/att.s1 runs/twin
s2s compare runs/att.s1 runs/twin --format json 2> /dev/null | python3 -c '
import json,sys; d=json.load(sys.stdin); b=d["runs"][1]["significance"]["bleu"]
assert b["difference"] == 0 and b["p_value"] == 1, b'

# Without --seeds nothing changes: one run per config, named after it, no mean ± sd table.
s2s compare --configs plain.json att.json --train --runs-dir single --device cpu > single.txt 2> single.err \
  || fail "compare --train without --seeds: $(tail -3 single.err)"
[ -f single/plain/best.pt ] && [ -f single/att/best.pt ] || fail "runs without --seeds: $(ls single)"
grep -q "Mean ± sd" single.txt && fail "mean ± sd table without seeds: $(cat single.txt)"
grep -q "^p: paired bootstrap resampling of BLEU" single.txt || fail "no p footnote: $(cat single.txt)"
grep -q "p att" single.txt || fail "band table lacks the p column: $(cat single.txt)"

# A stale evaluation (made from other weights) is redone from best.pt.
s2s eval --run single/att --checkpoint last --split test > /dev/null 2>&1
s2s compare single/plain single/att > /dev/null 2> stale.err
grep -q "not best.pt; evaluating" stale.err || fail "eval from model.pt was not redone: $(cat stale.err)"
python3 -c 'import json; assert json.load(open("single/att/eval/test.json"))["checkpoint"] == "best.pt"'
# --jobs 2: the same runs trained side by side, each in a child process with its own log, give
# the same weights as the runs trained one after another in this process.
set +e
s2s compare --configs plain.json att.json --jobs 2 > /dev/null 2> e3.err; rc3=$?
set -e
[ "$rc3" = 2 ] && grep -q -- "--jobs goes with" e3.err || fail "--jobs without --train: rc=$rc3 $(cat e3.err)"
s2s compare --configs plain.json att.json --train --seeds 2 --jobs 2 --runs-dir side --device cpu > side.txt 2> side.err \
  || fail "compare --train --jobs 2: $(tail -5 side.err)"
[ "$(grep -c ": started (pid" side.err)" = 4 ] || fail "--jobs 2 did not start 4 jobs: $(cat side.err)"
for run in plain.s1 plain.s2 att.s1 att.s2; do
  [ -s side/$run.log ] || fail "no log side/$run.log"
  grep -q "early stopping\|epoch 3/3 done" side/$run.log || fail "side/$run.log: $(tail -3 side/$run.log)"
  [ "$(sha256sum < side/$run/model.pt)" = "$(sha256sum < runs/$run/model.pt)" ] \
    || fail "$run trained with --jobs 2 differs from the run trained in-process"
  [ -f side/$run/eval/test.json ] || fail "side/$run was not evaluated"
done
grep -q "Mean ± sd over seeds" side.txt || fail "no mean ± sd table with --jobs: $(cat side.txt)"
echo ok
