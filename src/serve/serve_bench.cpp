// `seq2seq bench --serve`: what HTTP adds to a translation, and how many requests a second the
// server answers with one client and with eight.
#include "seq2seq/serve/server.h"

#include "seq2seq/util/errors.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace seq2seq::serve {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The nearest-rank percentile (p in (0, 1]) of the sorted times.
double percentile(std::vector<double> times, double p) {
  std::sort(times.begin(), times.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(times.size())));
  return times[std::max<size_t>(rank, 1) - 1];
}

nlohmann::json latency(const std::vector<double>& times) {
  return {{"p50", percentile(times, 0.5)}, {"p95", percentile(times, 0.95)}};
}

void post(httplib::Client& client, const std::string& body) {
  const auto answer = client.Post("/api/v1/translate", body, "application/json");
  if (!answer)
    throw std::runtime_error("bench --serve: no answer from the server (" + httplib::to_string(answer.error()) + ")");
  if (answer->status != 200)
    throw std::runtime_error(
        fmt::format("bench --serve: the server answered {}: {}", answer->status, first_line(answer->body)));
}

}  // namespace

nlohmann::json run_serve_bench(const ServeBenchOptions& o) {
  ServeOptions options;
  options.runs = o.runs;
  options.checkpoint = o.checkpoint;
  options.device = o.device;
  options.port = 0;
  options.max_concurrent = 8;  // the most clients measured: none is turned away
  Server server(options);
  server.start();
  TranslateRequest request;
  request.texts = {o.sentence};
  request.beam = o.beam;
  const std::string body = nlohmann::json({{"text", o.sentence}, {"beam", o.beam}}).dump();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60, 0);

  const auto in_process = [&] {
    auto answer = server.translate(request);
    if (auto* error = std::get_if<ApiError>(&answer)) throw std::runtime_error("bench --serve: " + error->message);
  };
  for (int i = 0; i < 2; ++i) {  // warm-up: first calls allocate what later ones reuse
    in_process();
    post(client, body);
  }
  std::vector<double> http_ms, local_ms;
  for (int i = 0; i < o.requests; ++i) {  // alternating, so that both see the same machine
    auto start = Clock::now();
    in_process();
    local_ms.push_back(ms_since(start));
    start = Clock::now();
    post(client, body);
    http_ms.push_back(ms_since(start));
  }
  nlohmann::json per_second;
  for (const int clients : {1, 8}) {
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const auto start = Clock::now();
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&] {
        try {
          httplib::Client own("127.0.0.1", server.port());
          own.set_read_timeout(60, 0);
          while (next++ < o.requests) post(own, body);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          failure = std::current_exception();
        }
      });
    for (auto& thread : threads) thread.join();
    if (failure) std::rethrow_exception(failure);
    per_second[std::to_string(clients)] = o.requests / (ms_since(start) / 1000.0);
  }
  server.stop();
  return {{"runs", server.model_names()}, {"sentence", o.sentence},      {"beam", o.beam},
          {"requests", o.requests},       {"http_ms", latency(http_ms)}, {"in_process_ms", latency(local_ms)},
          {"requests_per_s", per_second}};
}

std::string render_serve_bench(const nlohmann::json& r) {
  const std::string sentence = r["sentence"].get<std::string>();
  const auto words = std::count(sentence.begin(), sentence.end(), ' ') + 1;
  return fmt::format(
      "serve: {} ({}), beam {}, one {}-word sentence, {} requests each: HTTP p50 {:.1f} ms p95 {:.1f} ms, "
      "in-process p50 {:.1f} ms p95 {:.1f} ms; {:.1f} req/s with 1 client, {:.1f} req/s with 8\n",
      fmt::join(r["runs"].get<std::vector<std::string>>(), ", "),
      r["runs"].size() == 1 ? "1 run" : fmt::format("{} runs", r["runs"].size()), r["beam"].get<int>(), words,
      r["requests"].get<int>(), r["http_ms"]["p50"].get<double>(), r["http_ms"]["p95"].get<double>(),
      r["in_process_ms"]["p50"].get<double>(), r["in_process_ms"]["p95"].get<double>(),
      r["requests_per_s"]["1"].get<double>(), r["requests_per_s"]["8"].get<double>());
}

}  // namespace seq2seq::serve
