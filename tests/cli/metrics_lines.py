#!/usr/bin/env python3
"""The CLI tests' view of RUN/metrics.jsonl for comparing two runs exactly: one line per
validation with step, epoch, train/valid loss, valid BLEU, learning rate and best (no timings).
Usage: metrics_lines.py RUN/metrics.jsonl"""
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    print(m["step"], m["epoch"], repr(m["train_loss"]), repr(m["valid_loss"]), repr(m["valid_bleu"]), repr(m["lr"]), m["best"])
