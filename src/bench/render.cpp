// The readable form of one `seq2seq bench` result (the JSON of run_bench).
#include "seq2seq/bench/bench.h"

#include <fmt/format.h>

#include <sstream>
#include <string>

namespace seq2seq::bench {

std::string render_bench_text(const nlohmann::json& r) {
  std::ostringstream out;
  auto num = [](const nlohmann::json& j, const char* key, const char* format) {
    return j.contains(key) ? fmt::format(fmt::runtime(format), j[key].get<double>()) : std::string("-");
  };
  out << fmt::format("model {}  mode {}  batch {}  threads {}  device {}  vocab {}/{}  params {} ({} embedding)\n",
                     r["model"].get<std::string>(), r["mode"].get<std::string>(), r["batch"].get<int>(),
                     r["threads"].get<int>(), r["device"].get<std::string>(), r["src_vocab"].get<int64_t>(),
                     r["tgt_vocab"].get<int64_t>(), r["params"]["total"].get<int64_t>(),
                     r["params"]["embedding"].get<int64_t>());
  // One block per precision measured: fp32 ("train", "decode") and bf16 ("train_bf16", "decode_bf16").
  for (const char* precision : {"fp32", "bf16"}) {
    const std::string suffix = std::string(precision) == "bf16" ? "_bf16" : "";
    if (!r.contains("train" + suffix)) continue;
    const auto& t = r["train" + suffix];
    out << "train " << precision << "  " << num(t, "tokens_per_s", "{:.0f}") << " tgt tokens/s   ms/step mean "
        << num(t, "ms_per_step_mean", "{:.1f}") << " median " << num(t, "ms_per_step_median", "{:.1f}") << " min "
        << num(t, "ms_per_step_min", "{:.1f}") << " max " << num(t, "ms_per_step_max", "{:.1f}") << "   cpu util "
        << num(t, "cpu_util", "{:.2f}") << "\n"
        << "            pad frac src " << num(t, "pad_frac_src", "{:.3f}") << " tgt "
        << num(t, "pad_frac_tgt", "{:.3f}") << " all " << num(t, "pad_frac_all", "{:.3f}") << "   loss "
        << num(t, "loss_first", "{:.3f}") << " -> " << num(t, "loss_last", "{:.3f}") << "\n";
    if (t.contains("achieved_gflops_analytic"))
      out << "            " << num(t, "achieved_gflops_analytic", "{:.1f}") << " GFLOP/s ("
          << num(r, "train_flops_per_tgt_token_analytic_fixed", "{:.0f}") << " FLOP/token)"
          << (t.contains("fraction_of_gemm_peak")
                  ? fmt::format(" = {:.0f}% of the {:.1f} GFLOP/s fp32 GEMM rate",
                                100 * t["fraction_of_gemm_peak"].get<double>(), r["gemm"]["gflops"].get<double>())
                  : std::string())
          << "\n";
  }
  if (r.contains("peak_rss_mb_after_train"))
    out << "peak RSS after training " << num(r, "peak_rss_mb_after_train", "{:.0f}") << " MB\n";
  for (const char* precision : {"fp32", "bf16"}) {
    const std::string key = std::string(precision) == "bf16" ? "decode_bf16" : "decode";
    if (!r.contains(key)) continue;
    for (const char* b : {"b1", "b64"}) {
      const auto& d = r[key][b];
      out << "decode " << precision << " " << b << ": " << num(d, "sent_per_s", "{:.2f}") << " sent/s   "
          << d["gen_tokens"].get<int64_t>() << " tokens, " << num(d, "gen_tokens_per_s", "{:.0f}") << " tokens/s   "
          << d["decoder_steps"].get<int64_t>() << " decoder steps, " << num(d, "ms_per_decoder_step", "{:.2f}")
          << " ms/step   cpu util " << num(d, "cpu_util", "{:.2f}") << "\n";
    }
  }
  if (r.contains("native_bf16") && !r["native_bf16"].get<bool>())
    out << "bf16: this CPU has no native bfloat16 instructions (emulated: slower than fp32)\n";
  out << "peak RSS " << num(r, "peak_rss_mb", "{:.0f}") << " MB\n";
  return out.str();
}

}  // namespace seq2seq::bench
