// Copies or downloads Multi30k and checks every file, like scripts/get_data.sh.
#include "seq2seq/data/fetch.h"

#include "seq2seq/data/corpus.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <utility>
#include <vector>

namespace seq2seq::data {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMulti30kUrl = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/";

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Line count, or -1 when the file is missing or unreadable.
int64_t count_lines(const std::string& path) {
  try {
    return static_cast<int64_t>(read_lines(path).size());
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::string fetch_multi30k(const FetchOptions& options) {
  const std::vector<std::pair<std::string, int64_t>> splits{
      {"train", 29000}, {"val", 1014}, {"test_2016_flickr", 1000}};
  fs::create_directories(options.out);
  int fetched = 0, kept = 0;
  for (const auto& [split, expected] : splits) {
    for (const char* lang : {"de", "en"}) {
      const std::string name = split + "." + lang + ".gz";
      const std::string dest = (fs::path(options.out) / name).string();
      if (count_lines(dest) == expected) {
        ++kept;
        continue;
      }
      const std::string tmp = dest + ".part";
      if (!options.from.empty()) {
        const std::string source = (fs::path(options.from) / name).string();
        if (!fs::exists(source))
          throw std::runtime_error(source +
                                   ": not found; --from must name a folder holding the six Multi30k files "
                                   "{train,val,test_2016_flickr}.{de,en}.gz");
        fs::copy_file(source, tmp, fs::copy_options::overwrite_existing);
        spdlog::info("copied {} -> {}", source, dest);
      } else {
        const std::string url = std::string(kMulti30kUrl) + name;
        const std::string command =
            "curl -fsSL --retry 2 --connect-timeout 20 -o " + shell_quote(tmp) + " " + shell_quote(url);
        spdlog::info("downloading {}", url);
        const int rc = std::system(command.c_str());
        if (rc != 0) {
          std::error_code ignored;
          fs::remove(tmp, ignored);
          throw std::runtime_error("downloading " + url + " failed (curl exit status " + std::to_string(rc) +
                                   "); check the network, or copy the files with --from DIR");
        }
      }
      int64_t lines = -1;
      std::string problem;
      try {
        lines = static_cast<int64_t>(read_lines(tmp).size());
      } catch (const std::exception& e) {
        problem = e.what();
      }
      if (lines != expected) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw std::runtime_error(name + ": " +
                                 (problem.empty()
                                      ? "has " + std::to_string(lines) + " lines, expected " + std::to_string(expected)
                                      : problem) +
                                 "; the source copy is damaged or not Multi30k task 1 raw");
      }
      fs::rename(tmp, dest);
      ++fetched;
    }
  }
  return "multi30k in " + options.out + ": " + std::to_string(fetched) + " file(s) " +
         (options.from.empty() ? "downloaded" : "copied") + ", " + std::to_string(kept) +
         " already present; 29000 / 1014 / 1000 pairs (train / val / test_2016_flickr)";
}

}  // namespace seq2seq::data
