// Word vocabulary: specials first, then tokens by descending count (ties by code point order).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace seq2seq::data {

class Vocab {
 public:
  static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;
  static const std::vector<std::string>& specials();  // "<pad>", "<unk>", "<bos>", "<eos>"

  Vocab();                                          // specials only
  explicit Vocab(std::vector<std::string> tokens);  // tokens[0..3] must be the specials

  // Counts tokens over `sentences`; keeps those seen at least min_freq times, at most
  // max_size of them (0 = no limit), ordered by count descending, then token ascending.
  static Vocab build(const std::vector<std::vector<std::string>>& sentences, int min_freq, int max_size);

  int64_t size() const { return static_cast<int64_t>(itos_.size()); }
  int64_t id(const std::string& token) const;  // kUnk when unknown
  const std::string& token(int64_t id) const;
  bool contains(const std::string& token) const { return stoi_.count(token) > 0; }
  const std::vector<std::string>& tokens() const { return itos_; }

  // <bos> ids... <eos>
  std::vector<int64_t> encode(const std::vector<std::string>& tokens, bool add_bos_eos = true) const;
  // Stops at the first <eos>; drops <bos> and <pad>.
  std::vector<std::string> decode(const std::vector<int64_t>& ids) const;

  // JSON file: {"tokens": [...]} in id order.
  void save(const std::string& path) const;
  static Vocab load(const std::string& path);

 private:
  std::vector<std::string> itos_;
  std::unordered_map<std::string, int64_t> stoi_;
};

}  // namespace seq2seq::data
