// The training loop (one file, top to bottom): data, model, optimizer, steps, validation,
// checkpoints. Resumption restores weights, optimizer moments, RNG, schedule and the
// position inside the epoch, so a stopped-and-resumed run reproduces an uninterrupted one.
#include "seq2seq/train/trainer.h"

#include "seq2seq/data/batcher.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/translate.h"
#include "seq2seq/errors.h"
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/perplexity.h"
#include "seq2seq/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/report/progress.h"
#include "seq2seq/run.h"
#include "seq2seq/run_lock.h"
#include "seq2seq/sha256.h"
#include "seq2seq/train/checkpoint.h"
#include "seq2seq/train/distributed.h"
#include "seq2seq/train/loss.h"
#include "seq2seq/train/optimizer.h"
#include "seq2seq/train/schedule.h"
#include "seq2seq/train/scheduled_sampling.h"

#include <fmt/ranges.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace seq2seq::train {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Adds train.log to the default logger for the lifetime of a training run.
class RunLog {
 public:
  explicit RunLog(const std::string& path) {
    sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    sink_->set_pattern("[%Y-%m-%d %H:%M:%S.%e %l] %v");
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~RunLog() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }

 private:
  spdlog::sink_ptr sink_;
};

// Lower is better for loss, higher for BLEU; NaN (no validation yet) is never better.
bool improves(const std::string& metric, double value, const std::optional<double>& best) {
  if (std::isnan(value)) return false;
  if (!best) return true;
  return metric == "valid_bleu" ? value > *best : value < *best;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// metrics.jsonl keeps the lines of the validations the checkpoint counts; those a crash
// interrupted after are run again and written again.
void keep_metrics_lines(const std::string& path, int64_t count) {
  if (!file_exists(path)) return;
  std::ifstream in(path);
  std::string line, kept;
  int64_t lines = 0, total = 0;
  while (std::getline(in, line)) {
    if (lines < count) {
      kept += line + "\n";
      lines++;
    }
    total++;
  }
  if (total > count || (count > 0 && lines < count)) {
    if (lines < count)
      spdlog::warn("{}: {} lines, state.json counts {} validations", path, lines, count);
    else
      spdlog::info("{}: dropping {} line(s) written after the checkpoint", path, total - count);
    write_file_atomic(path, kept);
  }
}

// Resuming may change the budget, not what is being trained.
void refuse_identity_changes(const Config& recorded, const Config& requested, const std::string& origin) {
  const auto& allowed = resume_overridable_keys();
  std::string refused;
  for (const auto& key : differing_keys({nlohmann::json(recorded), nlohmann::json(requested)}))
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) refused += (refused.empty() ? "" : ", ") + key;
  if (!refused.empty())
    throw UsageError("--resume: cannot change " + refused + " of the run in " + origin +
                     " (it would train something else); only " + fmt::format("{}", fmt::join(allowed, ", ")) +
                     " may change on resume; train a new run for the rest");
}

struct Validation {
  double loss = 0, ppl = 0, bleu = std::numeric_limits<double>::quiet_NaN();
};

// Data parallel: the seed of a rank's dropout and teacher-forcing draws at one step. Seeding each
// step from (seed, step, rank) makes a resumed distributed run draw what the uninterrupted one drew
// without saving every rank's generator.
uint64_t step_seed(int64_t seed, int64_t step, int rank) {
  auto mix = [](uint64_t x) {  // splitmix64's finalizer
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  };
  return mix(mix(mix(static_cast<uint64_t>(seed)) + static_cast<uint64_t>(step)) + static_cast<uint64_t>(rank));
}

std::string optimizer_bytes(torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_optimizer_bytes(torch::optim::Optimizer& optimizer, const std::string& bytes) {
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  optimizer.load(archive);
}

}  // namespace

const std::vector<std::string>& resume_overridable_keys() {
  static const std::vector<std::string> keys = {"train.epochs",         "train.patience", "train.min_delta", "train.valid_every",
                                                "train.log_every",      "train.device",   "decode.beam",
                                                "decode.length_penalty"};
  return keys;
}

TrainResult train_model(const Config& input_config, const TrainOptions& options) {
  const auto wall_start = Clock::now();
  if (options.run_dir.empty()) throw UsageError("no run directory given (use --run runs/NAME)");
  RunPaths paths{options.run_dir};
  const World& world = options.world;
  const bool writer = world.writer();  // rank 0, or the one process: the only one that touches paths.dir

  // Data parallel: join the job first. Rank 0 then does the setup below alone and sends the others
  // what it found (the config, the checkpoint's state, the vocabularies, the weights).
  std::unique_ptr<Collective> collective;
  if (world.distributed())
    collective = std::make_unique<Collective>(world, resolve_device(options.device.empty() ? "auto" : options.device));

  // Config: fresh runs use the given config; resumed runs their own config.json, with --set
  // overrides of the budget only (resume_overridable_keys).
  Config config = input_config;
  TrainState state;
  std::optional<RunLock> lock;
  bool has_checkpoint = false;  // resuming from a state.json (not from before the first checkpoint)
  std::optional<TrainResult> nothing_to_do;
  auto setup = [&] {
  if (options.resume) {
    // The lock first: a trainer that just started may not have written config.json yet.
    if (std::filesystem::is_directory(paths.dir)) lock.emplace(paths.dir);
    require_run_dir(paths.dir);
    remove_stale_temporaries(paths);
    const Config recorded = load_config(paths.config());
    config = recorded;
    apply_overrides(config, options.overrides);
    refuse_identity_changes(recorded, config, paths.config());
    has_checkpoint = file_exists(paths.state());
    if (has_checkpoint) {
      state = load_state(paths.state());
      if (state.world_size != world.size)
        throw UsageError(fmt::format("--resume: {} was trained by {} worker(s) and this run has {}; resume it with "
                                     "{} (the workers' dropout draws depend on their number)",
                                     paths.dir, state.world_size, world.size,
                                     state.world_size > 1 ? fmt::format("--nproc {}", state.world_size)
                                                          : std::string("one process (no --nproc)")));
      settle_staged(paths, &state);
      for (const std::string name : kCheckpointFiles)  // refuse a corrupt file before anything is rewritten
        if (name != "best.pt" || state.checksums.count(name) || file_exists(paths.file(name)))
          checked_file(paths, &state, name);
      const TrainConfig& budget = config.train;
      const bool patience_left = !(budget.patience > 0 && state.bad_validations >= budget.patience);
      const bool steps_left = options.max_steps == 0 || state.step < options.max_steps;
      if (!steps_left) {
        spdlog::info("{} is already at step {} (--max-steps {}); nothing to resume", paths.dir, state.step,
                     options.max_steps);
        nothing_to_do = TrainResult{"max_steps",  state.step,   state.epoch, state.best_score.value_or(0.0),
                                    state.elapsed_s, state.tokens, state.train_s};
        return;
      }
      if (state.complete) {
        if (state.epoch >= budget.epochs || !patience_left) {
          spdlog::info(
              "{} is already complete ({} after {} epochs); nothing to resume (extend it with --set "
              "train.epochs=N, or a larger train.patience after early stopping)",
              paths.dir, state.stop_reason, state.epoch);
          nothing_to_do = TrainResult{state.stop_reason, state.step,   state.epoch, state.best_score.value_or(0.0),
                                      state.elapsed_s,   state.tokens, state.train_s};
          return;
        }
        spdlog::info("extending the complete run {} ({} after {} epochs) to {} epochs", paths.dir, state.stop_reason,
                     state.epoch, budget.epochs);
        state.complete = false;
        state.stop_reason.clear();
      }
    } else {
      spdlog::info("{}: no checkpoint yet; starting from the beginning with its config.json", paths.dir);
      settle_staged(paths, nullptr);
    }
    if (!has_checkpoint) keep_metrics_lines(paths.metrics(), 0);
  } else {
    create_directories(paths.dir);
    lock.emplace(paths.dir);
    if (file_exists(paths.state()) || file_exists(paths.last()))
      throw UsageError(paths.dir + ": already holds a run; continue it with --resume, or choose another --run");
    state.world_size = world.size;
  }
  };
  if (writer) {
    std::string error;
    try {
      setup();
    } catch (const std::exception& e) {
      error = e.what();
      if (!collective) throw;
    }
    if (collective) {  // the outcome, error included, goes to every rank
      std::string sent = nlohmann::json{{"error", error},
                                        {"config", nlohmann::json(config)},
                                        {"state", nlohmann::json(state)},
                                        {"has_checkpoint", has_checkpoint},
                                        {"nothing_to_do", nothing_to_do.has_value()}}
                             .dump();
      collective->broadcast_bytes(sent);
      if (!error.empty()) throw UsageError(first_line(error));
    }
  } else {
    std::string received;
    collective->broadcast_bytes(received);
    const auto j = nlohmann::json::parse(received);
    if (!j.at("error").get<std::string>().empty())
      throw UsageError("rank 0 could not start: " + first_line(j.at("error").get<std::string>()));
    config = j.at("config").get<Config>();
    state = j.at("state").get<TrainState>();
    has_checkpoint = j.at("has_checkpoint").get<bool>();
    if (j.at("nothing_to_do").get<bool>())
      nothing_to_do = TrainResult{state.stop_reason, state.step,   state.epoch, state.best_score.value_or(0.0),
                                  state.elapsed_s,   state.tokens, state.train_s};
  }
  if (nothing_to_do) return *nothing_to_do;
  std::optional<RunLog> run_log;
  if (writer) run_log.emplace(paths.log());
  if (collective)
    spdlog::info("data parallel: {} workers ({} backend, rendezvous at {}:{}); each trains every {}th sentence of a batch",
                 world.size, collective->backend(), world.master_addr, world.master_port, world.size);
  const TrainConfig& t = config.train;
  torch::Device device = resolve_device(options.device.empty() || options.device == "auto" ? t.device : options.device);
  if (collective && device.is_cuda()) device = torch::Device(torch::kCUDA, static_cast<int8_t>(world.local_rank));

  // Data: tokenizers and vocabularies from the training split (or from the run when resuming).
  // SentencePiece models are trained here (or copied from data.spm_dir) into the run directory.
  const auto train_corpus = data::read_corpus(config.data.train, "train");
  std::vector<std::string> spm_models;
  data::Vocab src_vocab, tgt_vocab;
  if (writer && has_checkpoint) {
    spm_models = data::load_spm_models(config.data, paths.dir);
    src_vocab = data::Vocab::load(paths.src_vocab());
    tgt_vocab = data::Vocab::load(paths.tgt_vocab());
  } else if (writer) {
    if (config.data.tokenizer == "spm")
      spdlog::info("SentencePiece: {} ({} pieces{}) {}", config.data.spm_type, config.data.vocab_size,
                   config.data.joint_vocab ? ", one model for both languages" : ", one model per language",
                   config.data.spm_dir.empty() ? "trained on the training split" : "from " + config.data.spm_dir);
    spm_models = data::spm_models_for_training(config.data, train_corpus.src, train_corpus.tgt);
    const auto names = data::spm_model_files(config.data);
    for (size_t i = 0; i < spm_models.size(); ++i) write_file_atomic(paths.file(names[i]), spm_models[i]);
    std::tie(src_vocab, tgt_vocab) = data::build_vocabs(train_corpus, data::make_tokenizers(config.data, spm_models),
                                                        config.data.min_freq, config.data.max_size);
    save_config(config, paths.config());
    src_vocab.save(paths.src_vocab());
    tgt_vocab.save(paths.tgt_vocab());
  }
  if (collective) {  // rank 0's vocabularies (and SentencePiece models) on every rank
    std::string sent =
        writer ? nlohmann::json{{"src", src_vocab.tokens()}, {"tgt", tgt_vocab.tokens()}, {"models", spm_models.size()}}
                     .dump()
               : std::string();
    collective->broadcast_bytes(sent);
    const auto j = nlohmann::json::parse(sent);
    if (!writer) {
      src_vocab = data::Vocab(j.at("src").get<std::vector<std::string>>());
      tgt_vocab = data::Vocab(j.at("tgt").get<std::vector<std::string>>());
      spm_models.resize(j.at("models").get<size_t>());
    }
    for (auto& model : spm_models) collective->broadcast_bytes(model);
  }
  const auto tokenizers = data::make_tokenizers(config.data, spm_models);
  const auto train_data = data::encode_corpus(train_corpus, tokenizers, src_vocab, tgt_vocab, config.data.max_len);
  if (train_data.examples.empty())
    throw std::runtime_error(config.data.train.src +
                             ": no usable training pairs (all empty or longer than data.max_len)");
  data::EncodedCorpus valid_data;
  std::vector<std::string> valid_refs, valid_lines_src;
  std::vector<std::vector<std::string>> valid_src_tokens;  // what a <unk> in a validation output may copy
  const bool has_valid = !config.data.valid.src.empty();  // rank 0 validates for every rank
  if (has_valid && writer) {
    const auto valid_corpus = data::read_corpus(config.data.valid, "valid");
    valid_data = data::encode_corpus(valid_corpus, tokenizers, src_vocab, tgt_vocab, 0);
    for (const auto& example : valid_data.examples) {
      valid_refs.push_back(valid_corpus.tgt[example.index]);
      valid_src_tokens.push_back(tokenizers.src->tokenize(valid_corpus.src[example.index]));
    }
  }
  spdlog::info(
      "data: {} training pairs ({} dropped: {} empty, {} over data.max_len={}), {} validation pairs; "
      "vocab {} {} / {} {}",
      train_data.examples.size(), train_data.dropped_empty + train_data.dropped_long, train_data.dropped_empty,
      train_data.dropped_long, config.data.max_len, valid_data.examples.size(), config.data.src_lang, src_vocab.size(),
      config.data.tgt_lang, tgt_vocab.size());

  // Model and optimizer. The seed fixes the initial weights, dropout masks and teacher forcing.
  torch::manual_seed(t.seed);
  auto model = models::make_model(config.model, src_vocab.size(), tgt_vocab.size());
  model->to(device);
  auto optimizer = make_optimizer(model->parameters(), t);
  LrSchedule schedule(t);
  if (has_checkpoint) {
    if (writer) {
      load_module(*model, checked_file(paths, &state, "model.pt"), device);
      load_optimizer(*optimizer, checked_file(paths, &state, "optimizer.pt"));
    }
    schedule.load_state(state.schedule);
    set_rng_state(state.rng);
  }
  if (collective) {  // rank 0's weights (initial or resumed) and optimizer moments on every rank
    collective->broadcast(module_tensors(*model));
    if (has_checkpoint) {
      std::string sent = writer ? optimizer_bytes(*optimizer) : std::string();
      collective->broadcast_bytes(sent);
      if (!writer) load_optimizer_bytes(*optimizer, sent);
    }
  }
  if (has_checkpoint && writer) {
    // Only now, with the overrides accepted and the checkpoint loaded: the run records what it
    // runs with, and every resume.
    if (!options.overrides.empty()) save_config(config, paths.config());
    state.resumes.push_back({utc_now(), state.step, options.overrides, options.max_steps});
    save_state(state, paths.state());
    keep_metrics_lines(paths.metrics(), state.validations);  // validations after the checkpoint run again
    spdlog::info("resuming {} at step {}, epoch {}, batch {}", paths.dir, state.step, state.epoch + 1,
                 state.batch_in_epoch);
  }
  state.parameters = model->parameter_count();
  state.device = device.str();
  spdlog::info("model: {} with {} parameters on {}", to_string(config.model.type), state.parameters, state.device);

  data::BatchOptions batch_options;
  batch_options.batch_size = t.batch_size;
  batch_options.batch_tokens = t.batch_tokens;
  batch_options.bucket_chunk = t.bucket_chunk;
  batch_options.shuffle = true;

  // A checkpoint is a small transaction: the weights are staged (NAME.next, each written
  // atomically), then state.json records their checksums (the commit), then they are renamed
  // into place. A crash or a failed write at any point leaves a checkpoint that loads.
  bool best_staged = false;  // best.pt.next written by the last validation, not yet committed
  std::vector<std::string> snapshots_staged;  // train.average_last: weights of validations not yet committed
  int64_t committed_step = has_checkpoint ? state.step : -1;
  // A failed write (disk full, file size limit, permissions) stops the run with one line that
  // says what is still on disk.
  auto writing = [&](const std::function<void()>& write) {
    try {
      write();
    } catch (const std::exception& e) {
      throw std::runtime_error(first_line(e.what()) + "; " +
                               (committed_step >= 0
                                    ? "the previous checkpoint (step " + std::to_string(committed_step) + ") is intact"
                                    : std::string("no checkpoint was written yet")) +
                               ": free space or fix permissions, then seq2seq train --run " + paths.dir + " --resume");
    }
  };
  auto checkpoint = [&] {
    if (!writer) return;
    state.schedule = schedule.state();
    state.rng = rng_state();
    std::vector<std::string> names = {"model.pt", "optimizer.pt"};
    if (best_staged) names.push_back("best.pt");
    // Snapshots for averaging: the new ones join the record, the oldest beyond average_last leave it.
    names.insert(names.end(), snapshots_staged.begin(), snapshots_staged.end());
    state.snapshots.insert(state.snapshots.end(), snapshots_staged.begin(), snapshots_staged.end());
    std::vector<std::string> pruned;
    while (static_cast<int>(state.snapshots.size()) > t.average_last) {
      pruned.push_back(state.snapshots.front());
      state.checksums.erase(state.snapshots.front());
      state.snapshots.erase(state.snapshots.begin());
    }
    writing([&] {
      save_module(*model, paths.staged("model.pt"));
      save_optimizer(*optimizer, paths.staged("optimizer.pt"));
      for (const auto& name : names)
        if (std::find(pruned.begin(), pruned.end(), name) == pruned.end())
          state.checksums[name] = sha256_file(paths.staged(name));
      save_state(state, paths.state());  // it names weights that are already on disk
    });
    for (const auto& name : names)
      if (std::find(pruned.begin(), pruned.end(), name) != pruned.end()) std::filesystem::remove(paths.staged(name));
    names.erase(std::remove_if(names.begin(), names.end(),
                               [&](const std::string& n) { return std::find(pruned.begin(), pruned.end(), n) != pruned.end(); }),
                names.end());
    commit_staged(paths, names);
    for (const auto& name : pruned) std::filesystem::remove(paths.file(name));  // no longer named: safe to delete
    best_staged = false;
    snapshots_staged.clear();
    committed_step = state.step;
  };
  // train.average_last: averaged.pt, the mean of the snapshots state.json names (after the final
  // checkpoint committed them), written as a checkpoint of its own.
  auto write_average = [&] {
    if (!writer || t.average_last <= 0 || state.snapshots.empty()) return;
    std::vector<std::string> files;
    for (const auto& name : state.snapshots) files.push_back(paths.file(name));
    auto scratch = models::make_model(config.model, src_vocab.size(), tgt_vocab.size());
    writing([&] {
      average_weights(*scratch, files, torch::kCPU);
      save_module(*scratch, paths.staged("averaged.pt"));
      state.checksums["averaged.pt"] = sha256_file(paths.staged("averaged.pt"));
      state.averaged_from = state.snapshots;
      save_state(state, paths.state());
    });
    commit_staged(paths, {"averaged.pt"});
    spdlog::info("wrote {}: the mean of the last {} validations' weights ({} ... {})", paths.averaged(),
                 state.snapshots.size(), state.snapshots.front(), state.snapshots.back());
  };

  auto validate = [&]() -> Validation {
    Validation v;
    if (!has_valid) return v;
    auto total = eval::corpus_loss(*model, valid_data.examples, t.batch_size, device);
    v.loss = total.mean();
    v.ppl = total.perplexity();
    if (t.valid_bleu_max > 0) {
      const size_t n = std::min<size_t>(valid_data.examples.size(), t.valid_bleu_max);
      std::vector<std::vector<int64_t>> sources;
      for (size_t i = 0; i < n; ++i) sources.push_back(valid_data.examples[i].src);
      decode::SearchOptions search = decode::SearchOptions::from(config.decode);
      search.beam = 1;
      search.attention = model->has_attention();  // <unk> is scored as eval scores it: copied or dropped
      auto results = decode::translate_batched(*model, sources, search, config.decode.batch_size, device);
      std::vector<std::string> hyps, refs(valid_refs.begin(), valid_refs.begin() + n);
      for (size_t i = 0; i < results.size(); ++i)
        hyps.push_back(tokenizers.tgt->detokenize(
            decode::output_tokens(results[i].front(), valid_src_tokens[i], tgt_vocab)));
      v.bleu = eval::corpus_bleu(hyps, refs, config.data.lowercase).score;
    }
    return v;
  };

  // One validation: metrics line, best.pt, schedule, early stopping. Returns true to stop.
  // Data parallel: rank 0 validates and sends the others its decision and the schedule.
  std::function<bool(int64_t)> validate_on_writer;
  auto run_validation = [&](int64_t epoch_for_log) -> bool {
    if (!collective) return validate_on_writer(epoch_for_log);
    std::string decision;
    if (writer)
      decision = nlohmann::json{{"stop", validate_on_writer(epoch_for_log)}, {"schedule", schedule.state()}}.dump();
    collective->broadcast_bytes(decision);
    const auto j = nlohmann::json::parse(decision);
    if (!writer) schedule.load_state(j.at("schedule"));
    return j.at("stop").get<bool>();
  };
  validate_on_writer = [&](int64_t epoch_for_log) -> bool {
    const auto start = Clock::now();
    Validation v = validate();
    state.validations++;
    const double metric = t.early_stopping_metric == "valid_bleu" ? v.bleu : v.loss;
    const bool best = has_valid && improves(t.early_stopping_metric, metric, state.best_score);
    // Patience restarts only on an improvement of at least train.min_delta (Keras' and Lightning's
    // min_delta): a model still creeping up by less than that per validation has converged.
    const bool significant =
        best && (!state.best_score || std::abs(metric - *state.best_score) >= t.min_delta);
    if (best) {
      state.best_score = metric;
      state.best_step = state.step;
      state.best_epoch = epoch_for_log;
      if (significant) state.bad_validations = 0;
      else state.bad_validations++;
      writing([&] { save_module(*model, paths.staged("best.pt")); });  // committed by the next checkpoint
      best_staged = true;
    } else if (has_valid) {
      state.bad_validations++;
    }
    if (t.average_last > 0) {  // these weights, for averaged.pt (committed by the next checkpoint)
      const std::string name = snapshot_file(state.step);
      writing([&] { save_module(*model, paths.staged(name)); });
      snapshots_staged.push_back(name);
    }
    if (has_valid && schedule.on_validation(v.loss)) {
      if (t.lr_drop_resets_patience) state.bad_validations = 0;
      spdlog::info("validation loss plateaued: learning rate lowered to {:.3g}{}", schedule.lr_at(state.step),
                   t.lr_drop_resets_patience ? "; patience starts again" : "");
    }
    state.elapsed_s += seconds_since(start);
    nlohmann::json line = {
        {"step", state.step},
        {"epoch", epoch_for_log},
        {"train_loss",
         state.interval_steps ? nlohmann::json(state.interval_loss / state.interval_steps) : nlohmann::json()},
        {"valid_loss", has_valid ? nlohmann::json(v.loss) : nlohmann::json()},
        {"valid_ppl", has_valid ? nlohmann::json(v.ppl) : nlohmann::json()},
        {"valid_bleu", std::isnan(v.bleu) ? nlohmann::json() : nlohmann::json(v.bleu)},
        {"lr", schedule.lr_at(state.step + 1)},
        {"tokens_per_s", state.interval_time > 0 ? state.interval_tokens / state.interval_time : 0.0},
        {"elapsed_s", state.elapsed_s},
        {"best", best}};
    append_line(paths.metrics(), line.dump());
    if (has_valid)
      spdlog::info("validation at step {}: loss {:.4f}, ppl {:.2f}, BLEU {}{}", state.step, v.loss, v.ppl,
                   std::isnan(v.bleu) ? std::string("-") : fmt::format("{:.2f}", v.bleu), best ? " (best)" : "");
    state.interval_loss = 0;
    state.interval_steps = state.interval_tokens = 0;
    state.interval_time = 0;
    return t.patience > 0 && state.bad_validations >= t.patience;
  };

  TrainResult result;
  while (state.epoch < t.epochs && result.stop_reason.empty()) {
    const auto batches =
        data::make_batches(train_data.examples, batch_options, static_cast<uint64_t>(t.seed) + state.epoch);
    if (state.batch_in_epoch == 0) {
      auto pad = data::padding_stats(train_data.examples, batches);
      spdlog::info("epoch {}/{}: {} batches, padding {:.1f}% (source {:.1f}%, target {:.1f}%)", state.epoch + 1,
                   t.epochs, batches.size(), 100 * pad.fraction(), 100 * pad.src_fraction(), 100 * pad.tgt_fraction());
    }
    report::ProgressBar progress(fmt::format("epoch {}/{}", state.epoch + 1, t.epochs),
                                 static_cast<int64_t>(batches.size()), t.log_every);
    double epoch_loss = 0;
    int64_t epoch_steps = 0, epoch_tokens = 0;
    double epoch_time = 0;
    model->train();
    while (state.batch_in_epoch < static_cast<int64_t>(batches.size())) {
      const auto step_start = Clock::now();
      const double lr = schedule.lr_at(state.step + 1);
      set_lr(*optimizer, lr);
      optimizer->zero_grad();
      torch::Tensor loss;      // what backward() differentiates
      double loss_value = 0;   // the mean token loss of the whole batch
      int64_t step_tokens = 0; // target tokens of the whole batch
      double positions = 0;    // data parallel: the batch's predicted positions, over all ranks
      bool stop_requested = false;
      if (!collective) {
        data::Batch batch = data::collate(train_data.examples, batches[state.batch_in_epoch]).to(device);
        // Logits of the real (non-pad) target positions only: (N, V)
        auto logits = scheduled_sampling_logits(*model, batch, t.teacher_forcing, models::Positions::kRealTargets);
        loss = token_cross_entropy(logits, models::real_targets(batch), t.label_smoothing);  // mean over the N
        loss_value = loss.item<double>();
        step_tokens = batch.tgt_tokens;
      } else {
        // Data parallel: this rank's share of the global batch. Its loss is the SUM over its N
        // positions; the step's totals (loss, positions, tokens, stop requests) are summed over
        // the ranks, so that every rank sees the batch's mean loss and stops at the same step.
        torch::manual_seed(step_seed(t.seed, state.step, world.rank));
        const auto mine = shard_of(batches[state.batch_in_epoch], world.rank, world.size);
        auto totals = torch::zeros({4}, torch::kDouble);
        if (!mine.empty()) {
          data::Batch batch = data::collate(train_data.examples, mine).to(device);
          auto logits = scheduled_sampling_logits(*model, batch, t.teacher_forcing, models::Positions::kRealTargets);
          const int64_t n = logits.size(0);
          loss = token_cross_entropy(logits, models::real_targets(batch), t.label_smoothing) * static_cast<double>(n);
          totals[0] = loss.item<double>();
          totals[1] = static_cast<double>(n);
          totals[2] = static_cast<double>(batch.tgt_tokens);
        }
        totals[3] = options.stop && options.stop->load() ? 1.0 : 0.0;
        collective->all_reduce_sum(totals);
        positions = totals[1].item<double>();
        loss_value = totals[0].item<double>() / positions;
        step_tokens = std::llround(totals[2].item<double>());
        stop_requested = totals[3].item<double>() > 0;
      }
      if (!std::isfinite(loss_value)) {
        progress.finish();
        spdlog::error(
            "loss is {} at step {} (epoch {}): training stopped. The last good checkpoint is {} "
            "(step {}). Lower train.lr or set train.clip, then retrain.",
            loss_value, state.step + 1, state.epoch + 1, paths.last(),
            writer && file_exists(paths.state()) ? load_state(paths.state()).step : 0);
        result.stop_reason = "diverged";
        break;
      }
      if (loss.defined()) loss.backward();
      // Summed over the ranks and divided by the global positions: the one-process gradient.
      if (collective) collective->all_reduce_gradients(model->parameters(), 1.0 / positions);
      if (t.clip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), t.clip);
      optimizer->step();
      const double step_time = seconds_since(step_start);

      state.step++;
      state.batch_in_epoch++;
      state.tokens += step_tokens;
      state.train_s += step_time;
      state.elapsed_s += step_time;
      epoch_loss += loss_value;
      epoch_steps++;
      epoch_tokens += step_tokens;
      epoch_time += step_time;
      state.interval_loss += loss_value;
      state.interval_steps++;
      state.interval_tokens += step_tokens;
      state.interval_time += step_time;
      progress.update(state.batch_in_epoch, {loss_value, epoch_tokens / epoch_time, lr});

      const bool interrupted = collective ? stop_requested : options.stop && options.stop->load();
      const bool step_limit = options.max_steps > 0 && state.step >= options.max_steps;
      const bool epoch_end = state.batch_in_epoch == static_cast<int64_t>(batches.size());
      if (!epoch_end && t.valid_every > 0 && state.step % t.valid_every == 0) {
        if (run_validation(state.epoch + 1)) result.stop_reason = "early_stopping";
        model->train();
        checkpoint();
      }
      if (!result.stop_reason.empty()) break;
      if (interrupted || step_limit) {
        progress.finish();
        checkpoint();
        result.stop_reason = interrupted ? "interrupted" : "max_steps";
        break;
      }
    }
    if (!result.stop_reason.empty()) break;
    progress.finish();
    spdlog::info("epoch {}/{} done: train loss {:.4f}, {:.0f} tokens/s, {:.1f} s", state.epoch + 1, t.epochs,
                 epoch_steps ? epoch_loss / epoch_steps : 0.0, epoch_time > 0 ? epoch_tokens / epoch_time : 0.0,
                 epoch_time);
    state.epoch++;
    state.batch_in_epoch = 0;
    if (run_validation(state.epoch)) result.stop_reason = "early_stopping";
    if (result.stop_reason.empty() && state.epoch < t.epochs) checkpoint();
  }
  if (result.stop_reason.empty()) result.stop_reason = "epochs";
  if (result.stop_reason == "epochs" || result.stop_reason == "early_stopping") {
    state.complete = true;
    state.stop_reason = result.stop_reason;
    checkpoint();
    write_average();
  }

  if (result.stop_reason == "early_stopping")
    spdlog::info("early stopping: {} did not improve{} for {} validations (best {:.4f} at step {})",
                 t.early_stopping_metric, t.min_delta > 0 ? fmt::format(" by {:g} or more", t.min_delta) : "",
                 t.patience, state.best_score.value_or(0.0), state.best_step);
  if (result.stop_reason == "interrupted" || result.stop_reason == "max_steps")
    spdlog::info("stopped at step {}; checkpoint written. Resume with: seq2seq train --run {} --resume", state.step,
                 paths.dir);
  result.steps = state.step;
  result.epochs_done = state.epoch;
  result.best_score = state.best_score.value_or(0.0);
  result.elapsed_s = seconds_since(wall_start);
  result.tokens = state.tokens;
  result.train_s = state.train_s;
  return result;
}

}  // namespace seq2seq::train
