#!/usr/bin/env bash
# model.reverse_source through the binary: config show/validate, then a tiny reversed-source run
# that train, eval, translate and compare all read the same way (the reversal is inside the model).
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
# Every encoder option at once: a 2-layer bidirectional LSTM reading the source reversed.
cat > rev.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "rnn", "cell": "lstm", "layers": 2, "bidirectional": true, "reverse_source": true,
           "emb_dim": 16, "hidden_dim": 16, "dropout": 0.0},
 "train": {"epochs": 2, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8},
 "decode": {"beam": 2}}
JSON

# config: shown, defaulted, refused for the transformer.
"$bin" config show rev.json | python3 -c 'import json,sys; assert json.load(sys.stdin)["model"]["reverse_source"] is True' \
  || fail "config show lacks model.reverse_source"
"$bin" config show "$root/configs/quick/rnn.json" | grep -q '"reverse_source": false' || fail "default not shown"
set +e
"$bin" config show rev.json --set model.type=transformer > /dev/null 2> tf.err; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "model.reverse_source: must be false for the transformer" tf.err \
  || fail "transformer with reverse_source: rc=$rc $(cat tf.err)"

"$bin" --threads 1 train --config rev.json --run runs/rev --device cpu > /dev/null 2> train.err \
  || fail "train: $(tail -3 train.err)"
python3 -c 'import json; assert json.load(open("runs/rev/config.json"))["model"]["reverse_source"] is True' \
  || fail "the run's config.json lacks reverse_source"
"$bin" --threads 1 train --config rev.json --run runs/fwd --set model.reverse_source=false --device cpu > /dev/null 2>&1 \
  || fail "train without reverse_source"
"$bin" --threads 1 train --config rev.json --run runs/att --set model.type=bahdanau --set model.layers=1 --device cpu \
  > /dev/null 2>&1 || fail "train bahdanau with reverse_source"

# compare evaluates the runs that have no eval results yet (best.pt, decode.beam); its config
# diff names the one key that differs.
"$bin" --threads 1 compare runs/rev runs/fwd > cmp.txt 2> cmp.err || fail "compare: $(tail -3 cmp.err)"
[ "$(sed -n '/^Config differences/,$p' cmp.txt | grep -c '^  ')" = 1 ] || fail "config diff: $(cat cmp.txt)"
grep -q "^  model.reverse_source: rev=true | fwd=false" cmp.txt || fail "config diff lacks reverse_source: $(cat cmp.txt)"
cp runs/rev/eval/test.hyp compare.hyp

# eval (best.pt, decode.beam) gives compare's hypotheses, and translate the same lines.
"$bin" --threads 1 eval --run runs/rev --split test > /dev/null 2> eval.err || fail "eval: $(tail -3 eval.err)"
cmp -s compare.hyp runs/rev/eval/test.hyp || fail "eval and compare translate differently"
"$bin" --threads 1 translate --run runs/rev --input test.de > tr.out 2> tr.err || fail "translate: $(tail -3 tr.err)"
cmp -s tr.out runs/rev/eval/test.hyp || fail "translate differs from eval: $(diff tr.out runs/rev/eval/test.hyp)"
"$bin" --threads 1 translate --run runs/att --input test.de --show-attention > att.out 2> att.err \
  || fail "translate --show-attention: $(tail -3 att.err)"
[ "$(wc -l < att.out)" = 12 ] || fail "bahdanau translate gave $(wc -l < att.out) lines for 12"
"$bin" --threads 1 eval --run runs/att --split test > /dev/null 2>&1 || fail "eval bahdanau"
cmp -s att.out runs/att/eval/test.hyp || fail "bahdanau: translate differs from eval"

# Training validated with the reversal: eval of the last weights on the validation split gives
# the loss of the run's last validation ...
loss_of() { python3 -c 'import json,sys; print("%.5f" % json.load(sys.stdin)["loss"])'; }
trained=$(python3 -c '
import json; print("%.5f" % [json.loads(l) for l in open("runs/rev/metrics.jsonl")][-1]["valid_loss"])')
evaluated=$("$bin" --threads 1 eval --run runs/rev --checkpoint last --split valid --json | loss_of)
[ "$trained" = "$evaluated" ] || fail "valid loss: trained $trained, evaluated $evaluated"
# ... and the same weights read forwards (a config.json from before the key existed, which
# loads as reverse_source = false) give another.
cp -r runs/rev runs/old
rm -rf runs/old/eval
python3 -c '
import json; c = json.load(open("runs/old/config.json")); del c["model"]["reverse_source"]
json.dump(c, open("runs/old/config.json", "w"), indent=2)
s = json.load(open("runs/old/state.json"))  # ... and before the checksums of config.json and the vocabularies
for name in ("config.json", "vocab.src.json", "vocab.tgt.json"): del s["checksums"][name]
json.dump(s, open("runs/old/state.json", "w"))'
forwards=$("$bin" --threads 1 eval --run runs/old --checkpoint last --split valid --json | loss_of) \
  || fail "a config.json without model.reverse_source does not load"
[ "$forwards" != "$evaluated" ] || fail "eval gives the same loss with and without reverse_source ($forwards)"
echo ok
