#!/usr/bin/env bash
# `seq2seq data stats|fetch` end to end: numbers on a hand-made corpus, bad-input errors and exit
# codes, get_data.sh / data fetch from a local copy, and Multi30k's vocabulary sizes when
# ../shared/data/multi30k exists.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A small corpus: train as two aligned files (one gzipped), valid as TSV.
printf 'Ein Hund läuft.\nEin Hund und ein Mädchen.\nZwei Mädchen spielen Fußball.\n\n' > "$tmp/train.de"
printf 'A dog runs.\nA dog and a girl.\nTwo girls play soccer.\nEmpty source.\n' | gzip > "$tmp/train.en.gz"
printf 'Ein Hund spielt.\tA dog plays.\nZwei Katzen.\tTwo cats.\n' > "$tmp/valid.tsv"
cat > "$tmp/config.json" <<JSON
{"data": {"train": {"src": "$tmp/train.de", "tgt": "$tmp/train.en.gz"},
          "valid": {"src": "$tmp/valid.tsv", "tgt": ""}, "test": {"src": "", "tgt": ""},
          "min_freq": 2, "max_len": 4}}
JSON

"$bin" data stats --config "$tmp/config.json" --json > "$tmp/stats.json"
python3 - "$tmp/stats.json" <<'PY' || fail "data stats --json numbers"
import json, sys
s = json.load(open(sys.argv[1]))
train, valid = s["splits"]
assert [x["name"] for x in s["splits"]] == ["train", "valid"], s["splits"]
assert train["pairs"] == 4 and valid["pairs"] == 2
# de train tokens: 4 + 6 + 5 + 0; en: 4 + 6 + 5 + 3
assert (train["src_tokens"], train["tgt_tokens"]) == (15, 18), train
# min_freq 2: de ein(3) hund(2) mädchen(2) .(3); en a(3) dog(2) .(4)
assert (s["vocab"]["src_size"], s["vocab"]["tgt_size"]) == (8, 7), s["vocab"]
# valid de: ein hund spielt . / zwei katzen .  -> unknown: spielt zwei katzen (3 of 7)
assert valid["src_unk"] == 3 and abs(valid["src_oov_rate"] - 3 / 7) < 1e-12, valid
assert train["empty_pairs"] == 1 and train["long_pairs"] == 2 and train["dropped_by_max_len"] == 3, train
assert sum(train["histogram"]["src"]) == 4
PY

"$bin" data stats --config "$tmp/config.json" --set data.max_len=100 > "$tmp/stats.txt"
grep -q "█" "$tmp/stats.txt" || fail "no histogram bars: $(cat "$tmp/stats.txt")"
grep -q "^valid " "$tmp/stats.txt" || fail "no valid row"
grep -q "> max_len 100" "$tmp/stats.txt" || fail "--set data.max_len not applied"
"$bin" data stats --src "$tmp/valid.tsv" --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["splits"][0]["pairs"]==2' \
  || fail "data stats --src TSV"

# Bad input: one-line errors that name the file; exit 1 for data errors, 2 for usage.
expect_error() {  # expect_error CODE PATTERN ARGS...
  local code=$1 pattern=$2; shift 2
  set +e; "$bin" "$@" > /dev/null 2> "$tmp/err"; local rc=$?; set -e
  [ "$rc" = "$code" ] || fail "$* exit code $rc, want $code ($(cat "$tmp/err"))"
  # Log lines may precede it; the error itself is one line.
  [ "$(grep -c '^error: ' "$tmp/err")" = 1 ] || fail "$*: no single error line: $(cat "$tmp/err")"
  grep '^error: ' "$tmp/err" | grep -qF -- "$pattern" || fail "$*: error text: $(cat "$tmp/err")"
  [ "$(grep -vc '^\[' "$tmp/err")" = 1 ] || fail "$*: error is not one line: $(cat "$tmp/err")"
}
printf 'one\ntwo\n' > "$tmp/two.en"
printf 'ok\nM\xe4dchen\n' > "$tmp/latin1.de"
printf 'kein tab\n' > "$tmp/notab.tsv"
expect_error 1 "$tmp/missing.de: file not found" data stats --src "$tmp/missing.de" --tgt "$tmp/two.en"
expect_error 1 "$tmp/train.de has 4 lines, $tmp/two.en has 2 lines" data stats --src "$tmp/train.de" --tgt "$tmp/two.en"
expect_error 1 "$tmp/latin1.de:2: invalid UTF-8" data stats --src "$tmp/latin1.de" --tgt "$tmp/two.en"
expect_error 1 "$tmp/notab.tsv:1: no TAB" data stats --src "$tmp/notab.tsv"
expect_error 2 "either --config FILE or --src FILE" data stats
expect_error 2 "data.min_frq" data stats --src "$tmp/valid.tsv" --set data.min_frq=3

# get_data.sh and data fetch from a local folder: copy, verify, idempotent, clear errors.
mkdir -p "$tmp/fake"
for split in train:29000 val:1014 test_2016_flickr:1000; do
  name=${split%%:*} n=${split##*:}
  for lang in de en; do seq "$n" | sed 's/^/Satz /' | gzip > "$tmp/fake/$name.$lang.gz"; done
done
bash "$root/scripts/get_data.sh" multi30k --from "$tmp/fake" --out "$tmp/m1" > "$tmp/out" || fail "get_data.sh --from"
grep -q "6 file(s) copied, 0 already present" "$tmp/out" || fail "get_data.sh: $(cat "$tmp/out")"
bash "$root/scripts/get_data.sh" multi30k --from "$tmp/fake" --out "$tmp/m1" | grep -q "0 file(s) copied, 6 already present" \
  || fail "get_data.sh is not idempotent"
"$bin" data fetch multi30k --from "$tmp/fake" --out "$tmp/m2" | grep -q "6 file(s) copied" || fail "data fetch --from"
"$bin" data fetch multi30k --from "$tmp/fake" --out "$tmp/m2" | grep -q "6 already present" || fail "data fetch is not idempotent"
cmp "$tmp/fake/val.en.gz" "$tmp/m2/val.en.gz" || fail "data fetch changed a file"
seq 1013 | gzip > "$tmp/fake/val.en.gz"
set +e
bash "$root/scripts/get_data.sh" multi30k --from "$tmp/fake" --out "$tmp/m3" 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "val.en.gz: has 1013 lines, expected 1014" "$tmp/err" || fail "get_data.sh bad count: $(cat "$tmp/err")"
[ ! -e "$tmp/m3/val.en.gz" ] && [ ! -e "$tmp/m3/val.en.gz.part" ] || fail "get_data.sh left a bad file behind"
expect_error 1 "val.en.gz: has 1013 lines, expected 1014" data fetch multi30k --from "$tmp/fake" --out "$tmp/m4"
expect_error 1 "$tmp/nowhere/train.de.gz: not found" data fetch multi30k --from "$tmp/nowhere" --out "$tmp/m5"
set +e; bash "$root/scripts/get_data.sh" wmt14 2> "$tmp/err"; rc=$?; set -e
[ "$rc" = 2 ] && grep -q "unknown corpus 'wmt14'" "$tmp/err" || fail "get_data.sh unknown corpus: rc $rc"

# Multi30k: the sizes the PyTorch reference uses (skipped without ../shared).
m30k="$root/../shared/data/multi30k"
if [ -f "$m30k/train.de.gz" ]; then
  bash "$root/scripts/get_data.sh" multi30k --from "$m30k" --out "$tmp/m30k" > /dev/null
  "$bin" data stats --config "$root/configs/bahdanau.json" \
    --set "data.train.src=$tmp/m30k/train.de.gz" --set "data.train.tgt=$tmp/m30k/train.en.gz" \
    --set "data.valid.src=$tmp/m30k/val.de.gz" --set "data.valid.tgt=$tmp/m30k/val.en.gz" \
    --set "data.test.src=$tmp/m30k/test_2016_flickr.de.gz" --set "data.test.tgt=$tmp/m30k/test_2016_flickr.en.gz" \
    --set data.lowercase=true --set data.min_freq=2 --set data.max_size=0 --json > "$tmp/m30k.json"
  python3 - "$tmp/m30k.json" <<'PY' || fail "Multi30k stats"
import json, sys
s = json.load(open(sys.argv[1]))
assert [x["pairs"] for x in s["splits"]] == [29000, 1014, 1000], s["splits"]
assert (s["vocab"]["src_size"], s["vocab"]["tgt_size"]) == (7882, 5898), s["vocab"]
PY
else
  echo "skip: $m30k absent, Multi30k stats not checked"
fi
echo ok
