#!/usr/bin/env bash
# Installs lever from the build tree into a temporary prefix, builds every example under examples/
# (train_mlp, custom_model_fn) against the installed package with find_package(lever), and runs each. The
# package exports no instruction-set flag (a program built against it on one machine must run on another).
#
#   install_example_test.sh BUILD_DIR SOURCE_DIR CXX_COMPILER [SANITIZE_LIST]
set -euo pipefail
build_dir=$1
source_dir=$2
compiler=$3
sanitize=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/include/lever/nn/sequential.h"
test -f "$work/prefix/lib/cmake/lever/leverConfig.cmake" || test -f "$work/prefix/lib/x86_64-linux-gnu/cmake/lever/leverConfig.cmake"
targets=$(find "$work/prefix" -name 'leverTargets*.cmake')
[ -n "$targets" ] || { echo "no leverTargets.cmake installed"; exit 1; }
if grep -n -e '-march' -e '-mtune' -e '-mavx' $targets; then
  echo "FAIL: the installed package exports instruction-set flags (above)"
  exit 1
fi
grep -q 'EIGEN_MAX_ALIGN_BYTES=64' $targets || { echo "FAIL: the package does not fix Eigen's alignment"; exit 1; }
# A sanitized lever needs the sanitizer runtime in the program too.
flags=(-DCMAKE_CXX_COMPILER="$compiler")
if [ -n "$sanitize" ]; then
  flags+=(-DCMAKE_CXX_FLAGS="-fsanitize=$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize")
fi
for example in train_mlp custom_model_fn; do
  cmake -S "$source_dir/examples/$example" -B "$work/$example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$work/prefix" "${flags[@]}" > "$work/configure.log"
  cmake --build "$work/$example" > "$work/build.log"
  "$work/$example/$example"
done
