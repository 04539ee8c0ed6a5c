#!/usr/bin/env bash
# `seq2seq bench`: --json has every field of the reference's output, with consistent values;
# corpus mode and decoding on Multi30k when it is on disk; a clear error when it is not.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3; [ -x "$py" ] || py=python3
# Small sizes so that every run takes seconds. The transformer's emb_dim must equal hidden_dim, and
# --set validates after each item, so the small configs are files; --set still changes ff_dim.
"$py" - "$root/configs/bench" "$tmp" <<'EOF'
import json, sys
for name in ("rnn", "bahdanau", "transformer"):
    c = json.load(open(f"{sys.argv[1]}/{name}.json"))
    c["model"].update(emb_dim=32, hidden_dim=32, heads=4)
    json.dump(c, open(f"{sys.argv[2]}/{name}.json", "w"))
EOF
small=(--set model.ff_dim=64)

# Mode fixed with explicit vocabulary sizes: no corpus read.
"$bin" --threads 2 bench --config "$tmp/transformer.json" "${small[@]}" --mode fixed --steps 3 --warmup 1 \
  --src-vocab 200 --tgt-vocab 150 --no-gemm --json > "$tmp/fixed.out"
tail -n 1 "$tmp/fixed.out" > "$tmp/fixed.json"
"$py" - "$tmp/fixed.json" <<'EOF' || fail "bench --json (mode fixed): $(cat "$tmp/fixed.json")"
import json, math, sys
r = json.load(open(sys.argv[1]))
for k in ["src_vocab", "tgt_vocab", "params", "train", "peak_rss_mb_after_train", "peak_rss_mb", "env",
          "train_flops_per_tgt_token_analytic_fixed", "train_flops_per_tgt_token_6N", "threads", "model", "mode"]:
    assert k in r, k
assert set(r["params"]) >= {"total", "embedding", "non_embedding"}
t = r["train"]
for k in ["tokens_per_s", "ms_per_step_mean", "ms_per_step_median", "ms_per_step_min", "ms_per_step_max",
          "tgt_tokens_timed", "cpu_util", "pad_frac_src", "pad_frac_tgt", "pad_frac_all", "loss_first",
          "loss_last", "achieved_gflops_analytic"]:
    assert k in t, k
assert (r["src_vocab"], r["tgt_vocab"], r["model"], r["mode"], r["threads"]) == (200, 150, "transformer", "fixed", 2)
assert r["params"]["embedding"] == 200 * 32 + 150 * 32, r["params"]   # two embedding tables, d_model 32
assert r["params"]["total"] == r["params"]["embedding"] + r["params"]["non_embedding"]
assert t["tgt_tokens_timed"] == 3 * 128 * 14, t                           # 3 steps of B=128 x 14 predicted tokens
assert t["pad_frac_src"] == t["pad_frac_tgt"] == t["pad_frac_all"] == 0
assert 0 < t["ms_per_step_min"] <= t["ms_per_step_median"] <= t["ms_per_step_max"]
assert t["ms_per_step_min"] <= t["ms_per_step_mean"] <= t["ms_per_step_max"]
# tokens/s = tokens over the summed step times = tokens / (steps * mean ms)
assert math.isclose(t["tokens_per_s"], t["tgt_tokens_timed"] / (3 * t["ms_per_step_mean"] / 1000), rel_tol=1e-9)
assert math.isclose(t["achieved_gflops_analytic"], t["tokens_per_s"] * r["train_flops_per_tgt_token_analytic_fixed"] / 1e9, rel_tol=1e-9)
assert 0 < t["loss_last"] < 2 * math.log(150) and 0 < t["loss_first"] < 2 * math.log(150), t
assert r["peak_rss_mb"] >= r["peak_rss_mb_after_train"] > 0
assert t["cpu_util"] > 0
# --precision both (the default): bf16 from the same initial weights on the same batches.
b = r["train_bf16"]
assert isinstance(r["native_bf16"], bool)
assert set(b) >= {"tokens_per_s", "ms_per_step_median", "loss_first", "loss_last", "achieved_gflops_analytic"}, b
assert b["tgt_tokens_timed"] == t["tgt_tokens_timed"], (b, t)
assert abs(b["loss_first"] - t["loss_first"]) < 0.05, (b["loss_first"], t["loss_first"])   # bf16 rounding only
EOF
# One precision: only its fields; the text form names the precision of each row.
"$bin" --threads 1 bench --config "$tmp/transformer.json" "${small[@]}" --steps 1 --warmup 0 --src-vocab 200 \
  --tgt-vocab 150 --no-gemm --json --precision fp32 | tail -n 1 > "$tmp/fp32.json"
"$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert "train" in r and "train_bf16" not in r and "native_bf16" not in r, r' \
  "$tmp/fp32.json" || fail "bench --precision fp32: $(cat "$tmp/fp32.json")"
"$bin" --threads 1 bench --config "$tmp/rnn.json" "${small[@]}" --steps 1 --warmup 0 --src-vocab 200 \
  --tgt-vocab 150 --no-gemm > "$tmp/text.out" 2>/dev/null || fail "bench (text)"
grep -q "^train fp32 " "$tmp/text.out" && grep -q "^train bf16 " "$tmp/text.out" \
  || fail "bench text has no fp32 and bf16 rows: $(cat "$tmp/text.out")"
set +e; "$bin" bench --config "$tmp/rnn.json" --precision fp16 --steps 1 >/dev/null 2>"$tmp/err"; rc=$?; set -e
[ "$rc" = 2 ] && grep -q "precision" "$tmp/err" || fail "bench --precision fp16: exit $rc: $(cat "$tmp/err")"

# No corpus: mode fixed falls back to the reference's vocabulary sizes; corpus mode and decoding fail clearly.
(cd "$tmp" && "$bin" bench --config "$tmp/rnn.json" "${small[@]}" --steps 1 --warmup 0 --no-gemm --json \
  --data-dir "$tmp/none" 2>"$tmp/warn" | tail -n 1 > "$tmp/fallback.json")
"$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert (r["src_vocab"], r["tgt_vocab"]) == (7882, 5898), r' \
  "$tmp/fallback.json" || fail "fallback vocabulary sizes"
for extra in "--mode corpus" "--decode"; do
  set +e
  "$bin" bench --config "$tmp/rnn.json" "${small[@]}" $extra --steps 1 --no-gemm --data-dir "$tmp/none" \
    >/dev/null 2>"$tmp/err"; rc=$?
  set -e
  [ "$rc" != 0 ] || fail "$extra without the corpus succeeded"
  grep -q "scripts/get_data.sh multi30k" "$tmp/err" || fail "$extra without the corpus: $(cat "$tmp/err")"
  [ "$(wc -l < "$tmp/err")" = 1 ] || fail "error is not one line: $(cat "$tmp/err")"
done

# With Multi30k on disk: corpus mode (the reference's batches) and decoding.
data=""
for d in "$root/data/multi30k" "$root/../shared/data/multi30k"; do
  [ -f "$d/train.de.gz" ] && [ -f "$d/val.de.gz" ] && { data=$d; break; }
done
if [ -z "$data" ]; then echo "skip: Multi30k not on disk"; echo ok; exit 0; fi
"$bin" bench --config "$tmp/bahdanau.json" "${small[@]}" --mode corpus --steps 2 --warmup 3 --decode \
  --decode-sentences 70 --data-dir "$data" --no-gemm --json | tail -n 1 > "$tmp/corpus.json"
"$py" - "$tmp/corpus.json" <<'EOF' || fail "bench --json (mode corpus + decode): $(cat "$tmp/corpus.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert (r["src_vocab"], r["tgt_vocab"], r["mode"]) == (7882, 5898, "corpus"), r
assert r["epoch_batches"] == 227
assert abs(r["epoch_pad_frac_tgt"] - 0.29131344980874596) < 1e-12   # the reference's epoch padding
t = r["train"]
assert t["pad_frac_tgt"] > 0 and t["pad_frac_src"] >= 0 and "achieved_gflops_analytic" not in t
d = r["decode"]
assert d["n_sentences"] == 70
for b, batches in (("b1", 70), ("b64", 2)):
    x = d[b]
    for k in ["sent_per_s", "gen_tokens", "gen_tokens_per_s", "decoder_steps", "ms_per_decoder_step", "cpu_util"]:
        assert k in x, (b, k)
    assert 70 <= x["gen_tokens"] <= 70 * (47 + 10), x        # 1..src_len+10 tokens each
    assert abs(x["sent_per_s"] / x["gen_tokens_per_s"] - 70 / x["gen_tokens"]) < 1e-9
assert d["b1"]["decoder_steps"] == d["b1"]["gen_tokens"]    # batch 1: one step per generated token
assert 2 <= d["b64"]["decoder_steps"] <= d["b64"]["gen_tokens"]
for b in ("b1", "b64"):                                     # bf16 rows beside them (--precision both)
    assert 70 <= r["decode_bf16"][b]["gen_tokens"] <= 70 * (47 + 10), r["decode_bf16"]
EOF
echo ok
