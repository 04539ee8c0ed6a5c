#!/usr/bin/env bash
# Gets a public corpus into data/: `scripts/get_data.sh multi30k [--from DIR] [--out DIR]`.
# Multi30k task 1 raw: {train,val,test_2016_flickr}.{de,en}.gz, copied from DIR or downloaded
# from the dataset's GitHub home, each checked for its line count (29000 / 1014 / 1000).
# Idempotent: files already present with the right counts are kept. `seq2seq data fetch
# multi30k` does the same (src/data/fetch.cpp); keep the two in step.
set -euo pipefail

usage() {
  echo "usage: scripts/get_data.sh multi30k [--from DIR] [--out DIR]" >&2
  echo "  --from DIR  copy the six .gz files from DIR instead of downloading them" >&2
  echo "  --out DIR   destination (default: data/multi30k in the repository)" >&2
  exit 2
}
die() { echo "error: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-}
[ "$corpus" = "-h" ] || [ "$corpus" = "--help" ] && usage
[ "$corpus" = "multi30k" ] || { [ -n "$corpus" ] && echo "error: unknown corpus '$corpus' (known: multi30k)" >&2; usage; }
shift
from="" out="$root/data/multi30k"
while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || usage; from=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    *) echo "error: unknown argument '$1'" >&2; usage ;;
  esac
done

url=https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw
declare -A expected=([train]=29000 [val]=1014 [test_2016_flickr]=1000)

# Lines of a gzip file, or -1 when it is missing or not valid gzip.
count_lines() {
  local n
  n=$(gzip -cd -- "$1" 2>/dev/null | wc -l) && gzip -t -- "$1" 2>/dev/null && echo "$n" || echo -1
}

mkdir -p "$out" || die "cannot create $out"
fetched=0 kept=0
for split in train val test_2016_flickr; do
  for lang in de en; do
    name=$split.$lang.gz dest=$out/$split.$lang.gz want=${expected[$split]}
    if [ "$(count_lines "$dest")" = "$want" ]; then
      kept=$((kept + 1))
      continue
    fi
    tmp=$dest.part
    if [ -n "$from" ]; then
      [ -f "$from/$name" ] || die "$from/$name: not found; --from must name a folder holding the six Multi30k files {train,val,test_2016_flickr}.{de,en}.gz"
      cp -- "$from/$name" "$tmp" || die "cannot copy $from/$name to $tmp"
      echo "copied $from/$name -> $dest" >&2
    else
      command -v curl >/dev/null || die "curl is not installed (apt-get install curl), or copy the files with --from DIR"
      echo "downloading $url/$name" >&2
      if ! curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp" "$url/$name"; then
        rm -f -- "$tmp"
        die "downloading $url/$name failed; check the network, or copy the files with --from DIR"
      fi
    fi
    got=$(count_lines "$tmp")
    if [ "$got" != "$want" ]; then
      rm -f -- "$tmp"
      die "$name: has $got lines, expected $want (-1: not a readable gzip file); the source copy is damaged or not Multi30k task 1 raw"
    fi
    mv -f -- "$tmp" "$dest"
    fetched=$((fetched + 1))
  done
done
how=downloaded; [ -n "$from" ] && how=copied
echo "multi30k in $out: $fetched file(s) $how, $kept already present; 29000 / 1014 / 1000 pairs (train / val / test_2016_flickr)"
