#!/usr/bin/env bash
# The module graph of the README's Layout section, enforced: no module includes a module above
# it, and the command-line files hold no classes. Reads the sources; needs no binary.
set -euo pipefail
root=$2
cd "$root"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Rank of each module, lowest first: a file may include modules of its own rank or below.
rank() {
  case $1 in
    base | util | system | config) echo 0 ;;  # util/ (files, text, errors, random), system/, config/
    data) echo 1 ;;
    models) echo 2 ;;
    run) echo 3 ;;
    decode) echo 4 ;;
    eval) echo 5 ;;
    report) echo 6 ;;
    train) echo 7 ;;
    session | bench) echo 8 ;;
    serve) echo 9 ;;  # seq2seq serve: above everything it answers with; only apps/ include it
    *) echo "unknown module $1" >&2; exit 2 ;;
  esac
}
module_of() {  # include/seq2seq/<m>/x.h, src/<m>/x.cpp -> m; top-level files (the precompiled headers) -> base
  local rel=${1#include/seq2seq/}; rel=${rel#src/}
  case $rel in
    */*) echo "${rel%%/*}" ;;
    *) echo base ;;
  esac
}

checked=0
while IFS= read -r file; do
  from=$(module_of "$file")
  from_rank=$(rank "$from")
  while IFS= read -r inc; do
    to=$(module_of "include/seq2seq/$inc")
    [ "$(rank "$to")" -le "$from_rank" ] || fail "$file ($from) includes seq2seq/$inc ($to), a module above it"
    checked=$((checked + 1))
  done < <(sed -n 's|^#include "seq2seq/\(.*\)"|\1|p' "$file")
done < <(find include/seq2seq src -name '*.h' -o -name '*.cpp' | sort)
[ "$checked" -gt 100 ] || fail "only $checked includes checked: the source layout changed?"

# No loose files at the top of src/ or include/seq2seq/ but the precompiled headers: every file
# belongs to a module directory.
loose=$(find src include/seq2seq -maxdepth 1 -type f \( -name '*.cpp' -o -name '*.h' \) ! -name 'pch.h' ! -name 'pch_light.h')
[ -z "$loose" ] || fail "files outside a module directory: $loose"

# Thin programs: apps/seq2seq/*.cpp parse arguments and call the library; no classes there.
if grep -nE '^\s*class\s+\w+' apps/seq2seq/*.cpp; then fail "apps/seq2seq holds classes (move them into the library)"; fi
echo "layering: $checked includes checked"
