#pragma once
// The playground page's files (web/playground/), built into the binary by cmake/EmbedFiles.cmake: nothing is
// read from disk or fetched at run time.
#include <cstddef>
#include <span>

namespace lever::cli {

struct PlaygroundAsset {
  const char* name;  // "index.html", "app.js", ...
  const char* content_type;
  const unsigned char* data;
  std::size_t size;
};

/// Every file of the page.
std::span<const PlaygroundAsset> PlaygroundAssets();

}  // namespace lever::cli
