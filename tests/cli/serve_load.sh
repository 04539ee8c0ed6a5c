#!/usr/bin/env bash
# seq2seq serve under load, through the binary: 16 clients for about 10 s against
# --max-concurrent 2. Every answer is 200 or 503 with Retry-After, none lost or malformed; the
# server's memory does not grow; /health answers afterwards; SIGTERM exits 0. Also the command
# line: the start-up line, --port in use, a run that is not there; and bench --serve.
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'jobs -p | xargs -r kill -9 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
s2s() { "$bin" --threads 1 "$@"; }

if ! s2s serve --help > /dev/null 2>&1; then
  echo "serve_load: this seq2seq was built without serve (cpp-httplib); nothing to test"
  exit 0
fi

python3 "$root/tests/cli/tiny_corpus.py"
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.1},
 "train": {"epochs": 1, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 4},
 "decode": {"beam": 2}}
JSON
s2s train --config tiny.json --run runs/bahdanau > /dev/null 2>&1 || fail "train"

# The server on a free port (--port 0), which its start-up line names; started directly (not
# through s2s) so that $! is the server itself, whose memory is measured and which gets SIGTERM.
"$bin" --threads 1 serve --run runs/bahdanau --port 0 --max-concurrent 2 > serve.out 2> serve.err &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*serving 1 model(s) at http://127.0.0.1:\([0-9]*\)/ (Ctrl-C to stop).*|\1|p' serve.err)
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || fail "serve exited: $(cat serve.err)"
  sleep 0.1
done
[ -n "$port" ] || fail "no start-up line: $(cat serve.err)"
# The listen queue holds 128 connections, not the 5 that Debian's compiled httplib asks for: with
# 5, a burst of clients on a busy machine had SYNs dropped and, now and then, a connection reset.
backlog=$(ss -Hltn "sport = :$port" | awk '{print $3}')
[ "$backlog" = 128 ] || fail "the listen queue is '$backlog' deep, not 128"

# A second server on the same port: one line, exit 2.
rc=0; s2s serve --run runs/bahdanau --port "$port" > /dev/null 2> taken.err || rc=$?
[ $rc = 2 ] || fail "a taken port exits $rc"
grep -q "^error: --port $port: cannot listen on 127.0.0.1:$port" taken.err || fail "taken port: $(cat taken.err)"
rc=0; s2s serve --run runs/none > /dev/null 2> none.err || rc=$?
[ $rc != 0 ] && [ "$(wc -l < none.err)" = 1 ] || fail "a missing run: exit $rc, $(cat none.err)"

python3 - "$port" "$pid" <<'PY' || fail "load"
import json, sys, threading, time, urllib.error, urllib.request
port, pid = sys.argv[1], sys.argv[2]
url = f"http://127.0.0.1:{port}"

def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def request(i):
    body = json.dumps({"text": ["Der hund sieht den mann.", "Die katze mag den vogel."][i % 2],
                       "beam": 1 + i % 4, "n_best": 1 + i % 2, "attention": ["none", "mean", "all"][i % 3]})
    req = urllib.request.Request(url + "/api/v1/translate", data=body.encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

counts = {"sent": 0, "ok": 0, "busy": 0, "bad": 0}
problems = []
lock = threading.Lock()

def client(n, until):
    i = n
    while time.time() < until:
        try:
            status, headers, body = request(i)
        except Exception as e:  # lost: no answer at all
            status, headers, body = None, {}, repr(e).encode()
        i += 16
        with lock:
            counts["sent"] += 1
            try:
                if status == 200:
                    answer = json.loads(body)
                    hyps = answer["results"][0]["translations"][0]["hypotheses"]
                    assert hyps and isinstance(hyps[0]["text"], str)
                    counts["ok"] += 1
                elif status == 503:
                    assert headers.get("Retry-After") == "1", "503 without Retry-After: 1"
                    assert json.loads(body)["error_type"] == "busy"
                    counts["busy"] += 1
                else:
                    raise AssertionError(f"status {status}: {body[:200]!r}")
            except Exception as e:
                counts["bad"] += 1
                problems.append(str(e))

# Warm-up, then the memory that counts as the start.
for i in range(6):
    assert request(i)[0] == 200
start_rss = rss_kb()
until = time.time() + 10
threads = [threading.Thread(target=client, args=(n, until)) for n in range(16)]
for t in threads: t.start()
for t in threads: t.join()
end_rss = rss_kb()
print(f"serve_load: {counts['sent']} requests from 16 clients in 10 s: {counts['ok']} answered 200, "
      f"{counts['busy']} answered 503 (Retry-After: 1), {counts['bad']} lost or malformed; "
      f"RSS {start_rss // 1024} MiB after warm-up, {end_rss // 1024} MiB at the end")
assert counts["bad"] == 0, problems[:5]
assert counts["ok"] + counts["busy"] == counts["sent"]
assert counts["ok"] >= 16, "too few translations under load"
assert counts["busy"] > 0, "16 clients against --max-concurrent 2 never got 503"
assert end_rss < start_rss * 1.5, f"RSS grew from {start_rss} kB to {end_rss} kB"
with urllib.request.urlopen(url + "/health", timeout=10) as answer:
    assert json.loads(answer.read()) == {"status": "ok", "models": ["bahdanau"]}
PY

kill -TERM $pid
rc=0; wait $pid || rc=$?
[ $rc = 0 ] || fail "SIGTERM: exit $rc: $(tail -3 serve.err)"
grep -q "stopping: finishing the requests in flight" serve.err || fail "no stopping line: $(tail -3 serve.err)"
[ ! -s serve.out ] || fail "serve printed to stdout: $(head -3 serve.out)"
# bench --serve: skipped without --run; with one, one line of latencies and rates.
s2s bench --serve > skip.out 2>&1 || fail "bench --serve without --run: $(cat skip.out)"
grep -q "^serve: skipped: no --run given" skip.out || fail "bench --serve without --run: $(cat skip.out)"
rc=0; s2s bench > /dev/null 2> bench.err || rc=$?
[ $rc = 2 ] && grep -q "^error: bench: give --config" bench.err || fail "bench without --config or --serve: $rc"
s2s bench --serve --run runs/bahdanau --serve-requests 3 > bench.out 2> bench.err || fail "bench --serve: $(tail -2 bench.err)"
cat bench.out
grep -qE "^serve: bahdanau \(1 run\), beam 5, one 15-word sentence, 3 requests each: HTTP p50 [0-9.]+ ms p95 [0-9.]+ ms, in-process p50 [0-9.]+ ms p95 [0-9.]+ ms; [0-9.]+ req/s with 1 client, [0-9.]+ req/s with 8$" bench.out \
  || fail "bench --serve line: $(cat bench.out)"
echo "serve_load: ok"
