// Shared model building blocks: unrolled GRU/LSTM steps, single-row linear, RNN runs, init, dropout.
#include "layers.h"

#include "seq2seq/models/dropout.h"
#include "seq2seq/models/seq2seq_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>

namespace seq2seq::models::detail {

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (!x.is_cuda() && x.dim() >= 2 && x.numel() == x.size(-1)) {
    // A single row, (1, K) or (1, 1, K) ...: (N, K)·(K) -> (N) as GEMV, which OpenBLAS runs
    // several times faster than its GEMM path on one row.
    auto flat = x.reshape({x.size(-1)});
    auto row = bias.defined() ? torch::addmv(bias, weight, flat) : torch::mv(weight, flat);
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(0);
    return row.view(sizes);  // (1, N) or (1, 1, N) ...
  }
  return torch::nn::functional::linear(x, weight, bias);
}

torch::Tensor output_layer(const torch::Tensor& features, const torch::Tensor& tgt_in, const torch::Tensor& weight,
                           const torch::Tensor& bias, const torch::Tensor& per_sentence, bool real_only) {
  const int64_t B = features.size(0), T = features.size(1), K = features.size(2), V = weight.size(0);
  auto rows = real_positions(tgt_in);  // (N) flat positions
  const int64_t n = rows.size(0);
  // Every row (real_only: nothing to skip), or padding too little to pay for the selection.
  if (real_only ? n == B * T : 10 * n >= 9 * B * T) {
    auto logits = torch::nn::functional::linear(features, weight, bias);  // (B, T, V)
    if (per_sentence.defined()) logits.add_(per_sentence.unsqueeze(1));
    return real_only ? logits.view({B * T, V}) : logits;
  }
  auto selected = features.reshape({B * T, K}).index_select(0, rows);                 // (N, K)
  auto logits = torch::nn::functional::linear(selected, weight, bias);                // (N, V)
  if (per_sentence.defined()) logits.add_(per_sentence.index_select(0, torch::div(rows, T, "floor")));
  if (real_only) return logits;
  return torch::zeros({B * T, V}, logits.options()).index_copy(0, rows, logits).view({B, T, V});  // (B, T, V)
}

torch::Tensor real_positions(const torch::Tensor& tgt_in) { return tgt_in.ne(0).reshape({-1}).nonzero().squeeze(1); }

torch::Tensor real_rows(const torch::Tensor& logits, const torch::Tensor& tgt_in) {
  return logits.reshape({-1, logits.size(-1)}).index_select(0, real_positions(tgt_in));  // (N, V)
}

torch::Tensor gru_step(const torch::Tensor& gates_x, const torch::Tensor& h, const torch::Tensor& w_hh,
                       const torch::Tensor& b_hh) {
  const int64_t H = h.size(1);
  // split (not slice) views: backward concatenates their gradients instead of zero-filling copies
  auto x = gates_x.split_with_sizes({2 * H, H}, 1);                // (B, 2H), (B, H)
  auto g = linear(h, w_hh, b_hh).split_with_sizes({2 * H, H}, 1);  // (B, 2H), (B, H)
  auto rz = torch::sigmoid(x[0] + g[0]).chunk(2, 1);               // r and z share one add and one sigmoid
  const auto &r = rz[0], &z = rz[1];                               // (B, H) each
  auto n = torch::tanh(x[1] + r * g[1]);                           // (B, H)
  return n + z * (h - n);                                          // = (1 - z) ⊙ n + z ⊙ h
}

std::pair<torch::Tensor, torch::Tensor> lstm_step(const torch::Tensor& gates_x, const torch::Tensor& h,
                                                  const torch::Tensor& c, const torch::Tensor& w_hh,
                                                  const torch::Tensor& b_hh) {
  auto gates = (gates_x + linear(h, w_hh, b_hh)).chunk(4, 1);  // 4 x (B, H): [i; f; g; o]
  auto i = torch::sigmoid(gates[0]), f = torch::sigmoid(gates[1]), o = torch::sigmoid(gates[3]);
  auto g = torch::tanh(gates[2]);
  auto c_next = f * c + i * g;
  auto h_next = o * torch::tanh(c_next);
  return {h_next, c_next};
}

std::vector<CellWeights> cell_weights(const std::vector<torch::Tensor>& all_weights, int64_t layers) {
  // torch::nn::GRU/LSTM order: per layer w_ih, w_hh, b_ih, b_hh.
  TORCH_CHECK(static_cast<int64_t>(all_weights.size()) == 4 * layers, "expected 4 tensors per RNN layer");
  std::vector<CellWeights> out;
  for (int64_t l = 0; l < layers; ++l)
    out.push_back({all_weights[4 * l], all_weights[4 * l + 1], all_weights[4 * l + 2], all_weights[4 * l + 3]});
  return out;
}

namespace {

bool needs_packing(const torch::Tensor& src_len, int64_t S) {
  return src_len.numel() > 0 && src_len.min().item<int64_t>() < S;
}

}  // namespace

RnnRun run_rnn(torch::nn::GRU& gru, const torch::Tensor& inputs, const torch::Tensor& src_len) {
  const int64_t S = inputs.size(1);
  RnnRun run;
  if (!needs_packing(src_len, S)) {
    std::tie(run.states, run.h_n) = gru->forward(inputs);  // (B, S, dirs·H), (layers·dirs, B, H)
    return run;
  }
  auto packed = torch::nn::utils::rnn::pack_padded_sequence(inputs, src_len.cpu(), /*batch_first=*/true,
                                                            /*enforce_sorted=*/false);
  auto [packed_states, h_n] = gru->forward_with_packed_input(packed);
  run.h_n = h_n;
  run.states = std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(packed_states, /*batch_first=*/true,
                                                                      /*padding_value=*/0.0, S));
  return run;
}

RnnRun run_rnn(torch::nn::LSTM& lstm, const torch::Tensor& inputs, const torch::Tensor& src_len) {
  const int64_t S = inputs.size(1);
  RnnRun run;
  std::tuple<torch::Tensor, torch::Tensor> hc;
  if (!needs_packing(src_len, S)) {
    std::tie(run.states, hc) = lstm->forward(inputs);
  } else {
    auto packed = torch::nn::utils::rnn::pack_padded_sequence(inputs, src_len.cpu(), true, false);
    auto [packed_states, hc_packed] = lstm->forward_with_packed_input(packed);
    hc = hc_packed;
    run.states = std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(packed_states, true, 0.0, S));
  }
  std::tie(run.h_n, run.c_n) = hc;
  return run;
}

void init_all_normal(torch::nn::Module& module, double std) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) p.normal_(0.0, std);
}

void init_weights_normal_biases_zero(torch::nn::Module& module, double std) {
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    if (item.key().find("weight") != std::string::npos)
      item.value().normal_(0.0, std);
    else
      item.value().zero_();
  }
}

torch::Tensor real_tokens(const torch::Tensor& ids) { return ids.ne(0); }

namespace {

// SplitMix64's output function: a bijective mix of a 64-bit counter into 64 random-looking bits.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

torch::Tensor dropout_mask(at::IntArrayRef sizes, double p, const torch::TensorOptions& options) {
  const uint32_t threshold = static_cast<uint32_t>(std::lround(p * 65536.0));  // drop when u16 < threshold
  const float scale = threshold >= 65536 ? 0.0f : static_cast<float>(65536.0 / (65536.0 - threshold));
  auto mask = torch::empty(sizes, torch::TensorOptions().dtype(torch::kFloat));
  const int64_t n = mask.numel();
  float* out = mask.data_ptr<float>();
  // One 64-bit draw of the global generator keys the whole mask (so torch::manual_seed and a
  // saved generator state still reproduce it); element i takes 16-bit slice i % 4 of
  // mix64(key + (i / 4) * golden). Counter-based, so the threads fill their ranges independently.
  uint64_t key = 0;
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    auto* impl = at::check_generator<at::CPUGeneratorImpl>(gen);
    std::lock_guard<std::mutex> lock(gen.mutex());
    key = impl->random64();
  }
  const int64_t words = (n + 3) / 4;
  at::parallel_for(0, words, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t w = begin; w < end; ++w) {
      const uint64_t r = mix64(key + static_cast<uint64_t>(w) * 0x9E3779B97F4A7C15ULL);
      const int64_t base = 4 * w;
      const int64_t count = std::min<int64_t>(4, n - base);
      for (int64_t u = 0; u < count; ++u)
        out[base + u] = ((r >> (16 * u)) & 0xFFFFu) >= threshold ? scale : 0.0f;
    }
  });
  return options.device().is_cpu() && options.dtype() == torch::kFloat ? mask : mask.to(options);
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0 || x.numel() == 0) return x;
  if (p >= 1) return x * 0.0;
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, training);
  return x * dropout_mask(x.sizes(), p, x.options());
}

}  // namespace seq2seq::models::detail

namespace seq2seq::models {

torch::Tensor real_targets(const data::Batch& batch) {
  return batch.tgt_out.reshape({-1}).index_select(0, detail::real_positions(batch.tgt_in));  // (N)
}

torch::Tensor DropoutImpl::forward(const torch::Tensor& x) { return detail::fast_dropout(x, p, is_training()); }

}  // namespace seq2seq::models
