// The trainer, in named parts: prepare a run (new or resumed), train an epoch, one step
// (train/step.h), validate through the corpus-translation pipeline `eval` uses, checkpoint
// through the run module's transaction. Resumption restores weights, optimizer moments, RNG,
// schedule and the position inside the epoch, so a stopped-and-resumed run reproduces an
// uninterrupted one. Data parallelism sits behind train::DataParallel: the loop calls it the
// same way alone or as one of N workers; rank 0's file writing is a plain `if (writer)`.
#include "seq2seq/train/trainer.h"

#include "seq2seq/data/batcher.h"
#include "seq2seq/data/corpus.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/corpus_translation.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/eval/bleu.h"
#include "seq2seq/eval/perplexity.h"
#include "seq2seq/util/io.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/report/progress.h"
#include "seq2seq/run/run.h"
#include "seq2seq/run/run_lock.h"
#include "seq2seq/system/precision.h"
#include "seq2seq/train/data_parallel.h"
#include "seq2seq/train/distributed.h"
#include "seq2seq/train/optimizer.h"
#include "seq2seq/train/schedule.h"
#include "seq2seq/train/step.h"
#include "seq2seq/util/sha256.h"

#include <fmt/ranges.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
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

TrainResult result_of(const TrainState& state, const std::string& stop_reason) {
  TrainResult result;
  result.stop_reason = stop_reason;
  result.steps = state.step;
  result.epochs_done = state.epoch;
  result.best_score = state.best_score.value_or(0.0);
  result.elapsed_s = state.elapsed_s;
  result.tokens = state.tokens;
  result.train_s = state.train_s;
  return result;
}

struct Validation {
  double loss = 0, ppl = 0, bleu = std::numeric_limits<double>::quiet_NaN();
};

// The validation split: encoded pairs for the loss, the source lines and references for BLEU.
struct ValidSplit {
  std::vector<data::Example> examples;
  std::vector<std::string> sources, references;  // of examples[i], for BLEU
};

class Trainer {
 public:
  Trainer(const Config& config, const TrainOptions& options)
      : options_(options), paths_{options.run_dir}, config_(config) {}

  TrainResult run() {
    const auto wall_start = Clock::now();
    // Join the job first (alone: nothing to join); rank 0 then prepares the run and sends the
    // others what it found.
    parallel_ = make_data_parallel(options_.world, resolve_device(options_.device.empty() ? "auto" : options_.device));
    if (auto nothing_to_do = prepare_run()) return *nothing_to_do;
    if (writer()) run_log_.emplace(paths_.log());
    if (parallel_->size() > 1) spdlog::info("data parallel: {}", parallel_->describe());
    prepare_device();
    prepare_data();
    prepare_model();
    while (state_.epoch < config_.train.epochs && stop_reason_.empty()) train_epoch();
    return finish(wall_start);
  }

 private:
  bool writer() const { return parallel_->writer(); }

  // ---- Preparing a run -----------------------------------------------------------------------

  // The run directory, new or resumed, on rank 0; its outcome (errors included) on every rank.
  // Returns a result when there is nothing to train.
  std::optional<TrainResult> prepare_run() {
    std::string error;
    bool nothing_to_do = false;
    if (writer()) {
      try {
        nothing_to_do = options_.resume ? open_resumed_run() : create_new_run();
      } catch (const std::exception& e) {
        if (parallel_->size() == 1) throw;
        error = e.what();
      }
    }
    std::string outcome = nlohmann::json{{"error", error},
                                         {"config", nlohmann::json(config_)},
                                         {"state", nlohmann::json(state_)},
                                         {"has_checkpoint", has_checkpoint_},
                                         {"nothing_to_do", nothing_to_do}}
                              .dump();
    parallel_->share(outcome);
    if (!writer()) {
      const auto j = nlohmann::json::parse(outcome);
      if (!j.at("error").get<std::string>().empty())
        throw UsageError("rank 0 could not start: " + first_line(j.at("error").get<std::string>()));
      config_ = j.at("config").get<Config>();
      state_ = j.at("state").get<TrainState>();
      has_checkpoint_ = j.at("has_checkpoint").get<bool>();
      nothing_to_do = j.at("nothing_to_do").get<bool>();
    }
    if (!error.empty()) throw UsageError(first_line(error));
    if (nothing_to_do) return result_of(state_, state_.stop_reason.empty() ? "max_steps" : state_.stop_reason);
    return std::nullopt;
  }

  bool create_new_run() {
    create_directories(paths_.dir);
    lock_.emplace(paths_.dir);
    if (file_exists(paths_.state()) || file_exists(paths_.last()))
      throw UsageError(paths_.dir + ": already holds a run; continue it with --resume, or choose another --run");
    state_.world_size = parallel_->size();
    state_.precision = to_string(resolve_precision(config_.train.precision));  // "auto" decided once, here
    return false;
  }

  // Resumed runs train their own config.json, with --set overrides of the budget only
  // (resume_overridable_keys). Returns true when the run has nothing left to do.
  bool open_resumed_run() {
    // The lock first: a trainer that just started may not have written config.json yet.
    if (std::filesystem::is_directory(paths_.dir)) lock_.emplace(paths_.dir);
    require_run_dir(paths_.dir);
    remove_stale_temporaries(paths_);
    has_checkpoint_ = file_exists(paths_.state());
    if (!has_checkpoint_) return restart_without_checkpoint();
    state_ = load_state(paths_.state());
    if (state_.world_size != parallel_->size())
      throw UsageError(fmt::format("--resume: {} was trained by {} worker(s) and this run has {}; resume it with "
                                   "{} (the workers' dropout draws depend on their number)",
                                   paths_.dir, state_.world_size, parallel_->size(),
                                   state_.world_size > 1 ? fmt::format("--nproc {}", state_.world_size)
                                                         : std::string("one process (no --nproc)")));
    settle_staged(paths_, &state_);
    // config.json and the vocabularies as state.json records them, then the overrides.
    const Config recorded = read_run_record(paths_, /*unverified=*/false).config;
    config_ = recorded;
    apply_overrides(config_, options_.overrides, paths_.config());
    refuse_identity_changes(recorded, config_, paths_.config());
    for (const std::string name : kCheckpointFiles)  // refuse a corrupt file before anything is rewritten
      if (name != "best.pt" || state_.checksums.count(name) || file_exists(paths_.file(name)))
        checked_file(paths_, &state_, name);
    return nothing_left_to_train();
  }

  // A run that was stopped before its first checkpoint starts again from its config.json. One
  // that holds weights but lost its state.json is refused: restarting would overwrite them.
  bool restart_without_checkpoint() {
    if (has_weights(paths_))
      throw UsageError(paths_.dir + ": holds weights but no state.json (the record of its training), so it cannot be "
                       "resumed; nothing was changed: restore state.json, or train a new run in another directory");
    const Config recorded = load_config(paths_.config());
    config_ = recorded;
    apply_overrides(config_, options_.overrides, paths_.config());
    refuse_identity_changes(recorded, config_, paths_.config());
    spdlog::info("{}: no checkpoint yet; starting from the beginning with its config.json", paths_.dir);
    state_.precision = to_string(resolve_precision(config_.train.precision));
    settle_staged(paths_, nullptr);
    keep_metrics_lines(paths_.metrics(), 0);
    return false;
  }

  // A resumed run at its --max-steps, or complete within its budget, has nothing to train; a
  // complete run whose budget grew is extended.
  bool nothing_left_to_train() {
    const TrainConfig& budget = config_.train;
    if (options_.max_steps > 0 && state_.step >= options_.max_steps) {
      spdlog::info("{} is already at step {} (--max-steps {}); nothing to resume", paths_.dir, state_.step,
                   options_.max_steps);
      state_.stop_reason = "max_steps";
      return true;
    }
    if (!state_.complete) return false;
    const bool patience_left = !(budget.patience > 0 && state_.bad_validations >= budget.patience);
    if (state_.epoch >= budget.epochs || !patience_left) {
      spdlog::info(
          "{} is already complete ({} after {} epochs); nothing to resume (extend it with --set "
          "train.epochs=N, or a larger train.patience after early stopping)",
          paths_.dir, state_.stop_reason, state_.epoch);
      return true;
    }
    spdlog::info("extending the complete run {} ({} after {} epochs) to {} epochs", paths_.dir, state_.stop_reason,
                 state_.epoch, budget.epochs);
    state_.complete = false;
    state_.stop_reason.clear();
    return false;
  }

  void prepare_device() {
    device_ = resolve_device(options_.device.empty() || options_.device == "auto" ? config_.train.device
                                                                                   : options_.device);
    if (parallel_->size() > 1 && device_.is_cuda())
      device_ = torch::Device(torch::kCUDA, static_cast<int8_t>(options_.world.local_rank));
  }

  // Tokenizers and vocabularies from the training split (or from the run when resuming): rank 0
  // builds or reads them, the others receive them. SentencePiece models are trained here (or
  // copied from data.spm_dir) into the run directory.
  void prepare_data() {
    data::check_corpora(config_.data);  // every split, test too: a bad one fails now, not after training
    const auto train_corpus = data::read_corpus(config_.data.train, "train");
    std::vector<std::string> spm_models;
    if (writer() && has_checkpoint_) {
      spm_models = data::load_spm_models(config_.data, paths_.dir);
      src_vocab_ = data::Vocab::load(paths_.src_vocab());
      tgt_vocab_ = data::Vocab::load(paths_.tgt_vocab());
    } else if (writer()) {
      spm_models = build_vocabularies(train_corpus);
    }
    share_vocabularies(spm_models);
    tokenizers_ = data::make_tokenizers(config_.data, spm_models);
    train_data_ = data::encode_corpus(train_corpus, tokenizers_, src_vocab_, tgt_vocab_, config_.data.max_len);
    if (train_data_.examples.empty())
      throw std::runtime_error(config_.data.train.src +
                               ": no usable training pairs (all empty or longer than data.max_len)");
    if (has_valid() && writer()) read_valid_split();  // rank 0 validates for every rank
    spdlog::info(
        "data: {} training pairs ({} dropped: {} empty, {} over data.max_len={}), {} validation pairs; "
        "vocab {} {} / {} {}",
        train_data_.examples.size(), train_data_.dropped_empty + train_data_.dropped_long, train_data_.dropped_empty,
        train_data_.dropped_long, config_.data.max_len, valid_.examples.size(), config_.data.src_lang,
        src_vocab_.size(), config_.data.tgt_lang, tgt_vocab_.size());
  }

  // A new run's SentencePiece models, vocabularies and config.json, written into the run.
  std::vector<std::string> build_vocabularies(const data::ParallelCorpus& train_corpus) {
    const DataConfig& data = config_.data;
    if (data.tokenizer == "spm")
      spdlog::info("SentencePiece: {} ({} pieces{}) {}", data.spm_type, data.vocab_size,
                   data.joint_vocab ? ", one model for both languages" : ", one model per language",
                   data.spm_dir.empty() ? "trained on the training split" : "from " + data.spm_dir);
    auto spm_models = data::spm_models_for_training(data, train_corpus.src, train_corpus.tgt);
    const auto names = data::spm_model_files(data);
    for (size_t i = 0; i < spm_models.size(); ++i) write_file_atomic(paths_.file(names[i]), spm_models[i]);
    std::tie(src_vocab_, tgt_vocab_) = data::build_vocabs(train_corpus, data::make_tokenizers(data, spm_models),
                                                          data.min_freq, data.max_size);
    save_config(config_, paths_.config());
    src_vocab_.save(paths_.src_vocab());
    tgt_vocab_.save(paths_.tgt_vocab());
    return spm_models;
  }

  // Rank 0's vocabularies and SentencePiece models on every rank.
  void share_vocabularies(std::vector<std::string>& spm_models) {
    if (parallel_->size() == 1) return;
    std::string sent = writer() ? nlohmann::json{{"src", src_vocab_.tokens()},
                                                 {"tgt", tgt_vocab_.tokens()},
                                                 {"models", spm_models.size()}}
                                      .dump()
                                : std::string();
    parallel_->share(sent);
    const auto j = nlohmann::json::parse(sent);
    if (!writer()) {
      src_vocab_ = data::Vocab(j.at("src").get<std::vector<std::string>>());
      tgt_vocab_ = data::Vocab(j.at("tgt").get<std::vector<std::string>>());
      spm_models.resize(j.at("models").get<size_t>());
    }
    for (auto& model : spm_models) parallel_->share(model);
  }

  bool has_valid() const { return !config_.data.valid.src.empty(); }

  void read_valid_split() {
    const auto corpus = data::read_corpus(config_.data.valid, "valid");
    valid_.examples = data::encode_corpus(corpus, tokenizers_, src_vocab_, tgt_vocab_, 0).examples;
    for (const auto& example : valid_.examples) {
      valid_.sources.push_back(corpus.src[example.index]);
      valid_.references.push_back(corpus.tgt[example.index]);
    }
  }

  // Model, optimizer and schedule; with a checkpoint, its weights, moments, schedule and
  // generator. The seed fixes the initial weights, dropout masks and teacher forcing.
  void prepare_model() {
    const TrainConfig& t = config_.train;
    torch::manual_seed(t.seed);
    model_ = models::make_model(config_.model, src_vocab_.size(), tgt_vocab_.size());
    model_->to(device_);
    optimizer_ = make_optimizer(model_->parameters(), t);
    schedule_.emplace(t);
    if (has_checkpoint_) {
      if (writer()) {
        load_module(*model_, checked_file(paths_, &state_, "model.pt"), device_);
        load_optimizer(*optimizer_, checked_file(paths_, &state_, "optimizer.pt"));
      }
      schedule_->load_state(state_.schedule);
      set_rng_state(state_.rng);
    }
    if (schedule_->needs_plan()) plan_schedule();
    share_weights();
    checkpoints_.emplace(paths_, t.average_last, has_checkpoint_ ? state_.step : -1);
    if (writer()) record_run_files(paths_, config_.data, state_);  // checked from the first checkpoint on
    if (has_checkpoint_ && writer()) record_resume();
    state_.parameters = model_->parameter_count();
    state_.device = device_.str();
    // A resumed run keeps the precision it started with (state.json), on any machine: changing
    // it would change the numbers it trains with.
    precision_ = state_.precision == "bf16" ? Precision::bf16 : Precision::fp32;
    if (writer())
      warn_if_slow_bf16(precision_, has_checkpoint_ ? "resuming " + paths_.dir + " (trained in bf16)"
                                                    : "train.precision " + to_string(config_.train.precision));
    spdlog::info("model: {} with {} parameters on {}, {}", to_string(config_.model.type), state_.parameters,
                 state_.device, precision_ == Precision::bf16 ? "bf16 mixed precision" : "fp32");
  }

  // linear/cosine: the rate reaches train.min_lr at the last step of train.epochs epochs,
  // counted from the batches themselves (their number varies with token batching and the
  // shuffle). A resume keeps its plan; a budget that changed (--set train.epochs=N on resume,
  // or an extended complete run) plans again as if the run had always had that budget, and says
  // what that does to the rate.
  void plan_schedule() {
    const TrainConfig& t = config_.train;
    int64_t last_step = 0;
    for (int64_t e = 0; e < t.epochs; ++e)
      last_step += static_cast<int64_t>(
          data::make_batches(train_data_.examples, batch_options(), static_cast<uint64_t>(t.seed) + e).size());
    if (t.warmup_steps >= last_step)
      throw ConfigError(fmt::format("train.warmup_steps: is {}, but {} epochs plan only {} steps; warm up for fewer "
                                    "steps or train for more epochs",
                                    t.warmup_steps, t.epochs, last_step));
    const int64_t before = schedule_->planned_steps();
    if (before == last_step) return;
    const double next_before = before > 0 ? schedule_->lr_at(state_.step + 1) : 0.0;
    schedule_->plan(last_step);
    if (before == 0 && state_.step == 0)
      spdlog::info("learning rate: warmup to {:g} over {} steps, then {} decay to {:g} at step {} ({} epochs)", t.lr,
                   t.warmup_steps, to_string(t.schedule), t.min_lr, last_step, t.epochs);
    else if (before == 0)
      spdlog::info("learning rate: planned at step {}: {} decay to {:g} at step {} ({} epochs); rate now {:.3g}",
                   state_.step, to_string(t.schedule), t.min_lr, last_step, t.epochs,
                   schedule_->lr_at(state_.step + 1));
    else
      spdlog::info("learning rate re-planned for {} epochs: the {} decay now reaches {:g} at step {} (was {}); the "
                   "rate at step {} is {:.3g} (was {:.3g})",
                   t.epochs, to_string(t.schedule), t.min_lr, last_step, before, state_.step + 1,
                   schedule_->lr_at(state_.step + 1), next_before);
  }

  data::BatchOptions batch_options() const {
    data::BatchOptions options;
    options.batch_size = config_.train.batch_size;
    options.batch_tokens = config_.train.batch_tokens;
    options.bucket_chunk = config_.train.bucket_chunk;
    options.shuffle = true;
    return options;
  }

  // Rank 0's weights (initial or resumed) and optimizer moments on every rank.
  void share_weights() {
    if (parallel_->size() == 1) return;
    parallel_->share(module_tensors(*model_));
    if (!has_checkpoint_) return;
    std::string sent = writer() ? optimizer_bytes(*optimizer_) : std::string();
    parallel_->share(sent);
    if (!writer()) load_optimizer_bytes(*optimizer_, sent);
  }

  // Only now, with the overrides accepted and the checkpoint loaded: the run records what it
  // runs with, and every resume.
  // config.json changes as a checkpoint does: staged, committed in state.json, renamed.
  void record_resume() {
    const bool new_config = !options_.overrides.empty();
    if (new_config) {
      save_config(config_, paths_.staged("config.json"));
      state_.checksums["config.json"] = sha256_file(paths_.staged("config.json"));
    }
    state_.resumes.push_back({utc_now(), state_.step, options_.overrides, options_.max_steps});
    save_state(state_, paths_.state());
    if (new_config) std::filesystem::rename(paths_.staged("config.json"), paths_.config());
    keep_metrics_lines(paths_.metrics(), state_.validations);  // validations after the checkpoint run again
    spdlog::info("resuming {} at step {}, epoch {}, batch {}", paths_.dir, state_.step, state_.epoch + 1,
                 state_.batch_in_epoch);
  }

  // ---- Training ------------------------------------------------------------------------------

  // The epoch's batches (shuffled by the seed and the epoch), from where a resume left off;
  // validation every train.valid_every steps and at the end. Sets stop_reason_ to stop early.
  void train_epoch() {
    const TrainConfig& t = config_.train;
    const auto batches =
        data::make_batches(train_data_.examples, batch_options(), static_cast<uint64_t>(t.seed) + state_.epoch);
    if (state_.batch_in_epoch == 0) {
      auto pad = data::padding_stats(train_data_.examples, batches);
      spdlog::info("epoch {}/{}: {} batches, padding {:.1f}% (source {:.1f}%, target {:.1f}%)", state_.epoch + 1,
                   t.epochs, batches.size(), 100 * pad.fraction(), 100 * pad.src_fraction(),
                   100 * pad.tgt_fraction());
    }
    report::ProgressBar progress(fmt::format("epoch {}/{}", state_.epoch + 1, t.epochs),
                                 static_cast<int64_t>(batches.size()), t.log_every);
    EpochTotals epoch;
    model_->train();
    while (state_.batch_in_epoch < static_cast<int64_t>(batches.size())) {
      const bool interrupted = train_batch(batches[state_.batch_in_epoch], epoch, progress);
      if (!stop_reason_.empty()) return;  // diverged
      const bool step_limit = options_.max_steps > 0 && state_.step >= options_.max_steps;
      const bool epoch_end = state_.batch_in_epoch == static_cast<int64_t>(batches.size());
      if (!epoch_end && t.valid_every > 0 && state_.step % t.valid_every == 0) {
        if (validate_and_decide(state_.epoch + 1)) stop_reason_ = "early_stopping";
        model_->train();
        checkpoint();
        if (!stop_reason_.empty()) return;
      }
      if (interrupted || step_limit) {
        progress.finish();
        checkpoint();
        stop_reason_ = interrupted ? "interrupted" : "max_steps";
        return;
      }
    }
    progress.finish();
    spdlog::info("epoch {}/{} done: train loss {:.4f}, {:.0f} tokens/s, {:.1f} s", state_.epoch + 1, t.epochs,
                 epoch.steps ? epoch.loss / epoch.steps : 0.0, epoch.time > 0 ? epoch.tokens / epoch.time : 0.0,
                 epoch.time);
    state_.epoch++;
    state_.batch_in_epoch = 0;
    if (validate_and_decide(state_.epoch)) stop_reason_ = "early_stopping";
    if (stop_reason_.empty() && state_.epoch < t.epochs) checkpoint();
  }

  struct EpochTotals {
    double loss = 0, time = 0;
    int64_t steps = 0, tokens = 0;
  };

  // One global batch: this worker's part of it through train_step, the step's totals summed
  // over the workers, the counters advanced. Returns whether a stop (Ctrl-C) was requested.
  bool train_batch(const std::vector<int64_t>& global_batch, EpochTotals& epoch, report::ProgressBar& progress) {
    const TrainConfig& t = config_.train;
    const auto step_start = Clock::now();
    parallel_->seed_step(t.seed, state_.step);
    const auto mine = parallel_->my_part(global_batch);
    const data::Batch batch = mine.empty() ? data::Batch{} : data::collate(train_data_.examples, mine).to(device_);
    StepOptions step;
    step.lr = schedule_->lr_at(state_.step + 1);
    step.teacher_forcing = t.teacher_forcing;
    step.label_smoothing = t.label_smoothing;
    step.clip = t.clip;
    step.precision = precision_;
    step.loss_share = share_of_positions(mine, global_batch);
    if (parallel_->size() > 1) step.sum_gradients = [&](const auto& p) { parallel_->sum_gradients(p); };
    const StepResult result = train_step(*model_, batch, *optimizer_, step);

    // The whole batch's mean loss and tokens, and whether any worker was asked to stop.
    std::vector<double> totals = {result.loss * static_cast<double>(result.positions),
                                  static_cast<double>(result.positions), static_cast<double>(result.tgt_tokens),
                                  options_.stop && options_.stop->load() != 0 ? 1.0 : 0.0};
    parallel_->sum(totals);
    const double loss = totals[1] > 0 ? totals[0] / totals[1] : 0.0;
    const auto tokens = std::llround(totals[2]);
    if (!std::isfinite(loss)) {
      progress.finish();
      spdlog::error(
          "loss is {} at step {} (epoch {}): training stopped. The last good checkpoint is {} "
          "(step {}). Lower train.lr or set train.clip, then retrain.",
          loss, state_.step + 1, state_.epoch + 1, paths_.last(),
          writer() && file_exists(paths_.state()) ? load_state(paths_.state()).step : 0);
      stop_reason_ = "diverged";
      return false;
    }
    const double step_time = seconds_since(step_start);
    state_.step++;
    state_.batch_in_epoch++;
    state_.tokens += tokens;
    state_.train_s += step_time;
    state_.elapsed_s += step_time;
    state_.interval_loss += loss;
    state_.interval_steps++;
    state_.interval_tokens += tokens;
    state_.interval_time += step_time;
    epoch.loss += loss;
    epoch.steps++;
    epoch.tokens += tokens;
    epoch.time += step_time;
    progress.update(state_.batch_in_epoch, {loss, epoch.tokens / epoch.time, *step.lr});
    return totals[3] > 0;
  }

  // This worker's share of the global batch's predicted target positions (n / N), which makes
  // the summed gradients those of the global mean loss. Alone: 1.
  double share_of_positions(const std::vector<int64_t>& mine, const std::vector<int64_t>& global_batch) const {
    if (mine.size() == global_batch.size()) return 1.0;
    auto positions = [&](const std::vector<int64_t>& batch) {
      int64_t n = 0;  // each target <bos> y_1 ... y_n <eos> predicts n + 1 positions
      for (const int64_t i : batch) n += static_cast<int64_t>(train_data_.examples[i].tgt.size()) - 1;
      return static_cast<double>(n);
    };
    return positions(mine) / positions(global_batch);
  }

  // ---- Validation ----------------------------------------------------------------------------

  // Loss and perplexity on the validation split; greedy BLEU on its first train.valid_bleu_max
  // sentences, through the pipeline `eval` uses (<unk> copied or dropped as eval does).
  Validation validate() {
    Validation v;
    if (!has_valid()) return v;
    const TrainConfig& t = config_.train;
    eval::LossTotal total;
    {
      AutocastGuard autocast(precision_);  // the loss pass at the training precision
      total = eval::corpus_loss(*model_, valid_.examples, t.batch_size, device_);
    }
    v.loss = total.mean();
    v.ppl = total.perplexity();
    if (t.valid_bleu_max > 0) {
      const size_t n = std::min<size_t>(valid_.examples.size(), t.valid_bleu_max);
      const std::vector<std::string> sources(valid_.sources.begin(), valid_.sources.begin() + n);
      const std::vector<std::string> refs(valid_.references.begin(), valid_.references.begin() + n);
      decode::CorpusTranslationOptions translation;
      translation.search = decode::SearchOptions::from(config_.decode);
      translation.search.beam = 1;
      translation.search.precision = precision_;
      translation.batch_size = config_.decode.batch_size;
      const decode::TextCodec codec{tokenizers_, src_vocab_, tgt_vocab_};
      const auto hyps = decode::translate_corpus(*model_, codec, sources, translation, device_).texts;
      v.bleu = eval::corpus_bleu(hyps, refs, config_.data.lowercase).score;
    }
    return v;
  }

  // One validation, decided on rank 0 and sent to the others with the schedule. Returns true
  // to stop (early stopping).
  bool validate_and_decide(int64_t epoch_for_log) {
    std::string decision;
    if (writer())
      decision =
          nlohmann::json{{"stop", validate_and_record(epoch_for_log)}, {"schedule", schedule_->state()}}.dump();
    parallel_->share(decision);
    const auto j = nlohmann::json::parse(decision);
    if (!writer()) schedule_->load_state(j.at("schedule"));
    return j.at("stop").get<bool>();
  }

  // Rank 0: validate, then the metrics line, best.pt and the snapshot staged, the schedule's
  // plateau, and the patience counter. Returns true when patience ran out.
  bool validate_and_record(int64_t epoch_for_log) {
    const TrainConfig& t = config_.train;
    const auto start = Clock::now();
    const Validation v = validate();
    state_.validations++;
    const double metric = t.early_stopping_metric == "valid_bleu" ? v.bleu : v.loss;
    const bool best = has_valid() && improves(t.early_stopping_metric, metric, state_.best_score);
    // Patience restarts only on an improvement of at least train.min_delta (Keras' and Lightning's
    // min_delta): a model still creeping up by less than that per validation has converged.
    const bool significant = best && (!state_.best_score || std::abs(metric - *state_.best_score) >= t.min_delta);
    if (best) {
      state_.best_score = metric;
      state_.best_step = state_.step;
      state_.best_epoch = epoch_for_log;
      state_.bad_validations = significant ? 0 : state_.bad_validations + 1;
      checkpoints_->stage_best(*model_);  // committed by the next checkpoint
    } else if (has_valid()) {
      state_.bad_validations++;
    }
    if (t.average_last > 0) checkpoints_->stage_snapshot(*model_, state_.step);  // for averaged.pt
    if (has_valid() && schedule_->on_validation(v.loss)) {
      if (t.lr_drop_resets_patience) state_.bad_validations = 0;
      spdlog::info("validation loss plateaued: learning rate lowered to {:.3g}{}", schedule_->lr_at(state_.step),
                   t.lr_drop_resets_patience ? "; patience starts again" : "");
    }
    state_.elapsed_s += seconds_since(start);
    append_metrics_line(v, epoch_for_log, best);
    return t.patience > 0 && state_.bad_validations >= t.patience;
  }

  void append_metrics_line(const Validation& v, int64_t epoch_for_log, bool best) {
    auto or_null = [](bool present, double value) { return present ? nlohmann::json(value) : nlohmann::json(); };
    nlohmann::json line = {
        {"step", state_.step},
        {"epoch", epoch_for_log},
        {"train_loss", or_null(state_.interval_steps > 0, state_.interval_loss / std::max<int64_t>(1, state_.interval_steps))},
        {"valid_loss", or_null(has_valid(), v.loss)},
        {"valid_ppl", or_null(has_valid(), v.ppl)},
        {"valid_bleu", or_null(!std::isnan(v.bleu), v.bleu)},
        {"lr", schedule_->lr_at(state_.step + 1)},
        {"tokens_per_s", state_.interval_time > 0 ? state_.interval_tokens / state_.interval_time : 0.0},
        {"elapsed_s", state_.elapsed_s},
        {"best", best}};
    append_line(paths_.metrics(), line.dump());
    if (has_valid())
      spdlog::info("validation at step {}: loss {:.4f}, ppl {:.2f}, BLEU {}{}", state_.step, v.loss, v.ppl,
                   std::isnan(v.bleu) ? std::string("-") : fmt::format("{:.2f}", v.bleu), best ? " (best)" : "");
    state_.interval_loss = 0;
    state_.interval_steps = state_.interval_tokens = 0;
    state_.interval_time = 0;
  }

  // ---- Checkpoints ---------------------------------------------------------------------------

  // Rank 0 writes the checkpoint (the run module's transaction); the others have nothing to write.
  void checkpoint() {
    if (!writer()) return;
    state_.schedule = schedule_->state();
    state_.rng = rng_state();
    checkpoints_->commit(*model_, *optimizer_, state_);
  }

  // The run's end: the final checkpoint and averaged.pt for a complete run, the closing log line.
  TrainResult finish(Clock::time_point wall_start) {
    const TrainConfig& t = config_.train;
    if (stop_reason_.empty()) stop_reason_ = "epochs";
    if (stop_reason_ == "epochs" || stop_reason_ == "early_stopping") {
      state_.complete = true;
      state_.stop_reason = stop_reason_;
      checkpoint();
      if (writer() && t.average_last > 0) {
        auto scratch = models::make_model(config_.model, src_vocab_.size(), tgt_vocab_.size());
        checkpoints_->write_average(*scratch, state_);
      }
    }
    if (stop_reason_ == "early_stopping")
      spdlog::info("early stopping: {} did not improve{} for {} validations (best {:.4f} at step {})",
                   t.early_stopping_metric, t.min_delta > 0 ? fmt::format(" by {:g} or more", t.min_delta) : "",
                   t.patience, state_.best_score.value_or(0.0), state_.best_step);
    if (stop_reason_ == "interrupted" || stop_reason_ == "max_steps")
      spdlog::info("stopped at step {}; checkpoint written. Resume with: seq2seq train --run {} --resume",
                   state_.step, paths_.dir);
    TrainResult result = result_of(state_, stop_reason_);
    result.elapsed_s = seconds_since(wall_start);
    return result;
  }

  // What the trainer was given.
  TrainOptions options_;
  RunPaths paths_;
  Config config_;  // the resolved config (a resumed run's own, with its overrides)
  // The run: its record, lock, log and checkpoint writer.
  TrainState state_;
  bool has_checkpoint_ = false;  // resuming from a state.json (not from before the first checkpoint)
  std::optional<RunLock> lock_;
  std::optional<RunLog> run_log_;
  std::optional<CheckpointWriter> checkpoints_;
  std::unique_ptr<DataParallel> parallel_;
  torch::Device device_ = torch::kCPU;
  // Data.
  data::Vocab src_vocab_, tgt_vocab_;
  data::Tokenizers tokenizers_;
  data::EncodedCorpus train_data_;
  ValidSplit valid_;
  // Model, optimizer, schedule.
  std::shared_ptr<models::Seq2SeqModel> model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::optional<LrSchedule> schedule_;
  Precision precision_ = Precision::fp32;  // state_.precision: fp32 or bf16
  std::string stop_reason_;  // set when training stops before its epochs end
};

}  // namespace

const std::vector<std::string>& resume_overridable_keys() {
  static const std::vector<std::string> keys = {"train.epochs",         "train.patience", "train.min_delta", "train.valid_every",
                                                "train.log_every",      "train.device",   "decode.beam",
                                                "decode.length_penalty"};
  return keys;
}

TrainResult train_model(const Config& config, const TrainOptions& options) {
  if (options.run_dir.empty()) throw UsageError("no run directory given (use --run runs/NAME)");
  return Trainer(config, options).run();
}

}  // namespace seq2seq::train
