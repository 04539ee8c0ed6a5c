#!/usr/bin/env bash
# Configs that extend a base: `config show` prints the resolved whole from any directory, --set
# applies after the merge, a cycle and a config without training data are one-line errors (exit 2).
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); root=$(cd "$2" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"  # bases are found next to the file, not in the working directory

"$bin" config show "$root/configs/rnn_bidir.json" --set decode.beam=3 > show.json || fail "config show rnn_bidir"
python3 - show.json <<'PY' || fail "rnn_bidir resolved: $(cat show.json)"
import json, sys
c = json.load(open(sys.argv[1]))
assert "extends" not in c, c.keys()
assert c["model"]["bidirectional"] is True and c["model"]["reverse_source"] is False  # its own keys
assert c["model"]["hidden_dim"] == 512 and c["train"]["average_last"] == 5          # rnn.json's
assert c["train"]["epochs"] == 14 and c["decode"]["beam"] == 3                       # its own, --set
assert c["data"]["train"]["src"] == "data/multi30k/train.de.gz"                      # rnn.json's data
PY
"$bin" config validate "$root"/configs/*.json "$root"/configs/*/*.json > /dev/null || fail "config validate configs/"

expect_error() {  # expect_error TEXT ARGS...: exit 2, one line on stderr, containing TEXT
  local text=$1; shift
  set +e; "$bin" "$@" > /dev/null 2> err; local rc=$?; set -e
  [ "$rc" = 2 ] || fail "$* exit code $rc, want 2: $(cat err)"
  [ "$(wc -l < err)" = 1 ] || fail "$*: error is not one line: $(cat err)"
  grep -qF -- "$text" err || fail "$*: error lacks '$text': $(cat err)"
}
mkdir sub
echo '{"extends": "sub/b.json"}' > a.json
echo '{"extends": "../a.json", "train": {"epochs": 2}}' > sub/b.json
expect_error "a.json: extends: a cycle: a.json -> sub/b.json -> a.json" config show a.json
echo '{"extends": "../missing.json"}' > sub/c.json
expect_error "sub/c.json: extends: missing.json not found" config validate sub/c.json
echo '{"model": {"type": "rnn"}}' > nodata.json
expect_error "nodata.json: data.train.src: no training file" train --config nodata.json --run runs/nodata
[ ! -e runs/nodata ] || fail "a config without data created its run directory"
echo ok
