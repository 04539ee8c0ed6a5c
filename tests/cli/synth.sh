#!/usr/bin/env bash
# `data synth`: the same seed gives byte-identical files, counts and synth.json are right, bad
# options exit 2, and `data stats` reads the result.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" data synth --help | grep -q -- "--max-words" || fail "synth --help does not list --max-words"

args=(--train 300 --valid 50 --test 40 --seed 5)
"$bin" data synth --out "$tmp/a" "${args[@]}" > "$tmp/a.out" 2> "$tmp/a.err"
"$bin" data synth --out "$tmp/b" "${args[@]}" > /dev/null 2>&1
grep -q "wrote 300 train, 50 valid, 40 test pairs" "$tmp/a.out" || fail "summary: $(cat "$tmp/a.out")"
grep -q "41-60" "$tmp/a.err" || fail "band counts are not logged: $(cat "$tmp/a.err")"

for split in train valid test; do
  for lang in de en; do
    f=$split.$lang
    [ -s "$tmp/a/$f" ] || fail "$f missing or empty"
    cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two runs with the same seed"
  done
  [ "$(wc -l < "$tmp/a/$split.de")" = "$(wc -l < "$tmp/a/$split.en")" ] || fail "$split sides differ in length"
done
[ "$(wc -l < "$tmp/a/train.de")" = 300 ] || fail "train.de has $(wc -l < "$tmp/a/train.de") lines"
[ "$(wc -l < "$tmp/a/valid.en")" = 50 ] || fail "valid.en line count"
[ "$(wc -l < "$tmp/a/test.de")" = 40 ] || fail "test.de line count"
ls "$tmp/a" | grep -q tmp && fail "temporary files left behind"

python3 - "$tmp/a" <<'EOF' || fail "synth.json or the files are not what they should be"
import json, sys, re
d = sys.argv[1]
meta = json.load(open(d + "/synth.json"))
assert meta["seed"] == 5 and meta["counts"] == {"train": 300, "valid": 50, "test": 40}, meta
assert "--seed 5" in meta["command"] and meta["lemmas"] >= 400, meta
seen = set()
for split in ("train", "valid", "test"):
    de = open(f"{d}/{split}.de", encoding="utf-8").read().splitlines()
    labels = ["4-10", "11-20", "21-30", "31-40", "41-60"]
    bands = dict.fromkeys(labels, 0)
    for line in de:
        n = len(re.findall(r"\w+|[^\w\s]", line))
        assert 4 <= n <= 60, line
        bands[labels[min((n - 1) // 10, 4)]] += 1
        assert line not in seen, "repeated: " + line
        seen.add(line)
    assert list(meta["bands"][split].keys()) == labels, meta["bands"][split]
    assert meta["bands"][split] == bands, (split, bands, meta["bands"][split])
    bands = list(bands.values())
    assert min(bands) >= len(de) // 5 - 1, (split, bands)
EOF

"$bin" data synth --out "$tmp/c" --train 300 --valid 50 --test 40 --seed 6 > /dev/null 2>&1
cmp -s "$tmp/a/train.de" "$tmp/c/train.de" && fail "another seed gives the same corpus"

set +e
"$bin" data synth --out "$tmp/d" --min-words 10 --max-words 10 2> "$tmp/err"; rc=$?
"$bin" data synth --train 5 2> /dev/null; rc2=$?
set -e
[ "$rc" = 2 ] || fail "impossible lengths exit $rc, want 2"
grep -q "max-words" "$tmp/err" || fail "error does not name --max-words: $(cat "$tmp/err")"
[ "$rc2" = 2 ] || fail "missing --out exits $rc2, want 2"

"$bin" data stats --src "$tmp/a/train.de" --tgt "$tmp/a/train.en" > "$tmp/stats" || fail "data stats on the synthetic corpus"
grep -q "300" "$tmp/stats" || fail "data stats does not report the 300 pairs: $(head -5 "$tmp/stats")"
echo ok
