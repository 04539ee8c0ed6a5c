#!/usr/bin/env bash
# translate with several runs and at a terminal: three tiny runs (one per model type), pipe
# output with labels, unknown-word hints, then pseudo-terminal sessions: history (Up, Ctrl-R,
# the XDG file), :beam, :help, bad commands, :runs, :attention, :svg. Works with and without
# libedit (the banner says which; editing checks need it).
set -euo pipefail
bin=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
export OMP_NUM_THREADS=1 XDG_STATE_HOME="$tmp/state"
s2s() { "$bin" --threads 1 "$@"; }

# The tiny corpus of train_eval_translate.sh: "der hund sieht die katze ." -> "the dog sees the cat ."
python3 "$root/tests/cli/tiny_corpus.py"  # train/valid/test.{de,en}
cat > tiny.json <<'JSON'
{"data": {"train": {"src": "train.de", "tgt": "train.en"}, "valid": {"src": "valid.de", "tgt": "valid.en"},
          "test": {"src": "test.de", "tgt": "test.en"}, "min_freq": 1, "lowercase": true},
 "model": {"type": "bahdanau", "emb_dim": 16, "hidden_dim": 16, "dropout": 0.0},
 "train": {"epochs": 3, "batch_size": 8, "lr": 0.005, "valid_bleu_max": 8},
 "decode": {"beam": 1}}
JSON
s2s train --config tiny.json --run runs/rnn --set model.type=rnn --device cpu > /dev/null 2> train.err \
  || fail "train rnn: $(tail -3 train.err)"
s2s train --config tiny.json --run runs/bahdanau --device cpu > /dev/null 2> train.err \
  || fail "train bahdanau: $(tail -3 train.err)"
s2s train --config tiny.json --run runs/transformer --set model.type=transformer --set model.layers=1 \
  --set model.heads=2 --set model.ff_dim=32 --device cpu > /dev/null 2> train.err \
  || fail "train transformer: $(tail -3 train.err)"
s2s eval --run runs/bahdanau --split test > /dev/null 2>&1 || fail "eval bahdanau"
three=(--run runs/rnn --run runs/bahdanau --run runs/transformer)

# Pipe, three runs: 3 lines per input line, labels in the order given, an empty line gives
# "LABEL<TAB>" per run, each run's text equals its single-run output.
printf 'Der Hund sieht den Mann.\n\nDie Katze mag den Vogel.\nDer Hundd ruft den Zauberer.\n' > in.de
s2s translate "${three[@]}" < in.de > multi.out 2> multi.err || fail "translate, three runs: $(tail -3 multi.err)"
[ "$(wc -l < multi.out)" = 12 ] || fail "three runs gave $(wc -l < multi.out) lines for 4 input lines: $(cat multi.out)"
[ "$(cut -f1 multi.out | tr '\n' ' ')" = "rnn bahdanau transformer rnn bahdanau transformer rnn bahdanau transformer rnn bahdanau transformer " ] \
  || fail "labels out of order: $(cut -f1 multi.out | tr '\n' ' ')"
[ "$(sed -n 4,6p multi.out | tr '\n' '|')" = "rnn	|bahdanau	|transformer	|" ] || fail "empty input line: $(sed -n 4,6p multi.out)"
for run in rnn bahdanau transformer; do
  s2s translate --run runs/$run < in.de > single.$run 2> /dev/null || fail "translate --run runs/$run"
  [ "$(wc -l < single.$run)" = 4 ] && [ -z "$(sed -n 2p single.$run)" ] || fail "single run $run: $(cat single.$run)"
  diff <(grep "^$run	" multi.out | cut -f2-) single.$run > /dev/null || fail "$run: multi-run text differs from its single-run output"
done
grep -q "unknown word 'hundd' (did you mean: hund" multi.err || fail "no hint for 'hundd': $(cat multi.err)"
[ "$(grep -c "unknown word 'hundd'" multi.err)" = 1 ] || fail "'hundd' reported more than once per line: $(cat multi.err)"
grep -q "unknown word 'zauberer' (no close word" multi.err || fail "no report for 'zauberer': $(cat multi.err)"
s2s translate "${three[@]}" --nbest 2 <<< 'Der Hund sieht den Mann.' | grep -c '^bahdanau	[01] ||| ' | grep -q '^2$' \
  || fail "--nbest 2 with three runs"
printf 'Der Hund sieht den Mann.\n' | s2s translate "${three[@]}" --show-attention > /dev/null 2> att.err
[ "$(grep -c 'has no attention' att.err)" = 1 ] || fail "the plain rnn should say once that it has no attention: $(cat att.err)"
[ "$(grep -c '^attention of ' att.err)" = 2 ] || fail "two attention maps expected: $(cat att.err)"
[ ! -e "$XDG_STATE_HOME" ] || fail "history written although stdin was not a terminal"

# Expected texts for the terminal session, from the pipe.
s2s translate --run runs/bahdanau <<< 'Der Hund sieht den Mann.' > greedy.txt
s2s translate --run runs/bahdanau --beam 3 <<< 'Der Hund sieht den Mann.' > beam3.txt
s2s translate --run runs/bahdanau <<< 'Die Katze mag den Vogel.' > katze.txt

python3 - "$bin" "$tmp" <<'PY' || fail "terminal session"
import os, pty, re, select, sys, termios, time
bin, tmp = sys.argv[1], sys.argv[2]
greedy = open("greedy.txt").read().strip(); beam3 = open("beam3.txt").read().strip()
katze = open("katze.txt").read().strip()

class Session:
    def __init__(self, *runs):
        args = [bin, "--threads", "1", "--log-level", "error", "translate"]
        for r in runs: args += ["--run", r]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "xterm"
            os.execv(bin, args)
        self.buf = b""; self.mark = 0
    def text(self):  # what a person sees, without terminal control sequences
        t = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|[\r\x07]", b"", self.buf)
        return t.decode("utf-8", "replace")
    def wait_for(self, *markers, timeout=60):
        # Each marker after the previous one, in what arrived since the last send.
        end = time.time() + timeout; start = self.mark
        while time.time() < end:
            t = self.text()[start:]; pos = 0; ok = True
            for m in markers:
                i = t.find(m, pos)
                if i < 0: ok = False; break
                pos = i + len(m)
            if ok: return t[:pos]
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try: self.buf += os.read(self.fd, 4096)
                except OSError: break
        os.kill(self.pid, 9)
        raise AssertionError(f"waited for {markers!r}; got {self.text()[start:]!r}")
    def send(self, data):
        self.mark = len(self.text())
        os.write(self.fd, data.encode())
    def send_keys(self, data, timeout=30):
        # Control keys only reach libedit once it has put the terminal in raw mode: in canonical
        # mode the tty itself eats Ctrl-R (VREPRINT). Under load the bytes can arrive before
        # libedit's tcsetattr, so wait for ICANON to go off (Linux: the master reports the
        # slave's termios) before typing them.
        end = time.time() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ICANON:
            if time.time() > end: raise AssertionError("terminal never left canonical mode")
            time.sleep(0.05)
        self.send(data)
    def quit(self):
        self.send(":quit\r")
        _, status = os.waitpid(self.pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status

s = Session("runs/bahdanau")
banner = s.wait_for("de> ")
editing = "line editing and history (libedit)" in banner
print("libedit" if editing else "plain input", file=sys.stderr)
history = os.path.join(tmp, "state", "seq2seq", "history")
if editing: assert history in banner, banner

s.send("Der Hund sieht den Mann.\r")
assert "en> " + greedy in s.wait_for("en> ", "de> ")
s.send("Die Katze mag den Vogel.\r")
assert "en> " + katze in s.wait_for("en> ", "de> ")
if editing:
    s.send_keys("\x1b[A\x1b[A\r")  # Up twice, Enter: the first sentence again
    out = s.wait_for("en> ", "de> ")
    assert "en> " + greedy in out, out
    s.send_keys("\x12Katze\r")  # Ctrl-R search
    out = s.wait_for("en> ", "de> ")
    assert "en> " + katze in out, out
s.send(":beam 3\r")
assert "beam 3 for every run" in s.wait_for("beam 3 for every run", "de> ")
s.send("Der Hund sieht den Mann.\r")
assert "en> " + beam3 in s.wait_for("en> ", "de> ")
s.send(":help\r")
out = s.wait_for("Commands:", "Any other line", "de> ")
for command in [":beam N", ":nbest K", ":attention on|off", ":svg DIR", ":runs", ":help", ":quit", ":q"]:
    assert command in out, (command, out)
s.send(":bogus\r")
assert "unknown command ':bogus'" in s.wait_for("(:help lists the commands)", "de> ")
s.send(":beam many\r")
assert ":beam N needs one whole number" in s.wait_for("needs one whole number", "de> ")
s.send("\r")  # an empty line: nothing but the next prompt
s.send(":runs\r")
out = s.wait_for("parameters", "de> ")
assert "en> " not in out and "bahdanau model" in out and "test BLEU " in out, out
s.send("Der Hundd sieht den Mann.\r")
assert "unknown word 'hundd' (did you mean: hund" in s.wait_for("en> ", "de> ")
s.quit()
if editing:
    assert "Hund" in open(history, encoding="utf-8", errors="replace").read(), "history file lacks the sentence"
else:
    assert not os.path.exists(history), "history written without libedit"

# Three runs: one labelled line each; attention maps under the attention models; SVG files.
s = Session("runs/rnn", "runs/bahdanau", "runs/transformer")
assert "3 runs: rnn (rnn), bahdanau (bahdanau), transformer (transformer)" in s.wait_for("de> ")
s.send("Der Hund sieht den Mann.\r")
out = s.wait_for("rnn         > ", "bahdanau    > " + greedy, "transformer > ", "de> ")
s.send(":attention on\r")
assert "has no attention" in s.wait_for("attention maps on", "de> ")
s.send(f":svg {tmp}/maps\r")
s.wait_for("attention heatmaps go to", "de> ")
s.send("Der Hund sieht den Mann.\r")
out = s.wait_for("transformer > ", "attention of transformer:", "de> ")
assert "attention of bahdanau:" in out and "has no attention" not in out, out  # said once, earlier
s.send(":runs\r")
out = s.wait_for("transformer", "parameters", "de> ")
assert out.count(" model, ") == 3, out
s.quit()
maps = sorted(os.listdir(f"{tmp}/maps"))
assert maps == ["2-bahdanau.svg", "2-transformer.svg"], maps
PY
echo ok
