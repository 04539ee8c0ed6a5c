#!/usr/bin/env bash
# `seq2seq attention demo`: the walk-through prints all four mechanisms, and its numbers match
# an independent recomputation (pure Python) from the printed inputs.
set -euo pipefail
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" attention demo > "$tmp/demo.txt"
for heading in "1. SimpleSelfAttention" "2. SelfAttention" "3. CausalAttention" "4. MultiHeadAttention"; do
  grep -q "^$heading" "$tmp/demo.txt" || fail "missing section: $heading"
done
# Row "journey" of the simple self-attention weights, computed by hand (x_2 · x_j, softmax).
grep -E "^ +journey +0\.1385 +0\.2379 +0\.2333 +0\.1240 +0\.1082 +0\.1581$" "$tmp/demo.txt" >/dev/null \
  || fail "simple self-attention weights of 'journey' are not the hand-computed ones"
grep -q "dropout" "$tmp/demo.txt" || fail "the demo does not say what happens to dropout"
grep -q -- "-inf" "$tmp/demo.txt" || fail "causal scores show no masked entries"

"$bin" attention demo --json > "$tmp/demo.json"
python3 - "$tmp/demo.json" <<'PY' || fail "JSON numbers do not match the recomputation"
import json, math, sys
d = json.load(open(sys.argv[1]))
x = d["embeddings"]
assert d["tokens"] == ["Your", "journey", "starts", "with", "one", "step"], d["tokens"]
ms = {m["name"]: m for m in d["mechanisms"]}
assert list(ms) == ["SimpleSelfAttention", "SelfAttention", "CausalAttention", "MultiHeadAttention"], list(ms)

def mm(a, b): return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]
def t(a): return [list(r) for r in zip(*a)]
def softmax(row):
    m = max(v for v in row if v is not None)
    e = [0.0 if v is None else math.exp(v - m) for v in row]
    return [v / sum(e) for v in e]
def close(name, got, want, tol):
    for i, (gr, wr) in enumerate(zip(got, want)):
        for j, (g, w) in enumerate(zip(gr, wr)):
            if g is None or w is None:
                assert g is None and w is None, (name, i, j, g, w)
            else:
                assert abs(g - w) <= tol, (name, i, j, g, w)

# 1. exact inputs: 4-decimal agreement
s = mm(x, t(x)); w = [softmax(r) for r in s]
m = ms["SimpleSelfAttention"]
close("simple scores", m["scores"], s, 1e-4); close("simple weights", m["weights"], w, 1e-4)
close("simple context", m["context"], mm(w, x), 1e-4)
# 2-4. recomputed from the printed (rounded) projection matrices
for name, causal in (("SelfAttention", False), ("CausalAttention", True)):
    m = ms[name]
    q, k, v = mm(x, m["W_query"]), mm(x, m["W_key"]), mm(x, m["W_value"])
    s = mm(q, t(k))
    if causal: s = [[None if j > i else s[i][j] for j in range(6)] for i in range(6)]
    w = [softmax([None if c is None else c / math.sqrt(2) for c in r]) for r in s]
    close(name + " scores", m["scores"], s, 2e-3); close(name + " weights", m["weights"], w, 2e-3)
    close(name + " context", m["context"], mm(w, v), 2e-3)
m = ms["MultiHeadAttention"]
assert m["heads"] == 2 and len(m["heads_detail"]) == 2
q, k, v = mm(x, m["W_query"]), mm(x, m["W_key"]), mm(x, m["W_value"])
ctx = []
for h, head in enumerate(m["heads_detail"]):
    s = [[None if j > i else q[i][h] * k[j][h] for j in range(6)] for i in range(6)]
    w = [softmax(r) for r in s]
    close("head scores", head["scores"], s, 2e-3); close("head weights", head["weights"], w, 2e-3)
    ctx.append([sum(w[i][j] * v[j][h] for j in range(6)) for i in range(6)])
close("multi-head context", m["context"], t(ctx), 2e-3)
PY

set +e
"$bin" attention 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "'attention' without a subcommand: exit $rc, want 2"
echo ok
