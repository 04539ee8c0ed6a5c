// Process-wide allocator tuning, applied once at start-up before any tensor work.
#pragma once
#include <nlohmann/json.hpp>

namespace seq2seq {

// glibc malloc by default serves every block above its (dynamic, at most 32 MiB) mmap threshold
// with a fresh mmap and unmaps it on free, so the big temporaries of a training step (30-42 MB
// gradients, Adam temporaries) are page-faulted in anew each step. This raises the mmap
// threshold and the trim threshold so freed blocks stay in the heap for reuse.
// Does nothing when the user set any MALLOC_* tunable in the environment (theirs win) or
// SEQ2SEQ_ALLOCATOR=system. Returns what was applied, for reports: {"applied": bool, ...}.
nlohmann::json configure_allocator();
// What configure_allocator() applies (or applied) in this process, without applying anything.
nlohmann::json allocator_report();

}  // namespace seq2seq
