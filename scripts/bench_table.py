#!/usr/bin/python3
"""Markdown table of a scripts/bench.sh results folder: medians of ours and the PyTorch
reference, ratio ours/reference, and whether each target of the speed issue is met.

Usage: /usr/bin/python3 scripts/bench_table.py RESULTS_DIR
Reads RESULTS_DIR/machine.json and RESULTS_DIR/<model>_<figure>_<who>_<i>.json, where figure is
fixed | corpus | decode and who is ours | ref | refbest (the reference's best variant).
"""
import glob
import json
import os
import re
import statistics
import sys

MODELS = ["rnn", "bahdanau", "transformer"]
TRAIN_TARGET = {"rnn": 2.0, "bahdanau": 2.0, "transformer": 1.3}
VARIANT = {"rnn": "--decoder-proj hoisted", "bahdanau": "--decoder-proj hoisted --attn-impl precompute"}


def load(folder):
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        m = re.fullmatch(r"(\w+?)_(fixed|corpus|decode)_(ours|ref|refbest)_(\d+)\.json", os.path.basename(path))
        if not m:
            continue
        try:
            with open(path) as f:
                runs.setdefault(m.group(1, 2, 3), []).append(json.loads(f.read().strip().splitlines()[-1]))
        except (ValueError, IndexError) as e:
            print(f"warning: {path}: not JSON ({e})", file=sys.stderr)
    return runs


def get(run, path):
    x = run
    for key in path.split("."):
        if not isinstance(x, dict) or key not in x:
            return None
        x = x[key]
    return x


def values(runs, key, path):
    return [v for v in (get(r, path) for r in runs.get(key, [])) if isinstance(v, (int, float))]


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=None):
    if x is None:
        return "–"
    if digits is None:
        digits = 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2
    return f"{x:,.{digits}f}"


def spread(xs):
    return f"{max(xs) / min(xs):.2f}" if xs and min(xs) > 0 else "–"


def main():
    folder = sys.argv[1]
    runs = load(folder)
    machine = {}
    if os.path.exists(os.path.join(folder, "machine.json")):
        with open(os.path.join(folder, "machine.json")) as f:
            machine = json.load(f)
    ours_any = next((r for k, rs in runs.items() if k[2] == "ours" for r in rs), {})
    ref_any = next((r for k, rs in runs.items() if k[2] == "ref" for r in rs), {})
    gemm = med([v for k in runs if k[2] == "ours" for v in values(runs, k, "gemm.gflops")])

    print(f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
          f"{machine.get('threads', '?')} threads each, {machine.get('date', '?')}; "
          f"BLAS {ours_any.get('blas', '?')}; LibTorch {ours_any.get('torch', '?')} (ours), "
          f"python3-torch {ref_any.get('torch', '?')} (reference); fp32 GEMM peak "
          f"{fmt(gemm, 1)} GFLOP/s (best of n=512/1024/2048, median over our runs); "
          f"our allocator: {json.dumps(ours_any.get('allocator', {}))}")
    print(f"Runs: ours and reference alternately, {machine.get('pairs', '?')} pairs per training figure "
          f"({machine.get('steps', '?')} timed steps after {machine.get('warmup', '?')} warm-up), "
          f"{machine.get('decode_pairs', '?')} pairs of decoding runs "
          f"({machine.get('decode_sentences', '?')} validation sentences); medians; "
          f"spread = max/min over the runs.\n")
    print("| model | figure | ours | reference | ours/ref | target | met | runs ours/ref | spread ours/ref |")
    print("|---|---|---:|---:|---:|---|---|---|---|")

    def row(model, figure, ours_key, ref_key, path, target=None, higher=True, scale=1.0, digits=None, ours_path=None):
        o, r = values(runs, ours_key, ours_path or path), values(runs, ref_key, path)
        mo, mr = med(o), med(r)
        mo = mo * scale if mo is not None else None
        mr = mr * scale if mr is not None else None
        ratio = mo / mr if mo is not None and mr else None
        met = ""
        if target is not None and ratio is not None:
            met = "yes" if (ratio >= target if higher else ratio <= target) else "**no**"
        tgt = "" if target is None else (f"≥ {target}" if higher else f"≤ {target}")
        print(f"| {model} | {figure} | {fmt(mo, digits)} | {fmt(mr, digits)} | {fmt(ratio, 2)} | {tgt} | {met} "
              f"| {len(o)}/{len(r)} | {spread(o)}/{spread(r)} |")

    for m in MODELS:
        if not any(k[0] == m for k in runs):
            continue
        t = TRAIN_TARGET[m]
        row(m, "train tgt tokens/s, fixed", (m, "fixed", "ours"), (m, "fixed", "ref"), "train.tokens_per_s", t)
        row(m, "train tgt tokens/s, corpus (multi30k)", (m, "corpus", "ours"), (m, "corpus", "ref"),
            "train.tokens_per_s", t)
        if m in VARIANT:
            row(m, f"train tgt tokens/s, fixed, vs best variant ({VARIANT[m]})", (m, "fixed", "ours"),
                (m, "fixed", "refbest"), "train.tokens_per_s", 1.2)
        # bf16 mixed precision (ours only; the reference trains in fp32): ours bf16 against its fp32.
        for mode in ("fixed", "corpus"):
            row(m, f"train tgt tokens/s, {mode}, ours bf16 vs reference fp32", (m, mode, "ours"), (m, mode, "ref"),
                "train.tokens_per_s", ours_path="train_bf16.tokens_per_s")
        row(m, "train ms/step median, fixed", (m, "fixed", "ours"), (m, "fixed", "ref"), "train.ms_per_step_median")
        row(m, "train ms/step median, corpus", (m, "corpus", "ours"), (m, "corpus", "ref"), "train.ms_per_step_median")
        row(m, "pad frac tgt of timed batches, corpus", (m, "corpus", "ours"), (m, "corpus", "ref"),
            "train.pad_frac_tgt", digits=3)
        for b, target in (("b1", 3.0), ("b64", 2.0)):
            row(m, f"decode {b} sent/s", (m, "decode", "ours"), (m, "decode", "ref"), f"decode.{b}.sent_per_s", target)
            row(m, f"decode {b} generated tokens/s", (m, "decode", "ours"), (m, "decode", "ref"),
                f"decode.{b}.gen_tokens_per_s", target)
            row(m, f"decode {b} generated tokens/s, ours bf16 vs reference fp32", (m, "decode", "ours"),
                (m, "decode", "ref"), f"decode.{b}.gen_tokens_per_s", ours_path=f"decode_bf16.{b}.gen_tokens_per_s")
            row(m, f"decode {b} generated tokens", (m, "decode", "ours"), (m, "decode", "ref"), f"decode.{b}.gen_tokens")
            row(m, f"decode {b} ms per decoder step", (m, "decode", "ours"), (m, "decode", "ref"),
                f"decode.{b}.ms_per_decoder_step")
        row(m, "peak RSS MB, train fixed", (m, "fixed", "ours"), (m, "fixed", "ref"), "peak_rss_mb_after_train", 1.0,
            higher=False)
        row(m, "peak RSS MB, train corpus", (m, "corpus", "ours"), (m, "corpus", "ref"), "peak_rss_mb_after_train",
            1.0, higher=False)
        row(m, "peak RSS MB, decode", (m, "decode", "ours"), (m, "decode", "ref"), "peak_rss_mb", 1.0, higher=False)
        row(m, "achieved GFLOP/s (analytic, fixed)", (m, "fixed", "ours"), (m, "fixed", "ref"),
            "train.achieved_gflops_analytic")
        if gemm:
            # Both against the same measured peak; each side counts the FLOPs its own code path executes.
            o = values(runs, (m, "fixed", "ours"), "train.achieved_gflops_analytic")
            r = values(runs, (m, "fixed", "ref"), "train.achieved_gflops_analytic")
            po = 100 * med(o) / gemm if o else None
            pr = 100 * med(r) / gemm if r else None
            met = ""
            if m == "transformer" and po is not None:
                met = "yes" if po >= 50 else "**no**"
            print(f"| {m} | % of GEMM peak, train fixed | {fmt(po, 0)}% | {fmt(pr, 0)}% | "
                  f"{fmt(po / pr if po and pr else None, 2)} | {'ours ≥ 50%' if m == 'transformer' else ''} | {met} "
                  f"| {len(o)}/{len(r)} | |")
    flops = {m: (get(runs[(m, 'fixed', 'ours')][0], 'train_flops_per_tgt_token_analytic_fixed'),
                 get(runs[(m, 'fixed', 'ref')][0], 'train_flops_per_tgt_token_analytic_fixed'))
             for m in MODELS if (m, "fixed", "ours") in runs and (m, "fixed", "ref") in runs}
    if flops:
        print("\nAnalytic training FLOPs per target token (ours / reference): " + ", ".join(
            f"{m} {fmt(a / 1e6, 1)} / {fmt(b / 1e6, 1)} M" for m, (a, b) in flops.items() if a and b))
    print("Decoding: ours drops finished sentences from the batch (decode::greedy_search); the reference "
          "keeps computing them masked. Compare generated tokens/s where the generated lengths differ.")


if __name__ == "__main__":
    main()
