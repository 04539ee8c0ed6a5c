// serve's request checks without a server: every field's type and range, the statuses of the
// body headers, the Host check, and LibreTranslate's two encodings.
#include "seq2seq/serve/request.h"

#include <gtest/gtest.h>

#include <string>

using namespace seq2seq::serve;

namespace {

const char* kJson = "application/json";

TranslateRequest accepted(const std::string& body, const std::string& type = kJson) {
  auto parsed = parse_translate_request(type, body);
  if (auto* error = std::get_if<ApiError>(&parsed)) ADD_FAILURE() << body << ": " << error->message;
  return std::holds_alternative<TranslateRequest>(parsed) ? std::get<TranslateRequest>(parsed) : TranslateRequest{};
}

ApiError refused(const std::string& body, const std::string& type = kJson) {
  auto parsed = parse_translate_request(type, body);
  if (std::holds_alternative<TranslateRequest>(parsed)) {
    ADD_FAILURE() << body << " was accepted";
    return {};
  }
  const auto error = std::get<ApiError>(parsed);
  EXPECT_EQ(error.message.find('\n'), std::string::npos) << error.message;
  EXPECT_FALSE(error.type.empty());
  return error;
}

ApiError libre_refused(const std::string& body, const std::string& type = kJson) {
  auto parsed = parse_libre_request(type, body);
  if (std::holds_alternative<LibreRequest>(parsed)) {
    ADD_FAILURE() << body << " was accepted";
    return {};
  }
  return std::get<ApiError>(parsed);
}

}  // namespace

TEST(ServeRequest, DefaultsAndEveryField) {
  const auto plain = accepted(R"({"text": "Ein Hund ."})");
  ASSERT_EQ(plain.texts.size(), 1u);
  EXPECT_EQ(plain.texts[0], "Ein Hund .");
  EXPECT_TRUE(plain.models.empty());
  EXPECT_EQ(plain.beam, 0);
  EXPECT_EQ(plain.n_best, 1);
  EXPECT_EQ(plain.attention, AttentionDetail::mean);

  const auto full =
      accepted(R"({"text": ["a", "b"], "models": ["rnn", "transformer"], "beam": 16, "n_best": 3, "attention": "all"})",
               "Application/JSON; charset=utf-8");
  EXPECT_EQ(full.texts, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(full.models, (std::vector<std::string>{"rnn", "transformer"}));
  EXPECT_EQ(full.beam, 16);
  EXPECT_EQ(full.n_best, 3);
  EXPECT_EQ(full.attention, AttentionDetail::all);
  EXPECT_EQ(accepted(R"({"text": "x", "attention": "none", "beam": null})").attention, AttentionDetail::none);
}

TEST(ServeRequest, MalformedIs400AndOutOfRangeIs422) {
  EXPECT_EQ(refused("{\"text\": ").status, 400);
  EXPECT_EQ(refused("[1, 2]").status, 400);
  EXPECT_EQ(refused(R"({"text": "a", "text": "b"})").status, 400);  // which one counts would be a guess
  EXPECT_EQ(refused(R"({"txt": "a"})").status, 400);
  EXPECT_EQ(refused(R"({"beam": 2})").status, 400);
  EXPECT_EQ(refused(R"({"text": 5})").status, 400);
  EXPECT_EQ(refused(R"({"text": ["a", 5]})").status, 400);
  EXPECT_EQ(refused(R"({"text": "a", "beam": "5"})").status, 400);
  EXPECT_EQ(refused(R"({"text": "a", "beam": 2.5})").status, 400);
  EXPECT_EQ(refused(R"({"text": "a", "models": "rnn"})").status, 400);
  EXPECT_EQ(refused(R"({"text": "a", "models": []})").status, 400);
  EXPECT_EQ(refused(R"({"text": "a", "models": ["rnn", "rnn"]})").status, 400);
  // Invalid UTF-8 inside a JSON string: nlohmann refuses it, and the message stays one line.
  EXPECT_EQ(refused("{\"text\": \"\xff\n\"}").status, 400);

  for (const char* body : {R"({"text": "a", "beam": 0})", R"({"text": "a", "beam": 17})",
                           R"({"text": "a", "beam": -1})", R"({"text": "a", "beam": 18446744073709551615})",
                           R"({"text": "a", "n_best": 0})", R"({"text": "a", "n_best": 17})",
                           R"({"text": "a", "attention": "some"})", R"({"text": []})", R"({"text": "a\nb"})"}) {
    const auto error = refused(body);
    EXPECT_EQ(error.status, 422) << body << ": " << error.message;
    EXPECT_EQ(error.type, "limit");
  }
  std::string seventeen = R"({"text": [)";
  for (int i = 0; i < 17; ++i) seventeen += std::string(i ? "," : "") + "\"s\"";
  EXPECT_EQ(refused(seventeen + "]}").status, 422);
  EXPECT_NE(refused(seventeen + "]}").message.find("16"), std::string::npos);
}

TEST(ServeRequest, ContentTypeAndSize) {
  EXPECT_EQ(refused(R"({"text": "a"})", "text/plain").status, 415);
  EXPECT_EQ(refused(R"({"text": "a"})", "").status, 415);
  EXPECT_EQ(refused(R"({"text": "a"})", "application/x-www-form-urlencoded").status, 415);
  EXPECT_EQ(refused(std::string(kMaxBodyBytes + 1, ' ')).status, 413);
}

TEST(ServeRequest, LibreTranslateJsonAndForm) {
  auto parsed = parse_libre_request(kJson, R"({"q": "Ein Hund .", "source": "de", "target": "en", "api_key": ""})");
  ASSERT_TRUE(std::holds_alternative<LibreRequest>(parsed));
  EXPECT_FALSE(std::get<LibreRequest>(parsed).list);
  EXPECT_EQ(std::get<LibreRequest>(parsed).alternatives, 0);

  parsed = parse_libre_request("application/x-www-form-urlencoded",
                               "q=Ein+M%C3%A4dchen+.&q=b&source=auto&target=en&alternatives=2&format=text");
  ASSERT_TRUE(std::holds_alternative<LibreRequest>(parsed)) << std::get<ApiError>(parsed).message;
  const auto& form = std::get<LibreRequest>(parsed);
  EXPECT_EQ(form.texts, (std::vector<std::string>{"Ein Mädchen .", "b"}));
  EXPECT_TRUE(form.list);
  EXPECT_TRUE(form.detect);
  EXPECT_EQ(form.alternatives, 2);

  EXPECT_EQ(libre_refused(R"({"q": "a", "source": "fr", "target": "en"})").status, 400);
  EXPECT_EQ(libre_refused(R"({"q": "a", "source": "de", "target": "de"})").status, 400);
  EXPECT_EQ(libre_refused(R"({"q": "a", "source": "de"})").status, 400);
  EXPECT_EQ(libre_refused(R"({"source": "de", "target": "en"})").status, 400);
  EXPECT_EQ(libre_refused(R"({"q": "a", "source": "de", "target": "en", "format": "html"})").status, 400);
  EXPECT_EQ(libre_refused(R"({"q": "a", "source": "de", "target": "en", "alternatives": 16})").status, 422);
  EXPECT_EQ(libre_refused("q=%G1&source=de&target=en", "application/x-www-form-urlencoded").status, 400);
  EXPECT_EQ(libre_refused("q=%FF&source=de&target=en", "application/x-www-form-urlencoded").status, 400);
  EXPECT_EQ(libre_refused("q=a%0Ab&source=de&target=en", "application/x-www-form-urlencoded").status, 422);
  EXPECT_EQ(libre_refused("q=a", "multipart/form-data; boundary=x").status, 415);
}

TEST(ServeRequest, BodyHeadersAreCheckedBeforeTheBody) {
  BodyHeaders post;
  post.expects_body = true;
  post.content_length = "12";
  EXPECT_FALSE(check_body_headers(post));
  auto chunked = post;
  chunked.content_length.reset();
  chunked.transfer_encoding = "chunked";
  EXPECT_EQ(check_body_headers(chunked)->status, 411);
  auto unknown_length = post;
  unknown_length.content_length.reset();
  EXPECT_EQ(check_body_headers(unknown_length)->status, 411);
  auto gzip = post;
  gzip.content_encoding = "gzip";
  EXPECT_EQ(check_body_headers(gzip)->status, 415);
  auto big = post;
  big.content_length = std::to_string(kMaxBodyBytes + 1);
  EXPECT_EQ(check_body_headers(big)->status, 413);
  big.content_length = "99999999999999999999999";
  EXPECT_EQ(check_body_headers(big)->status, 400);
  big.content_length = std::to_string(kMaxBodyBytes);
  EXPECT_FALSE(check_body_headers(big));
  BodyHeaders get;
  EXPECT_FALSE(check_body_headers(get));
  get.transfer_encoding = "chunked";
  EXPECT_EQ(check_body_headers(get)->status, 411);
}

TEST(ServeRequest, HostHeaderOnLoopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("192.168.1.5"));
  for (const char* host : {"localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:8080"})
    EXPECT_TRUE(is_local_host_header(host)) << host;
  for (const char* host : {"", "evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1:x",
                           "127.0.0.1:", "[::1", "[::1]x", "::1", "localhost:123456"})
    EXPECT_FALSE(is_local_host_header(host)) << host;
}
