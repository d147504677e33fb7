#!/usr/bin/env bash
# Installs lever from the build tree into a temporary prefix, builds every example under examples/
# (train_mlp, custom_model_fn) against the installed package with find_package(lever), and runs each.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/include/lever/nn/sequential.h"
test -f "$work/prefix/lib/cmake/lever/leverConfig.cmake" || test -f "$work/prefix/lib/x86_64-linux-gnu/cmake/lever/leverConfig.cmake"
for example in train_mlp custom_model_fn; do
  cmake -S "$source_dir/examples/$example" -B "$work/$example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
  cmake --build "$work/$example" > "$work/build.log"
  "$work/$example/$example"
done
