// Native bfloat16 detection, train.precision's resolution and the CPU autocast guard.
#include "seq2seq/system/precision.h"

#include "seq2seq/util/errors.h"

#include <ATen/autocast_mode.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace seq2seq {

bool native_bf16() {
  const char* off = std::getenv("SEQ2SEQ_NO_BF16");
  if (off != nullptr && std::string(off) == "1") return false;
  // LibTorch 1.13 keeps its cpuinfo queries internal; the kernel's flags say the same.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream flags(line.substr(line.find(':') + 1));
    std::string flag;
    while (flags >> flag)
      if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
    return false;  // every core lists the same flags
  }
  return false;
}

Precision resolve_precision(Precision requested) {
  if (requested != Precision::auto_) return requested;
  return native_bf16() ? Precision::bf16 : Precision::fp32;
}

void warn_if_slow_bf16(Precision precision, const std::string& what) {
  if (precision == Precision::bf16 && !native_bf16())
    spdlog::warn(
        "{}: bf16 on a CPU without native bfloat16 instructions (avx512_bf16, amx_bf16) is emulated and "
        "slower than fp32; use fp32 on this machine for speed",
        what);
}

Precision parse_precision(const std::string& name, const std::string& what) {
  if (name == "fp32") return Precision::fp32;
  if (name == "bf16") return Precision::bf16;
  if (name == "auto") return Precision::auto_;
  throw UsageError(what + ": unknown precision \"" + name + "\" (use fp32, bf16 or auto)");
}

AutocastGuard::AutocastGuard(Precision precision) {
  if (precision != Precision::bf16) return;
  active_ = true;
  was_enabled_ = at::autocast::is_cpu_enabled();
  previous_dtype_ = at::autocast::get_autocast_cpu_dtype();
  at::autocast::set_cpu_enabled(true);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // The bf16 copies of the weights are kept while any guard is open; the outermost drops them.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_cpu_enabled(was_enabled_);
  at::autocast::set_autocast_cpu_dtype(previous_dtype_);
}

}  // namespace seq2seq
