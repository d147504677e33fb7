#pragma once
// The library's version (the CMake project's), for manifests and `lever --version`.
namespace lever {

/// "0.1.0".
const char* Version();

}  // namespace lever
