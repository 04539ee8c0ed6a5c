// Corpus statistics: pairs, tokens, vocabulary sizes, OOV rates, length histograms.
#include "seq2seq/data/stats.h"

#include "seq2seq/data/vocab.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <unordered_set>

namespace seq2seq::data {

namespace {

using TokenizedSide = std::vector<std::vector<std::string>>;

TokenizedSide tokenize_all(const std::vector<std::string>& lines, const Tokenizer& tokenizer) {
  TokenizedSide out;
  out.reserve(lines.size());
  for (const auto& line : lines) out.push_back(tokenizer.tokenize(line));
  return out;
}

int64_t distinct(const TokenizedSide& side) {
  std::unordered_set<std::string> seen;
  for (const auto& sentence : side) seen.insert(sentence.begin(), sentence.end());
  return static_cast<int64_t>(seen.size());
}

// "12,345"
std::string grouped(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

// Display width of UTF-8 text (one cell per code point; enough for our labels and bars).
std::size_t cells(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad_right(const std::string& text, std::size_t width) {
  const std::size_t n = cells(text);
  return n >= width ? text : text + std::string(width - n, ' ');
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t n = cells(text);
  return n >= width ? text : std::string(width - n, ' ') + text;
}

}  // namespace

std::string block_bar(double fraction, int width) {
  static const char* kEighths[] = {"", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589"};
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int eighths = static_cast<int>(fraction * width * 8 + 0.5);
  std::string bar;
  int used = 0;
  for (int i = 0; i < eighths / 8; ++i, ++used) bar += "\u2588";
  if (eighths % 8 != 0) {
    bar += kEighths[eighths % 8];
    ++used;
  }
  // A non-zero count never disappears: at least a thin sliver.
  if (used == 0 && fraction > 0) {
    bar += kEighths[1];
    ++used;
  }
  return bar + std::string(static_cast<std::size_t>(std::max(0, width - used)), ' ');
}

nlohmann::json corpus_stats(const std::vector<ParallelCorpus>& splits, const Tokenizers& tokenizers,
                            const StatsOptions& options) {
  if (splits.empty()) throw std::invalid_argument("corpus_stats: no splits");
  std::vector<TokenizedSide> src(splits.size()), tgt(splits.size());
  std::size_t longest = 0;
  for (std::size_t s = 0; s < splits.size(); ++s) {
    src[s] = tokenize_all(splits[s].src, *tokenizers.src);
    tgt[s] = tokenize_all(splits[s].tgt, *tokenizers.tgt);
    for (const auto* side : {&src[s], &tgt[s]})
      for (const auto& sentence : *side) longest = std::max(longest, sentence.size());
  }
  auto vocab = [&](const Tokenizer& tokenizer, const TokenizedSide& train) {
    if (auto pieces = tokenizer.fixed_vocabulary(); !pieces.empty()) return Vocab(std::move(pieces));
    return Vocab::build(train, options.min_freq, options.max_size);
  };
  const Vocab src_vocab = vocab(*tokenizers.src, src[0]);
  const Vocab tgt_vocab = vocab(*tokenizers.tgt, tgt[0]);
  const int bin = options.bin_width > 0 ? options.bin_width : (longest > 80 ? 10 : 5);
  const std::size_t bins = longest / static_cast<std::size_t>(bin) + 1;

  nlohmann::json out;
  out["tokenizer"] = tokenizers.src == tokenizers.tgt
                         ? tokenizers.src->name()
                         : tokenizers.src->name() + " / " + tokenizers.tgt->name();
  out["min_freq"] = options.min_freq;
  out["max_size"] = options.max_size;
  out["max_len"] = options.max_len;
  out["src_lang"] = options.src_lang;
  out["tgt_lang"] = options.tgt_lang;
  out["vocab"] = {{"built_from", splits[0].name},
                  {"src_size", src_vocab.size()},
                  {"tgt_size", tgt_vocab.size()},
                  {"src_types", distinct(src[0])},
                  {"tgt_types", distinct(tgt[0])}};
  out["splits"] = nlohmann::json::array();
  for (std::size_t s = 0; s < splits.size(); ++s) {
    nlohmann::json split;
    split["name"] = splits[s].name;
    split["src_path"] = splits[s].src_path;
    split["tgt_path"] = splits[s].tgt_path;
    split["pairs"] = splits[s].size();
    int64_t empty = 0, too_long = 0;
    for (std::size_t i = 0; i < splits[s].size(); ++i) {
      const std::size_t a = src[s][i].size(), b = tgt[s][i].size();
      if (a == 0 || b == 0)
        ++empty;
      else if (a > static_cast<std::size_t>(options.max_len) || b > static_cast<std::size_t>(options.max_len))
        ++too_long;
    }
    split["empty_pairs"] = empty;
    split["long_pairs"] = too_long;
    split["dropped_by_max_len"] = empty + too_long;
    std::vector<std::pair<std::string, const TokenizedSide*>> sides{{"src", &src[s]}, {"tgt", &tgt[s]}};
    nlohmann::json histogram = {{"bin_width", bin}};
    for (const auto& [side, sentences] : sides) {
      const Vocab& vocab = side == "src" ? src_vocab : tgt_vocab;
      int64_t tokens = 0, unk = 0;
      std::size_t max_len = 0;
      std::vector<int64_t> counts(bins, 0);
      for (const auto& sentence : *sentences) {
        tokens += static_cast<int64_t>(sentence.size());
        max_len = std::max(max_len, sentence.size());
        ++counts[sentence.size() / static_cast<std::size_t>(bin)];
        for (const auto& token : sentence) unk += vocab.contains(token) ? 0 : 1;
      }
      split[side + "_tokens"] = tokens;
      split[side + "_max_len"] = max_len;
      split[side + "_mean_len"] = sentences->empty() ? 0.0 : double(tokens) / double(sentences->size());
      split[side + "_unk"] = unk;
      split[side + "_oov_rate"] = tokens > 0 ? double(unk) / double(tokens) : 0.0;
      histogram[side] = counts;
    }
    split["histogram"] = histogram;
    out["splits"].push_back(split);
  }
  return out;
}

std::string render_stats(const nlohmann::json& stats) {
  std::ostringstream out;
  const std::string src_lang = stats["src_lang"], tgt_lang = stats["tgt_lang"];
  const auto& vocab = stats["vocab"];
  const int max_size = stats["max_size"];
  out << "tokenizer " << stats["tokenizer"].get<std::string>() << "; vocabulary from "
      << vocab["built_from"].get<std::string>() << " (min_freq " << stats["min_freq"].get<int>() << ", max_size "
      << (max_size > 0 ? std::to_string(max_size) : std::string("none")) << ")\n\n";

  const std::string long_header = "> max_len " + std::to_string(stats["max_len"].get<int>());
  const std::vector<std::string> header{"split",   "pairs",   "src tokens", "tgt tokens", "src max",
                                        "tgt max", "src OOV", "tgt OOV",    "empty",      long_header};
  std::vector<std::vector<std::string>> rows{header};
  for (const auto& split : stats["splits"])
    rows.push_back({split["name"].get<std::string>(), grouped(split["pairs"].get<int64_t>()),
                    grouped(split["src_tokens"].get<int64_t>()), grouped(split["tgt_tokens"].get<int64_t>()),
                    std::to_string(split["src_max_len"].get<int64_t>()),
                    std::to_string(split["tgt_max_len"].get<int64_t>()),
                    fmt::format("{:.2f}%", 100.0 * split["src_oov_rate"].get<double>()),
                    fmt::format("{:.2f}%", 100.0 * split["tgt_oov_rate"].get<double>()),
                    grouped(split["empty_pairs"].get<int64_t>()), grouped(split["long_pairs"].get<int64_t>())});
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], cells(row[c]));
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      out << (c == 0 ? pad_right(row[c], widths[c]) : "  " + pad_left(row[c], widths[c]));
    out << "\n";
  }
  out << "(tokens without <bos>/<eos>; OOV = tokens outside the vocabulary, for "
      << vocab["built_from"].get<std::string>() << " itself the tokens below min_freq; empty and "
      << "> max_len pairs are dropped from training)\n\n";
  out << "vocabulary  " << src_lang << " " << grouped(vocab["src_size"].get<int64_t>()) << ", " << tgt_lang << " "
      << grouped(vocab["tgt_size"].get<int64_t>()) << " entries (4 specials included; "
      << grouped(vocab["src_types"].get<int64_t>()) << " / " << grouped(vocab["tgt_types"].get<int64_t>())
      << " distinct tokens in " << vocab["built_from"].get<std::string>() << ")\n";

  constexpr int kBarWidth = 28;
  for (const auto& split : stats["splits"]) {
    const auto& histogram = split["histogram"];
    const int bin = histogram["bin_width"];
    const auto src = histogram["src"].get<std::vector<int64_t>>();
    const auto tgt = histogram["tgt"].get<std::vector<int64_t>>();
    // Drop empty bins at the long end; the axis starts at 0 so shapes compare across splits.
    std::size_t last = 0;
    for (std::size_t i = 0; i < src.size(); ++i)
      if (src[i] > 0 || tgt[i] > 0) last = i;
    int64_t peak = 1;
    for (std::size_t i = 0; i <= last; ++i) peak = std::max({peak, src[i], tgt[i]});
    out << "\n" << split["name"].get<std::string>() << ": sentence length in tokens (bins of " << bin << ")\n";
    out << pad_right("  tokens", 11) << pad_right(src_lang, kBarWidth + 9) << tgt_lang << "\n";
    for (std::size_t i = 0; i <= last && !src.empty(); ++i) {
      const std::string label = fmt::format("{}-{}", i * bin, (i + 1) * bin - 1);
      out << "  " << pad_left(label, 7) << "  " << block_bar(double(src[i]) / double(peak), kBarWidth) << " "
          << pad_left(grouped(src[i]), 7) << "  " << block_bar(double(tgt[i]) / double(peak), kBarWidth) << " "
          << pad_left(grouped(tgt[i]), 7) << "\n";
    }
  }
  return out.str();
}

}  // namespace seq2seq::data
