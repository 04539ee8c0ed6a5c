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
#include "seq2seq/train/checkpoint.h"
#include "seq2seq/train/loss.h"
#include "seq2seq/train/optimizer.h"
#include "seq2seq/train/schedule.h"
#include "seq2seq/train/scheduled_sampling.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
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

struct Validation {
  double loss = 0, ppl = 0, bleu = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace

TrainResult train_model(const Config& input_config, const TrainOptions& options) {
  const auto wall_start = Clock::now();
  if (options.run_dir.empty()) throw UsageError("no run directory given (use --run runs/NAME)");
  RunPaths paths{options.run_dir};

  // Config: fresh runs use the given config; resumed runs their own config.json (+ --set).
  Config config = input_config;
  TrainState state;
  if (options.resume) {
    require_run_dir(paths.dir);
    config = load_config(paths.config());
    apply_overrides(config, options.overrides);
    if (!options.overrides.empty()) save_config(config, paths.config());  // the run records what it ran with
    state = load_state(paths.state());
    if (state.complete) {
      spdlog::info("{} is already complete ({}); nothing to resume", paths.dir, state.stop_reason);
      return {state.stop_reason, state.step, state.epoch, state.best_score.value_or(0.0), state.elapsed_s};
    }
  } else if (file_exists(paths.state()) || file_exists(paths.last())) {
    throw UsageError(paths.dir + ": already holds a run; continue it with --resume, or choose another --run");
  }
  create_directories(paths.dir);
  RunLog run_log(paths.log());
  const TrainConfig& t = config.train;
  const torch::Device device =
      resolve_device(options.device.empty() || options.device == "auto" ? t.device : options.device);

  // Data: vocabularies from the training split (or from the run when resuming).
  auto tokenizer = data::make_tokenizer(config.data);
  const auto train_corpus = data::read_corpus(config.data.train, "train");
  data::Vocab src_vocab, tgt_vocab;
  if (options.resume) {
    src_vocab = data::Vocab::load(paths.src_vocab());
    tgt_vocab = data::Vocab::load(paths.tgt_vocab());
  } else {
    std::tie(src_vocab, tgt_vocab) =
        data::build_vocabs(train_corpus, *tokenizer, config.data.min_freq, config.data.max_size);
    save_config(config, paths.config());
    src_vocab.save(paths.src_vocab());
    tgt_vocab.save(paths.tgt_vocab());
  }
  const auto train_data = data::encode_corpus(train_corpus, *tokenizer, src_vocab, tgt_vocab, config.data.max_len);
  if (train_data.examples.empty())
    throw std::runtime_error(config.data.train.src +
                             ": no usable training pairs (all empty or longer than data.max_len)");
  data::EncodedCorpus valid_data;
  std::vector<std::string> valid_refs, valid_lines_src;
  const bool has_valid = !config.data.valid.src.empty();
  if (has_valid) {
    const auto valid_corpus = data::read_corpus(config.data.valid, "valid");
    valid_data = data::encode_corpus(valid_corpus, *tokenizer, src_vocab, tgt_vocab, 0);
    for (const auto& example : valid_data.examples) valid_refs.push_back(valid_corpus.tgt[example.index]);
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
  if (options.resume) {
    load_module(*model, paths.last(), device);
    load_optimizer(*optimizer, paths.optimizer());
    schedule.load_state(state.schedule);
    set_rng_state(state.rng);
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

  auto checkpoint = [&] {
    state.schedule = schedule.state();
    state.rng = rng_state();
    save_module(*model, paths.last());
    save_optimizer(*optimizer, paths.optimizer());
    save_state(state, paths.state());  // last: it names a step whose weights are already on disk
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
      auto results = decode::translate_batched(*model, sources, search, config.decode.batch_size, device);
      std::vector<std::string> hyps, refs(valid_refs.begin(), valid_refs.begin() + n);
      for (const auto& r : results) hyps.push_back(tokenizer->detokenize(tgt_vocab.decode(r.front().tokens)));
      v.bleu = eval::corpus_bleu(hyps, refs, config.data.lowercase).score;
    }
    return v;
  };

  // One validation: metrics line, best.pt, schedule, early stopping. Returns true to stop.
  auto run_validation = [&](int64_t epoch_for_log) -> bool {
    const auto start = Clock::now();
    Validation v = validate();
    state.validations++;
    const double metric = t.early_stopping_metric == "valid_bleu" ? v.bleu : v.loss;
    const bool best = has_valid && improves(t.early_stopping_metric, metric, state.best_score);
    if (best) {
      state.best_score = metric;
      state.best_step = state.step;
      state.bad_validations = 0;
      save_module(*model, paths.best());
    } else if (has_valid) {
      state.bad_validations++;
    }
    if (has_valid && schedule.on_validation(v.loss))
      spdlog::info("validation loss plateaued: learning rate lowered to {:.3g}", schedule.lr_at(state.step));
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
      data::Batch batch = data::collate(train_data.examples, batches[state.batch_in_epoch]).to(device);
      const double lr = schedule.lr_at(state.step + 1);
      set_lr(*optimizer, lr);
      optimizer->zero_grad();
      // Logits of the real (non-pad) target positions only: (N, V)
      auto logits = scheduled_sampling_logits(*model, batch, t.teacher_forcing, models::Positions::kRealTargets);
      auto loss = token_cross_entropy(logits, models::real_targets(batch), t.label_smoothing);
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        progress.finish();
        spdlog::error(
            "loss is {} at step {} (epoch {}): training stopped. The last good checkpoint is {} "
            "(step {}). Lower train.lr or set train.clip, then retrain.",
            loss_value, state.step + 1, state.epoch + 1, paths.last(),
            file_exists(paths.state()) ? load_state(paths.state()).step : 0);
        result.stop_reason = "diverged";
        break;
      }
      loss.backward();
      if (t.clip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), t.clip);
      optimizer->step();
      const double step_time = seconds_since(step_start);

      state.step++;
      state.batch_in_epoch++;
      state.tokens += batch.tgt_tokens;
      state.train_s += step_time;
      state.elapsed_s += step_time;
      epoch_loss += loss_value;
      epoch_steps++;
      epoch_tokens += batch.tgt_tokens;
      epoch_time += step_time;
      state.interval_loss += loss_value;
      state.interval_steps++;
      state.interval_tokens += batch.tgt_tokens;
      state.interval_time += step_time;
      progress.update(state.batch_in_epoch, {loss_value, epoch_tokens / epoch_time, lr});

      const bool interrupted = options.stop && options.stop->load();
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
  }

  if (result.stop_reason == "early_stopping")
    spdlog::info("early stopping: {} did not improve for {} validations (best {:.4f} at step {})",
                 t.early_stopping_metric, t.patience, state.best_score.value_or(0.0), state.best_step);
  if (result.stop_reason == "interrupted" || result.stop_reason == "max_steps")
    spdlog::info("stopped at step {}; checkpoint written. Resume with: seq2seq train --run {} --resume", state.step,
                 paths.dir);
  result.steps = state.step;
  result.epochs_done = state.epoch;
  result.best_score = state.best_score.value_or(0.0);
  result.elapsed_s = seconds_since(wall_start);
  return result;
}

}  // namespace seq2seq::train
