// seq2seq serve in-process on a free port, through httplib's client: every endpoint's shape, the
// same texts as `translate` for the same runs and options, LibreTranslate's /translate, and every
// refusal (400, 411, 413, 415, 421, 422, 503) with the security headers on all of them.
#include "seq2seq/decode/sentence_translator.h"
#include "seq2seq/models/attention_demo.h"
#include "seq2seq/run/run.h"
#include "seq2seq/serve/page.h"
#include "seq2seq/serve/server.h"
#include "seq2seq/session/translate_session.h"
#include "seq2seq/train/trainer.h"
#include "seq2seq/util/errors.h"
#include "tiny_config.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using seq2seq::serve::ServeOptions;
using seq2seq::serve::Server;

namespace {

// Three tiny runs (rnn: no attention; bahdanau; a 2-layer, 2-head transformer), trained once
// for every test here on a corpus of "der hund sieht den mann ." sentences.
struct TinyRuns {
  // One directory per process: ctest runs each test as a process of its own, two at a time.
  fs::path root = fs::temp_directory_path() / ("seq2seq_serve_test." + std::to_string(::getpid()));
  std::vector<std::string> dirs;

  TinyRuns() {
    fs::remove_all(root);
    fs::create_directories(root / "data");
    const std::vector<std::pair<std::string, std::string>> nouns = {
        {"hund", "dog"}, {"katze", "cat"}, {"mann", "man"}, {"frau", "woman"}, {"kind", "child"}, {"vogel", "bird"}};
    const std::vector<std::pair<std::string, std::string>> verbs = {
        {"sieht", "sees"}, {"mag", "likes"}, {"ruft", "calls"}};
    std::ofstream de(root / "data/train.de"), en(root / "data/train.en");
    for (size_t i = 0; i < 48; ++i) {
      const auto& a = nouns[i % nouns.size()];
      const auto& v = verbs[(i / nouns.size()) % verbs.size()];
      const auto& b = nouns[(i / 3 + 1) % nouns.size()];
      de << "der " << a.first << " " << v.first << " den " << b.first << " .\n";
      en << "the " << a.second << " " << v.second << " the " << b.second << " .\n";
    }
    de.close();
    en.close();
    for (const std::string model : {"rnn", "bahdanau", "transformer"}) {
      seq2seq::Config config;
      config.data.train = {(root / "data/train.de").string(), (root / "data/train.en").string()};
      config.data.valid = config.data.train;
      seq2seq::testing::use_tiny_sizes(config);
      config.data.max_len = 12;  // a sentence of 13 words is over every model's limit
      config.model.type = json(model).get<seq2seq::ModelType>();
      config.model.layers = model == "transformer" ? 2 : 1;
      config.decode.beam = 3;
      seq2seq::train::TrainOptions options;
      options.run_dir = (root / model).string();
      options.device = "cpu";
      seq2seq::train::train_model(config, options);
      dirs.push_back(options.run_dir);
    }
  }
  ~TinyRuns() { fs::remove_all(root); }
};

const TinyRuns& runs() {
  static const TinyRuns tiny;
  return tiny;
}

ServeOptions options_for(int max_concurrent = 2) {
  ServeOptions options;
  options.runs = runs().dirs;
  options.port = 0;
  options.device = "cpu";
  options.max_concurrent = max_concurrent;
  return options;
}

// Every answer carries these, errors included.
void expect_security_headers(const httplib::Result& answer) {
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->get_header_value("Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' "
            "'unsafe-inline'");
  EXPECT_EQ(answer->get_header_value("X-Content-Type-Options"), "nosniff");
}

// An error answer: the status, our JSON shape, one line.
json expect_error(const httplib::Result& answer, int status) {
  EXPECT_TRUE(answer);
  if (!answer) return {};
  expect_security_headers(answer);
  EXPECT_EQ(answer->status, status) << answer->body;
  const auto body = json::parse(answer->body);
  EXPECT_TRUE(body.contains("error") && body["error"].is_string()) << answer->body;
  EXPECT_TRUE(body.contains("error_type") && body["error_type"].is_string()) << answer->body;
  EXPECT_EQ(body.value("error", "").find('\n'), std::string::npos);
  return body;
}

json post_json(httplib::Client& client, const std::string& path, const json& body) {
  const auto answer = client.Post(path.c_str(), body.dump(), "application/json");
  EXPECT_TRUE(answer);
  if (!answer) return {};
  expect_security_headers(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  return json::parse(answer->body);
}

// A request written byte by byte on a socket, for what httplib's client will not send; the
// status of the answer (0 when none).
int raw_status(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return 0;
  }
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[512] = {};
  const auto got = recv(fd, buffer, sizeof buffer - 1, 0);
  close(fd);
  int status = 0;
  if (got > 0) std::sscanf(buffer, "HTTP/1.1 %d", &status);
  return status;
}

}  // namespace

TEST(Serve, HealthModelsPageAndAttentionDemo) {
  Server server(options_for());
  server.start();
  httplib::Client client("127.0.0.1", server.port());

  auto answer = client.Get("/health");
  expect_security_headers(answer);
  EXPECT_EQ(json::parse(answer->body), json({{"status", "ok"}, {"models", {"rnn", "bahdanau", "transformer"}}}));

  answer = client.Get("/api/v1/models");
  expect_security_headers(answer);
  const auto models = json::parse(answer->body)["models"];
  ASSERT_EQ(models.size(), 3u);
  for (const auto& model : models) {
    for (const char* key : {"name", "model", "parameters", "has_attention", "layers", "heads", "max_source_tokens",
                            "weights", "test_bleu", "bleu_by_length"})
      EXPECT_TRUE(model.contains(key)) << key;
    EXPECT_GT(model["parameters"].get<int64_t>(), 0);
    EXPECT_EQ(model["max_source_tokens"], 12);
    EXPECT_EQ(model["weights"], "best.pt");
    EXPECT_TRUE(model["test_bleu"].is_null());  // never evaluated
  }
  EXPECT_EQ(models[0]["model"], "rnn");
  EXPECT_FALSE(models[0]["has_attention"].get<bool>());
  EXPECT_EQ(models[0]["heads"], 0);
  EXPECT_TRUE(models[1]["has_attention"].get<bool>());
  EXPECT_EQ(models[2]["heads"], 2);
  EXPECT_EQ(models[2]["layers"], 2);

  answer = client.Get("/");
  expect_security_headers(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(answer->body, std::string(seq2seq::serve::classroom_page()));
  EXPECT_NE(answer->body.find("/api/v1/translate"), std::string::npos);

  answer = client.Get("/api/v1/attention-demo");
  expect_security_headers(answer);
  EXPECT_EQ(json::parse(answer->body), seq2seq::models::attention_demo());

  expect_error(client.Get("/api/v1/bleu-by-length.svg"), 404);
  expect_error(client.Get("/no/such/endpoint"), 404);
  const auto chart = fs::path(runs().root) / "compare";
  fs::create_directories(chart);
  std::ofstream(chart / "bleu_by_length.svg") << "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
  answer = client.Get("/api/v1/bleu-by-length.svg");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "image/svg+xml");
  fs::remove_all(chart);
  server.stop();
}

// The texts of `translate` (its pipe output, "LABEL<TAB>text" with several runs) for the same
// runs, beam and n-best.
TEST(Serve, TranslateGivesTheTextsOfTranslate) {
  Server server(options_for());
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  const std::vector<std::string> sentences = {"der hund sieht den mann .", "die katze mag den vogel .",
                                              "der unbekannt ruft die frau ."};
  for (const int beam : {1, 2, 4}) {
    seq2seq::session::TranslateOptions options;
    options.runs = runs().dirs;
    options.device = "cpu";
    options.beam = beam;
    std::string lines;
    for (const auto& s : sentences) lines += s + "\n";
    std::istringstream in(lines);
    std::ostringstream out;
    ASSERT_EQ(seq2seq::session::translate(options, in, out, false), 0);
    std::vector<std::string> expected;
    std::istringstream printed(out.str());
    for (std::string line; std::getline(printed, line);) expected.push_back(line);

    const auto body = post_json(client, "/api/v1/translate", {{"text", sentences}, {"beam", beam}});
    std::vector<std::string> served;
    ASSERT_EQ(body["results"].size(), sentences.size());
    for (const auto& result : body["results"])
      for (const auto& translation : result["translations"])
        served.push_back(translation["model"].get<std::string>() + "\t" +
                         translation["hypotheses"][0]["text"].get<std::string>());
    EXPECT_EQ(served, expected) << "beam " << beam;
  }
  // n-best: the Translator's texts and scores, best first.
  auto run = seq2seq::load_run({runs().dirs[1], "best", "cpu", false});
  seq2seq::decode::TranslatorOptions nbest;
  nbest.beam = 4;
  nbest.nbest = 3;
  seq2seq::decode::Translator translator(run, nbest);
  const auto expected = translator.translate(sentences[0]);
  const auto body = post_json(client, "/api/v1/translate",
                              {{"text", sentences[0]}, {"models", {"bahdanau"}}, {"beam", 4}, {"n_best", 3}});
  const auto& hypotheses = body["results"][0]["translations"][0]["hypotheses"];
  ASSERT_EQ(hypotheses.size(), expected.texts.size());
  for (size_t k = 0; k < expected.texts.size(); ++k) {
    EXPECT_EQ(hypotheses[k]["text"], expected.texts[k]);
    EXPECT_NEAR(hypotheses[k]["score"].get<double>(), expected.scores[k], 1e-9);
  }
  server.stop();
}

TEST(Serve, TranslateAnswerShape) {
  Server server(options_for());
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  const auto body = post_json(client, "/api/v1/translate", {{"text", "der hund sieht den zebra ."}});
  const auto& result = body["results"][0];
  EXPECT_EQ(result["text"], "der hund sieht den zebra .");
  EXPECT_EQ(result["source_tokens"], json({"der", "hund", "sieht", "den", "zebra", "."}));
  EXPECT_EQ(result["unknown"], json({"zebra"}));
  EXPECT_EQ(result["cut_from"], 0);
  ASSERT_EQ(result["translations"].size(), 3u);
  for (const auto& translation : result["translations"]) {
    const std::string model = translation["model"];
    EXPECT_GE(translation["time_ms"].get<double>(), 0.0);
    ASSERT_EQ(translation["hypotheses"].size(), 1u);
    const auto& h = translation["hypotheses"][0];
    EXPECT_TRUE(h["text"].is_string());
    EXPECT_TRUE(h["score"].is_number());
    const auto tokens = h["tokens"].get<std::vector<std::string>>();
    const auto log_probs = h["token_log_probs"].get<std::vector<double>>();
    // (A model this small may stop at once: then the one log-probability is its </s>'s.)
    EXPECT_TRUE(log_probs.size() == tokens.size() || log_probs.size() == tokens.size() + 1) << model;
    EXPECT_FALSE(log_probs.empty()) << model;
    EXPECT_NEAR(h["log_prob"].get<double>(), std::accumulate(log_probs.begin(), log_probs.end(), 0.0), 1e-3) << model;
    for (const double p : log_probs) EXPECT_LE(p, 1e-6) << model;
    EXPECT_TRUE(h["layers"].is_null()) << model;  // only with "attention": "all"
    if (model == "rnn") {
      EXPECT_TRUE(h["attention"].is_null());  // no attention to show
      continue;
    }
    const auto& attention = h["attention"];
    ASSERT_TRUE(attention.is_object()) << model;
    json columns = json::array({"<s>"});
    for (const auto& token : result["source_tokens"]) columns.push_back(token);
    columns.push_back("</s>");
    EXPECT_EQ(attention["columns"], columns) << model;
    const auto rows = attention["rows"].get<std::vector<std::string>>();
    EXPECT_EQ(rows.size(), log_probs.size()) << model;
    ASSERT_EQ(attention["weights"].size(), rows.size()) << model;
    for (const auto& row : attention["weights"]) {
      ASSERT_EQ(row.size(), columns.size()) << model;
      double sum = 0;
      for (const auto& w : row) sum += w.get<double>();
      EXPECT_NEAR(sum, 1.0, 1e-3) << model;
    }
  }
  // "none": no matrices; "all": every layer and head of the Transformer, and only there.
  const auto none = post_json(client, "/api/v1/translate", {{"text", "der hund ."}, {"attention", "none"}});
  for (const auto& translation : none["results"][0]["translations"])
    EXPECT_TRUE(translation["hypotheses"][0]["attention"].is_null());
  const auto all = post_json(client, "/api/v1/translate", {{"text", "der hund ."}, {"attention", "all"}});
  for (const auto& translation : all["results"][0]["translations"]) {
    const auto& h = translation["hypotheses"][0];
    if (translation["model"] != "transformer") {
      EXPECT_TRUE(h["layers"].is_null());
      continue;
    }
    ASSERT_EQ(h["layers"].size(), 2u);
    for (const auto& layer : h["layers"]) {
      ASSERT_EQ(layer.size(), 2u);  // heads
      for (const auto& head : layer) EXPECT_EQ(head["weights"].size(), h["attention"]["rows"].size());
    }
  }
  // An empty sentence: no tokens, no hypotheses.
  const auto empty = post_json(client, "/api/v1/translate", {{"text", "  "}, {"models", {"rnn"}}});
  EXPECT_TRUE(empty["results"][0]["translations"][0]["hypotheses"].empty());
  server.stop();
}

TEST(Serve, LibreTranslate) {
  Server server(options_for());
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  const auto api = post_json(client, "/api/v1/translate", {{"text", "der hund sieht den mann ."}, {"models", {"rnn"}}});
  const auto expected = api["results"][0]["translations"][0]["hypotheses"][0]["text"];

  auto body = post_json(client, "/translate", {{"q", "der hund sieht den mann ."}, {"source", "de"}, {"target", "en"}});
  EXPECT_EQ(body["translatedText"], expected);  // the first run's translation
  EXPECT_EQ(body["alternatives"], json::array());

  auto answer =
      client.Post("/translate", "q=der+hund+sieht+den+mann+.&q=die+katze+.&source=auto&target=en&alternatives=2",
                  "application/x-www-form-urlencoded");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  body = json::parse(answer->body);
  ASSERT_EQ(body["translatedText"].size(), 2u);
  EXPECT_EQ(body["translatedText"][0], expected);
  ASSERT_EQ(body["alternatives"].size(), 2u);
  EXPECT_LE(body["alternatives"][0].size(), 2u);
  EXPECT_EQ(body["detectedLanguage"][0]["language"], "de");

  expect_error(client.Post("/translate", R"({"q": "a", "source": "fr", "target": "en"})", "application/json"), 400);
  expect_error(client.Post("/translate", "q=a", "text/plain"), 415);
  server.stop();
}

TEST(Serve, EveryRefusal) {
  Server server(options_for(1));
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  const auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return client.Post("/api/v1/translate", body, type.c_str());
  };
  EXPECT_EQ(expect_error(post("{\"text\": "), 400)["error_type"], "bad_request");
  expect_error(post(R"({"text": "der hund .", "models": ["gpt"]})"), 400);
  expect_error(post(R"({"text": "der hund ."})", "text/plain"), 415);
  expect_error(post(R"({"text": "der hund .", "beam": 17})"), 422);
  expect_error(post(R"({"text": "der hund .", "n_best": 0})"), 422);
  expect_error(post(R"({"text": "der hund .", "attention": "some"})"), 422);
  // Thirteen words: over the 12 tokens the runs were trained on.
  const auto long_sentence =
      expect_error(post(R"({"text": "der hund sieht den mann und die katze und den kleinen vogel ."})"), 422);
  EXPECT_NE(long_sentence["error"].get<std::string>().find("max_source_tokens"), std::string::npos);
  // Bigger than 64 KiB: refused from its Content-Length, before it is read.
  expect_error(post("{\"text\": \"" + std::string(64 * 1024, 'a') + "\"}"), 413);

  // The one translation slot taken: 503 with Retry-After, and the next request after it is free passes.
  {
    const auto slot = server.try_take_slot();
    ASSERT_TRUE(slot);
    EXPECT_FALSE(server.try_take_slot());
    const auto busy = post(R"({"text": "der hund ."})");
    expect_error(busy, 503);
    EXPECT_EQ(busy->get_header_value("Retry-After"), "1");
    expect_error(client.Post("/translate", R"({"q": "a", "source": "de", "target": "en"})", "application/json"), 503);
    EXPECT_EQ(client.Get("/health")->status, 200);  // what needs no model still answers
  }
  EXPECT_EQ(post(R"({"text": "der hund ."})")->status, 200);

  // DNS rebinding: a page of another site that resolves to 127.0.0.1.
  expect_error(client.Get("/health", {{"Host", "evil.example"}}), 421);
  expect_error(client.Get("/health", {{"Host", "evil.example:8080"}}), 421);
  EXPECT_EQ(client.Get("/health", {{"Host", "localhost:" + std::to_string(server.port())}})->status, 200);
  EXPECT_EQ(client.Get("/health", {{"Host", "[::1]"}})->status, 200);

  // Bodies of unknown length or compressed: refused before a byte of them is read.
  const std::string head = "POST /api/v1/translate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
  EXPECT_EQ(raw_status(server.port(), head + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"te\"\r\n0\r\n\r\n"), 411);
  EXPECT_EQ(raw_status(server.port(), head + "Connection: close\r\n\r\n{}"), 411);
  EXPECT_EQ(raw_status(server.port(), head + "Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}"), 415);
  EXPECT_EQ(raw_status(server.port(), head + "Content-Length: 2\r\n\r\n{}"), 400);  // the same, readable: read
  expect_error(client.Post("/api/v1/translate", {{"Content-Encoding", "gzip"}}, "{}", "application/json"), 415);
  // The server still answers after all that.
  EXPECT_EQ(client.Get("/health")->status, 200);
  server.stop();
}

TEST(Serve, OptionsAreCheckedAtStart) {
  auto options = options_for();
  options.max_concurrent = 0;
  EXPECT_THROW(Server{options}, seq2seq::UsageError);
  options = options_for();
  options.runs.clear();
  EXPECT_THROW(Server{options}, seq2seq::UsageError);
  Server first(options_for());
  options = options_for();
  options.port = first.port();  // taken
  EXPECT_THROW(Server{options}, seq2seq::UsageError);
}
