#!/usr/bin/env bash
# The page at / of `seq2seq serve` in a real browser (headless Chromium through Selenium): three
# tiny runs (rnn, bahdanau, transformer) served at once; serve_browser.py checks every panel
# against the API, the hover marks against the attention weights, n-best, the console and that no
# request leaves the origin. Skips (exit 0, "SKIP: ...") without Chromium, chromedriver, Selenium
# or a binary built with `serve`. Screenshot: $SEQ2SEQ_TEST_ARTIFACTS/serve.png (default
# BUILD/test-artifacts); UPDATE_SCREENSHOT=1 also writes docs/img/serve.png from longer-trained runs.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); root=$(cd "$2" && pwd)
skip() { echo "SKIP: $*"; exit 0; }
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (apt-get install chromium)"
[ -x /usr/bin/chromedriver ] || skip "no /usr/bin/chromedriver (apt-get install chromium-driver)"
# Debian's python3-selenium lives in /usr/bin/python3's packages, which a python3 of pyenv or a venv lacks.
py=""
for candidate in python3 /usr/bin/python3; do
  "$candidate" -c 'import selenium' 2>/dev/null && { py=$candidate; break; }
done
[ -n "$py" ] || skip "no Selenium for python3 (apt-get install python3-selenium)"
# `seq2seq NAME --help` prints the main help and exits 0 for any NAME, so look for serve's own --port.
"$bin" serve --help 2>&1 | grep -q -- "--port" || skip "this seq2seq has no serve command (built without cpp-httplib)"

build_dir=$(cd "$(dirname "$bin")/.." && pwd)
artifacts=${SEQ2SEQ_TEST_ARTIFACTS:-$build_dir/test-artifacts}
tmp=$(mktemp -d); server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/serve.err" ] && tail -5 "$tmp/serve.err" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }

# The runs: tiny for the test; a little longer (and wider) for the picture in the docs, so that
# its translations read as English.
epochs=2; width=16
if [ "${UPDATE_SCREENSHOT:-0}" = 1 ]; then epochs=40; width=32; fi
python3 "$root/tests/cli/tiny_corpus.py"
cat > tiny.json <<JSON
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"emb_dim": $width, "hidden_dim": $width, "heads": 2, "layers": 1, "ff_dim": $((2 * width)), "dropout": 0.1},
 "train": {"epochs": $epochs, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 4},
 "decode": {"beam": 2}}
JSON
for type in rnn bahdanau transformer; do
  s2s train --config tiny.json --run runs/$type --set model.type=$type > /dev/null 2> train.err \
    || fail "train $type: $(tail -2 train.err)"
  s2s eval --run runs/$type --split test > /dev/null 2> eval.err || fail "eval $type: $(tail -2 eval.err)"
done

# A free port (the kernel's choice; a race with another process is possible but unlikely), then
# wait for /health.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" --threads 1 serve --run runs/rnn --run runs/bahdanau --run runs/transformer --port "$port" \
  > serve.out 2> serve.err &
server=$!
origin="http://127.0.0.1:$port"
for _ in $(seq 300); do
  python3 -c "import urllib.request; urllib.request.urlopen('$origin/health', timeout=1)" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || fail "serve exited: $(tail -3 serve.err)"
  sleep 0.2
done
grep -q "serving 3 model(s) at http://127.0.0.1:$port/" serve.err || fail "no 'serving 3 model(s)' line: $(cat serve.err)"
curl -sS -D headers.txt -o page.html "$origin/" || fail "GET / failed"
grep -qi "^content-security-policy: default-src 'self'" headers.txt || fail "GET / without the CSP: $(cat headers.txt)"
grep -q 'id="sentence"' page.html || fail "GET / is not the page"

shots=("$tmp/serve.png")
if [ "${UPDATE_SCREENSHOT:-0}" = 1 ]; then mkdir -p "$root/docs/img"; shots+=("$root/docs/img/serve.png"); fi
set +e
"$py" "$root/tests/cli/serve_browser.py" "$origin" "$(sed -n 9p test.de)" "${shots[@]}"
rc=$?
set -e
[ $rc = 77 ] && skip "Selenium could not start Chromium"
mkdir -p "$artifacts" && cp "$tmp/serve.png" "$artifacts/serve.png" 2>/dev/null \
  && echo "screenshot: $artifacts/serve.png"
[ $rc = 0 ] || fail "serve_browser.py: $rc"

# SIGTERM: the server finishes and exits 0.
kill -TERM "$server"
set +e
wait "$server"
src=$?
set -e
server=""
[ $src = 0 ] || fail "serve exited $src after SIGTERM"
