// Request bodies of `seq2seq serve` checked at the door: every field's type and range, the
// sentences' count and characters, and the headers that would make the body unsafe to read.
#include "seq2seq/serve/request.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/json_text.h"
#include "seq2seq/util/text_input.h"
#include "seq2seq/util/utf8.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace seq2seq::serve {

namespace {

// Messages quote what the client sent: cut short, control characters and ill-formed bytes
// escaped, so that an error is always one line of valid UTF-8.
std::string in_quotes(std::string_view text) { return "\"" + quote_input(text, 40) + "\""; }

ApiError bad_request(const std::string& message) { return {400, "bad_request", message}; }
ApiError over_limit(const std::string& message) { return {422, "limit", message}; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string json_type(const nlohmann::json& value) {
  if (value.is_number_integer()) return "an integer";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  if (value.is_boolean()) return "true or false";
  return "null";
}

// The body as a JSON object, keys unique; an ApiError when it is none.
std::variant<nlohmann::json, ApiError> parse_object(std::string_view body) {
  if (body.size() > kMaxBodyBytes)
    return ApiError{413, "payload_too_large",
                    "the body has " + std::to_string(body.size()) + " bytes, more than the " +
                        std::to_string(kMaxBodyBytes) + " a request may have"};
  nlohmann::json j;
  try {
    j = parse_json_unique_keys(body, "body");
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's message quotes the text it stopped at, which may hold any byte.
    std::string what = e.what();
    if (const auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    return bad_request("malformed JSON: " + quote_input(what, 160));
  } catch (const ConfigError& e) {  // a key given twice: which one would count is a guess
    return bad_request(quote_input(e.what(), 160));
  }
  if (!j.is_object()) return bad_request("the body must be a JSON object, not " + json_type(j));
  return j;
}

// One sentence: text without control characters (a newline would end the sentence inside it).
std::optional<ApiError> check_sentence(const std::string& text, const std::string& field) {
  if (const auto at = find_invalid(text); at != kValid)
    return bad_request(field + ": invalid UTF-8 at byte " + std::to_string(at));
  if (const auto at = find_control_char(text); at != std::string_view::npos) {
    const auto byte = static_cast<unsigned char>(text[at]);
    static const char* kHex = "0123456789ABCDEF";
    return over_limit(field + ": control character U+00" + std::string{kHex[byte >> 4], kHex[byte & 15]} + " at byte " +
                      std::to_string(at) + "; send one sentence per list item, without line breaks");
  }
  return std::nullopt;
}

// The sentences of `value` (a string or a list of strings) into `texts`.
std::optional<ApiError> read_sentences(const nlohmann::json& value, const std::string& field,
                                       std::vector<std::string>& texts, bool& list) {
  list = value.is_array();
  if (value.is_string()) {
    texts.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    if (value.empty()) return over_limit(field + ": the list is empty; give at least one sentence");
    if (value.size() > static_cast<std::size_t>(kMaxSentences))
      return over_limit(field + ": " + std::to_string(value.size()) + " sentences, more than the " +
                        std::to_string(kMaxSentences) + " a request may hold; send them in several requests");
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string())
        return bad_request(field + "[" + std::to_string(i) + "] must be a string, not " + json_type(value[i]));
      texts.push_back(value[i].get<std::string>());
    }
  } else {
    return bad_request(field + " must be a string or a list of strings, not " + json_type(value));
  }
  for (std::size_t i = 0; i < texts.size(); ++i)
    if (auto error = check_sentence(texts[i], list ? field + "[" + std::to_string(i) + "]" : field)) return error;
  return std::nullopt;
}

// An integer field within [low, high]: 400 for another type, 422 outside the range.
std::optional<ApiError> read_int(const nlohmann::json& value, const std::string& field, int low, int high, int& out) {
  if (!value.is_number_integer()) return bad_request(field + " must be an integer, not " + json_type(value));
  const bool in_range = value.is_number_unsigned() ? value.get<uint64_t>() >= static_cast<uint64_t>(std::max(low, 0)) &&
                                                         value.get<uint64_t>() <= static_cast<uint64_t>(high)
                                                   : value.get<int64_t>() >= low && value.get<int64_t>() <= high;
  if (!in_range)
    return over_limit(field + " must be from " + std::to_string(low) + " to " + std::to_string(high) + ", not " +
                      value.dump());
  out = static_cast<int>(value.get<int64_t>());
  return std::nullopt;
}

// application/x-www-form-urlencoded: name=value pairs joined by '&', '+' for a space, %XX for a byte.
std::variant<std::multimap<std::string, std::string>, ApiError> parse_form(std::string_view body) {
  const auto decode = [](std::string_view text, std::string& out) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out += ' ';
      } else if (text[i] == '%') {
        if (i + 2 >= text.size()) return false;
        const auto digit = [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c))
                     ? (std::isdigit(static_cast<unsigned char>(c))
                            ? c - '0'
                            : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10)
                     : -1;
        };
        const int high = digit(text[i + 1]), low = digit(text[i + 2]);
        if (high < 0 || low < 0) return false;
        out += static_cast<char>(high * 16 + low);
        i += 2;
      } else {
        out += text[i];
      }
    }
    return true;
  };
  std::multimap<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('&', start), body.size());
    const std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    std::string name, value;
    if (!decode(pair.substr(0, equals), name) ||
        (equals != std::string_view::npos && !decode(pair.substr(equals + 1), value)))
      return bad_request("malformed form field " + in_quotes(pair) + ": a % must be followed by two hex digits");
    if (find_invalid(name) != kValid) return bad_request("a form field's name is not UTF-8");
    fields.emplace(std::move(name), std::move(value));
  }
  return fields;
}

}  // namespace

nlohmann::json error_json(const ApiError& error) { return {{"error", error.message}, {"error_type", error.type}}; }

std::string media_type(std::string_view content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';'))));
}

std::variant<TranslateRequest, ApiError> parse_translate_request(std::string_view content_type, std::string_view body) {
  if (media_type(content_type) != "application/json")
    return ApiError{415, "unsupported_media_type",
                    "send the body as Content-Type: application/json" +
                        (content_type.empty() ? std::string(" (none was given)") : ", not " + in_quotes(content_type))};
  auto parsed = parse_object(body);
  if (auto* error = std::get_if<ApiError>(&parsed)) return *error;
  const auto& j = std::get<nlohmann::json>(parsed);
  TranslateRequest request;
  static const std::vector<std::string> kFields = {"text", "models", "beam", "n_best", "attention"};
  for (const auto& item : j.items())
    if (std::find(kFields.begin(), kFields.end(), item.key()) == kFields.end())
      return bad_request("unknown field " + in_quotes(item.key()) +
                         " (the fields are text, models, beam, n_best, attention)");
  if (!j.contains("text")) return bad_request("text is missing: give a sentence or a list of sentences");
  bool list = false;
  if (auto error = read_sentences(j["text"], "text", request.texts, list)) return *error;
  if (j.contains("models") && !j["models"].is_null()) {
    const auto& models = j["models"];
    if (!models.is_array()) return bad_request("models must be a list of model names, not " + json_type(models));
    if (models.empty()) return bad_request("models is empty: name at least one model, or leave models out for all");
    for (std::size_t i = 0; i < models.size(); ++i) {
      if (!models[i].is_string())
        return bad_request("models[" + std::to_string(i) + "] must be a string, not " + json_type(models[i]));
      const auto name = models[i].get<std::string>();
      if (std::find(request.models.begin(), request.models.end(), name) != request.models.end())
        return bad_request("models names " + in_quotes(name) + " twice");
      request.models.push_back(name);
    }
  }
  if (j.contains("beam") && !j["beam"].is_null())
    if (auto error = read_int(j["beam"], "beam", 1, kMaxBeam, request.beam)) return *error;
  if (j.contains("n_best") && !j["n_best"].is_null())
    if (auto error = read_int(j["n_best"], "n_best", 1, kMaxBeam, request.n_best)) return *error;
  if (j.contains("attention") && !j["attention"].is_null()) {
    const auto& attention = j["attention"];
    if (!attention.is_string()) return bad_request("attention must be a string, not " + json_type(attention));
    const auto value = attention.get<std::string>();
    if (value == "none")
      request.attention = AttentionDetail::none;
    else if (value == "mean")
      request.attention = AttentionDetail::mean;
    else if (value == "all")
      request.attention = AttentionDetail::all;
    else
      return over_limit("attention must be none, mean or all, not " + in_quotes(value));
  }
  return request;
}

std::variant<LibreRequest, ApiError> parse_libre_request(std::string_view content_type, std::string_view body) {
  // Both encodings become one JSON object; a form field given twice (q=a&q=b) is a list.
  nlohmann::json j;
  const std::string type = media_type(content_type);
  if (type == "application/json") {
    auto parsed = parse_object(body);
    if (auto* error = std::get_if<ApiError>(&parsed)) return *error;
    j = std::get<nlohmann::json>(parsed);
  } else if (type == "application/x-www-form-urlencoded") {
    if (body.size() > kMaxBodyBytes) return ApiError{413, "payload_too_large", "the body is too big"};
    auto parsed = parse_form(body);
    if (auto* error = std::get_if<ApiError>(&parsed)) return *error;
    j = nlohmann::json::object();
    for (const auto& [name, value] : std::get<std::multimap<std::string, std::string>>(parsed)) {
      if (find_invalid(value) != kValid) return bad_request("form field " + in_quotes(name) + " is not UTF-8");
      if (!j.contains(name))
        j[name] = value;
      else if (j[name].is_array())
        j[name].push_back(value);
      else
        j[name] = nlohmann::json::array({j[name], value});
    }
    // Form values are text: alternatives=2 is the number 2.
    if (j.contains("alternatives") && j["alternatives"].is_string()) {
      const std::string text = j["alternatives"].get<std::string>();
      if (!text.empty() && text.size() < 10 && std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
          }))
        j["alternatives"] = std::stoi(text);
    }
  } else {
    return ApiError{
        415, "unsupported_media_type",
        "send the body as application/json or application/x-www-form-urlencoded" +
            (content_type.empty() ? std::string(" (no Content-Type was given)") : ", not " + in_quotes(content_type))};
  }
  LibreRequest request;
  if (!j.contains("q")) return bad_request("q is missing: give the text to translate");
  if (auto error = read_sentences(j["q"], "q", request.texts, request.list)) return *error;
  const auto text_field = [&](const char* name) -> std::optional<std::string> {
    if (!j.contains(name) || !j[name].is_string()) return std::nullopt;
    return j[name].get<std::string>();
  };
  const auto source = text_field("source"), target = text_field("target");
  if (!source || (*source != "de" && *source != "auto"))
    return bad_request("this server translates German to English: give source \"de\" (or \"auto\")" +
                       (source ? ", not " + in_quotes(*source) : std::string()));
  if (!target || *target != "en")
    return bad_request("this server translates German to English: give target \"en\"" +
                       (target ? ", not " + in_quotes(*target) : std::string()));
  request.detect = *source == "auto";
  if (j.contains("alternatives") && !j["alternatives"].is_null())
    if (auto error = read_int(j["alternatives"], "alternatives", 0, kMaxBeam - 1, request.alternatives)) return *error;
  if (const auto format = text_field("format"); j.contains("format") && (!format || *format != "text"))
    return bad_request("format: this server translates plain text only (format \"text\")");
  return request;
}

std::optional<ApiError> check_body_headers(const BodyHeaders& headers) {
  if (headers.transfer_encoding)
    return ApiError{
        411, "length_required",
        "send the body with a Content-Length, not Transfer-Encoding " + in_quotes(*headers.transfer_encoding)};
  if (headers.content_encoding && !headers.content_encoding->empty() && lower(*headers.content_encoding) != "identity")
    return ApiError{415, "unsupported_media_type",
                    "send the body uncompressed, without Content-Encoding " + in_quotes(*headers.content_encoding)};
  if (!headers.expects_body) return std::nullopt;
  if (!headers.content_length) return ApiError{411, "length_required", "send the body with a Content-Length header"};
  const std::string& length = *headers.content_length;
  if (length.empty() || length.size() > 18 ||
      !std::all_of(length.begin(), length.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return bad_request("Content-Length " + in_quotes(length) + " is not a number of bytes");
  if (std::stoull(length) > kMaxBodyBytes)
    return ApiError{
        413, "payload_too_large",
        "the body has " + length + " bytes, more than the " + std::to_string(kMaxBodyBytes) + " a request may have"};
  return std::nullopt;
}

bool is_loopback_host(std::string_view bind_host) {
  const std::string host = lower(bind_host);
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

bool is_local_host_header(std::string_view host_header) {
  std::string host = lower(trim(host_header));
  // The port, when given, must be a number: "localhost:8080", "[::1]:8080".
  std::size_t port_at = std::string::npos;
  if (!host.empty() && host[0] == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) return false;
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return false;
      port_at = close + 1;
    }
  } else {
    port_at = host.find(':');
  }
  if (port_at != std::string::npos) {
    const std::string port = host.substr(port_at + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return false;
    host.resize(port_at);
  }
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

}  // namespace seq2seq::serve
