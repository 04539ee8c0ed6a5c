// BLEU, following sacreBLEU 2.x (metrics/bleu.py, tokenizers/tokenizer_13a.py) step for step.
#include "seq2seq/eval/bleu.h"

#include "seq2seq/util/utf8.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace seq2seq::eval {

namespace {

constexpr int kMaxOrder = 4;

// Python's str.replace: non-overlapping occurrences, left to right.
void replace_all(std::string& text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(text, pos, hit - pos);
    out.append(to);
  }
  if (pos == 0) return;  // nothing replaced
  out.append(text, pos, std::string::npos);
  text = std::move(out);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The character class [\{-\~\[-\` -\&\(-\+\:-\@\/] of the 13a tokenizer's first rule.
bool is_13a_punct(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) || (u >= 0x28 && u <= 0x2B) ||
         (u >= 0x3A && u <= 0x40) || u == 0x2F;
}

// The four regex substitutions of sacreBLEU's TokenizerRegexp, each a left-to-right scan
// for non-overlapping matches like re.sub. Working on UTF-8 bytes gives the same result as
// Python's code points: every pattern character is ASCII, and a [^0-9] that Python matches
// against a multi-byte character matches its last byte (before a match) or its first byte
// (after one) here, copied through unchanged either way.
std::string regex_rules(const std::string& line) {
  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
  std::string a;
  a.reserve(line.size() * 2);
  for (char c : line) {
    if (is_13a_punct(c)) {
      a += ' ';
      a += c;
      a += ' ';
    } else {
      a += c;
    }
  }
  // ([^0-9])([\.,]) -> "\1 \2 ": period and comma unless preceded by a digit
  std::string b;
  b.reserve(a.size() * 2);
  for (std::size_t i = 0; i < a.size();) {
    if (i + 1 < a.size() && !is_digit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ',')) {
      b += a[i];
      b += ' ';
      b += a[i + 1];
      b += ' ';
      i += 2;
    } else {
      b += a[i++];
    }
  }
  // ([\.,])([^0-9]) -> " \1 \2": period and comma unless followed by a digit
  std::string c;
  c.reserve(b.size() * 2);
  for (std::size_t i = 0; i < b.size();) {
    if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !is_digit(b[i + 1])) {
      c += ' ';
      c += b[i];
      c += ' ';
      c += b[i + 1];
      i += 2;
    } else {
      c += b[i++];
    }
  }
  // ([0-9])(-) -> "\1 \2 ": dash when preceded by a digit
  std::string d;
  d.reserve(c.size() * 2);
  for (std::size_t i = 0; i < c.size();) {
    if (i + 1 < c.size() && is_digit(c[i]) && c[i + 1] == '-') {
      d += c[i];
      d += " - ";
      i += 2;
    } else {
      d += c[i++];
    }
  }
  return d;
}

std::string join(const std::vector<std::string_view>& tokens) {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out.append(tokens[i]);
  }
  return out;
}

// sacreBLEU's _preprocess_segment: optional lowercase, rstrip, 13a.
std::string preprocess(const std::string& sentence, bool lowercase) {
  std::string text = lowercase ? seq2seq::lowercase(sentence) : sentence;
  return tokenize_13a(std::string(rstrip(text)));
}

// The n-grams (n = 1..4) of a tokenized line, keyed by views into it: tokens are separated by
// single spaces, so the n-gram starting at token i is one contiguous substring.
using NgramCounts = std::unordered_map<std::string_view, int64_t>;

NgramCounts count_ngrams(std::string_view line, int64_t& length) {
  std::vector<std::size_t> starts, ends;
  for (std::size_t pos = 0; pos < line.size();) {
    std::size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    starts.push_back(pos);
    ends.push_back(end);
    pos = end + 1;
  }
  length = static_cast<int64_t>(starts.size());
  NgramCounts counts;
  for (int n = 1; n <= kMaxOrder; ++n)
    for (std::size_t i = 0; i + n <= starts.size(); ++i) ++counts[line.substr(starts[i], ends[i + n - 1] - starts[i])];
  return counts;
}

int ngram_order(std::string_view ngram) {
  int order = 1;
  for (char c : ngram) order += (c == ' ');
  return order;
}

// sacreBLEU's my_log: log(0) is a large negative number instead of -inf.
double my_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

// sacreBLEU's BLEU.compute_bleu with smooth_method "exp".
BleuResult compute_bleu(const BleuStats& stats, bool effective_order) {
  BleuResult result;
  result.stats = stats;
  if (stats.sys_len < stats.ref_len)
    result.bp = stats.sys_len > 0 ? std::exp(1.0 - static_cast<double>(stats.ref_len) / stats.sys_len) : 0.0;
  else
    result.bp = 1.0;
  result.precisions.fill(0.0);
  bool any_match = false;
  for (int64_t c : stats.counts) any_match = any_match || c != 0;
  if (!any_match) return result;  // score 0 (sacreBLEU issue #141)

  double smooth = 1.0;
  int eff_order = kMaxOrder;
  for (int n = 1; n <= kMaxOrder; ++n) {
    int64_t total = stats.totals[n - 1], correct = stats.counts[n - 1];
    if (total == 0) break;
    if (effective_order) eff_order = n;
    if (correct == 0) {
      smooth *= 2;
      result.precisions[n - 1] = 100.0 / (smooth * total);
    } else {
      result.precisions[n - 1] = 100.0 * correct / total;
    }
  }
  double log_sum = 0.0;
  for (int n = 0; n < eff_order; ++n) log_sum += my_log(result.precisions[n]);
  result.score = result.bp * std::exp(log_sum / eff_order);
  return result;
}

std::string signature(bool lowercase, bool effective_order) {
  return std::string("nrefs:1|case:") + (lowercase ? "lc" : "mixed") + "|eff:" + (effective_order ? "yes" : "no") +
         "|tok:13a|smooth:exp|version:seq2seq-" + SEQ2SEQ_VERSION;
}

}  // namespace

BleuStats& BleuStats::operator+=(const BleuStats& other) {
  for (int n = 0; n < kMaxOrder; ++n) {
    counts[n] += other.counts[n];
    totals[n] += other.totals[n];
  }
  sys_len += other.sys_len;
  ref_len += other.ref_len;
  return *this;
}

bool operator==(const BleuStats& a, const BleuStats& b) {
  return a.counts == b.counts && a.totals == b.totals && a.sys_len == b.sys_len && a.ref_len == b.ref_len;
}

std::string tokenize_13a(const std::string& input) {
  std::string line = input;
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  replace_all(line, "&quot;", "\"");
  replace_all(line, "&amp;", "&");
  replace_all(line, "&lt;", "<");
  replace_all(line, "&gt;", ">");
  std::string spaced = regex_rules(" " + line + " ");
  return join(split_whitespace(spaced));
}

BleuStats bleu_stats(const std::string& hyp, const std::string& ref, bool lowercase) {
  std::string hyp_tok = preprocess(hyp, lowercase), ref_tok = preprocess(ref, lowercase);
  BleuStats stats;
  NgramCounts ref_ngrams = count_ngrams(ref_tok, stats.ref_len);
  NgramCounts hyp_ngrams = count_ngrams(hyp_tok, stats.sys_len);
  for (const auto& [ngram, count] : hyp_ngrams) {
    int n = ngram_order(ngram) - 1;
    stats.totals[n] += count;
    auto found = ref_ngrams.find(ngram);
    if (found != ref_ngrams.end()) stats.counts[n] += std::min(count, found->second);
  }
  return stats;
}

BleuResult bleu_from_stats(const BleuStats& stats, bool lowercase) {
  BleuResult result = compute_bleu(stats, /*effective_order=*/false);
  result.signature = signature(lowercase, false);
  return result;
}

std::vector<BleuStats> sentence_stats(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                                      bool lowercase) {
  if (hyps.size() != refs.size())
    throw std::invalid_argument("BLEU needs one reference per hypothesis: " + std::to_string(hyps.size()) +
                                " hypotheses, " + std::to_string(refs.size()) + " references");
  std::vector<BleuStats> stats;
  stats.reserve(hyps.size());
  for (std::size_t i = 0; i < hyps.size(); ++i) stats.push_back(bleu_stats(hyps[i], refs[i], lowercase));
  return stats;
}

BleuResult corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs, bool lowercase) {
  BleuStats total;
  for (const auto& stats : sentence_stats(hyps, refs, lowercase)) total += stats;
  return bleu_from_stats(total, lowercase);
}

double sentence_bleu(const std::string& hyp, const std::string& ref, bool lowercase) {
  return compute_bleu(bleu_stats(hyp, ref, lowercase), /*effective_order=*/true).score;
}

void to_json(nlohmann::json& j, const BleuResult& result) {
  const BleuStats& s = result.stats;
  j = nlohmann::json{{"score", result.score},
                     {"signature", result.signature},
                     {"precisions", result.precisions},
                     {"counts", s.counts},
                     {"totals", s.totals},
                     {"bp", result.bp},
                     {"ratio", s.ref_len ? static_cast<double>(s.sys_len) / s.ref_len : 0.0},
                     {"sys_len", s.sys_len},
                     {"ref_len", s.ref_len}};
}

}  // namespace seq2seq::eval
