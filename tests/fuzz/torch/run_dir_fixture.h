// The tiny valid run directory the run-directory fuzz target builds its inputs around: a small
// Transformer's weights (model.pt) and source vocabulary, made once; per input, a fresh copy of
// them beside the fuzzed config.json, vocab.tgt.json and state.json. Also the seed inputs: the
// valid files with every checksum recorded, and as a run written before the record's checksums.
#pragma once
#include "../fuzz_common.h"

#include "seq2seq/run/run.h"
#include "seq2seq/util/sha256.h"
#include "seq2seq/util/io.h"
#include "seq2seq/models/factory.h"

#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace seq2seq::fuzz {

inline constexpr std::string_view kPieceSeparator = "\n=====\n";

class RunDirFixture {
 public:
  static const RunDirFixture& get() {
    static const RunDirFixture fixture;
    return fixture;
  }

  // A new run directory: the valid weights and source vocabulary, and the pieces as config.json,
  // vocab.tgt.json and state.json (a missing piece: no such file).
  std::string fresh_run(const std::vector<std::string>& pieces) const {
    const std::string dir = root_ + "/run" + std::to_string(counter_++);
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(root_ + "/valid/model.pt", dir + "/model.pt");
    std::filesystem::copy_file(root_ + "/valid/vocab.src.json", dir + "/vocab.src.json");
    const char* names[] = {"config.json", "vocab.tgt.json", "state.json"};
    for (std::size_t i = 0; i < pieces.size() && i < 3; ++i) write_file_atomic(dir + "/" + names[i], pieces[i]);
    return dir;
  }

  // Whether `model` holds the valid checkpoint's weights exactly.
  bool holds_checkpoint(torch::nn::Module& model) const {
    const auto ours = model.named_parameters();
    const auto theirs = reference_->named_parameters();
    if (ours.size() != theirs.size()) return false;
    for (const auto& p : theirs) {
      const auto* found = ours.find(p.key());
      if (!found || !found->sizes().equals(p.value().sizes()) || !torch::equal(*found, p.value())) return false;
    }
    return true;
  }

  // Seed inputs: the valid run, and the same without the record's checksums (an older run).
  std::vector<std::string> seeds() const { return seeds_; }

 private:
  RunDirFixture() {
    root_ = (std::filesystem::temp_directory_path() / ("seq2seq_fuzz_run_dir." + std::to_string(::getpid()))).string();
    const std::string valid = root_ + "/valid";
    std::filesystem::create_directories(valid);
    Config config;
    config.data.train = {"train.de", "train.en"};
    config.data.test = {"test.de", "test.en"};
    config.model.type = ModelType::transformer;
    config.model.emb_dim = config.model.hidden_dim = 8;
    config.model.heads = 2;
    config.model.layers = 1;
    config.model.ff_dim = 16;
    save_config(config, valid + "/config.json");
    data::Vocab src({"<pad>", "<unk>", "<bos>", "<eos>", "der", "hund"});
    data::Vocab tgt({"<pad>", "<unk>", "<bos>", "<eos>", "the", "dog", "runs"});
    src.save(valid + "/vocab.src.json");
    tgt.save(valid + "/vocab.tgt.json");
    torch::manual_seed(1);
    reference_ = models::make_model(config.model, src.size(), tgt.size());
    save_module(*reference_, valid + "/model.pt");
    TrainState state;
    state.rng = "00";
    state.checksums["model.pt"] = sha256_file(valid + "/model.pt");
    record_run_files(RunPaths{valid}, config.data, state);
    save_state(state, valid + "/state.json");
    const std::string config_text = read_file(valid + "/config.json"), vocab_text = read_file(valid + "/vocab.tgt.json");
    const std::string sep(kPieceSeparator);
    seeds_.push_back(config_text + sep + vocab_text + sep + read_file(valid + "/state.json"));
    for (const auto& name : record_files(config.data)) state.checksums.erase(name);
    seeds_.push_back(config_text + sep + vocab_text + sep + nlohmann::json(state).dump(1));
    seeds_.push_back(config_text + sep + vocab_text);  // no state.json
  }
  ~RunDirFixture() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::string root_;
  std::shared_ptr<models::Seq2SeqModel> reference_;
  std::vector<std::string> seeds_;
  mutable std::atomic<int64_t> counter_{0};
};

}  // namespace seq2seq::fuzz
