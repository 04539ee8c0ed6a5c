// Scaled dot-product attention over many small heads as one fused CPU kernel (forward and
// backward); the textbook version in tensor ops is in attention.cpp, beside MultiHeadAttention.
//
// Why: with B·H heads of T ≈ 15 positions, torch::bmm on this LibTorch (no MKL) loops over the
// batch calling a tiny GEMM per head, and the per-call overhead (three tensor views and the
// checks of addmm) costs more than the arithmetic. Here every head is a few hundred
// multiply-adds done in place, with scores, masks, softmax, dropout and the weighted sum fused
// and the heads spread over the threads.
#include "detail.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>

namespace seq2seq::models::detail {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Eight partial sums so that the compiler can keep them in vector registers.
inline float dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t d = 0;
  for (; d + 8 <= n; d += 8)
    for (int u = 0; u < 8; ++u) acc[u] += a[d + u] * b[d + u];
  float tail = 0;
  for (; d < n; ++d) tail += a[d] * b[d];
  return tail + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

inline void axpy(float alpha, const float* x, float* y, int64_t n) {
  for (int64_t d = 0; d < n; ++d) y[d] += alpha * x[d];
}

struct Shapes {
  int64_t N, Tq, Tk, Dh, heads;
};

Shapes shapes_of(const torch::Tensor& q, const torch::Tensor& k, int64_t heads) {
  return {q.size(0), q.size(1), k.size(1), q.size(2), heads};
}

// Heads per parallel chunk: enough work per chunk that threading pays off.
int64_t grain(const Shapes& s) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, s.Tq * s.Tk * s.Dh)); }

// context (N, Tq, Dh) and weights (N, Tq, Tk, before dropout) from q (scaled), k, v.
void forward_kernel(const Shapes& s, const float* Q, const float* K, const float* V, const float* add_mask,
                    const bool* key_pad, const float* drop, float* P, float* C) {
  at::parallel_for(0, s.N, grain(s), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const float* q = Q + n * s.Tq * s.Dh;
      const float* k = K + n * s.Tk * s.Dh;
      const float* v = V + n * s.Tk * s.Dh;
      const bool* pad = key_pad ? key_pad + (n / s.heads) * s.Tk : nullptr;
      for (int64_t i = 0; i < s.Tq; ++i) {
        float* p = P + (n * s.Tq + i) * s.Tk;
        float top = kNegInf;
        for (int64_t j = 0; j < s.Tk; ++j) {
          float score = (pad && pad[j]) ? kNegInf : dot(q + i * s.Dh, k + j * s.Dh, s.Dh);
          if (add_mask) score += add_mask[i * s.Tk + j];
          p[j] = score;
          top = std::max(top, score);
        }
        float* c = C + (n * s.Tq + i) * s.Dh;
        std::fill(c, c + s.Dh, 0.0f);
        if (top == kNegInf) {  // every key hidden: no weights (torch would produce NaN)
          std::fill(p, p + s.Tk, 0.0f);
          continue;
        }
        float total = 0;
        for (int64_t j = 0; j < s.Tk; ++j) total += (p[j] = std::exp(p[j] - top));
        const float inv = 1.0f / total;
        const float* m = drop ? drop + (n * s.Tq + i) * s.Tk : nullptr;
        for (int64_t j = 0; j < s.Tk; ++j) {
          p[j] *= inv;
          const float weight = m ? p[j] * m[j] : p[j];
          if (weight != 0.0f) axpy(weight, v + j * s.Dh, c, s.Dh);
        }
      }
    }
  });
}

void backward_kernel(const Shapes& s, const float* Q, const float* K, const float* V, const float* P, const float* drop,
                     const float* dC, float* dQ, float* dK, float* dV) {
  at::parallel_for(0, s.N, grain(s), [&](int64_t begin, int64_t end) {
    std::vector<float> dS(s.Tk);
    for (int64_t n = begin; n < end; ++n) {
      const float* q = Q + n * s.Tq * s.Dh;
      const float* k = K + n * s.Tk * s.Dh;
      const float* v = V + n * s.Tk * s.Dh;
      float* dq = dQ + n * s.Tq * s.Dh;
      float* dk = dK + n * s.Tk * s.Dh;
      float* dv = dV + n * s.Tk * s.Dh;
      std::fill(dk, dk + s.Tk * s.Dh, 0.0f);
      std::fill(dv, dv + s.Tk * s.Dh, 0.0f);
      for (int64_t i = 0; i < s.Tq; ++i) {
        const float* p = P + (n * s.Tq + i) * s.Tk;
        const float* m = drop ? drop + (n * s.Tq + i) * s.Tk : nullptr;
        const float* dc = dC + (n * s.Tq + i) * s.Dh;
        // context_i = Σ_j p_ij m_ij v_j: dv_j += p_ij m_ij dc_i, dp_ij = m_ij (dc_i · v_j)
        float weighted = 0;  // Σ_j p_ij dp_ij (the softmax's Jacobian term)
        for (int64_t j = 0; j < s.Tk; ++j) {
          if (p[j] == 0.0f) {
            dS[j] = 0.0f;
            continue;
          }
          const float scale = m ? m[j] : 1.0f;
          if (scale != 0.0f) axpy(p[j] * scale, dc, dv + j * s.Dh, s.Dh);
          dS[j] = scale != 0.0f ? scale * dot(dc, v + j * s.Dh, s.Dh) : 0.0f;
          weighted += p[j] * dS[j];
        }
        float* dqi = dq + i * s.Dh;
        std::fill(dqi, dqi + s.Dh, 0.0f);
        for (int64_t j = 0; j < s.Tk; ++j) {
          const float ds = p[j] * (dS[j] - weighted);  // d score_ij
          if (ds == 0.0f) continue;
          axpy(ds, k + j * s.Dh, dqi, s.Dh);
          axpy(ds, q + i * s.Dh, dk + j * s.Dh, s.Dh);
        }
      }
    }
  });
}

// Absent masks travel as empty tensors: autograd functions cannot take undefined inputs.
const float* ptr_or_null(const torch::Tensor& t) {
  return t.defined() && t.numel() > 0 ? t.data_ptr<float>() : nullptr;
}
const bool* bool_ptr_or_null(const torch::Tensor& t) {
  return t.defined() && t.numel() > 0 ? t.data_ptr<bool>() : nullptr;
}

// Runs the forward kernel; returns context and weights.
std::pair<torch::Tensor, torch::Tensor> fused_forward(const torch::Tensor& q, const torch::Tensor& k,
                                                      const torch::Tensor& v, const torch::Tensor& add_mask,
                                                      const torch::Tensor& key_pad, int64_t heads,
                                                      const torch::Tensor& drop) {
  const auto s = shapes_of(q, k, heads);
  auto weights = torch::empty({s.N, s.Tq, s.Tk}, q.options());
  auto context = torch::empty({s.N, s.Tq, s.Dh}, q.options());
  forward_kernel(s, q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), ptr_or_null(add_mask),
                 bool_ptr_or_null(key_pad), ptr_or_null(drop), weights.data_ptr<float>(), context.data_ptr<float>());
  return {context, weights};
}

struct FusedAttention : torch::autograd::Function<FusedAttention> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q,
                                                const torch::Tensor& k, const torch::Tensor& v,
                                                const torch::Tensor& add_mask, const torch::Tensor& key_pad,
                                                int64_t heads, const torch::Tensor& drop) {
    auto [context, weights] = fused_forward(q, k, v, add_mask, key_pad, heads, drop);
    ctx->save_for_backward({q, k, v, weights, drop});
    ctx->saved_data["heads"] = heads;
    ctx->mark_non_differentiable({weights});
    return {context, weights};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2], &weights = saved[3], &drop = saved[4];
    const auto s = shapes_of(q, k, ctx->saved_data["heads"].toInt());
    auto d_context = grads[0].defined() ? grads[0].contiguous() : torch::zeros({s.N, s.Tq, s.Dh}, q.options());
    auto dq = torch::empty_like(q), dk = torch::empty_like(k), dv = torch::empty_like(v);
    backward_kernel(s, q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), weights.data_ptr<float>(),
                    ptr_or_null(drop), d_context.data_ptr<float>(), dq.data_ptr<float>(), dk.data_ptr<float>(),
                    dv.data_ptr<float>());
    return {dq, dk, dv, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool fused_attention_supported(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& add_mask, const torch::Tensor& key_pad) {
  return q.device().is_cpu() && q.scalar_type() == torch::kFloat && k.scalar_type() == torch::kFloat &&
         v.scalar_type() == torch::kFloat && (!add_mask.defined() || add_mask.scalar_type() == torch::kFloat) &&
         (!key_pad.defined() || key_pad.scalar_type() == torch::kBool);
}

AttentionCore fused_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& add_mask, const torch::Tensor& key_pad, int64_t heads,
                              const torch::Tensor& drop) {
  const int64_t Tq = q.size(1), Tk = k.size(1);
  auto qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
  auto mask = add_mask.defined() ? add_mask.expand({Tq, Tk}).contiguous() : torch::empty({0}, q.options());
  auto pad = key_pad.defined() ? key_pad.contiguous() : torch::empty({0}, q.options().dtype(torch::kBool));
  auto dropped = drop.defined() ? drop : torch::empty({0}, q.options());
  const bool needs_grad =
      torch::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
  if (!needs_grad) {
    auto [context, weights] = fused_forward(qc, kc, vc, mask, pad, heads, dropped);
    return {context, weights, torch::Tensor()};
  }
  auto out = FusedAttention::apply(qc, kc, vc, mask, pad, heads, dropped);
  return {out[0], out[1], torch::Tensor()};
}

}  // namespace seq2seq::models::detail
