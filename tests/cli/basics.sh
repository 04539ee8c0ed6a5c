#!/usr/bin/env bash
# CLI basics: --help at every level, --version, doctor --json, config errors and exit codes.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --help | grep -q "doctor" || fail "--help does not list doctor"
"$bin" --version | grep -q "^seq2seq " || fail "--version"
for sub in doctor config "config show" "config validate"; do
  $bin $sub --help >/dev/null || fail "$sub --help"
done

"$bin" doctor --json --no-gemm > "$tmp/doctor.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["threads"]>=1 and "blas" in d, d' "$tmp/doctor.json" \
  || fail "doctor --json is not the expected JSON"
"$bin" --threads 1 doctor --json --no-gemm | python3 -c 'import json,sys; assert json.load(sys.stdin)["threads"]==1' \
  || fail "--threads is not applied"

echo '{"model": {"hiden_dim": 3}}' > "$tmp/bad.json"
set +e
"$bin" config validate "$tmp/bad.json" 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "bad config exit code $rc, want 2"
grep -q "bad.json: model.hiden_dim: unknown key (did you mean hidden_dim?)" "$tmp/err" || fail "error text: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = 1 ] || fail "error is not one line"

set +e
"$bin" config show "$root/configs/bahdanau.json" --set train.epochs=x 2> "$tmp/err"; rc=$?
"$bin" no-such-command 2>/dev/null; rc2=$?
set -e
[ "$rc" = 2 ] || fail "bad --set exit code $rc"
[ "$rc2" = 2 ] || fail "unknown subcommand exit code $rc2"

"$bin" config show "$root/configs/bahdanau.json" --set train.lr=0.01 \
  | python3 -c 'import json,sys; assert json.load(sys.stdin)["train"]["lr"]==0.01'
"$bin" config validate "$root"/configs/*.json >/dev/null
echo ok
