// `seq2seq serve`: trained runs behind a local HTTP API (docs/serve.md) and the classroom page.
// Each run is loaded once and translates with the decode::Translator that `translate` uses, so
// an answer holds the texts `translate` prints for the same run and options.
#pragma once
#include "seq2seq/serve/request.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace seq2seq::serve {

struct ServeOptions {
  std::vector<std::string> runs;    // run directories; the model names are their labels (run_labels)
  std::string host = "127.0.0.1";   // loopback unless the user says otherwise
  int port = 8080;                  // 0: any free port (Server::port() says which)
  std::string checkpoint = "best";  // for every run: best | last | averaged | snapshot-STEP
  std::string device = "auto";
  bool unverified = false;  // load runs that lost their state.json, unchecked
  int max_concurrent = 2;   // translations at once; more get 503 and Retry-After: 1
  std::string compare_dir;  // where compare wrote bleu_by_length.svg; "" = RUNS_PARENT/compare
  int timeout_s = 10;       // read and write timeout of a connection
};

class Server {
 public:
  // Loads every run and binds host:port (UsageError when the port is taken or the host unknown).
  explicit Server(const ServeOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  const std::vector<std::string>& model_names() const;

  // Serves on this thread until stop(); requests in flight finish first.
  void run();
  // run() on a thread of its own (tests, bench); returns once connections are accepted.
  void start();
  // Stops accepting, lets requests in flight finish, joins start()'s thread. Safe from any thread.
  void stop();

  // What POST /api/v1/translate answers, without HTTP (the same code path; bench compares the
  // two): the response body, or an ApiError for unknown models and sentences over a model's limit.
  std::variant<nlohmann::json, ApiError> translate(const TranslateRequest& request);

  // Takes one of the max_concurrent translation slots until the returned handle is released;
  // nullptr when none is free. The server takes one per translation request; tests take them to
  // see a full server answer 503.
  std::shared_ptr<void> try_take_slot();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The command: loads and serves until SIGINT or SIGTERM, then finishes the requests in flight
// and returns 0.
int serve(const ServeOptions& options);

// `seq2seq bench --serve`: one sentence translated by every run (beam 5), through HTTP on a local
// port and in-process, `requests` times each: latency p50/p95 (ms) of both, and requests per
// second with 1 and 8 concurrent clients. JSON; render_serve_bench() is its text.
struct ServeBenchOptions {
  std::vector<std::string> runs;
  std::string checkpoint = "best";
  std::string device = "auto";
  std::string sentence = "Ein Mann mit einem roten Hut sitzt auf einer Bank und liest eine Zeitung .";
  int beam = 5;
  int requests = 40;  // per measurement
};
nlohmann::json run_serve_bench(const ServeBenchOptions& options);
std::string render_serve_bench(const nlohmann::json& result);

}  // namespace seq2seq::serve
