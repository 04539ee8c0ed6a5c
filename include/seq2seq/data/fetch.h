// Getting public corpora onto disk (the same steps as scripts/get_data.sh).
#pragma once
#include <string>

namespace seq2seq::data {

struct FetchOptions {
  std::string from;                   // folder holding the files already; empty = download with curl
  std::string out = "data/multi30k";  // destination folder
};

// Multi30k task 1 (raw): {train,val,test_2016_flickr}.{de,en}.gz, copied from options.from or
// downloaded from https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/,
// each checked for its line count (29000 / 1014 / 1000) and readable UTF-8 before it is moved
// into place. Files already present with the right counts are kept (idempotent). Returns a
// one-line summary; throws std::runtime_error with a one-line message on failure.
std::string fetch_multi30k(const FetchOptions& options);

}  // namespace seq2seq::data
