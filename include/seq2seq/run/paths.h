// The paths of a run directory's files (DESIGN.md, "The run directory").
#pragma once
#include <string>

namespace seq2seq {

// Every file of a run directory (DESIGN.md, "The run directory").
struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string src_vocab() const { return dir + "/vocab.src.json"; }
  std::string tgt_vocab() const { return dir + "/vocab.tgt.json"; }
  std::string last() const { return dir + "/model.pt"; }
  std::string best() const { return dir + "/best.pt"; }
  std::string averaged() const { return dir + "/averaged.pt"; }
  std::string optimizer() const { return dir + "/optimizer.pt"; }
  std::string state() const { return dir + "/state.json"; }
  std::string metrics() const { return dir + "/metrics.jsonl"; }
  std::string log() const { return dir + "/train.log"; }
  std::string eval_dir() const { return dir + "/eval"; }
  std::string file(const std::string& name) const { return dir + "/" + name; }
  // A checkpoint file written but not yet committed: state.json names its checksum first,
  // then it is renamed over `name`.
  std::string staged(const std::string& name) const { return file(name) + ".next"; }
};

}  // namespace seq2seq
