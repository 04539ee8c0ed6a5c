// Training and greedy-decoding speed, defined exactly as the PyTorch reference harness defines it.
#include "seq2seq/bench/bench_detail.h"

#include "seq2seq/data/corpus.h"
#include "seq2seq/data/tokenizer.h"
#include "seq2seq/data/vocab.h"
#include "seq2seq/decode/corpus_translation.h"
#include "seq2seq/models/factory.h"
#include "seq2seq/system/doctor.h"
#include "seq2seq/system/memory.h"
#include "seq2seq/system/precision.h"
#include "seq2seq/train/optimizer.h"
#include "seq2seq/train/step.h"
#include "seq2seq/util/errors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <sys/resource.h>
#include <sys/utsname.h>

extern char** environ;

namespace seq2seq::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Process CPU time (user + system, all threads), as Python's resource.getrusage.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double mean(const std::vector<double>& xs) {
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

// statistics.median: the mean of the two middle values for an even count.
double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const std::size_t n = xs.size();
  return n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}

// The environment variables that change allocator, OpenMP or BLAS behaviour (the reference
// reports the same ones).
nlohmann::json tuning_environment() {
  nlohmann::json env = nlohmann::json::object();
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string item(*entry);
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = item.substr(0, eq);
    for (const char* prefix : {"MALLOC_", "OMP_", "OPENBLAS_", "GLIBC_TUNABLES", "LD_PRELOAD"})
      if (name.rfind(prefix, 0) == 0) env[name] = item.substr(eq + 1);
  }
  return env;
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

// The config's paths, or their file names inside data_dir.
SplitPaths resolve_paths(const SplitPaths& paths, const std::string& data_dir) {
  if (data_dir.empty()) return paths;
  auto inside = [&](const std::string& path) {
    return path.empty() ? path : (std::filesystem::path(data_dir) / std::filesystem::path(path).filename()).string();
  };
  return {inside(paths.src), inside(paths.tgt)};
}

bool split_exists(const SplitPaths& paths) {
  return std::filesystem::exists(paths.src) && (paths.tgt.empty() || std::filesystem::exists(paths.tgt));
}

[[noreturn]] void missing_corpus(const SplitPaths& paths, const std::string& what) {
  throw std::runtime_error(what + " needs the Multi30k corpus, but " + paths.src +
                           " is missing: run scripts/get_data.sh multi30k (or pass --data-dir DIR)");
}

struct CorpusData {
  data::Tokenizers tokenizers;
  data::Vocab src_vocab, tgt_vocab;
  std::vector<data::Example> train;
  std::vector<std::string> valid_src;  // what decoding translates
  double load_s = 0;
};

// Vocabularies from the training split (as the reference: tokenize, count, min_freq), then
// every pair of train (and valid) encoded <bos> ... <eos>, none dropped.
CorpusData load_corpus(const DataConfig& config, const SplitPaths& train_paths, const SplitPaths& valid_paths,
                       bool need_valid) {
  const auto start = Clock::now();
  CorpusData out;
  const data::ParallelCorpus train = data::read_corpus(train_paths, "train");
  out.tokenizers = data::make_tokenizers(config, data::spm_models_for_training(config, train.src, train.tgt));
  std::tie(out.src_vocab, out.tgt_vocab) =
      data::build_vocabs(train, out.tokenizers, config.min_freq, config.max_size);
  out.train = data::encode_corpus(train, out.tokenizers, out.src_vocab, out.tgt_vocab, 0).examples;
  if (need_valid) out.valid_src = data::read_corpus(valid_paths, "valid").src;
  out.load_s = seconds_since(start);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

nlohmann::json bench_train(models::Seq2SeqModel& model, const std::vector<data::Batch>& batches, int warmup,
                           const TrainConfig& config, Precision precision) {
  // The trainer's own step (train/step.h): zero_grad, forward with teacher forcing 1.0, CE over
  // the non-pad targets, backward, clip, optimizer step, loss.item(), as the reference's train_step.
  model.train();
  auto optimizer = train::make_optimizer(model.parameters(), config);
  train::StepOptions step;
  step.clip = config.clip;
  step.precision = precision;
  for (int i = 0; i < warmup; ++i) train::train_step(model, batches[static_cast<std::size_t>(i)], *optimizer, step);

  std::vector<double> times, losses;
  int64_t tgt_tokens = 0, src_real = 0, src_all = 0, tgt_real = 0, tgt_all = 0;
  const double cpu0 = cpu_seconds();
  const auto wall0 = Clock::now();
  for (std::size_t i = static_cast<std::size_t>(warmup); i < batches.size(); ++i) {
    const data::Batch& batch = batches[i];
    const auto t0 = Clock::now();
    losses.push_back(train::train_step(model, batch, *optimizer, step).loss);
    times.push_back(seconds_since(t0));
    tgt_tokens += batch.tgt_tokens;
  }
  const double wall = seconds_since(wall0);
  const double cpu = cpu_seconds() - cpu0;
  // Padding over the timed batches with whole id sequences (<bos> and <eos> counted), as the
  // reference counts it: the full target is <bos> + tgt_out, so one more id per sentence.
  for (std::size_t i = static_cast<std::size_t>(warmup); i < batches.size(); ++i) {
    const data::Batch& batch = batches[i];
    src_real += batch.src_len.sum().item<int64_t>();
    src_all += batch.src.numel();
    tgt_real += batch.tgt_tokens + batch.size();
    tgt_all += batch.size() * (batch.tgt_out.size(1) + 1);
  }
  const double total_time = std::accumulate(times.begin(), times.end(), 0.0);
  return {
      {"steps_timed", times.size()},
      {"tgt_tokens_timed", tgt_tokens},
      {"seconds", wall},
      {"tokens_per_s", static_cast<double>(tgt_tokens) / total_time},
      {"ms_per_step_mean", 1000 * mean(times)},
      {"ms_per_step_median", 1000 * median(times)},
      {"ms_per_step_min", 1000 * *std::min_element(times.begin(), times.end())},
      {"ms_per_step_max", 1000 * *std::max_element(times.begin(), times.end())},
      {"cpu_util", cpu / wall},
      {"pad_frac_src", 1.0 - static_cast<double>(src_real) / static_cast<double>(src_all)},
      {"pad_frac_tgt", 1.0 - static_cast<double>(tgt_real) / static_cast<double>(tgt_all)},
      {"pad_frac_all", 1.0 - static_cast<double>(src_real + tgt_real) / static_cast<double>(src_all + tgt_all)},
      {"loss_first", losses.front()},
      {"loss_last", losses.back()},
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

// Greedy decoding through the corpus-translation pipeline, as the reference decodes: batches of
// consecutive sentences in file order (not sorted), the search alone (no attention rows kept).
nlohmann::json bench_decode(models::Seq2SeqModel& model, const CorpusData& corpus, int n_sentences,
                            const torch::Device& device, Precision precision) {
  const int64_t n = std::min<int64_t>(n_sentences, static_cast<int64_t>(corpus.valid_src.size()));
  const std::vector<std::string> lines(corpus.valid_src.begin(), corpus.valid_src.begin() + n);
  const decode::TextCodec codec{corpus.tokenizers, corpus.src_vocab, corpus.tgt_vocab};
  decode::CorpusTranslationOptions translation;
  translation.search.beam = 1;
  translation.search.max_len_ratio = 1.0;  // limit = src_len (with <bos>/<eos>) + 10 generated tokens, <eos> included
  translation.search.max_len = 1 << 20;    // no further cap, as the reference
  translation.search.nbest = 1;
  translation.search.precision = precision;
  translation.sort_by_length = false;
  translation.copy_unk = false;
  nlohmann::json result = {{"n_sentences", n},
                           {"max_len_rule", "src_len_incl_bos_eos+10"},
                           {"search", "decode::greedy_search (finished sentences leave the batch)"}};
  for (int64_t batch_size : {int64_t{1}, int64_t{64}}) {
    translation.batch_size = static_cast<int>(batch_size);
    const std::vector<std::string> first(lines.begin(), lines.begin() + std::min(batch_size, n));
    decode::translate_corpus(model, codec, first, translation, device);  // warm-up, untimed
    const double cpu0 = cpu_seconds();
    const auto wall0 = Clock::now();
    const auto out = decode::translate_corpus(model, codec, lines, translation, device);
    if (device.is_cuda()) torch::cuda::synchronize();
    const double wall = seconds_since(wall0);
    const double cpu = cpu_seconds() - cpu0;
    // Generated tokens per sentence up to and including <eos> (or the limit); a batch runs
    // until its longest sentence stops, so it takes that many decoder steps.
    int64_t gen_tokens = 0, decoder_steps = 0, longest = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (i % batch_size == 0) decoder_steps += std::exchange(longest, 0);
      if (out.hypotheses[i].empty()) continue;
      const auto& hyp = out.hypotheses[i].front();
      const int64_t generated = static_cast<int64_t>(hyp.tokens.size()) + (hyp.finished ? 1 : 0);
      gen_tokens += generated;
      longest = std::max(longest, generated);
    }
    decoder_steps += longest;
    result["b" + std::to_string(batch_size)] = {
        {"sent_per_s", static_cast<double>(n) / wall},
        {"seconds", wall},
        {"gen_tokens", gen_tokens},
        {"gen_tokens_per_s", static_cast<double>(gen_tokens) / wall},
        {"decoder_steps", decoder_steps},
        {"ms_per_decoder_step", 1000 * wall / static_cast<double>(decoder_steps)},
        {"cpu_util", cpu / wall},
    };
  }
  return result;
}

// Best fp32 square GEMM rate over the reference's sizes.
nlohmann::json gemm_peak() {
  nlohmann::json per_n = nlohmann::json::object();
  double best = 0;
  int64_t best_n = 0;
  for (int64_t n : {512, 1024, 2048}) {
    const double rate = measure_gemm_gflops(n, 3, 0.5);
    per_n[std::to_string(n)] = rate;
    if (rate > best) {
      best = rate;
      best_n = n;
    }
  }
  return {{"gflops", best}, {"n", best_n}, {"per_n", per_n}, {"threads", torch::get_num_threads()}};
}

class PythonRandom {
 public:
  // random.seed(n) for an int n >= 0: init_by_array over the 32-bit words of n.
  explicit PythonRandom(uint64_t seed) {
    std::vector<uint32_t> key;
    for (uint64_t rest = seed; rest; rest >>= 32) key.push_back(static_cast<uint32_t>(rest & 0xffffffffu));
    if (key.empty()) key.push_back(0);
    init_genrand(19650218u);
    std::size_t i = 1, j = 0;
    for (std::size_t k = std::max<std::size_t>(kN, key.size()); k; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<uint32_t>(j);
      ++i;
      ++j;
      if (i >= kN) {
        mt_[0] = mt_[kN - 1];
        i = 1;
      }
      if (j >= key.size()) j = 0;
    }
    for (std::size_t k = kN - 1; k; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - static_cast<uint32_t>(i);
      ++i;
      if (i >= kN) {
        mt_[0] = mt_[kN - 1];
        i = 1;
      }
    }
    mt_[0] = 0x80000000u;
    index_ = kN;
  }

  // random._randbelow(n): k = n.bit_length(); draw getrandbits(k) until it is below n.
  uint64_t randbelow(uint64_t n) {
    int bits = 0;
    for (uint64_t rest = n; rest; rest >>= 1) ++bits;
    uint64_t r = getrandbits(bits);
    while (r >= n) r = getrandbits(bits);
    return r;
  }

 private:
  static constexpr std::size_t kN = 624, kM = 397;

  void init_genrand(uint32_t s) {
    mt_[0] = s;
    for (std::size_t i = 1; i < kN; ++i)
      mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }

  uint32_t genrand_uint32() {
    if (index_ >= kN) {
      for (std::size_t k = 0; k < kN; ++k) {
        const uint32_t y = (mt_[k] & 0x80000000u) | (mt_[(k + 1) % kN] & 0x7fffffffu);
        mt_[k] = mt_[(k + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
      }
      index_ = 0;
    }
    uint32_t y = mt_[index_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

  // getrandbits(k) for 0 < k <= 32 (enough for shuffling fewer than 2^32 items).
  uint64_t getrandbits(int bits) { return genrand_uint32() >> (32 - bits); }

  std::array<uint32_t, kN> mt_{};
  std::size_t index_ = kN;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public helpers
// ---------------------------------------------------------------------------------------------

ParamCounts count_parameters(const models::Seq2SeqModel& model) {
  ParamCounts counts;
  for (const auto& p : model.parameters()) counts.total += p.numel();
  for (const auto& module : model.modules(/*include_self=*/false))
    if (const auto* embedding = module->as<torch::nn::EmbeddingImpl>()) counts.embedding += embedding->weight.numel();
  counts.non_embedding = counts.total - counts.embedding;
  return counts;
}

double analytic_train_flops_per_token(const ModelConfig& model, int64_t S, int64_t T, int64_t tgt_vocab,
                                      const std::string& code_path) {
  if (code_path != "reference" && code_path != "precompute" && code_path != "ours")
    throw std::invalid_argument("analytic_train_flops_per_token: code_path must be reference, precompute or ours");
  const bool precompute = code_path != "reference";  // bahdanau: W_h h_j + b once per batch
  const bool hoist_context = code_path == "ours";    // rnn: context terms once per sentence
  const double E = model.emb_dim, H = model.hidden_dim, Tp = static_cast<double>(T - 1), Sd = static_cast<double>(S);
  const double V = static_cast<double>(tgt_vocab);
  const double gates = model.cell == Cell::lstm ? 4 : 3;
  const double deeper = std::max(0, model.layers - 1);  // further recurrent layers: input H (x dirs)
  double macs = 0;
  if (model.type == ModelType::rnn) {
    const double dirs = model.bidirectional ? 2 : 1, C = dirs * H;  // context size
    const double enc = Sd * dirs * (gates * H * (E + H) + deeper * gates * H * (dirs * H + H)) +
                       (dirs - 1) * model.layers * (gates == 4 ? 2 : 1) * 2 * H * H;  // bridges
    const double deeper_dec = Tp * deeper * gates * H * (H + H);
    // Decoder input [e; c] and output layer over [e; h; c]: per step in the reference; with the
    // context terms W c computed once per sentence in ours.
    const double dec = hoist_context ? Tp * gates * H * (E + H) + gates * H * C + deeper_dec
                                     : Tp * gates * H * (E + C + H) + deeper_dec;
    const double out = hoist_context ? Tp * (E + H) * V + C * V : Tp * (E + H + C) * V;
    macs = enc + dec + out;
  } else if (model.type == ModelType::bahdanau) {
    const double enc = Sd * 2 * (gates * H * (E + H) + deeper * gates * H * (2 * H + H)) + (2 * H) * H;
    const double attn = precompute ? Sd * (2 * H) * H + Tp * (H * H + Sd * H)  // W_h h_j once; W_s s, v per step
                                   : Tp * (Sd * (3 * H) * H + Sd * H);         // W on [s; h_j] per step, v
    const double ctx = Tp * Sd * 2 * H;                                        // context = a . h
    const double dec = Tp * (gates * H * (E + 2 * H + H) + deeper * gates * H * (H + H));
    const double out = Tp * (H + 2 * H + E) * V;
    macs = enc + attn + ctx + dec + out;
  } else if (model.type == ModelType::transformer) {
    const double d = model.hidden_dim, ff = model.ff_dim, L = model.layers;
    const double enc_layer = Sd * (4 * d * d + 2 * d * ff) + 2 * Sd * Sd * d;
    const double dec_layer =
        Tp * (4 * d * d + 2 * d * d + 2 * d * ff) + Sd * 2 * d * d + 2 * Tp * Tp * d + 2 * Tp * Sd * d;
    const double out = Tp * d * V;
    macs = L * enc_layer + L * dec_layer + out;
  } else {
    throw std::invalid_argument("analytic_train_flops_per_token: unknown model type " + to_string(model.type));
  }
  return 3 * 2 * macs / Tp;
}

std::vector<data::Batch> fixed_batches(int n, int batch_size, int64_t src_vocab, int64_t tgt_vocab, int64_t src_len,
                                       int64_t tgt_len, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  std::vector<data::Batch> batches;
  batches.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    torch::Tensor src = torch::randint(4, src_vocab, {batch_size, src_len}, generator);  // (B, S)
    torch::Tensor tgt = torch::randint(4, tgt_vocab, {batch_size, tgt_len}, generator);  // (B, T + 1)
    src.select(1, 0).fill_(data::Vocab::kBos);
    src.select(1, src_len - 1).fill_(data::Vocab::kEos);
    tgt.select(1, 0).fill_(data::Vocab::kBos);
    tgt.select(1, tgt_len - 1).fill_(data::Vocab::kEos);
    data::Batch batch;
    batch.src = src;
    batch.src_len = torch::full({batch_size}, src_len, torch::kLong);
    batch.tgt_in = tgt.narrow(1, 0, tgt_len - 1).contiguous();   // (B, T)
    batch.tgt_out = tgt.narrow(1, 1, tgt_len - 1).contiguous();  // (B, T)
    batch.tgt_tokens = batch_size * (tgt_len - 1);
    batches.push_back(std::move(batch));
  }
  return batches;
}

void python_shuffle(std::vector<std::vector<int64_t>>& items, uint64_t seed) {
  PythonRandom random(seed);
  for (std::size_t i = items.size(); i-- > 1;) {
    const auto j = static_cast<std::size_t>(random.randbelow(i + 1));
    std::swap(items[i], items[j]);
  }
}

std::vector<std::vector<int64_t>> reference_batches(const std::vector<data::Example>& examples, int batch_size,
                                                    int chunk_batches) {
  if (batch_size < 1 || chunk_batches < 1)
    throw std::invalid_argument("batch_size and chunk_batches must be at least 1");
  const int64_t n = static_cast<int64_t>(examples.size());
  const int64_t chunk = int64_t{chunk_batches} * batch_size;
  std::vector<std::vector<int64_t>> batches;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    std::vector<int64_t> part(static_cast<std::size_t>(std::min(chunk, n - begin)));
    std::iota(part.begin(), part.end(), begin);
    std::stable_sort(part.begin(), part.end(), [&](int64_t a, int64_t b) {
      return examples[static_cast<std::size_t>(a)].src.size() < examples[static_cast<std::size_t>(b)].src.size();
    });
    for (std::size_t b = 0; b < part.size(); b += static_cast<std::size_t>(batch_size))
      batches.emplace_back(part.begin() + static_cast<int64_t>(b),
                           part.begin() + static_cast<int64_t>(std::min(part.size(), b + batch_size)));
  }
  return batches;
}

std::vector<std::vector<int64_t>> reference_order_batches(const std::vector<data::Example>& examples, int batch_size,
                                                          int chunk_batches, uint64_t seed) {
  auto batches = reference_batches(examples, batch_size, chunk_batches);
  python_shuffle(batches, seed);
  return batches;
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

namespace {

// Rejects contradictory options before anything is read or built.
void check_options(const BenchOptions& options) {
  if (options.mode != "fixed" && options.mode != "corpus")
    throw UsageError("bench: --mode must be fixed or corpus, not " + options.mode);
  if (options.steps < 0 || options.warmup < 0) throw UsageError("bench: --steps and --warmup must be >= 0");
  if (options.steps == 0 && !options.decode) throw UsageError("bench: nothing to do (--steps 0 without --decode)");
  if (options.precision != "fp32" && options.precision != "bf16" && options.precision != "auto" &&
      options.precision != "both")
    throw UsageError("bench: --precision must be fp32, bf16, auto or both, not " + options.precision);
}

// The precisions to measure, fp32 first: "train" and "decode" are the fp32 ones.
std::vector<Precision> bench_precisions(const std::string& name) {
  if (name == "both") return {Precision::fp32, Precision::bf16};
  return {resolve_precision(parse_precision(name, "bench: --precision"))};
}

// "train" / "decode" for fp32, "train_bf16" / "decode_bf16" for bf16.
std::string field(const char* name, Precision precision) {
  return precision == Precision::bf16 ? std::string(name) + "_bf16" : std::string(name);
}

torch::Device bench_device(const BenchOptions& options) {
  const torch::Device device(options.device);
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UsageError("bench: --device cuda, but this LibTorch build sees no CUDA device");
  return device;
}

// What the model is built for: the vocabulary sizes, and the corpus when it was read.
struct BenchInputs {
  std::optional<CorpusData> corpus;
  int64_t src_vocab = 0, tgt_vocab = 0;
};

// The corpus must be there to train on it or to decode. Vocabulary: from the corpus when it is
// there (unless sizes were given), else the reference's.
BenchInputs load_inputs(const Config& config, const BenchOptions& options) {
  const SplitPaths train_paths = resolve_paths(config.data.train, options.data_dir);
  const SplitPaths valid_paths = resolve_paths(config.data.valid, options.data_dir);
  const bool explicit_vocab = options.src_vocab > 0 && options.tgt_vocab > 0;
  const bool need_corpus = options.decode || (options.steps > 0 && options.mode == "corpus");
  if (need_corpus && explicit_vocab)
    throw UsageError(
        "bench: --src-vocab/--tgt-vocab only apply to mode fixed without --decode "
        "(mode corpus and decoding build the vocabulary from the corpus)");
  if (need_corpus && !split_exists(train_paths))
    missing_corpus(train_paths, options.decode ? "bench --decode" : "bench --mode corpus");
  if (options.decode && !split_exists(valid_paths)) missing_corpus(valid_paths, "bench --decode");

  BenchInputs inputs;
  inputs.src_vocab = options.src_vocab, inputs.tgt_vocab = options.tgt_vocab;
  if (explicit_vocab) return inputs;
  if (split_exists(train_paths)) {
    inputs.corpus = load_corpus(config.data, train_paths, valid_paths, options.decode);
    inputs.src_vocab = inputs.corpus->src_vocab.size();
    inputs.tgt_vocab = inputs.corpus->tgt_vocab.size();
  } else {
    spdlog::warn("bench: {} not found; mode fixed uses the reference's Multi30k vocabulary sizes {}/{}",
                 train_paths.src, kMulti30kSrcVocab, kMulti30kTgtVocab);
    inputs.src_vocab = kMulti30kSrcVocab;
    inputs.tgt_vocab = kMulti30kTgtVocab;
  }
  return inputs;
}

// What ran where: model and options, machine, libraries and the environment that tunes them.
nlohmann::json describe_run(const Config& config, const BenchOptions& options, const BenchInputs& inputs,
                            const torch::Device& device) {
  utsname host{};
  uname(&host);
  nlohmann::json result = {
      {"program", "seq2seq"},          {"model", to_string(config.model.type)},
      {"mode", options.mode},          {"batch", options.batch_size},
      {"seed", options.seed},          {"src_vocab", inputs.src_vocab},
      {"tgt_vocab", inputs.tgt_vocab}, {"lr", config.train.lr},
      {"env", tuning_environment()},   {"allocator", allocator_report()},
      {"torch", TORCH_VERSION},        {"threads", torch::get_num_threads()},
      {"machine", host.machine},       {"device", device.str()},
      {"blas", detect_blas().name},
  };
  if (config.model.type == ModelType::bahdanau) result["attn_impl"] = "precompute";
  if (config.model.type != ModelType::transformer) result["decoder_proj"] = "hoisted";
  if (inputs.corpus) result["data_load_s"] = inputs.corpus->load_s;
  return result;
}

// Analytic training FLOPs per target token at the fixed batches' shape (S 14, T 15).
struct TrainFlops {
  double ours = 0;       // the matrix products our models execute
  double reference = 0;  // what the reference's formula counts for its default code path
};

// Records the parameter counts and the analytic FLOPs per target token in result.
TrainFlops record_model_size(const models::Seq2SeqModel& model, const ModelConfig& config, int64_t tgt_vocab,
                             nlohmann::json& result) {
  const ParamCounts params = count_parameters(model);
  result["params"] = {
      {"total", params.total}, {"embedding", params.embedding}, {"non_embedding", params.non_embedding}};
  // The matrix products our models execute (bahdanau: keys once per batch; rnn: context terms
  // once per sentence), and what the reference's formula counts for its default code path.
  const TrainFlops flops{analytic_train_flops_per_token(config, 14, 15, tgt_vocab, "ours"),
                         analytic_train_flops_per_token(config, 14, 15, tgt_vocab, "reference")};
  result["train_flops_per_tgt_token_analytic_fixed"] = flops.ours;
  result["train_flops_per_tgt_token_analytic_reference"] = flops.reference;
  result["train_flops_per_tgt_token_6N"] = 6 * params.non_embedding;
  return flops;
}

// The warm-up and timed batches: the reference's fixed random ones, or the corpus's in the
// reference's batch order (that epoch's padding is recorded in result).
std::vector<data::Batch> train_batches(const BenchOptions& options, const BenchInputs& inputs, nlohmann::json& result) {
  const int n = options.warmup + options.steps;
  if (options.mode == "fixed")
    return fixed_batches(n, options.batch_size, inputs.src_vocab, inputs.tgt_vocab, 14, 15, options.seed);
  const auto all = reference_order_batches(inputs.corpus->train, options.batch_size, 100, options.seed);
  if (n > static_cast<int>(all.size()))
    throw UsageError("bench: --warmup + --steps = " + std::to_string(n) + ", but the corpus has only " +
                     std::to_string(all.size()) + " batches");
  const data::PaddingStats epoch = data::padding_stats(inputs.corpus->train, all);
  result["epoch_batches"] = all.size();
  result["epoch_pad_frac_src"] = epoch.src_fraction();
  result["epoch_pad_frac_tgt"] = epoch.tgt_fraction();
  result["epoch_pad_frac_all"] = epoch.fraction();
  std::vector<data::Batch> batches;
  for (int i = 0; i < n; ++i) batches.push_back(data::collate(inputs.corpus->train, all[static_cast<std::size_t>(i)]));
  return batches;
}

// Training speed on `device`; mode fixed adds the achieved GFLOP/s, ours and the reference's.
nlohmann::json timed_training(models::Seq2SeqModel& model, std::vector<data::Batch> batches, const Config& config,
                              const BenchOptions& options, const TrainFlops& flops, const torch::Device& device,
                              Precision precision) {
  for (auto& batch : batches) batch = batch.to(device);
  model.to(device);
  nlohmann::json train = bench_train(model, batches, options.warmup, config.train, precision);
  if (options.mode == "fixed") {
    train["achieved_gflops_analytic"] = train["tokens_per_s"].get<double>() * flops.ours / 1e9;
    // The reference's work per token at our speed: comparable with its achieved_gflops_analytic.
    train["achieved_gflops_reference_equivalent"] = train["tokens_per_s"].get<double>() * flops.reference / 1e9;
  }
  return train;
}

// Decoding speed of a fresh (untrained) model seeded as the reference's: speed only.
nlohmann::json fresh_model_decode(const Config& config, const BenchOptions& options, const BenchInputs& inputs,
                                  const torch::Device& device, Precision precision) {
  torch::manual_seed(options.seed);
  auto fresh = models::make_model(config.model, inputs.src_vocab, inputs.tgt_vocab);
  fresh->to(device);
  return bench_decode(*fresh, *inputs.corpus, options.decode_sentences, device, precision);
}

// The CPU's GEMM peak, and the share of it that training achieved.
void add_gemm_peak(nlohmann::json& result) {
  result["gemm"] = gemm_peak();
  // Against the fp32 rate for both precisions: the same yardstick, so bf16's share can pass 100%.
  for (const char* train : {"train", "train_bf16"})
    if (result.contains(train) && result[train].contains("achieved_gflops_analytic"))
      result[train]["fraction_of_gemm_peak"] =
          result[train]["achieved_gflops_analytic"].get<double>() / result["gemm"]["gflops"].get<double>();
}

}  // namespace

nlohmann::json run_bench(const Config& config, const BenchOptions& options) {
  check_options(options);
  const torch::Device device = bench_device(options);
  const BenchInputs inputs = load_inputs(config, options);
  nlohmann::json result = describe_run(config, options, inputs, device);

  const std::vector<Precision> precisions = bench_precisions(options.precision);
  if (std::count(precisions.begin(), precisions.end(), Precision::bf16)) result["native_bf16"] = native_bf16();
  torch::manual_seed(options.seed);
  auto model = models::make_model(config.model, inputs.src_vocab, inputs.tgt_vocab);
  const TrainFlops flops = record_model_size(*model, config.model, inputs.tgt_vocab, result);
  if (options.steps > 0) {
    const std::vector<data::Batch> batches = train_batches(options, inputs, result);
    for (const Precision precision : precisions) {
      if (!model) {  // each precision trains from the same initial weights
        torch::manual_seed(options.seed);
        model = models::make_model(config.model, inputs.src_vocab, inputs.tgt_vocab);
      }
      result[field("train", precision)] = timed_training(*model, batches, config, options, flops, device, precision);
      model.reset();
    }
    result["peak_rss_mb_after_train"] = peak_rss_mb();
  }
  if (options.decode) {
    model.reset();  // freed before the fresh model is built
    for (const Precision precision : precisions)
      result[field("decode", precision)] = fresh_model_decode(config, options, inputs, device, precision);
  }
  result["peak_rss_mb"] = peak_rss_mb();
  if (options.measure_gemm && !device.is_cuda()) add_gemm_peak(result);
  return result;
}

}  // namespace seq2seq::bench
