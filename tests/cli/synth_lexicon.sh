#!/usr/bin/env bash
# `data synth --lemmas N` and `--train-band-weights`: a seeded lexicon subset (same seed, same
# files), synth.json's lemma counts recounted from the files, band weights that move only the
# train split, and one-line errors (exit 2) for values out of range.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" data synth --help | grep -q -- "--lemmas" || fail "synth --help does not list --lemmas"
"$bin" data synth --help | grep -q -- "--train-band-weights" || fail "synth --help does not list --train-band-weights"

args=(--train 250 --valid 40 --test 40 --lemmas 60)
"$bin" --threads 1 data synth --out "$tmp/a" "${args[@]}" --seed 3 > "$tmp/a.out" 2> "$tmp/a.err"
"$bin" --threads 1 data synth --out "$tmp/b" "${args[@]}" --seed 3 > /dev/null 2>&1
"$bin" --threads 1 data synth --out "$tmp/c" "${args[@]}" --seed 4 > /dev/null 2>&1
for f in train.de train.en valid.de test.en; do
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two runs with the same seed and --lemmas"
done
grep -Eq "a content lemma occurs [0-9.]+ times in train on average \([0-9]+ kept\)" "$tmp/a.out" ||
  fail "summary lacks the occurrences per lemma: $(cat "$tmp/a.out")"
grep -q "60 asked for with --lemmas" "$tmp/a.err" || fail "the kept lemmas are not logged: $(cat "$tmp/a.err")"

python3 - "$tmp/a" "$tmp/c" "$tmp/a.out" <<'EOF' || fail "synth.json's lexicon and lemma counts are not right"
import hashlib, json, re, sys
a, c, out = sys.argv[1:]
meta, other = json.load(open(a + "/synth.json")), json.load(open(c + "/synth.json"))
lex = meta["lexicon"]
assert lex["requested"] == 60 and meta["options"]["lemmas"] == 60, lex
kept = lex["kept_lemmas"]
# The kept list, recounted per class, is what the counts say; the hash is the list's.
for cls, row in lex["classes"].items():
    n = sum(1 for k in kept if k.startswith(cls + ":"))
    assert row["kept"] == n >= row["requested"] >= 1, (cls, row, n)
assert sum(r["requested"] for r in lex["classes"].values()) == 60, lex["classes"]
assert lex["kept"] == len(kept) == meta["content_lemmas"]
assert lex["kept_sha256"] == hashlib.sha256("".join(k + "\n" for k in sorted(kept)).encode()).hexdigest()
assert 60 <= len(kept) <= 120, len(kept)
# Another seed keeps another subset.
assert other["lexicon"]["kept_lemmas"] != kept
# Occurrences: per split the total is the per-band sum and per_lemma is total / kept lemmas.
kept_nouns = {k.split(":", 1)[1] for k in kept if k.startswith("noun:")}
for split in ("train", "valid", "test"):
    occ = meta["lemma_occurrences"][split]
    assert occ["occurrences"] == sum(b["occurrences"] for b in occ["bands"].values()), occ
    assert abs(occ["per_lemma"] - occ["occurrences"] / len(kept)) < 1e-9, occ
    for b in occ["bands"].values():
        assert abs(b["per_lemma"] - b["occurrences"] / len(kept)) < 1e-9, b
    lines = open(f"{a}/{split}.de", encoding="utf-8").read().splitlines()
    words = [w for line in lines for w in re.findall(r"\w+", line)]
    # Recount from the file: every content-lemma occurrence is at least one word, and each sentence
    # has a verb; kept nouns in their dictionary form are occurrences too (a lower bound).
    noun_forms = sum(1 for w in words if w in kept_nouns)
    assert max(len(lines), noun_forms) <= occ["occurrences"] <= len(words), (split, occ, len(lines), len(words))
    assert 0 < occ["distinct_seen"] <= len(kept), occ
printed = float(re.search(r"occurs ([0-9.]+) times", open(out).read()).group(1))
assert abs(printed - meta["lemma_occurrences"]["train"]["per_lemma"]) < 0.05, printed
EOF

# Fewer lemmas, same sentences: each lemma occurs more often than with the whole lexicon.
"$bin" --threads 1 data synth --out "$tmp/full" --train 250 --valid 40 --test 40 --seed 3 > /dev/null 2>&1
python3 - "$tmp/a/synth.json" "$tmp/full/synth.json" <<'EOF' || fail "a subset's lemmas do not occur more often"
import json, sys
sub, full = (json.load(open(p)) for p in sys.argv[1:])
assert sub["lemma_occurrences"]["train"]["per_lemma"] > 2 * full["lemma_occurrences"]["train"]["per_lemma"]
assert full["lexicon"]["requested"] is None and "kept_lemmas" not in full["lexicon"]
EOF

# Band weights: the whole train split in the last band; valid and test as without weights.
"$bin" --threads 1 data synth --out "$tmp/w" --train 250 --valid 40 --test 40 --seed 3 \
  --train-band-weights 0,0,0,0,1 > /dev/null 2>&1
cmp -s "$tmp/w/valid.de" "$tmp/full/valid.de" || fail "band weights changed the valid split"
cmp -s "$tmp/w/test.en" "$tmp/full/test.en" || fail "band weights changed the test split"
"$bin" --threads 1 data synth --out "$tmp/w2" --train 200 --valid 10 --test 10 --seed 3 \
  --train-band-weights 1,1,0,0,2 > /dev/null 2>&1
python3 - "$tmp/w" "$tmp/w2" <<'EOF' || fail "band weights do not shape the train split"
import json, re, sys
def bands(path):
    labels = ["4-10", "11-20", "21-30", "31-40", "41-60"]
    counts = dict.fromkeys(labels, 0)
    for line in open(path, encoding="utf-8").read().splitlines():
        n = len(re.findall(r"\w+|[^\w\s]", line))
        counts[labels[min((n - 1) // 10, 4)]] += 1
    return counts
w, w2 = sys.argv[1:]
meta = json.load(open(w + "/synth.json"))
assert bands(w + "/train.de") == {"4-10": 0, "11-20": 0, "21-30": 0, "31-40": 0, "41-60": 250}
assert meta["train_band_weights"] == [0, 0, 0, 0, 1] and meta["train_band_plan"]["41-60"] == 250, meta
assert bands(w + "/valid.de") == dict.fromkeys(bands(w + "/valid.de"), 8)
assert bands(w2 + "/train.de") == {"4-10": 50, "11-20": 50, "21-30": 0, "31-40": 0, "41-60": 100}
EOF

# Errors: one line naming the option, exit 2.
expect_error() {  # option-name, then the arguments
  local name=$1; shift
  set +e
  "$bin" --threads 1 data synth --out "$tmp/err" --train 10 --valid 2 --test 2 "$@" > /dev/null 2> "$tmp/err.txt"
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$* exits $rc, want 2: $(cat "$tmp/err.txt")"
  [ "$(grep -c . "$tmp/err.txt")" = 1 ] || fail "$* does not give one line: $(cat "$tmp/err.txt")"
  grep -q -- "$name" "$tmp/err.txt" || fail "$* does not name $name: $(cat "$tmp/err.txt")"
}
expect_error --lemmas --lemmas 2
expect_error --lemmas --lemmas 100000
expect_error "8\.\." --lemmas 7
expect_error --train-band-weights --train-band-weights 1,1,1
expect_error --train-band-weights --train-band-weights 0,0,0,0,0
expect_error --train-band-weights --train-band-weights 1,-1,1,1,1
expect_error --train-band-weights --train-band-weights 1,x,1,1,1
[ ! -e "$tmp/err" ] || fail "a rejected command wrote $tmp/err"
echo ok
