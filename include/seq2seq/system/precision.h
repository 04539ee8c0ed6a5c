// Mixed precision on the CPU: whether this CPU computes bfloat16 natively, what train.precision
// "auto" resolves to, and the autocast scope the forward passes run in.
#pragma once
#include "seq2seq/config/config.h"

#include <c10/core/ScalarType.h>

#include <string>

namespace seq2seq {

// Whether the CPU has bfloat16 instructions (avx512_bf16 or amx_bf16 among the /proc/cpuinfo
// flags): there oneDNN multiplies bf16 matrices at about twice the fp32 rate; elsewhere it
// converts them to fp32 first and bf16 is slower than fp32. SEQ2SEQ_NO_BF16=1 in the
// environment answers false (for tests of "auto" on any machine).
bool native_bf16();

// auto -> bf16 where native_bf16(), else fp32; fp32 and bf16 stay as they are.
Precision resolve_precision(Precision requested);

// One warning line when `precision` is bf16 on a CPU without native bf16, where oneDNN emulates
// it and it runs slower than fp32; `what` says who chose it ("resuming runs/x", "--precision").
void warn_if_slow_bf16(Precision precision, const std::string& what);

// "fp32", "bf16" or "auto" -> the value; anything else throws UsageError naming `what`
// (an option, or a file and its field).
Precision parse_precision(const std::string& name, const std::string& what);

// The scope of a forward pass at `precision`. bf16: LibTorch's CPU autocast, under which matrix
// products (linear, matmul, mm, addmm, bmm) run in bfloat16 on bf16 copies of the fp32 weights,
// and their results come out in bf16; what reads those results decides its own precision (the
// models keep softmax, log-softmax, the recurrent state and the residual stream in fp32). The
// weights, their gradients and the optimizer stay fp32: autocast casts copies, kept for the
// scope and dropped when the outermost guard closes (the weights change at the next step).
// Backward runs outside the guard, as LibTorch's autocast expects. fp32: does nothing (resolve
// auto first: resolve_precision reads /proc/cpuinfo, too slow for every step, so the guard
// takes auto as fp32). The state is per thread, restored on exit; guards nest.
class AutocastGuard {
 public:
  explicit AutocastGuard(Precision precision);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::BFloat16;
};

}  // namespace seq2seq
