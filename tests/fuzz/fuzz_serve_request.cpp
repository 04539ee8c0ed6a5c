// Fuzz target: what `seq2seq serve` is sent. The first line is the Content-Type, the rest the body,
// given to both parsers (/api/v1/translate and LibreTranslate's /translate). Never a crash or an
// exception; an error has a status the server may answer with and a one-line message; an accepted
// request lies within every limit.
#include "fuzz_common.h"

#include "seq2seq/serve/request.h"
#include "seq2seq/util/utf8.h"

#include <algorithm>

namespace {

using namespace seq2seq;

void check_error(const serve::ApiError& error) {
  fuzz::check(error.status == 400 || error.status == 413 || error.status == 415 || error.status == 422,
              "an error is 400, 413, 415 or 422");
  fuzz::check(!error.message.empty() && error.message.find('\n') == std::string::npos, "a message is one line");
  fuzz::check(find_invalid(error.message) == kValid, "a message is UTF-8");
  fuzz::check(!error.type.empty(), "an error has a type");
  serve::error_json(error).dump();  // what the server sends: must not throw
}

void check_sentences(const std::vector<std::string>& texts) {
  fuzz::check(!texts.empty() && texts.size() <= static_cast<std::size_t>(serve::kMaxSentences), "1..16 sentences");
  for (const auto& text : texts) {
    fuzz::check(find_invalid(text) == kValid, "a sentence is UTF-8");
    fuzz::check(std::none_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; }),
                "a sentence has no control characters");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  const std::size_t newline = input.find('\n');
  const std::string_view content_type = newline == std::string_view::npos ? input : input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  auto translate = serve::parse_translate_request(content_type, body);
  if (auto* error = std::get_if<serve::ApiError>(&translate)) {
    check_error(*error);
  } else {
    const auto& request = std::get<serve::TranslateRequest>(translate);
    check_sentences(request.texts);
    fuzz::check(request.beam == 0 || (request.beam >= 1 && request.beam <= serve::kMaxBeam), "beam 0 or 1..16");
    fuzz::check(request.n_best >= 1 && request.n_best <= serve::kMaxBeam, "n_best 1..16");
    for (std::size_t i = 0; i < request.models.size(); ++i)
      fuzz::check(std::count(request.models.begin(), request.models.end(), request.models[i]) == 1, "no model twice");
  }
  auto libre = serve::parse_libre_request(content_type, body);
  if (auto* error = std::get_if<serve::ApiError>(&libre)) {
    check_error(*error);
  } else {
    const auto& request = std::get<serve::LibreRequest>(libre);
    check_sentences(request.texts);
    fuzz::check(request.list || request.texts.size() == 1, "a single q is one sentence");
    fuzz::check(request.alternatives >= 0 && request.alternatives < serve::kMaxBeam, "alternatives 0..15");
  }
  // The header checks and the Host check on the same bytes.
  serve::BodyHeaders headers;
  headers.expects_body = size % 2 == 0;
  headers.content_length = std::string(content_type);
  if (auto error = serve::check_body_headers(headers))
    fuzz::check(error->status == 400 || error->status == 411 || error->status == 413 || error->status == 415,
                "a header refusal is 400, 411, 413 or 415");
  serve::is_local_host_header(content_type);
  return 0;
}
