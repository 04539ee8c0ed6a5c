#!/usr/bin/env bash
# Inputs checked at the door, through the binary: a directory where a file must be (exit 2, one
# line naming the option or config key), every corpus a config names checked before the first
# training step (a missing test split, an empty validation split), control characters refused
# with FILE:LINE, a byte-order mark stripped by every reader, a huge word cut short in the warning
# that quotes it, and duplicate keys in config files refused with file, line and key path.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }
# expect_error CODE TEXT ARGS...: exit CODE and one stderr line "error: ...TEXT...".
expect_error() {
  local code=$1 text=$2; shift 2
  set +e; s2s "$@" > out.txt 2> err.txt; local rc=$?; set -e
  [ "$rc" = "$code" ] || fail "$*: exit $rc, expected $code: $(cat err.txt)"
  local line; line=$(grep "^error: " err.txt || true)
  [ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] || fail "$*: expected one error line: $(cat err.txt)"
  case "$line" in *"$text"*) ;; *) fail "$*: no '$text' in: $line" ;; esac
}

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
# config NAME [VALID_SRC VALID_TGT [TEST_SRC]]: a tiny RNN config.
config() {
  cat > "$1" <<JSON
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "${2:-valid.de}", "tgt": "${3:-valid.en}"},
          "test": {"src": "${4:-test.de}", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "rnn", "emb_dim": 8, "hidden_dim": 8, "dropout": 0},
 "train": {"epochs": 1, "batch_size": 16, "valid_bleu_max": 0},
 "decode": {"beam": 1}}
JSON
}
config tiny.json
s2s train --config tiny.json --run run > /dev/null 2>&1 || fail "train tiny.json"
mkdir folder

# 1. A directory where a file must be: exit 2 naming the option (or the config key).
expect_error 2 "--hyp folder: is a directory, not a file" score --hyp folder --ref test.en
expect_error 2 "--ref folder/: is a directory, not a file" score --hyp test.en --ref folder/
expect_error 2 "--input folder: is a directory, not a file" translate --run run --input folder
expect_error 2 "--src folder: is a directory, not a file" eval --run run --src folder --ref test.en
expect_error 2 "--ref folder: is a directory, not a file" eval --run run --src test.de --ref folder
expect_error 2 "--config folder: is a directory, not a file" train --config folder --run r_folder
expect_error 2 "folder: is a directory, not a file" config validate folder
printf '{"extends": "folder"}\n' > extends_folder.json
expect_error 2 "extends_folder.json: extends: folder: is a directory, not a file" config validate extends_folder.json
config valid_folder.json folder
expect_error 2 "data.valid.src: folder: is a directory, not a file" train --config valid_folder.json --run r_vf
expect_error 2 "valid_folder.json: data.valid.src: folder: is a directory" config validate --data valid_folder.json
s2s config validate valid_folder.json > /dev/null || fail "config validate without --data reads no corpus"
s2s config validate --data tiny.json | grep -q "tiny.json: ok" || fail "config validate --data tiny.json"

# 2. A missing test split fails train before the first step, in seconds; the run directory keeps
# no config, vocabulary, state or metrics, so the same command works once the file is there.
config no_test.json valid.de valid.en missing_test.de
start=$(date +%s)
expect_error 2 "data.test.src: missing_test.de: no such file" train --config no_test.json --run r_test
[ $(( $(date +%s) - start )) -le 10 ] || fail "the missing test split took more than 10 s to report"
left=$(cd r_test && ls -A | sort | tr '\n' ' ')
[ "$left" = ".lock train.log " ] || fail "run directory after the refused start holds: $left"
grep -q "step" r_test/train.log && fail "a step was logged: $(cat r_test/train.log)"
cp test.de missing_test.de
s2s train --config no_test.json --run r_test > /dev/null 2> err.txt || fail "train after the fix: $(tail -2 err.txt)"
[ -f r_test/state.json ] || fail "no state.json after the fixed run"

# 3. An empty validation split, or one with no usable pair, is refused (it trained as loss 0).
: > empty.de; : > empty.en
config empty_valid.json empty.de empty.en
expect_error 1 "data.valid: empty.de and empty.en: empty (0 lines)" train --config empty_valid.json --run r_empty
printf '\n \n' > blank.de; printf 'x\n\n' > blank.en
config blank_valid.json blank.de blank.en
expect_error 1 "data.valid: blank.de and blank.en: no usable pair" train --config blank_valid.json --run r_blank
expect_error 1 "--src/--ref: empty.de and empty.en: empty (0 lines)" eval --run run --src empty.de --ref empty.en

# 4. Control characters (NUL, ESC, a lone CR) refused with FILE:LINE and the byte.
{ head -3 train.de; printf 'Der hund\0 sieht den mann.\n'; tail -n +5 train.de; } > nul_train.de
sed 's/train.de/nul_train.de/' tiny.json > nul.json
expect_error 1 "data.train: nul_train.de:4: control character U+0000 (NUL) at byte 9" train --config nul.json --run r_nul
[ -e r_nul/vocab.src.json ] && fail "a vocabulary was built from the NUL corpus"
printf 'The dog sees the man.\nThe cat\033[31m sees.\n' > esc.en; head -2 test.en > two.en
expect_error 1 "esc.en:2: control character U+001B (ESC) at byte 8" score --hyp esc.en --ref two.en
expect_error 1 "esc.en:2: control character U+001B (ESC)" eval --run run --src two.en --ref esc.en
printf 'Der hund sieht den mann.\nDer\rmann.\n' > cr.de
expect_error 1 "cr.de:2: control character U+000D (CR) at byte 4" translate --run run --input cr.de
printf 'Der hund\0 sieht.\n' | { set +e; s2s translate --run run > out.txt 2> err.txt; echo $? > rc.txt; }
[ "$(cat rc.txt)" = 1 ] && grep -q "^error: <stdin>:1: control character U+0000 (NUL)" err.txt \
  || fail "translate on stdin with a NUL: exit $(cat rc.txt): $(cat err.txt)"
# CRLF line ends and TABs are text, not control characters.
sed 's/$/\r/' test.en > crlf.en
s2s score --hyp test.en --ref crlf.en | grep -q "= 100.00 " || fail "score with CRLF references"

# 5. A byte-order mark is stripped by every reader: score, translate --input, translate on stdin.
{ printf '\xEF\xBB\xBF'; cat test.en; } > bom.en
s2s score --hyp test.en --ref bom.en | grep -q "^BLEU|.* = 100.00 " || fail "score --ref with a BOM: $(s2s score --hyp test.en --ref bom.en)"
s2s score --hyp bom.en --ref test.en --json | python3 -c 'import json,sys; assert round(json.load(sys.stdin)["bleu"]["score"], 6) == 100' \
  || fail "score --hyp with a BOM"
{ printf '\xEF\xBB\xBF'; cat test.de; } > bom.de
s2s translate --run run --input test.de > plain.out 2> /dev/null
s2s translate --run run --input bom.de > bom.out 2> /dev/null
cmp -s plain.out bom.out || fail "translate --input with a BOM differs: $(diff plain.out bom.out | head -4)"
s2s translate --run run < bom.de > bom_stdin.out 2> /dev/null
cmp -s plain.out bom_stdin.out || fail "translate on stdin with a BOM differs"

# 6. A one-megabyte word is cut short where a warning quotes it.
python3 -c 'print("Der " + "x" * 1000000 + " sieht.")' > long.de
s2s translate --run run --input long.de > long.out 2> long.err || fail "translate a long word: $(tail -c 300 long.err)"
line=$(grep "unknown word" long.err) || fail "no unknown-word warning: $(head -c 300 long.err)"
[ ${#line} -lt 300 ] || fail "the warning is ${#line} bytes long"
case "$line" in *"xxx... (999940 more bytes)"*) ;; *) fail "the cut is not said: $line" ;; esac
[ "$(wc -l < long.out)" = 1 ] || fail "no translation of the long line"

# 7. Duplicate keys: an error naming file, line and key path, also in a base and in a run's config.json.
printf '{"model": {"type": "rnn",\n           "type": "bahdanau"}}\n' > dup.json
expect_error 2 "dup.json:2: duplicate key model.type; keep one" config validate dup.json
printf '{"extends": "dup.json", "data": {"train": {"src": "train.de", "tgt": "train.en"}}}\n' > child.json
expect_error 2 "dup.json:2: duplicate key model.type" train --config child.json --run r_dup
[ -e r_dup ] && fail "a run directory was made for a config with a duplicate key"
cp -r run run_dup
python3 - run_dup/config.json <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
open(path, "w").write(text.replace('"decode": {', '"decode": {\n    "beam": 3,', 1))
PY
# (a run written before state.json recorded config.json's checksum, which would refuse the edit first)
python3 -c 'import json, sys; p = sys.argv[1]; s = json.load(open(p)); del s["checksums"]["config.json"]; json.dump(s, open(p, "w"))' run_dup/state.json
expect_error 2 "run_dup/config.json:" eval --run run_dup --split test
grep -q "duplicate key decode.beam" err.txt || fail "eval on a run whose config.json repeats a key: $(cat err.txt)"
echo "inputs: ok"
