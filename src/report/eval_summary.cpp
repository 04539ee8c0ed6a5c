// The readable summary of one eval report (what `seq2seq eval` prints).
#include "seq2seq/report/eval_summary.h"

#include "seq2seq/report/table.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace seq2seq::report {

std::string render_eval_summary(const nlohmann::json& r) {
  auto fixed = [](double x, int digits) {
    return std::isfinite(x) ? fmt::format("{:.{}f}", x, digits) : std::string("-");
  };
  std::ostringstream out;
  out << fmt::format("{} on {} ({} sentences, {}, beam {}, {:.1f} sent/s)\n", r["run"].get<std::string>(),
                     r["split"].get<std::string>(), r["sentences"].get<int64_t>(), r["checkpoint"].get<std::string>(),
                     r["decode"]["beam"].get<int>(), r["sent_per_s"].get<double>());
  const auto& b = r["bleu"];
  out << fmt::format("BLEU  {:6.2f}  {}\n", b["score"].get<double>(), b["signature"].get<std::string>());
  std::vector<double> p = b["precisions"].get<std::vector<double>>();
  out << fmt::format("      {:.1f}/{:.1f}/{:.1f}/{:.1f} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})\n", p[0],
                     p[1], p[2], p[3], b["bp"].get<double>(),
                     b["ref_len"].get<double>() > 0 ? b["sys_len"].get<double>() / b["ref_len"].get<double>() : 0.0,
                     b["sys_len"].get<int64_t>(), b["ref_len"].get<int64_t>());
  out << fmt::format("chrF2 {:6.2f}  {}\n", r["chrf"]["score"].get<double>(),
                     r["chrf"]["signature"].get<std::string>());
  if (r.contains("scores")) {  // both case conventions (reports written before them have none)
    for (const char* kind : {"cased", "lowercased"}) {
      const auto& s = r["scores"][kind];
      out << fmt::format("{:<10}  BLEU {:6.2f}  {}\n            chrF2 {:6.2f}  {}\n", kind,
                         s["bleu"]["score"].get<double>(), s["bleu"]["signature"].get<std::string>(),
                         s["chrf"]["score"].get<double>(), s["chrf"]["signature"].get<std::string>());
    }
  }
  out << fmt::format("PPL   {:6.2f}  (reference loss {:.4f} nats/token)\n\n", r["ppl"].get<double>(),
                     r["loss"].get<double>());
  Table table({"source words", "sentences", "BLEU"});
  for (const auto& band : r["bands"])
    table.add_row({band["label"].get<std::string>(), std::to_string(band["sentences"].get<int64_t>()),
                   band["bleu"].is_number() ? fixed(band["bleu"].get<double>(), 2) : "-"});
  out << "BLEU by source length\n" << table.to_text();
  return out.str();
}

}  // namespace seq2seq::report
