// The HTTP side of `seq2seq serve` on cpp-httplib 0.11 (Debian 12): routes, the checks made
// before a body is read, the translation slots, and the shape of every answer (docs/serve.md).
#include "seq2seq/serve/server.h"

#include "seq2seq/data/source_line.h"
#include "seq2seq/decode/sentence_translator.h"
#include "seq2seq/models/attention_demo.h"
#include "seq2seq/report/run_summary.h"
#include "seq2seq/run/run.h"
#include "seq2seq/serve/page.h"
#include "seq2seq/session/translate_session.h"
#include "seq2seq/train/launch.h"
#include "seq2seq/util/errors.h"
#include "seq2seq/util/io.h"
#include "seq2seq/util/text_input.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include <sys/socket.h>

namespace seq2seq::serve {

namespace fs = std::filesystem;

namespace {

// Connections that may wait for the accept thread (see Server::Server).
constexpr int kListenBacklog = 128;

// The page's inline script and style are its only code: nothing from another origin.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'";

// Text from a client or a run may hold ill-formed UTF-8; it is replaced rather than thrown on.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_error(httplib::Response& res, const ApiError& error) {
  send_json(res, error_json(error), error.status);
  if (error.status == 503) res.set_header("Retry-After", "1");
}

// An answer given before the body was read: the connection must close, or the unread body would
// be taken for the next request. httplib 0.11 decides that from the request's Connection header
// alone (the handlers get the request const; the object itself is not).
void refuse_and_close(const httplib::Request& req, httplib::Response& res, const ApiError& error) {
  auto& request = const_cast<httplib::Request&>(req);
  request.headers.erase("Connection");
  request.set_header("Connection", "close");
  send_error(res, error);
}

// Attention weights with 4 decimals: plenty for a heatmap, a third of the JSON.
nlohmann::json matrix_json(const std::vector<std::vector<float>>& matrix) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : matrix) {
    nlohmann::json values = nlohmann::json::array();
    for (const float value : row) values.push_back(std::round(static_cast<double>(value) * 1e4) / 1e4);
    rows.push_back(std::move(values));
  }
  return rows;
}

nlohmann::json hypothesis_json(const decode::Translation& t, size_t k, AttentionDetail attention) {
  nlohmann::json h = {{"text", t.texts[k]}, {"score", t.scores[k]}};
  static const decode::HypothesisDetail kNone;
  const auto& d = k < t.details.size() ? t.details[k] : kNone;
  h["tokens"] = d.tokens;
  h["log_prob"] = d.log_prob;
  h["token_log_probs"] = d.token_log_probs;
  h["attention"] = nullptr;
  h["layers"] = nullptr;
  if (attention != AttentionDetail::none && !d.attention.empty())
    h["attention"] = {
        {"rows", d.attention_rows}, {"columns", d.attention_columns}, {"weights", matrix_json(d.attention)}};
  if (attention == AttentionDetail::all && !d.layer_head_attention.empty()) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : d.layer_head_attention) {
      nlohmann::json heads = nlohmann::json::array();
      for (const auto& head : layer) heads.push_back({{"weights", matrix_json(head)}});
      layers.push_back(std::move(heads));
    }
    h["layers"] = std::move(layers);
  }
  return h;
}

// One loaded run. Its translator keeps the options of the request it serves, so one request at a
// time uses it.
struct Model {
  std::string name;
  std::unique_ptr<LoadedRun> run;
  std::unique_ptr<decode::Translator> translator;
  std::mutex mutex;
  int64_t parameters = 0;
};

// The run's /api/v1/models entry; test BLEU and its length bands only from eval results made by
// exactly these weights on the test split (report::eval_mismatch).
nlohmann::json model_json(const Model& model) {
  const auto& run = *model.run;
  const auto& config = run.config.model;
  const std::string weights = fs::path(run.checkpoint).filename().string();
  nlohmann::json info = {{"name", model.name},
                         {"model", to_string(config.type)},
                         {"parameters", model.parameters},
                         {"has_attention", run.model->has_attention()},
                         {"layers", config.layers},
                         {"heads", config.type == ModelType::transformer ? config.heads : 0},
                         {"max_source_tokens", model.translator->max_tokens()},
                         {"weights", weights},
                         {"test_bleu", nullptr},
                         {"bleu_by_length", nullptr}};
  try {
    if (!report::eval_mismatch(run.paths.dir, "test", weights).empty()) return info;
    const auto report = nlohmann::json::parse(read_file(run.paths.eval_dir() + "/test.json"));
    info["test_bleu"] = report.at("bleu").at("score");
    if (report.contains("bands") && report["bands"].is_array()) {
      nlohmann::json bands = nlohmann::json::array();
      for (const auto& band : report["bands"])
        bands.push_back({{"label", band.value("label", "")},
                         {"sentences", band.value("sentences", 0)},
                         {"bleu", band.contains("bleu") ? band["bleu"] : nlohmann::json()}});
      info["bleu_by_length"] = std::move(bands);
    }
  } catch (const std::exception& e) {
    spdlog::debug("{}: test results left out: {}", run.paths.dir, first_line(e.what()));
  }
  return info;
}

const char* status_type(int status) {
  switch (status) {
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 411:
      return "length_required";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 416:
      return "bad_range";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

}  // namespace

struct Server::Impl {
  ServeOptions options;
  std::vector<std::unique_ptr<Model>> models;
  std::vector<std::string> names;
  std::string attention_demo;  // computed once: it reseeds the global generator
  httplib::Server http;
  int port = 0;
  socket_t listen_socket = INVALID_SOCKET;  // set by the socket-options callback, before bind
  bool loopback = true;
  std::thread thread;  // start()'s
  std::atomic<bool> stop_requested{false}, listening{false}, finished{false};
  std::mutex slots_mutex;
  int slots_in_use = 0;

  Model* find(const std::string& name) {
    for (auto& model : models)
      if (model->name == name) return model.get();
    return nullptr;
  }

  std::shared_ptr<void> try_take_slot() {
    std::lock_guard lock(slots_mutex);
    if (slots_in_use >= options.max_concurrent) return nullptr;
    ++slots_in_use;
    return std::shared_ptr<void>(this, [this](void*) {
      std::lock_guard release(slots_mutex);
      --slots_in_use;
    });
  }

  void listen() {
    listening = true;
    if (!stop_requested) http.listen_after_bind();
    finished = true;
  }

  // httplib's stop() does nothing before its accept loop runs: a stop() that comes first is seen
  // by listen() (stop_requested), or waits for the loop to start (listening).
  void stop() {
    if (stop_requested.exchange(true) || !listening) return;
    while (!http.is_running() && !finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!finished) http.stop();
  }

  std::variant<nlohmann::json, ApiError> translate(const TranslateRequest& request, bool details);
  void libre_translate(const httplib::Request& req, httplib::Response& res);
  void routes();
};

std::variant<nlohmann::json, ApiError> Server::Impl::translate(const TranslateRequest& request, bool details) {
  std::vector<Model*> chosen;
  for (const auto& name : request.models) {
    Model* model = find(name);
    if (model == nullptr)
      return ApiError{
          400, "unknown_model",
          fmt::format("unknown model \"{}\" (this server has {})", quote_input(name, 40), fmt::join(names, ", "))};
    chosen.push_back(model);
  }
  if (request.models.empty())
    for (auto& model : models) chosen.push_back(model.get());
  // Every sentence against every model's limit first: a refused request costs no translation.
  // translate cuts such a line and says so; an API answer would hide that in a field.
  for (Model* model : chosen) {
    std::lock_guard lock(model->mutex);
    const auto& run = *model->run;
    for (size_t i = 0; i < request.texts.size(); ++i) {
      const auto source =
          data::prepare_source(request.texts[i], *run.tokenizers.src, run.src_vocab, model->translator->max_tokens());
      if (source.cut_from > 0)
        return ApiError{422, "limit",
                        fmt::format("text[{}]: {} tokens, more than the {} that model {} reads (max_source_tokens)", i,
                                    source.cut_from, model->translator->max_tokens(), model->name)};
    }
  }
  decode::TranslatorOptions options;
  options.beam = request.beam;
  options.nbest = request.n_best;
  options.details = details;
  options.every_layer_and_head = details && request.attention == AttentionDetail::all;
  // translations[m][i]: model m, sentence i.
  std::vector<std::vector<decode::Translation>> translations(chosen.size());
  std::vector<std::vector<double>> times_ms(chosen.size());
  for (size_t m = 0; m < chosen.size(); ++m) {
    std::lock_guard lock(chosen[m]->mutex);
    chosen[m]->translator->set_options(options);
    for (const auto& text : request.texts) {
      const auto start = std::chrono::steady_clock::now();
      translations[m].push_back(chosen[m]->translator->translate(text));
      times_ms[m].push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
  }
  nlohmann::json results = nlohmann::json::array();
  for (size_t i = 0; i < request.texts.size(); ++i) {
    // What the first model read stands for the sentence (models with other tokenizers show
    // their own reading in their attention columns).
    const auto& first = translations[0][i];
    nlohmann::json result = {{"text", request.texts[i]},
                             {"source_tokens", first.src_tokens},
                             {"unknown", first.unknown},
                             {"cut_from", first.cut_from}};
    nlohmann::json per_model = nlohmann::json::array();
    for (size_t m = 0; m < chosen.size(); ++m) {
      const auto& t = translations[m][i];
      nlohmann::json hypotheses = nlohmann::json::array();
      for (size_t k = 0; k < t.texts.size(); ++k) hypotheses.push_back(hypothesis_json(t, k, request.attention));
      per_model.push_back({{"model", chosen[m]->name}, {"time_ms", times_ms[m][i]}, {"hypotheses", hypotheses}});
    }
    result["translations"] = std::move(per_model);
    results.push_back(std::move(result));
  }
  return nlohmann::json{{"results", std::move(results)}};
}

// LibreTranslate's /translate over the first run: {"translatedText", "alternatives"}, lists
// when q was a list.
void Server::Impl::libre_translate(const httplib::Request& req, httplib::Response& res) {
  auto parsed = parse_libre_request(req.get_header_value("Content-Type"), req.body);
  if (auto* error = std::get_if<ApiError>(&parsed)) return send_error(res, *error);
  const auto& libre = std::get<LibreRequest>(parsed);
  TranslateRequest request;
  request.texts = libre.texts;
  request.models = {names.front()};
  request.n_best = 1 + libre.alternatives;
  request.attention = AttentionDetail::none;
  const auto slot = try_take_slot();
  if (!slot) return send_error(res, {503, "busy", "the server is busy translating; try again in a second"});
  auto answer = translate(request, /*details=*/false);
  if (auto* error = std::get_if<ApiError>(&answer)) return send_error(res, *error);
  nlohmann::json texts = nlohmann::json::array(), alternatives = nlohmann::json::array();
  for (const auto& result : std::get<nlohmann::json>(answer)["results"]) {
    const auto& hypotheses = result["translations"][0]["hypotheses"];
    texts.push_back(hypotheses.empty() ? nlohmann::json("") : hypotheses[0]["text"]);
    nlohmann::json others = nlohmann::json::array();
    for (size_t k = 1; k < hypotheses.size(); ++k) others.push_back(hypotheses[k]["text"]);
    alternatives.push_back(std::move(others));
  }
  nlohmann::json body;
  body["translatedText"] = libre.list ? texts : texts[0];
  body["alternatives"] = libre.list ? alternatives : alternatives[0];
  if (libre.detect) {
    const nlohmann::json detected = {{"language", "de"}, {"confidence", 100}};
    body["detectedLanguage"] =
        libre.list ? nlohmann::json(std::vector<nlohmann::json>(texts.size(), detected)) : detected;
  }
  send_json(res, body);
}

void Server::Impl::routes() {
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    const auto page = classroom_page();
    res.set_content(page.data(), page.size(), "text/html; charset=utf-8");
    res.set_header("Cache-Control", "no-cache");
  });
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"status", "ok"}, {"models", names}});
  });
  http.Get("/api/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& model : models) list.push_back(model_json(*model));
    send_json(res, {{"models", list}});
  });
  http.Get("/api/v1/attention-demo", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(attention_demo, "application/json");
  });
  http.Get("/api/v1/bleu-by-length.svg", [this](const httplib::Request&, httplib::Response& res) {
    fs::path run = fs::absolute(options.runs.front()).lexically_normal();
    if (!run.has_filename()) run = run.parent_path();  // "runs/rnn/"
    const std::string dir =
        !options.compare_dir.empty() ? options.compare_dir : (run.parent_path() / "compare").string();
    const std::string path = dir + "/bleu_by_length.svg";
    if (!file_exists(path))
      return send_error(
          res, {404, "not_found", "no chart at " + path + " (seq2seq compare RUNS --out " + dir + " draws it)"});
    res.set_content(read_file(path), "image/svg+xml");
  });
  http.Post("/api/v1/translate", [this](const httplib::Request& req, httplib::Response& res) {
    auto parsed = parse_translate_request(req.get_header_value("Content-Type"), req.body);
    if (auto* error = std::get_if<ApiError>(&parsed)) return send_error(res, *error);
    const auto slot = try_take_slot();
    if (!slot)
      return send_error(res, {503, "busy",
                              fmt::format("the server is translating {} requests, its --max-concurrent; try again in "
                                          "a second",
                                          options.max_concurrent)});
    auto answer = translate(std::get<TranslateRequest>(parsed), /*details=*/true);
    if (auto* error = std::get_if<ApiError>(&answer)) return send_error(res, *error);
    send_json(res, std::get<nlohmann::json>(answer));
  });
  http.Post("/translate", [this](const httplib::Request& req, httplib::Response& res) { libre_translate(req, res); });
}

Server::Server(const ServeOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& impl = *impl_;
  impl.options = options;
  if (options.runs.empty()) throw UsageError("--run: give at least one run directory");
  if (options.max_concurrent < 1) throw UsageError("--max-concurrent: must be at least 1");
  impl.names = session::run_labels(options.runs);
  for (size_t i = 0; i < options.runs.size(); ++i) {
    auto model = std::make_unique<Model>();
    model->name = impl.names[i];
    model->run = std::make_unique<LoadedRun>(
        load_run(RunOptions{options.runs[i], options.checkpoint, options.device, options.unverified}));
    model->translator = std::make_unique<decode::Translator>(*model->run, decode::TranslatorOptions{});
    for (const auto& p : model->run->model->parameters()) model->parameters += p.numel();
    impl.models.push_back(std::move(model));
  }
  impl.attention_demo = dump(models::attention_demo());
  impl.loopback = is_loopback_host(options.host);

  auto& http = impl.http;
  // Connections beyond the translation slots wait in the pool's queue or get 503: a few threads
  // more than slots keep /health and the page answering while the slots are busy.
  const int threads = options.max_concurrent + 8;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_read_timeout(options.timeout_s, 0);
  http.set_write_timeout(options.timeout_s, 0);
  http.set_keep_alive_timeout(5);
  http.set_payload_max_length(kMaxBodyBytes);
  // httplib 0.11 sets SO_REUSEPORT, with which a second server binds the same port and silently
  // takes half of the connections: only SO_REUSEADDR here (a restart need not wait for TIME_WAIT).
  http.set_socket_options([&impl](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    impl.listen_socket = sock;
  });
  http.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                            {"X-Content-Type-Options", "nosniff"},
                            {"X-Frame-Options", "DENY"},
                            {"Referrer-Policy", "no-referrer"}});
  // Before routing, and so before httplib reads a body: the Host (DNS rebinding), and bodies
  // whose size is unknown (chunked: 0.11 reads those without the payload limit), compressed
  // (0.11 would inflate them past the limit) or declared too big.
  const auto refusal = [&impl](const httplib::Request& req) -> std::optional<ApiError> {
    if (impl.loopback && !is_local_host_header(req.get_header_value("Host")))
      return ApiError{421, "misdirected_request",
                      "this server answers requests for localhost, 127.0.0.1 or [::1] only, not Host \"" +
                          quote_input(req.get_header_value("Host"), 60) + "\""};
    BodyHeaders headers;
    headers.expects_body =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
    for (const auto& [name, field] : {std::pair{"Content-Length", &headers.content_length},
                                      std::pair{"Transfer-Encoding", &headers.transfer_encoding},
                                      std::pair{"Content-Encoding", &headers.content_encoding}})
      if (req.has_header(name)) *field = req.get_header_value(name);
    return check_body_headers(headers);
  };
  http.set_pre_routing_handler([refusal](const httplib::Request& req, httplib::Response& res) {
    if (auto error = refusal(req)) {
      refuse_and_close(req, res, *error);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // "Expect: 100-continue": the client waits for a go-ahead, so a refusal spares it the upload.
  http.set_expect_100_continue_handler([refusal](const httplib::Request& req, httplib::Response& res) {
    if (auto error = refusal(req)) {
      refuse_and_close(req, res, *error);
      return error->status;
    }
    return 100;
  });
  // httplib's own refusals (no route, a request line it cannot parse, ...) in our JSON shape.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = "HTTP " + std::to_string(res.status);
    if (res.status == 404)
      message = "no endpoint " + req.method + " " + quote_input(req.path, 80) + " (see docs/serve.md)";
    if (res.status == 413)
      message = "the body is bigger than the " + std::to_string(kMaxBodyBytes) + " bytes a request may have";
    send_json(res, error_json({res.status, status_type(res.status), message}), res.status);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = first_line(e.what());
    } catch (...) {}
    spdlog::error("{} {}: {}", req.method, req.path, what);
    send_error(res, {500, "internal", quote_input(what, 200)});
  });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("{} {} -> {}", req.method, req.path, res.status);
  });
  impl.routes();

  if (options.port == 0) {
    impl.port = http.bind_to_any_port(options.host);
    if (impl.port < 0)
      throw UsageError("--host " + options.host + ": cannot listen there (give an address of this machine)");
  } else {
    if (!http.bind_to_port(options.host, options.port))
      throw UsageError(fmt::format("--port {}: cannot listen on {}:{} (another server there? choose another --port)",
                                   options.port, options.host, options.port));
    impl.port = options.port;
  }
  // Debian's httplib is a compiled library that listens with a backlog of 5 (its
  // CPPHTTPLIB_LISTEN_BACKLOG is fixed when the library is built, not when we include the header).
  // When a burst of clients overflows that queue while the accept thread waits for a core, the
  // kernel drops SYNs (a 1 s stall), answers with SYN cookies, and now and then resets a
  // connection whose handshake it no longer recognises. Calling listen() again on the bound
  // socket sets a deeper queue (Linux and the BSDs allow it; the kernel caps it at somaxconn).
  if (impl.listen_socket != INVALID_SOCKET && ::listen(impl.listen_socket, kListenBacklog) != 0)
    spdlog::warn("serve: could not deepen the listen queue to {}: {}", kListenBacklog, std::strerror(errno));
}

Server::~Server() { stop(); }

int Server::port() const { return impl_->port; }

const std::vector<std::string>& Server::model_names() const { return impl_->names; }

void Server::run() { impl_->listen(); }

// The socket listens from the constructor on: a client may connect before the thread runs.
void Server::start() {
  impl_->thread = std::thread([this] { impl_->listen(); });
}

void Server::stop() {
  impl_->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::variant<nlohmann::json, ApiError> Server::translate(const TranslateRequest& request) {
  return impl_->translate(request, /*details=*/true);
}

std::shared_ptr<void> Server::try_take_slot() { return impl_->try_take_slot(); }

int serve(const ServeOptions& options) {
  Server server(options);
  if (!is_loopback_host(options.host))
    spdlog::warn(
        "{} is not a loopback address: anyone who reaches this machine on port {} can use the server "
        "(it has no authentication)",
        options.host, server.port());
  const bool ipv6 = options.host.find(':') != std::string::npos && options.host.front() != '[';
  spdlog::info("serving {} model(s) at http://{}:{}/ (Ctrl-C to stop)", server.model_names().size(),
               ipv6 ? "[" + options.host + "]" : options.host, server.port());
  // The first SIGINT or SIGTERM stops accepting; requests in flight finish (a second one kills).
  train::StopOnInterrupt interrupt;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      if (interrupt.flag()->load() != 0) {
        spdlog::info("stopping: finishing the requests in flight");
        server.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  server.run();
  done = true;
  watcher.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace seq2seq::serve
