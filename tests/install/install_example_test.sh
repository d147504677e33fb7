#!/usr/bin/env bash
# Installs lever from the build tree into a temporary prefix, builds examples/train_mlp against the
# installed package with find_package(lever), and runs it.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/include/lever/nn/sequential.h"
test -f "$work/prefix/lib/cmake/lever/leverConfig.cmake" || test -f "$work/prefix/lib/x86_64-linux-gnu/cmake/lever/leverConfig.cmake"
cmake -S "$source_dir/examples/train_mlp" -B "$work/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/example" > "$work/build.log"
"$work/example/train_mlp"
