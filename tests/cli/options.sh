#!/usr/bin/env bash
# Options checked before any work: decoding options out of range (translate, eval, compare) and the
# config's decode.* keys are errors naming the option or file and key; --set overrides are applied
# together and then checked once (a Transformer's width changes with two of them, in either
# order); CLI11's parse errors are one "error:" line with a hint, exit 2; --help and --version
# still exit 0.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
data='"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1}'
cat > tiny.json <<JSON
{$data,
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.1},
 "train": {"epochs": 1, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 4}, "decode": {"beam": 1}}
JSON
cat > transformer.json <<JSON
{$data,
 "model": {"type": "transformer", "emb_dim": 16, "hidden_dim": 16, "heads": 2, "ff_dim": 32, "dropout": 0.1},
 "train": {"epochs": 1, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 4}, "decode": {"beam": 1}}
JSON
s2s train --config tiny.json --run r > /dev/null 2>&1 || fail "training the tiny run"

# expect_error RC PATTERN COMMAND...: exit RC and exactly one stderr line, "error: ..." matching PATTERN.
expect_error() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$@" > out.txt 2> err.txt || rc=$?
  [ "$rc" = "$want" ] || fail "$*: exit $rc, expected $want ($(cat err.txt))"
  [ "$(grep -c . err.txt)" = 1 ] || fail "$*: not one line: $(cat err.txt)"
  grep -q -- "^error: $pattern" err.txt || fail "$*: expected 'error: $pattern', got: $(cat err.txt)"
}

# 1. Decoding options out of range: exit 2 naming the option, before a run is loaded (r2 does not exist).
expect_error 2 "--beam: must be at least 1, not -3 (see seq2seq translate --help)" s2s translate --run r2 --beam -3
expect_error 2 "--beam: must be at least 1, not 0 (see seq2seq eval --help)" s2s eval --run r2 --beam 0
expect_error 2 "--beam: must be at least 1, not 0 (see seq2seq compare --help)" s2s compare r2 --beam 0
expect_error 2 "--nbest: must be at least 1, not -2" s2s translate --run r2 --nbest -2
expect_error 2 "--batch: must be at least 1, not 0" s2s eval --run r2 --batch 0
expect_error 2 "--length-penalty: must be a finite number, not nan" s2s eval --run r2 --length-penalty nan
expect_error 2 "--length-penalty: must be a finite number, not inf" s2s eval --run r2 --length-penalty inf
expect_error 2 "--length-penalty: must be 0 or more, not -0.5" s2s eval --run r2 --length-penalty -0.5
expect_error 2 "could not convert: --beam = 1.5" s2s translate --run r2 --beam 1.5
# In range they work: --nbest wider than --beam widens the beam (K lines per sentence).
head -2 test.de > two.de
s2s translate --run r --input two.de --beam 1 --nbest 2 > out.txt 2> err.txt || fail "--nbest 2: $(cat err.txt)"
[ "$(grep -c ' ||| ' out.txt)" = 4 ] || fail "--beam 1 --nbest 2: expected 4 n-best lines: $(cat out.txt)"
s2s eval --run r --beam 2 --length-penalty 0 --batch 3 > /dev/null 2> err.txt || fail "eval in range: $(cat err.txt)"

# 2. The config's decode.* keys: the same ranges, naming file and key.
for item in "beam 0:must be at least 1" "length_penalty -1:must be 0 or more" "max_len 0:must be at least 1" \
            "max_len_ratio 0:must be positive" "batch_size -2:must be at least 1"; do
  kv=${item%%:*}; key=${kv% *}; value=${kv#* }; what=${item#*:}
  echo "{\"extends\": \"tiny.json\", \"decode\": {\"$key\": $value}}" > bad.json
  expect_error 2 "bad.json: decode.$key: $what\$" s2s config validate bad.json
done
expect_error 2 "bad.json: decode.batch_size: must be at least 1\$" s2s train --config bad.json --run bad
expect_error 2 "--set decode.length_penalty=-1: decode.length_penalty: must be 0 or more\$" \
  s2s config show tiny.json --set decode.length_penalty=-1
[ ! -e bad ] || fail "a refused config left a run directory"

# 3. Overrides applied together, then checked once: a Transformer's width, in either order.
for order in "model.hidden_dim=32 model.emb_dim=32" "model.emb_dim=32 model.hidden_dim=32"; do
  set -- $order
  s2s config show transformer.json --set "$1" --set "$2" > shown.json 2> err.txt || fail "config show $order: $(cat err.txt)"
  python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["model"]; assert m["emb_dim"] == m["hidden_dim"] == 32, m' \
    shown.json || fail "config show $order: widths not 32"
  s2s compare --configs tiny.json transformer.json --set "$1" --set "$2" > /dev/null 2> err.txt \
    || fail "compare --configs $order: $(cat err.txt)"
done
s2s train --config transformer.json --run wide --set model.hidden_dim=32 --set model.emb_dim=32 > /dev/null 2> err.txt \
  || fail "train with both widths: $(cat err.txt)"
python3 -c 'import json; m = json.load(open("wide/config.json"))["model"]; assert m["emb_dim"] == m["hidden_dim"] == 32, m' \
  || fail "wide/config.json: widths not 32"
# A pair that still disagrees after all overrides is refused, naming the override or the file.
expect_error 2 "--set model.emb_dim=48: model.emb_dim: must equal model.hidden_dim (32" \
  s2s train --config transformer.json --run odd --set model.emb_dim=48 --set model.hidden_dim=32
expect_error 2 "transformer.json: model.emb_dim: must equal model.hidden_dim (32" \
  s2s config show transformer.json --set model.hidden_dim=32
[ ! -e odd ] || fail "a refused config left a run directory"
# --resume: its overrides are checked the same way, against the run's config.json.
expect_error 2 "--set decode.beam=0: decode.beam: must be at least 1" \
  s2s train --run r --resume --set train.epochs=2 --set decode.beam=0
s2s train --run r --resume --set decode.length_penalty=0.5 --set train.epochs=2 > /dev/null 2> err.txt \
  || fail "resume with two overrides: $(cat err.txt)"

# 4. CLI11's own errors: one line, "error:", a hint, exit 2.
expect_error 2 "the following argument was not expected: --frobnicate (see seq2seq eval --help)\$" \
  s2s eval --run r --frobnicate
expect_error 2 "--beam: 1 required INT missing (see seq2seq translate --help)\$" s2s translate --run r --beam
expect_error 2 "could not convert: --beam = wide (see seq2seq eval --help)\$" s2s eval --run r --beam wide
expect_error 2 "a subcommand is required (see seq2seq --help)\$" "$bin"
expect_error 2 "a subcommand is required (see seq2seq config --help)\$" s2s config
expect_error 2 "--threads: must be at least 1, not 0 (see seq2seq doctor --help)\$" "$bin" --threads 0 doctor
expect_error 2 "--jobs: must be at least 1, not 0 (see seq2seq compare --help)\$" s2s compare r --jobs 0
expect_error 2 "--seeds: must be from 1 to 1000, not 0" s2s compare --configs tiny.json --train --seeds 0

# 5. --help and --version print as before, exit 0.
"$bin" --help > out.txt 2> err.txt || fail "--help exits non-zero"
grep -q "Usage:" out.txt && [ ! -s err.txt ] || fail "--help: $(cat out.txt err.txt)"
"$bin" translate --help > out.txt || fail "translate --help exits non-zero"
grep -q -- "--nbest" out.txt || fail "translate --help lists no --nbest"
"$bin" --version > out.txt || fail "--version exits non-zero"
grep -q "^seq2seq " out.txt || fail "--version: $(cat out.txt)"

echo "options: ok"
