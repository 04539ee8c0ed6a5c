// Vocabulary: build from token counts, map tokens <-> ids, save and load as JSON.
#include "seq2seq/data/vocab.h"

#include "seq2seq/util/io.h"
#include "seq2seq/util/json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace seq2seq::data {

const std::vector<std::string>& Vocab::specials() {
  static const std::vector<std::string> kSpecials{"<pad>", "<unk>", "<bos>", "<eos>"};
  return kSpecials;
}

Vocab::Vocab() : Vocab(specials()) {}

Vocab::Vocab(std::vector<std::string> tokens) : itos_(std::move(tokens)) {
  const auto& sp = specials();
  if (itos_.size() < sp.size() || !std::equal(sp.begin(), sp.end(), itos_.begin()))
    throw std::invalid_argument("vocabulary must start with <pad> <unk> <bos> <eos>");
  stoi_.reserve(itos_.size());
  for (std::size_t i = 0; i < itos_.size(); ++i)
    if (!stoi_.emplace(itos_[i], static_cast<int64_t>(i)).second)
      // The token as a JSON string: a token holding a newline (fuzz_run_json) keeps the error one line.
      throw std::invalid_argument(
          "vocabulary lists " +
          nlohmann::json(itos_[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + " twice (ids " +
          std::to_string(stoi_.at(itos_[i])) + " and " + std::to_string(i) + ")");
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sentences, int min_freq, int max_size) {
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& sentence : sentences)
    for (const auto& token : sentence) ++counts[token];
  const auto& sp = specials();
  std::vector<std::pair<std::string, int64_t>> kept;
  for (auto& [token, count] : counts)
    if (count >= min_freq && std::find(sp.begin(), sp.end(), token) == sp.end()) kept.emplace_back(token, count);
  // std::string's operator< compares bytes as unsigned char, i.e. UTF-8 byte order, which is
  // code point order (Python's string order).
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_size > 0 && kept.size() > static_cast<std::size_t>(max_size)) kept.resize(static_cast<std::size_t>(max_size));
  std::vector<std::string> tokens = sp;
  tokens.reserve(sp.size() + kept.size());
  for (auto& item : kept) tokens.push_back(std::move(item.first));
  return Vocab(std::move(tokens));
}

int64_t Vocab::id(const std::string& token) const {
  auto it = stoi_.find(token);
  return it == stoi_.end() ? kUnk : it->second;
}

const std::string& Vocab::token(int64_t id) const {
  if (id < 0 || id >= size())
    throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary (size " +
                            std::to_string(size()) + ")");
  return itos_[static_cast<std::size_t>(id)];
}

std::vector<int64_t> Vocab::encode(const std::vector<std::string>& tokens, bool add_bos_eos) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size() + 2);
  if (add_bos_eos) ids.push_back(kBos);
  for (const auto& token : tokens) ids.push_back(id(token));
  if (add_bos_eos) ids.push_back(kEos);
  return ids;
}

std::vector<std::string> Vocab::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string> tokens;
  for (int64_t id : ids) {
    if (id == kEos) break;
    if (id == kBos || id == kPad) continue;
    tokens.push_back(token(id));
  }
  return tokens;
}

void Vocab::save(const std::string& path) const {
  nlohmann::json j;
  j["tokens"] = itos_;
  write_file_atomic(path, j.dump(0) + "\n");
}

Vocab Vocab::load(const std::string& path) {
  if (!file_exists(path))
    throw std::runtime_error(path +
                             ": vocabulary file not found (is this a run directory written by `seq2seq train`?)");
  return parse(read_file(path), path);
}

Vocab Vocab::parse(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = parse_json_unique_keys(text, path);  // a key twice: which one was meant?
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e999
    throw std::runtime_error(path + ": not a valid vocabulary JSON file (" + std::string(e.what()) +
                             "); delete it and retrain, or restore it");
  }
  if (!j.is_object() || !j.contains("tokens") || !j["tokens"].is_array())
    throw std::runtime_error(path + ": expected a JSON object {\"tokens\": [...]} (is this a vocabulary file?)");
  std::vector<std::string> tokens;
  tokens.reserve(j["tokens"].size());
  for (std::size_t i = 0; i < j["tokens"].size(); ++i) {
    const auto& token = j["tokens"][i];
    if (!token.is_string()) throw std::runtime_error(path + ": tokens[" + std::to_string(i) + "] is not a string");
    tokens.push_back(token.get<std::string>());
  }
  try {
    return Vocab(std::move(tokens));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace seq2seq::data
