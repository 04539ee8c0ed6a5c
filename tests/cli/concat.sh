#!/usr/bin/env bash
# `data concat`: K aligned lines joined per line (consecutive or seeded random), concat.json, no
# silent overwrite, and one-line errors for bad input.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" data concat --help | grep -q -- "--join" || fail "concat --help does not list --join"
printf 'Ein Mann.\nEine Frau.\nEin Kind.\nEin Hund.\nEine Katze.\n' > "$tmp/t.de"
printf 'A man.\nA woman.\nA child.\nA dog.\nA cat.\n' > "$tmp/t.en"

"$bin" --threads 1 data concat --src "$tmp/t.de" --tgt "$tmp/t.en" --join 2 --out "$tmp/o" > "$tmp/out" 2> "$tmp/err"
grep -q "wrote 2 lines of 2 joined sentences to $tmp/o/t.join2.de and $tmp/o/t.join2.en (5 lines in, 1 left over)" \
  "$tmp/out" || fail "summary: $(cat "$tmp/out")"
grep -q "1 trailing line" "$tmp/err" || fail "the dropped line is not logged: $(cat "$tmp/err")"
[ "$(cat "$tmp/o/t.join2.de")" = "$(printf 'Ein Mann. Eine Frau.\nEin Kind. Ein Hund.')" ] ||
  fail "t.join2.de: $(cat "$tmp/o/t.join2.de")"
[ "$(cat "$tmp/o/t.join2.en")" = "$(printf 'A man. A woman.\nA child. A dog.')" ] || fail "t.join2.en: $(cat "$tmp/o/t.join2.en")"
python3 - "$tmp" <<'EOF' || fail "concat.json is not right"
import hashlib, json, sys
d = sys.argv[1]
meta = json.load(open(d + "/o/concat.json"))
assert meta["join"] == 2 and meta["order"] == "consecutive" and meta["seed"] == 1, meta
assert (meta["lines_in"], meta["lines_out"], meta["dropped"]) == (5, 2, 1), meta
assert meta["inputs"]["src"]["sha256"] == hashlib.sha256(open(d + "/t.de", "rb").read()).hexdigest()
assert meta["inputs"]["tgt"]["path"] == d + "/t.en", meta
EOF

# No silent overwrite; --force overwrites. Random order: each line once, sides aligned, seeded.
set +e
"$bin" --threads 1 data concat --src "$tmp/t.de" --tgt "$tmp/t.en" --join 2 --out "$tmp/o" > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q -- "--force" "$tmp/err" || fail "existing output: exit $rc, $(cat "$tmp/err")"
for out in r1 r2; do
  "$bin" --threads 1 data concat --src "$tmp/t.de" --tgt "$tmp/t.en" --join 1 --order random --seed 9 \
    --out "$tmp/$out" > /dev/null 2>&1
done
cmp -s "$tmp/r1/t.join1.de" "$tmp/r2/t.join1.de" || fail "the same seed gives another order"
[ "$(sort "$tmp/r1/t.join1.de")" = "$(sort "$tmp/t.de")" ] || fail "random order lost or repeated a line"
paste -d'|' "$tmp/r1/t.join1.de" "$tmp/r1/t.join1.en" | grep -q "^Ein Hund.|A dog.$" || fail "random order split a pair"
"$bin" --threads 1 data concat --src "$tmp/t.de" --tgt "$tmp/t.en" --join 2 --order random --seed 9 \
  --out "$tmp/o" --force > /dev/null 2>&1 || fail "--force does not overwrite"
grep -q '"order": "random"' "$tmp/o/concat.json" || fail "--force did not rewrite concat.json"

# Errors: one line, exit 2 (usage) or 1 (input), naming what is wrong.
expect_error() {  # want-rc, pattern, then the arguments
  local want=$1 pattern=$2; shift 2
  set +e
  "$bin" --threads 1 data concat "$@" > /dev/null 2> "$tmp/err"; local rc=$?
  set -e
  [ "$rc" = "$want" ] || fail "$* exits $rc, want $want: $(cat "$tmp/err")"
  [ "$(grep -c . "$tmp/err")" = 1 ] || fail "$* does not give one line: $(cat "$tmp/err")"
  grep -q -- "$pattern" "$tmp/err" || fail "$* does not say $pattern: $(cat "$tmp/err")"
}
head -4 "$tmp/t.en" > "$tmp/short.en"
expect_error 1 "t.de has 5 lines, $tmp/short.en has 4" --src "$tmp/t.de" --tgt "$tmp/short.en" --join 2 --out "$tmp/e"
expect_error 2 "--join 0" --src "$tmp/t.de" --tgt "$tmp/t.en" --join 0 --out "$tmp/e"
expect_error 2 "--join 6" --src "$tmp/t.de" --tgt "$tmp/t.en" --join 6 --out "$tmp/e"
expect_error 2 "--src $tmp/none.de: no such file" --src "$tmp/none.de" --tgt "$tmp/t.en" --join 2 --out "$tmp/e"
expect_error 2 "is a directory" --src "$tmp" --tgt "$tmp/t.en" --join 2 --out "$tmp/e"
printf 'Ein\001Mann.\nx\nx\nx\nx\n' > "$tmp/ctl.de"
expect_error 1 "ctl.de:1: control character" --src "$tmp/ctl.de" --tgt "$tmp/t.en" --join 2 --out "$tmp/e"
expect_error 2 "order" --src "$tmp/t.de" --tgt "$tmp/t.en" --join 2 --out "$tmp/e" --order sideways
[ ! -e "$tmp/e" ] || fail "a rejected command wrote $tmp/e"
echo ok
