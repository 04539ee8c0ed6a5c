#!/usr/bin/env bash
# Output errors are errors: a full disk on standard output (translate, score, config show, eval
# --json, compare --format json) or on an output file exits 1 with one line naming the output;
# translate stops at the first line it cannot write; a closed pipe ends the program quietly.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.1},
 "train": {"epochs": 1, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 4},
 "decode": {"beam": 1}}
JSON
s2s train --config tiny.json --run r > /dev/null 2>&1 || fail "training the tiny run"
s2s eval --run r > /dev/null 2>&1 || fail "eval of the tiny run"

# expect_error RC PATTERN COMMAND...: exit RC and exactly one stderr line, "error: ..." matching PATTERN.
expect_error() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$@" 2> err.txt || rc=$?
  [ "$rc" = "$want" ] || fail "$*: exit $rc, expected $want ($(cat err.txt))"
  # (info lines aside, such as eval's "wrote RUN/eval/test.json and .hyp")
  [ "$(grep -v '^\[[0-9:]* I\] ' err.txt | grep -c .)" = 1 ] || fail "$*: not one line: $(cat err.txt)"
  grep -q "^error: $pattern" err.txt || fail "$*: expected 'error: $pattern', got: $(cat err.txt)"
}

# 1. Standard output on a full disk: exit 1, one line, nothing else lost silently.
stdout_full="writing standard output: No space left on device\$"
expect_error 1 "$stdout_full" s2s translate --run r --input test.de > /dev/full
expect_error 1 "$stdout_full" s2s score --hyp test.en --ref test.en > /dev/full
expect_error 1 "$stdout_full" s2s config show tiny.json > /dev/full
expect_error 1 "$stdout_full" s2s eval --run r --json > /dev/full
expect_error 1 "$stdout_full" s2s compare r --format json > /dev/full
expect_error 1 "$stdout_full" s2s --help > /dev/full

# A long input: 7200 lines, more output (~270 KB) than a pipe holds (64 KiB), so that a writer is
# still running when the reader of section 3 leaves.
for _ in $(seq 600); do cat test.de; done > many.de

# 2. Streaming: translate stops at the first line it cannot write. It writes each line's heatmap
# after printing the line, so a session that went on would leave one SVG per input line.
mkdir svg
expect_error 1 "$stdout_full" s2s translate --run r --input many.de --attention-svg svg/a.svg > /dev/full
[ -z "$(ls svg)" ] || fail "translate went on after stdout failed: $(ls svg | wc -l) heatmaps written"

# 3. A closed pipe: the reader has what it wanted; no error text.
# (SIGPIPE ends the writer, or it exits quietly where the signal is ignored: status 141 either way.)
rc=0; s2s translate --run r --input many.de 2> err.txt | head -1 > first.txt || rc=$?
[ "$rc" = 141 ] || fail "translate into a closed pipe: status $rc, expected 141 (SIGPIPE)"
[ -s first.txt ] || fail "no first line through the pipe"
[ ! -s err.txt ] || fail "a closed pipe printed: $(cat err.txt)"
rc=0; (trap '' PIPE; exec "$bin" --threads 1 translate --run r --input many.de 2> err.txt) | head -1 > /dev/null || rc=$?
[ "$rc" = 141 ] || fail "translate into a closed pipe with SIGPIPE ignored: status $rc, expected 141"
[ ! -s err.txt ] || fail "a closed pipe with SIGPIPE ignored printed: $(cat err.txt)"

# 4. Output files: a full disk, a directory that cannot be made, a read-only directory.
file_full="/dev/full: cannot write (No space left on device"
expect_error 1 "$file_full" s2s translate --run r --input test.de --attention-svg /dev/full > /dev/null
[ -c /dev/full ] || fail "/dev/full is no longer a device"
touch plain
expect_error 1 "plain/out: cannot create the directory (Not a directory)" s2s compare r --out plain/out > /dev/null
expect_error 1 "plain/synth: cannot create the directory" s2s data synth --out plain/synth --train 10 > /dev/null
cp -r r r_evalfile && rm -rf r_evalfile/eval && touch r_evalfile/eval
expect_error 1 "r_evalfile/eval: cannot create the directory" s2s eval --run r_evalfile > /dev/null
if [ "$(id -u)" != 0 ]; then  # root writes into read-only directories
  mkdir readonly && chmod 555 readonly
  expect_error 1 "readonly/compare.json: cannot write (Permission denied" s2s compare r --out readonly > /dev/null
fi

echo "outputs: ok"
