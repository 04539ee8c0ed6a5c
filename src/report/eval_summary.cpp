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
  if (r.contains("teacher_forced")) out << "\n" << render_teacher_forced(r["teacher_forced"]);
  return out.str();
}

ShortAndLong short_and_long_bands(const std::vector<nlohmann::json>& teacher_forced) {
  ShortAndLong chosen;
  if (teacher_forced.empty() || teacher_forced.front()["bands"].empty()) return chosen;
  const auto& bands = teacher_forced.front()["bands"];  // eval writes the same bands every time
  chosen.short_band = chosen.long_band = bands.front()["band"].get<std::string>();
  // The bands run from short to long, so the last one with sentences in any report is the longest.
  for (const auto& band : bands)
    for (const auto& report : teacher_forced)
      for (const auto& other : report["bands"])
        if (other["band"] == band["band"] && other["sentences"].get<int64_t>() > 0)
          chosen.long_band = band["band"].get<std::string>();
  return chosen;
}

std::string render_teacher_forced(const nlohmann::json& tf) {
  auto percent = [](const nlohmann::json& x) {
    return x.is_number() ? fmt::format("{:.1f}", 100 * x.get<double>()) : std::string("-");
  };
  auto number = [](const nlohmann::json& x) {
    return x.is_number() ? fmt::format("{:.4f}", x.get<double>()) : std::string("-");
  };
  std::ostringstream out;
  Table bands({"source words", "sentences", "tokens", "cross-entropy", "accuracy %"},
              {Align::Left, Align::Right, Align::Right, Align::Right, Align::Right});
  for (const auto& band : tf["bands"])
    if (band["sentences"].get<int64_t>() > 0)
      bands.add_row({band["band"].get<std::string>(), std::to_string(band["sentences"].get<int64_t>()),
                     std::to_string(band["tokens"].get<int64_t>()), number(band["cross_entropy"]),
                     percent(band["accuracy"])});
  bands.add_separator();
  bands.add_row({"all", std::to_string(tf["sentences"].get<int64_t>()), std::to_string(tf["tokens"].get<int64_t>()),
                 number(tf["cross_entropy"]), percent(tf["accuracy"])});
  out << "Teacher-forced, by source length (nats/token; <eos> counted, padding not)\n" << bands.to_text();

  // Rows: every sentence, the short band and the long one (short_and_long_bands says which).
  std::vector<std::string> header = {"source words"};
  const auto& all = tf["position_accuracy"]["all"];
  for (std::size_t bin = 0; bin < all.size(); ++bin) header.push_back(fmt::format("{}%", 100 * bin / all.size()));
  std::vector<Align> align(header.size(), Align::Right);
  align[0] = Align::Left;
  Table positions(header, align);
  auto add = [&](const std::string& name, const nlohmann::json& accuracies) {
    std::vector<std::string> row = {name};
    for (const auto& a : accuracies) row.push_back(percent(a));
    positions.add_row(row);
  };
  add("all", all);
  const auto chosen = short_and_long_bands({tf});
  const auto& by_band = tf["position_accuracy"]["bands"];
  if (by_band.contains(chosen.short_band)) add("short " + chosen.short_band, by_band[chosen.short_band]);
  if (chosen.long_band != chosen.short_band && by_band.contains(chosen.long_band))
    add("long " + chosen.long_band, by_band[chosen.long_band]);
  out << "\nTeacher-forced accuracy % by relative target position j/T (a column from its label to the next)\n"
      << positions.to_text();
  return out.str();
}

}  // namespace seq2seq::report
