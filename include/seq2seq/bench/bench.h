// `seq2seq bench`: training and greedy-decoding speed, measured the way the PyTorch reference
// (shared/bench/pytorch_reference/bench.py) measures it, with JSON fields named as its output.
#pragma once
#include "seq2seq/config/config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq::bench {

// The reference's vocabulary sizes of Multi30k de->en (train split, min_freq 2, 4 specials
// included): what mode fixed uses when the corpus is not on disk.
inline constexpr int64_t kMulti30kSrcVocab = 7882;
inline constexpr int64_t kMulti30kTgtVocab = 5898;

struct BenchOptions {
  std::string mode = "fixed";  // fixed (random ids, fixed shapes) | corpus (the reference's "multi30k")
  int steps = 20;              // timed training steps; 0 = no training
  int warmup = 3;              // untimed training steps before them
  bool decode = false;         // also run the greedy decoding benchmark (batch 1 and 64)
  int decode_sentences = 500;  // first N validation sentences
  int batch_size = 128;
  uint64_t seed = 1234;
  std::string data_dir;        // folder with the Multi30k .gz files; empty = the config's data paths
  std::string device = "cpu";  // cpu | cuda
  // Mode fixed: vocabulary sizes to use without reading the corpus (both > 0), else built from
  // the corpus when it is on disk, else kMulti30kSrcVocab / kMulti30kTgtVocab.
  int64_t src_vocab = 0, tgt_vocab = 0;
  bool measure_gemm = true;  // measure the fp32 GEMM rate for "% of GEMM peak"
  // Precisions measured: fp32 | bf16 | auto (the one train.precision auto picks here) | both.
  // fp32 fills "train" and "decode" (the reference's fields; it trains in fp32); bf16 fills
  // "train_bf16" and "decode_bf16", measured from the same initial weights and batches.
  std::string precision = "both";
};

// Everything one run measured, as one JSON object whose field names and nesting follow the
// reference's output: src_vocab, tgt_vocab, params{...}, train{tokens_per_s, ms_per_step_*, ...},
// peak_rss_mb_after_train, decode{b1, b64}{sent_per_s, ...}, peak_rss_mb, ... (see bench.cpp);
// with bf16, train_bf16 and decode_bf16 as train and decode, and native_bf16 (true or false).
// Throws std::runtime_error (saying to run scripts/get_data.sh multi30k) when mode corpus or
// decode needs the corpus and it is missing.
nlohmann::json run_bench(const Config& config, const BenchOptions& options);

// The readable summary of one run_bench result: throughput, step times, padding, GFLOP/s,
// decoding speed and peak memory, a few lines.
std::string render_bench_text(const nlohmann::json& result);

// The reference's analytic_train_flops_per_token, for our config's sizes: 2 FLOPs per
// multiply-add of every matrix product of one training step (forward x 3 for forward + backward),
// per predicted target token, for a batch where every source has S ids and every target T ids
// (<bos>/<eos> included; T-1 predicted tokens). code_path:
//  "reference"  bench.py's default code: bahdanau applies W to [s; h_j] at every step;
//  "precompute" bench.py --attn-impl precompute: bahdanau applies W_h h_j once per batch;
//  "ours"       what our models execute: bahdanau as precompute; the rnn computes the context
//               terms of the decoder input gates and of the output layer once per sentence.
// The transformer is the same on every path. At the canonical sizes, S=14, T=15, V_tgt=5898:
// rnn 64.2, bahdanau 160.5 (reference) / 99.2 (precompute), transformer 33.0 MFLOP per token.
double analytic_train_flops_per_token(const ModelConfig& model, int64_t S, int64_t T, int64_t tgt_vocab,
                                      const std::string& code_path = "reference");

}  // namespace seq2seq::bench
