#include "lever/io/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lever/error.h"

namespace lever {

std::string ReadTextFile(const std::string& path, const std::string& what) {
  // A directory opens as a stream that reads nothing: an empty config, "required" errors about its keys.
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw IoError("'" + path + "' is a directory, not a " + what + "; give the file itself");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw IoError("cannot open " + what + " '" + path + "': " + (errno != 0 ? std::strerror(errno) : "unknown error") +
                  "; check the path");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IoError("error reading " + what + " '" + path + "': " + std::strerror(errno));
  return text.str();
}

std::string DirectoryOf(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace lever
