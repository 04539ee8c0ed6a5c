// The layers (Linear, StackedCells) and the model files' private helpers: RNN runs, init, dropout.
#include "seq2seq/models/layers.h"

#include "detail.h"
#include "seq2seq/models/dropout.h"
#include "seq2seq/util/random.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>

#include <cmath>
#include <mutex>

namespace seq2seq::models {

// ---------------------------------------------------------------------------------------------
// Linear
// ---------------------------------------------------------------------------------------------
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  // Not under bf16 autocast: autocast leaves mv/addmv in fp32, and a bf16 row through oneDNN's
  // GEMM on the bf16 copy of the weights (cast once per autocast scope) was 2.5-3.5x faster than
  // the fp32 GEMV, which reads twice the bytes (avx512_bf16 Xeon, one thread, K 512, N 1536-8000).
  if (!x.is_cuda() && x.dim() >= 2 && x.numel() == x.size(-1) && !at::autocast::is_cpu_enabled()) {
    // A single row, (1, K) or (1, 1, K) ...: (N, K)·(K) -> (N) as GEMV.
    auto flat = x.reshape({x.size(-1)});
    auto row = bias.defined() ? torch::addmv(bias, weight, flat) : torch::mv(weight, flat);
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(0);
    return row.view(sizes);  // (1, N) or (1, 1, N) ...
  }
  return torch::nn::functional::linear(x, weight, bias);
}

LinearImpl::LinearImpl(const torch::nn::LinearOptions& options_) : options(options_) {
  weight = register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
  if (options.bias())
    bias = register_parameter("bias", torch::empty(options.out_features()));
  else
    bias = register_parameter("bias", {}, /*requires_grad=*/false);  // as torch::nn::Linear: no "bias" key
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  // torch::nn::Linear's scheme (and draw order): W ~ kaiming_uniform(a = √5) = U(±1/√K), b ~ U(±1/√K).
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    torch::nn::init::uniform_(bias, -bound, bound);
  }
}

// ---------------------------------------------------------------------------------------------
// StackedCells
// ---------------------------------------------------------------------------------------------
StackedCellsImpl::StackedCellsImpl(const StackedCellsOptions& options_) : options(options_) {
  const int64_t G = options.cell == Cell::lstm ? 4 : 3, H = options.hidden_size;
  for (int64_t l = 0; l < options.layers; ++l) {
    const auto k = std::to_string(l);
    const int64_t in = l == 0 ? options.input_size : H;
    weight_ih.push_back(register_parameter("weight_ih_l" + k, torch::empty({G * H, in})));
    weight_hh.push_back(register_parameter("weight_hh_l" + k, torch::empty({G * H, H})));
    bias_ih.push_back(register_parameter("bias_ih_l" + k, torch::empty({G * H})));
    bias_hh.push_back(register_parameter("bias_hh_l" + k, torch::empty({G * H})));
  }
  dropout = register_module("dropout", Dropout(options.dropout));
  reset_parameters();
}

void StackedCellsImpl::reset_parameters() {
  // torch::nn::GRU/LSTM's scheme: every parameter ~ U(±1/√H), drawn in registration order.
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.hidden_size));
  for (auto& p : parameters()) p.uniform_(-bound, bound);
}

// Under bf16 autocast the products W x and W h come out in bf16; the gates and the state are
// computed in fp32 (to() is free when they already are): h and c carry every step's rounding
// into the next, and bf16's 8-bit mantissa would compound over a sentence. The elementwise
// work is small beside the products.
torch::Tensor StackedCellsImpl::gru_cell(const torch::Tensor& input_gates, const torch::Tensor& h_in, int64_t layer) {
  const torch::Tensor h = h_in.to(torch::kFloat);
  const int64_t H = h.size(1);
  // split (not slice) views: backward concatenates their gradients instead of zero-filling copies
  auto x = input_gates.to(torch::kFloat).split_with_sizes({2 * H, H}, 1);  // W_i{r,z} x + b, W_in x + b_in
  auto g = linear(h, weight_hh[layer], bias_hh[layer])
               .to(torch::kFloat)
               .split_with_sizes({2 * H, H}, 1);      // W_h{r,z} h + b, W_hn h + b_hn
  auto rz = torch::sigmoid(x[0] + g[0]).chunk(2, 1);  // r and z share one add and one sigmoid
  const auto &r = rz[0], &z = rz[1];                  // (B, H) each
  auto n = torch::tanh(x[1] + r * g[1]);              // (B, H)
  return n + z * (h - n);                             // = (1 − z) ⊙ n + z ⊙ h
}

std::pair<torch::Tensor, torch::Tensor> StackedCellsImpl::lstm_cell(const torch::Tensor& input_gates,
                                                                    const torch::Tensor& h, const torch::Tensor& c,
                                                                    int64_t layer) {
  // fp32 gates and state, as gru_cell
  auto gates = (input_gates.to(torch::kFloat) + linear(h, weight_hh[layer], bias_hh[layer]).to(torch::kFloat))
                   .chunk(4, 1);  // 4 x (B, H): [i; f; g; o]
  auto i = torch::sigmoid(gates[0]), f = torch::sigmoid(gates[1]), o = torch::sigmoid(gates[3]);
  auto g = torch::tanh(gates[2]);
  auto c_next = f * c.to(torch::kFloat) + i * g;
  auto h_next = o * torch::tanh(c_next);
  return {h_next, c_next};
}

void StackedCellsImpl::step_projected(State& state, const torch::Tensor& input_projection) {
  torch::Tensor gates = input_projection;  // (B, G·H)
  for (int64_t l = 0; l < options.layers; ++l) {
    if (l > 0) gates = linear(dropout(state.h[l - 1]), weight_ih[l], bias_ih[l]);  // (B, G·H)
    if (options.cell == Cell::lstm)
      std::tie(state.h[l], state.c[l]) = lstm_cell(gates, state.h[l], state.c[l], l);
    else
      state.h[l] = gru_cell(gates, state.h[l], l);
  }
}

void StackedCellsImpl::step(State& state, const torch::Tensor& x) {
  step_projected(state, linear(x, weight_ih[0], bias_ih[0]));  // (B, G·H)
}

// ---------------------------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------------------------
torch::Tensor DropoutImpl::forward(const torch::Tensor& x) { return detail::fast_dropout(x, p, is_training()); }

}  // namespace seq2seq::models

// ---------------------------------------------------------------------------------------------
// The model files' private helpers (detail.h)
// ---------------------------------------------------------------------------------------------
namespace seq2seq::models::detail {

namespace {

bool needs_packing(const torch::Tensor& src_len, int64_t S) {
  return src_len.numel() > 0 && src_len.min().item<int64_t>() < S;
}

}  // namespace

// The encoders' torch::nn::GRU/LSTM run in fp32 under bf16 autocast too: LibTorch 1.13's CPU
// autocast lists neither gru nor lstm, and they read fp32 embeddings. Their fused kernels do the
// input projections of all positions as one product; the recurrence is what bf16 would hurt.
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
      const uint64_t r = mix64(key + static_cast<uint64_t>(w) * kGoldenGamma);
      const int64_t base = 4 * w;
      const int64_t count = std::min<int64_t>(4, n - base);
      for (int64_t u = 0; u < count; ++u) out[base + u] = ((r >> (16 * u)) & 0xFFFFu) >= threshold ? scale : 0.0f;
    }
  });
  return options.device().is_cpu() && options.dtype() == torch::kFloat ? mask : mask.to(options);
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0 || x.numel() == 0) return x;
  if (p >= 1) return x * 0.0;
  // bf16 (under autocast): the same fp32 mask, the same draws as in fp32, one rounding back to bf16.
  if (x.device().is_cpu() && x.scalar_type() == torch::kBFloat16)
    return (x * dropout_mask(x.sizes(), p, x.options().dtype(torch::kFloat))).to(torch::kBFloat16);
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, training);
  return x * dropout_mask(x.sizes(), p, x.options());
}

}  // namespace seq2seq::models::detail
