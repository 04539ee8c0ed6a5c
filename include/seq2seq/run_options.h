// Which run directory, which of its weights and which device to load (torch-free, so that the
// command-line files that only name a run compile without LibTorch's headers).
#pragma once
#include <string>

namespace seq2seq {

struct RunOptions {
  std::string dir;
  // best (falls back to the last weights without a best.pt) | last | averaged (train.average_last)
  std::string checkpoint = "best";
  std::string device = "auto";      // auto | cpu | cuda
};

}  // namespace seq2seq
