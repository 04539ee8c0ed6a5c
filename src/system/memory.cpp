// Allocator tuning at start-up: keep freed big blocks in glibc's heap instead of unmapping them.
#include "seq2seq/system/memory.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include <malloc.h>

extern char** environ;

namespace seq2seq {

namespace {

// The settings, as the glibc tunables of the same names would give them.
constexpr int kMmapMax = 0;              // never serve a block with its own mmap
constexpr int kTrimThreshold = 1 << 30;  // return heap top to the kernel only above 1 GiB free

// Why the settings are not applied, or empty when they are.
std::string skip_reason() {
  if (const char* choice = std::getenv("SEQ2SEQ_ALLOCATOR"); choice && std::strcmp(choice, "system") == 0)
    return "SEQ2SEQ_ALLOCATOR=system";
  for (char** entry = environ; entry && *entry; ++entry)
    if (std::strncmp(*entry, "MALLOC_", 7) == 0 || std::strncmp(*entry, "GLIBC_TUNABLES=", 15) == 0 ||
        std::strncmp(*entry, "LD_PRELOAD=", 11) == 0)
      return std::string("environment sets ") + std::string(*entry).substr(0, std::string(*entry).find('='));
  return "";
}

nlohmann::json report(const std::string& reason) {
  if (!reason.empty()) return {{"applied", false}, {"reason", reason}};
  return {{"applied", true}, {"mmap_max", kMmapMax}, {"trim_threshold", kTrimThreshold}};
}

}  // namespace

nlohmann::json configure_allocator() {
  const std::string reason = skip_reason();
  if (reason.empty()) {
    mallopt(M_MMAP_MAX, kMmapMax);
    mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  }
  return report(reason);
}

nlohmann::json allocator_report() { return report(skip_reason()); }

}  // namespace seq2seq
