// What `seq2seq serve` accepts, checked before any model sees it: request bodies (JSON, or the
// form encoding LibreTranslate clients send) parsed into options within the server's limits, or
// an ApiError with the HTTP status and a one-line message. Torch-free and HTTP-library-free, so
// that a fuzz target can drive it (tests/fuzz/fuzz_serve_request.cpp).
#pragma once
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace seq2seq::serve {

// The limits every request is held to (docs/serve.md lists them).
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr int kMaxSentences = 16;
inline constexpr int kMaxBeam = 16;  // also the most hypotheses (n_best) per sentence

// An answer other than 200: status 400 (malformed), 411 (no length), 413 (too big), 415 (media
// type or encoding), 421 (Host), 422 (outside a limit), 503 (busy), ...; `type` is a stable word
// for programs ("bad_request", "limit", ...), `message` one line for people.
struct ApiError {
  int status = 400;
  std::string type;
  std::string message;
};

// {"error": message, "error_type": type}
nlohmann::json error_json(const ApiError& error);

enum class AttentionDetail { none, mean, all };

// POST /api/v1/translate.
struct TranslateRequest {
  std::vector<std::string> texts;   // one sentence each, 1..kMaxSentences
  std::vector<std::string> models;  // run labels, no repeats; empty = every model
  int beam = 0;                     // 0 = each run's decode.beam; else 1..kMaxBeam
  int n_best = 1;                   // 1..kMaxBeam (a narrower beam is widened to it)
  AttentionDetail attention = AttentionDetail::mean;
};

// Body of POST /api/v1/translate, sent with `content_type` (the header's value).
std::variant<TranslateRequest, ApiError> parse_translate_request(std::string_view content_type, std::string_view body);

// POST /translate, LibreTranslate's API: JSON or form fields q, source, target, alternatives, format
// (api_key and other fields LibreTranslate clients send are ignored).
struct LibreRequest {
  std::vector<std::string> texts;  // q
  bool list = false;               // q was a list: the answer's fields are lists too
  bool detect = false;             // source "auto": the answer names the language it assumed
  int alternatives = 0;            // 0..kMaxBeam-1 further translations per sentence
};
std::variant<LibreRequest, ApiError> parse_libre_request(std::string_view content_type, std::string_view body);

// Checks made on the headers, before the body is read. A request that declares
// Transfer-Encoding (chunked: its length is unknown) or sends a body without Content-Length
// gets 411, one with a Content-Encoding 415, one whose Content-Length passes kMaxBodyBytes 413.
struct BodyHeaders {
  bool expects_body = false;  // POST, PUT, PATCH, DELETE
  std::optional<std::string> content_length, transfer_encoding, content_encoding;
};
std::optional<ApiError> check_body_headers(const BodyHeaders& headers);

// Whether the server is bound to a loopback address (127.0.0.0/8, ::1, localhost): then a page of
// another site that a browser resolves to 127.0.0.1 (DNS rebinding) must not reach it, so only
// requests naming the host as localhost, 127.0.0.1 or [::1] (with or without a port) are answered.
bool is_loopback_host(std::string_view bind_host);
bool is_local_host_header(std::string_view host);

// "application/json; charset=utf-8" -> "application/json" (lower case, parameters dropped).
std::string media_type(std::string_view content_type);

}  // namespace seq2seq::serve
