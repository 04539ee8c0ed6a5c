#!/usr/bin/env bash
# Installs every Debian package the project needs (idempotent, non-interactive), then
# configures and builds in Release. Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libgtest-dev zlib1g-dev libedit-dev libgloo-dev libsentencepiece-dev
  python3 python3-torch ca-certificates curl help2man
  libcpp-httplib-dev                          # seq2seq serve (built without it when missing)
  chromium chromium-driver python3-selenium   # the serve page's browser test
  iproute2                                    # ss: the serve load test reads the listen queue's depth
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Without an optimized BLAS behind libblas.so.3, LibTorch runs on the reference BLAS (~30x slower).
if command -v update-alternatives >/dev/null; then
  alt=$(ls /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 2>/dev/null || true)
  [ -n "$alt" ] && update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt" >/dev/null 2>&1 || true
fi

[ "${1:-}" = "--no-build" ] && exit 0
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build "$BUILD_DIR" --parallel "$(nproc)" >&2
