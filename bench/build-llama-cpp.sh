#!/usr/bin/env bash
# Builds native llama.cpp's llama-bench (CPU only, this machine's gcc, -DGGML_NATIVE=ON)
# OUTSIDE the repository, for bench/llm-speed.bench.mjs to compare wllama against.
# llama.cpp's code is never copied into Grounded.
#
# Source, first that applies:
#   LLAMA_CPP_SRC=/path/to/llama.cpp        a checked-out tree (e.g. `git --git-dir=<bare> archive HEAD | tar x`)
#   otherwise the llama-cpp-python source package, fetched with pip (the Python registry's
#   ordinary client); it vendors a complete llama.cpp tree under vendor/llama.cpp.
#
# Output: $LLAMA_CPP_HOME/build/bin/llama-bench (default LLAMA_CPP_HOME=~/.cache/grounded/llama.cpp).
# Takes several minutes on 2 cores. Usage: bash bench/build-llama-cpp.sh
set -euo pipefail

home="${LLAMA_CPP_HOME:-$HOME/.cache/grounded/llama.cpp}"
jobs="${JOBS:-$(nproc)}"
mkdir -p "$home"

src="${LLAMA_CPP_SRC:-}"
if [ -z "$src" ]; then
  version="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
  src="$home/llama_cpp_python-$version/vendor/llama.cpp"
  if [ ! -f "$src/CMakeLists.txt" ]; then
    echo "Fetching llama-cpp-python $version (source package) for its vendored llama.cpp…"
    python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$home" "llama-cpp-python==$version"
    tar -xzf "$home/llama_cpp_python-$version.tar.gz" -C "$home"
  fi
fi
if [ ! -f "$src/CMakeLists.txt" ]; then
  echo "No llama.cpp source tree at $src (set LLAMA_CPP_SRC to one)." >&2
  exit 1
fi

echo "Building llama-bench from $src into $home/build ($jobs jobs)…"
cmake -S "$src" -B "$home/build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=ON \
  -DGGML_CCACHE=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_APP=OFF \
  -DBUILD_SHARED_LIBS=OFF
cmake --build "$home/build" --target llama-bench -j "$jobs"
echo "$src" >"$home/build/SOURCE"
"$home/build/bin/llama-bench" --version || true
echo "Built $home/build/bin/llama-bench"
