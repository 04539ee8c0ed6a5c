#!/usr/bin/env bash
# `cmake --install` gives a tree that works wherever it is moved: installed into one prefix and
# moved to another, with no SEQ2SEQ_* variable set, the binary finds its SentencePiece module
# from its own location (doctor, a subword training and translate run from there), and the
# configs and the man page are installed beside it.
set -euo pipefail
bin=$1; root=$2
build=${SEQ2SEQ_TEST_BUILD_DIR:-$(dirname "$(dirname "$bin")")}  # the build tree that made $bin (tests/CMakeLists.txt)
cmake=${CMAKE_COMMAND:-cmake}
tmp=${KEEP_TMP:-$(mktemp -d)}; [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

"$cmake" --install "$build" --prefix "$tmp/p1" > install.out 2>&1 || fail "cmake --install: $(tail -3 install.out)"
mv "$tmp/p1" "$tmp/p2"
prefix=$tmp/p2
[ -x "$prefix/bin/seq2seq" ] || fail "no bin/seq2seq in the installed tree"
module=$(find "$prefix" -path '*/seq2seq/libseq2seq_spm.so')
[ -n "$module" ] || fail "no <libdir>/seq2seq/libseq2seq_spm.so in the installed tree: $(cd "$prefix" && find . -type f)"
diff -r "$root/configs" "$prefix/share/seq2seq/configs" > /dev/null || fail "share/seq2seq/configs differs from configs/"
if grep -q '^SEQ2SEQ_HELP2MAN:FILEPATH=/' "$build/CMakeCache.txt"; then
  grep -q '^\.TH SEQ2SEQ "1"' "$prefix/share/man/man1/seq2seq.1" || fail "no man page share/man/man1/seq2seq.1"
  grep -q 'doctor' "$prefix/share/man/man1/seq2seq.1" || fail "the man page does not list the subcommands"
else
  echo "note: no man page to check (help2man was not found when $build was configured)" >&2
fi

# Only the installed files: no variable may point the binary elsewhere.
clean=(env)
while IFS= read -r name; do clean+=(-u "$name"); done < <(compgen -e | grep '^SEQ2SEQ_' || true)
s2s() { "${clean[@]}" "$prefix/bin/seq2seq" --threads 1 "$@"; }

s2s doctor > doctor.out 2> doctor.err || fail "doctor: $(tail -3 doctor.err)"
grep -q "^seq2seq " doctor.out || fail "doctor printed: $(cat doctor.out)"

s2s data synth --out corpus --train 300 --valid 20 --test 10 --max-words 12 --seed 3 > /dev/null 2> synth.err \
  || fail "data synth: $(tail -3 synth.err)"
c=$tmp/corpus
cat > spm.json <<JSON
{"data": {"train": {"src": "$c/train.de", "tgt": "$c/train.en"}, "valid": {"src": "$c/valid.de", "tgt": "$c/valid.en"},
          "test": {"src": "$c/test.de", "tgt": "$c/test.en"}, "tokenizer": "spm", "vocab_size": 200},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.0},
 "train": {"epochs": 1, "batch_size": 8, "lr": 0.01, "valid_bleu_max": 4},
 "decode": {"beam": 1}}
JSON
# The module must come from the moved tree, not from the build tree's copy (the last fallback):
# the debug log names the one loaded.
s2s --log-level debug train --config spm.json --run run --device cpu > /dev/null 2> train.err \
  || fail "train with spm from the moved tree: $(grep -v '^\[[0-9:]* D\]' train.err | tail -3)"
grep -qF "SentencePiece module: $(realpath "$module") " train.err \
  || fail "the module did not come from the moved tree: $(grep 'SentencePiece module' train.err || echo 'no SentencePiece module line')"
[ -s run/spm.src.model ] && [ -s run/spm.tgt.model ] || fail "the run has no SentencePiece models"

head -3 "$c/test.de" > three.de
s2s translate --run run --input three.de > tr.out 2> tr.err || fail "translate: $(tail -3 tr.err)"
[ "$(wc -l < tr.out)" = 3 ] || fail "translate gave $(wc -l < tr.out) lines for 3"
[ -n "$(tr -d '[:space:]' < tr.out)" ] || fail "translate printed nothing"
echo ok
