#!/usr/bin/env bash
# `seq2seq score`: sacreBLEU 2.5.1's numbers on the fixture, JSON output, and clear input errors.
set -euo pipefail
bin=$1; root=$2
data="$root/tests/data/bleu"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" score --help | grep -q -- "--lowercase" || fail "score --help"

"$bin" score --hyp "$data/hyp.txt" --ref "$data/ref.txt" --json > "$tmp/score.json"
python3 - "$tmp/score.json" "$data/scores.json" <<'EOF' || fail "score --json does not match sacreBLEU"
import json, sys
ours, theirs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert ours["sentences"] == 300, ours["sentences"]
b, t = ours["bleu"], theirs["bleu"]
assert abs(b["score"] - 66.78) <= 0.01, b["score"]
assert abs(b["score"] - t["score"]) <= 0.01, (b["score"], t["score"])
for key in ("counts", "totals", "sys_len", "ref_len"):
    assert b[key] == t[key], (key, b[key], t[key])
assert abs(b["bp"] - t["bp"]) < 1e-4
assert all(abs(x - y) <= 0.01 for x, y in zip(b["precisions"], t["precisions"]))
assert b["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"), b["signature"]
assert abs(ours["chrf"]["score"] - theirs["chrf"]["score"]) <= 0.01, ours["chrf"]
EOF

"$bin" score --hyp "$data/hyp.txt" --ref "$data/ref.txt" --lowercase --json \
  | python3 -c 'import json,sys; b=json.load(sys.stdin)["bleu"]; assert abs(b["score"]-68.13)<=0.01 and "case:lc" in b["signature"], b' \
  || fail "--lowercase"

# The readable form is sacreBLEU's own line format.
"$bin" score --hyp "$data/hyp.txt" --ref "$data/ref.txt" > "$tmp/score.txt"
grep -q "^BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:.* = 66.78 92.0/75.3/63.7/54.7 (BP = 0.953 ratio = 0.954 hyp_len = 4984 ref_len = 5226)$" \
  "$tmp/score.txt" || fail "text output: $(cat "$tmp/score.txt")"
grep -q "^chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:.* = 80.85$" "$tmp/score.txt" \
  || fail "chrF text output: $(cat "$tmp/score.txt")"

# Different line counts: exit 2, one line naming both files and both counts.
head -n 299 "$data/hyp.txt" > "$tmp/short.txt"
set +e
"$bin" score --hyp "$tmp/short.txt" --ref "$data/ref.txt" > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "mismatched line counts exit $rc, want 2"
grep -q "short.txt has 299 lines" "$tmp/err" || fail "error does not name the hypothesis count: $(cat "$tmp/err")"
grep -q "ref.txt has 300" "$tmp/err" || fail "error does not name the reference count: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = 1 ] || fail "error is not one line"

# A missing file is named.
set +e
"$bin" score --hyp "$tmp/nope.txt" --ref "$data/ref.txt" > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "missing file exit $rc, want 2"
grep -q "nope.txt: no such file" "$tmp/err" || fail "missing file: $(cat "$tmp/err")"
echo ok
