#!/usr/bin/env bash
# What a run directory is read with is checked, and results are named by what made them:
#  - a run that lost its state.json: --resume refuses (nothing rewritten); eval, translate and
#    compare refuse unless --unverified (then one warning line);
#  - config.json and the vocabularies are checksummed in state.json: an edited architecture
#    (norm, heads, reverse_source) or vocabulary is refused with one line naming the file, also by
#    --resume; in a run written before those checksums, weights that do not fit the model are
#    refused naming the file and the first parameter that differs;
#  - eval --src/--ref never overwrites a split's results; --out names them;
#  - compare reports only results of the weights it names, re-evaluating otherwise; it keeps going
#    past a run it cannot evaluate (listed with the reason, exit 1), and gives each run's sentence
#    counts when the runs were evaluated on different sentences;
#  - train.precision: state.json records what "auto" resolved to (bf16 on a CPU with native
#    bfloat16, fp32 with SEQ2SEQ_NO_BF16=1), a resume keeps it on any machine (a bf16 run resumed
#    without native bf16 warns that it will be slow) and refuses to change it; eval and translate
#    run at the run's precision unless --precision says otherwise.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }
python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}

cat > tf.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "transformer", "emb_dim": 16, "hidden_dim": 16, "heads": 4, "layers": 1, "ff_dim": 32},
 "train": {"epochs": 2, "batch_size": 8, "lr": 0.005},
 "decode": {"beam": 1}}
JSON
s2s train --config tf.json --run tf > /dev/null 2> train.err || fail "train: $(tail -3 train.err)"
s2s train --config tf.json --run rnn --set model.type=rnn --set model.reverse_source=true > /dev/null 2> train.err \
  || fail "train rnn: $(tail -3 train.err)"
sha() { sha256sum "$1" | cut -d' ' -f1; }
# expect CODE PATTERN COMMAND...: exits CODE with one error line matching PATTERN.
expect() {
  local code=$1 pattern=$2; shift 2
  set +e; "$@" > out.txt 2> err.txt < /dev/null; local rc=$?; set -e
  [ "$rc" = "$code" ] || fail "$*: exit $rc, expected $code: $(cat err.txt)"
  [ "$(grep -c '^error:' err.txt)" = 1 ] || fail "$*: not one error line: $(cat err.txt)"
  grep '^error:' err.txt | grep -q -- "$pattern" || fail "$*: error does not say '$pattern': $(cat err.txt)"
}

# 1. A finished run without state.json: nothing overwritten, nothing loaded unchecked.
cp -r tf lost; rm lost/state.json
before=$(sha lost/model.pt); lines=$(wc -l < lost/metrics.jsonl)
expect 2 "lost: holds weights but no state.json" s2s train --run lost --resume
[ "$(sha lost/model.pt)" = "$before" ] && [ "$(wc -l < lost/metrics.jsonl)" = "$lines" ] || fail "a refused resume rewrote the run"
expect 2 "pass --unverified" s2s eval --run lost --split test
expect 2 "pass --unverified" bash -c "echo 'der Hund' | \"$bin\" --threads 1 translate --run lost"
s2s eval --run lost --split test --unverified > /dev/null 2> err.txt || fail "eval --unverified: $(cat err.txt)"
[ "$(grep -c 'unchecked (--unverified)' err.txt)" = 1 ] || fail "eval --unverified: no single warning: $(cat err.txt)"
echo 'der Hund' | s2s translate --run lost --unverified > /dev/null 2>&1 || fail "translate --unverified"

# 2. Edited config.json or vocabulary: refused, naming the file (exit 1), by eval and by --resume.
edit() {  # edit RUN PYTHON: applies the edit to RUN/config.json (c) or RUN/vocab.tgt.json (v)
  python3 - "$1" "$2" <<'PY'
import json, sys
run, code = sys.argv[1], sys.argv[2]
c = json.load(open(run + "/config.json")); v = json.load(open(run + "/vocab.tgt.json"))
c0, v0 = json.dumps(c), json.dumps(v)
exec(code)
if json.dumps(c) != c0: json.dump(c, open(run + "/config.json", "w"), indent=1)
if json.dumps(v) != v0: json.dump(v, open(run + "/vocab.tgt.json", "w"))
PY
}
check_refused() {  # check_refused NAME RUN FILE EDIT
  rm -rf "$1"; cp -r "$2" "$1"; edit "$1" "$4"
  expect 1 "$1/$3: checksum mismatch" s2s eval --run "$1" --split test
  expect 1 "$1/$3: checksum mismatch" s2s train --run "$1" --resume --set train.epochs=3
}
check_refused norm tf config.json 'c["model"]["norm"] = "pre"'
check_refused heads tf config.json 'c["model"]["heads"] = 2'
check_refused reverse rnn config.json 'c["model"]["reverse_source"] = False'
check_refused vocab tf vocab.tgt.json 'v["tokens"].pop()'

# A run written before these checksums loads as before, but weights that do not fit the model
# built from its files are refused naming the file and the parameter.
old() { rm -rf "$1"; cp -r "$2" "$1"; python3 - "$1/state.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for name in ("config.json", "vocab.src.json", "vocab.tgt.json"): del s["checksums"][name]
json.dump(s, open(sys.argv[1], "w"))
PY
}
old old_ok tf
s2s eval --run old_ok --split test > /dev/null 2> err.txt || fail "a run without record checksums: $(cat err.txt)"
grep -q "no checksums of config.json and the vocabularies" err.txt || fail "old run: no note: $(cat err.txt)"
old old_dim tf; edit old_dim 'c["model"]["hidden_dim"] = 32; c["model"]["emb_dim"] = 32'
expect 1 "old_dim/best.pt: does not fit the model.* is \[.*\] in the file and \[.*\] in the model" \
  s2s eval --run old_dim --split test
old old_vocab tf; edit old_vocab 'v["tokens"].pop()'
expect 1 "old_vocab/best.pt: does not fit the model" s2s eval --run old_vocab --split test

# 3. eval on other files never replaces the split's results.
s2s eval --run tf --split test > /dev/null 2>&1
test_sha=$(sha tf/eval/test.json)
mkdir -p other; head -5 test.de > other/test.de; head -5 test.en > other/test.en
s2s eval --run tf --src other/test.de --ref other/test.en > /dev/null 2> err.txt || fail "eval --src: $(cat err.txt)"
[ "$(sha tf/eval/test.json)" = "$test_sha" ] || fail "eval --src/--ref overwrote eval/test.json"
ls tf/eval/files-test-*.json > /dev/null 2>&1 || fail "eval --src/--ref results not under files-test-*: $(ls tf/eval)"
expect 2 "\-\-out test: " s2s eval --run tf --src other/test.de --ref other/test.en --out test
s2s eval --run tf --src other/test.de --ref other/test.en --out five > /dev/null 2>&1 && [ -f tf/eval/five.json ] \
  || fail "eval --out five"

# 4. compare: only results of the weights it names.
s2s eval --run tf --split test --weights last > /dev/null 2>&1  # eval/test.json now made from model.pt
s2s compare tf --no-eval > out.txt 2> err.txt || fail "compare --no-eval: $(cat err.txt)"
grep -q "made from model.pt, not best.pt" out.txt || fail "compare used model.pt's results for best.pt: $(cat out.txt)"
s2s compare tf > out.txt 2> err.txt || fail "compare: $(cat err.txt)"
grep -q "evaluating best.pt" err.txt && grep -q "test (best.pt)" out.txt || fail "compare did not re-evaluate best.pt: $(cat err.txt out.txt)"
# A run without best.pt (no validation split) is reported by model.pt, and says so.
s2s train --config tf.json --run noval --set data.valid.src= --set data.valid.tgt= > /dev/null 2> train.err \
  || fail "train without validation: $(tail -3 train.err)"
s2s compare noval > out.txt 2>&1 || fail "compare noval: $(cat out.txt)"
grep -q "test (model.pt)" out.txt || fail "compare does not say it used model.pt: $(cat out.txt)"

# 5. compare keeps going past a run it cannot evaluate; counts per run for different sentences.
cp -r tf broken; rm -f broken/eval/test.json
python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[len(d)//2] ^= 0xFF; open(p,"wb").write(bytes(d))' broken/best.pt
cp -r tf fewer; rm -rf fewer/eval
python3 - fewer <<'PY'
import hashlib, json, sys
run = sys.argv[1]; c = json.load(open(run + "/config.json"))
c["data"]["test"] = {"src": "other/test.de", "tgt": "other/test.en"}
open(run + "/config.json", "w").write(json.dumps(c))
s = json.load(open(run + "/state.json"))
s["checksums"]["config.json"] = hashlib.sha256(open(run + "/config.json", "rb").read()).hexdigest()
json.dump(s, open(run + "/state.json", "w"))
PY
set +e; s2s compare tf broken fewer > out.txt 2> err.txt; rc=$?; set -e
[ "$rc" = 1 ] || fail "compare with a broken run: exit $rc: $(cat err.txt)"
grep -q "broken: not evaluated: .*broken/best.pt: checksum mismatch" out.txt || fail "broken run not listed: $(cat out.txt)"
grep -q "^tf " out.txt && grep -q "^fewer " out.txt || fail "the other runs are missing: $(cat out.txt)"
grep -q "sentences tf" out.txt && grep -q "sentences fewer" out.txt || fail "no per-run sentence counts: $(cat out.txt)"
grep -q "evaluated on different sentences" out.txt || fail "no note on different sentences: $(cat out.txt)"

# 6. train.precision recorded in state.json, kept by --resume, chosen for eval and translate.
precision() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1] + "/state.json"))["precision"])' "$1"; }
native=$(s2s doctor --json --no-gemm 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["native_bf16"])')
[ "$(SEQ2SEQ_NO_BF16=1 s2s doctor --json --no-gemm 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["native_bf16"])')" = False ] \
  || fail "doctor: SEQ2SEQ_NO_BF16=1 still reports native bf16"
want=fp32; [ "$native" = True ] && want=bf16
[ "$(precision tf)" = "$want" ] || fail "auto on this CPU (native bf16: $native) recorded $(precision tf), not $want"
SEQ2SEQ_NO_BF16=1 s2s train --config tf.json --run p32 --max-steps 2 > /dev/null 2> err.txt || fail "train p32: $(cat err.txt)"
[ "$(precision p32)" = fp32 ] || fail "auto with SEQ2SEQ_NO_BF16=1 recorded $(precision p32)"
grep -q '"precision": "auto"' p32/config.json || fail "config.json does not keep train.precision auto"
s2s train --run p32 --resume --max-steps 4 > /dev/null 2> err.txt || fail "resume p32: $(cat err.txt)"
[ "$(precision p32)" = fp32 ] || fail "a resume changed fp32 to $(precision p32)"
grep -q "fp32" err.txt || fail "resume does not log its precision: $(cat err.txt)"
s2s train --config tf.json --run p16 --set train.precision=bf16 --max-steps 2 > /dev/null 2> err.txt \
  || fail "train bf16: $(cat err.txt)"
[ "$(precision p16)" = bf16 ] || fail "train.precision bf16 recorded $(precision p16)"
grep -q "bf16 mixed precision" err.txt || fail "train does not log bf16: $(cat err.txt)"
SEQ2SEQ_NO_BF16=1 s2s train --run p16 --resume --max-steps 4 > /dev/null 2> err.txt || fail "resume p16: $(cat err.txt)"
[ "$(precision p16)" = bf16 ] || fail "a resume without native bf16 changed bf16 to $(precision p16)"
grep -q "W\] resuming p16 (trained in bf16): bf16 on a CPU without native bfloat16.*slower than fp32" err.txt \
  || fail "no warning that the bf16 resume will be slow: $(cat err.txt)"
expect 2 "cannot change train.precision" s2s train --run p16 --resume --set train.precision=fp32
expect 2 "train.precision: unknown value \"half\" (expected one of: fp32, bf16, auto)" \
  s2s train --config tf.json --run bad --set train.precision=half
expect 2 "precision" s2s eval --run p16 --split test --precision half
for p in "" fp32 bf16 auto; do
  s2s eval --run p16 --split test --out "prec$p" ${p:+--precision "$p"} > out.txt 2> err.txt \
    || fail "eval --precision '$p': $(cat err.txt)"
  grep -q "BLEU" out.txt || fail "eval --precision '$p' printed no BLEU: $(cat out.txt)"
done
echo 'der hund sieht den mann .' | s2s translate --run p16 --precision fp32 > out.txt 2> err.txt \
  || fail "translate --precision fp32: $(cat err.txt)"
[ -s out.txt ] || fail "translate --precision fp32 printed nothing"
echo "OK run_record"
