// Reads aligned line files (plain or gzip, through zlib) and TSV files into ParallelCorpus.
#include "seq2seq/data/corpus.h"

#include "seq2seq/util/errors.h"
#include "seq2seq/util/text_input.h"
#include "seq2seq/util/utf8.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace seq2seq::data {

namespace {

// Whole file through zlib: gzread passes files without a gzip header through unchanged.
std::string read_maybe_gzip(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw std::runtime_error(path +
                             ": file not found (check the path in the config; for Multi30k run "
                             "`seq2seq data fetch multi30k` or scripts/get_data.sh multi30k)");
  if (const std::string problem = input_file_problem(path); !problem.empty())
    throw std::runtime_error(path + ": " + problem);
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + "); check the file permissions");
  gzbuffer(file, 1 << 17);
  std::string content;
  char buffer[1 << 16];
  while (true) {
    const int n = gzread(file, buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      std::string message = gzerror(file, &code);
      gzclose(file);
      throw std::runtime_error(path + ": cannot read (" + message + "); the file may be truncated or not gzip");
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  // A truncated .gz reads as a short file; gzclose reports it (Z_BUF_ERROR).
  const int rc = gzclose(file);
  if (rc != Z_OK)
    throw std::runtime_error(path + ": gzip stream is truncated or corrupt (zlib error " + std::to_string(rc) +
                             "); download or copy the file again");
  return content;
}

}  // namespace

std::vector<std::string> read_lines(const std::string& path) { return split_text_lines(read_maybe_gzip(path), path); }

ParallelCorpus read_corpus(const SplitPaths& paths, const std::string& name) {
  if (paths.src.empty())
    throw std::runtime_error(name + ": no source file given (set data." + name + ".src in the config)");
  ParallelCorpus corpus;
  corpus.name = name;
  corpus.src_path = paths.src;
  if (paths.tgt.empty()) {
    corpus.tgt_path = paths.src;
    std::vector<std::string> lines = read_lines(paths.src);
    corpus.src.reserve(lines.size());
    corpus.tgt.reserve(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      const std::size_t tab = line.find('\t');
      if (tab == std::string::npos)
        throw std::runtime_error(paths.src + ":" + std::to_string(i + 1) +
                                 ": no TAB in this line; a TSV corpus needs \"source<TAB>target\" on every line "
                                 "(or set data." +
                                 name + ".tgt to use two aligned files)");
      const std::size_t end = line.find('\t', tab + 1);
      corpus.src.push_back(line.substr(0, tab));
      corpus.tgt.push_back(line.substr(tab + 1, end == std::string::npos ? std::string::npos : end - tab - 1));
    }
    return corpus;
  }
  corpus.tgt_path = paths.tgt;
  corpus.src = read_lines(paths.src);
  corpus.tgt = read_lines(paths.tgt);
  if (corpus.src.size() != corpus.tgt.size())
    throw std::runtime_error(
        "differing line counts: " + paths.src + " has " + std::to_string(corpus.src.size()) + " lines, " + paths.tgt +
        " has " + std::to_string(corpus.tgt.size()) +
        " lines; the two sides must be line-aligned translations (check that they belong together)");
  return corpus;
}

void require_usable_pairs(const ParallelCorpus& corpus, const std::string& label) {
  const std::string files =
      corpus.tgt_path == corpus.src_path ? corpus.src_path : corpus.src_path + " and " + corpus.tgt_path;
  if (corpus.size() == 0)
    throw std::runtime_error(label + ": " + files +
                             ": empty (0 lines); give it sentence pairs (an empty split trains "
                             "and scores as nothing at all)");
  // What encode_corpus keeps before it looks at lengths: a pair with words on both sides.
  for (std::size_t i = 0; i < corpus.size(); ++i)
    if (!split_whitespace(corpus.src[i]).empty() && !split_whitespace(corpus.tgt[i]).empty()) return;
  throw std::runtime_error(label + ": " + files + ": no usable pair (each of its " + std::to_string(corpus.size()) +
                           " lines is blank on one side at least); check that these are the right files");
}

void check_corpora(const DataConfig& data, const std::string& origin) {
  const std::pair<const char*, const SplitPaths*> splits[] = {
      {"train", &data.train}, {"valid", &data.valid}, {"test", &data.test}};
  for (const auto& [name, paths] : splits) {
    const std::string key = std::string("data.") + name;
    const std::string at = origin.empty() ? "" : origin + ": ";
    if (paths->src.empty()) {
      if (!paths->tgt.empty())
        throw ConfigError(at + key + ".tgt: " + paths->tgt + ": given without " + key +
                          ".src; set both (or .src alone for a TSV file)");
      continue;  // a split the config does not use (load_config requires data.train)
    }
    for (const auto& [side, path] : {std::pair{"src", &paths->src}, std::pair{"tgt", &paths->tgt}}) {
      if (path->empty()) continue;
      const std::string problem = input_file_problem(*path);
      if (!problem.empty())
        throw ConfigError(at + key + "." + side + ": " + *path + ": " + problem +
                          (problem == "no such file" ? " (relative paths start from the current directory)" : ""));
    }
    ParallelCorpus corpus;
    try {
      corpus = read_corpus(*paths, name);
    } catch (const std::exception& e) {
      throw std::runtime_error(at + key + ": " + e.what());
    }
    require_usable_pairs(corpus, at + key);
  }
}

}  // namespace seq2seq::data
