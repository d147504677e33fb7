#pragma once
// Files for tests: fresh paths in the test temporary directory (unique per process and test), writers
// for plain and gzip files, and the checks that read errors. Every file made through TempPath is removed
// when the test program ends.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace lever::testing {

inline std::vector<std::string>& FilesToRemove() {
  static std::vector<std::string> files;
  return files;
}

class RemoveTempFiles : public ::testing::Environment {
 public:
  void TearDown() override {
    // remove_all: a path a test made into a directory (a model dir, a run dir) goes with what it holds.
    for (const std::string& path : FilesToRemove()) {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  }
};
inline const bool kRemoveTempFilesRegistered = (::testing::AddGlobalTestEnvironment(new RemoveTempFiles), true);

/// A fresh path in the test's temporary directory, unique per process and test; removed at the end.
inline std::string TempPath(const std::string& name) {
  const std::string path = ::testing::TempDir() + "lever_" + std::to_string(getpid()) + "_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + name;
  FilesToRemove().push_back(path);
  return path;
}

/// A directory made in the test's temporary directory and removed with what it holds at the end.
struct TempDir {
  TempDir() : path(TempPath("dir")) { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

inline std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

inline std::string WriteGzip(const std::string& name, const std::string& content) {
  const std::string path = TempPath(name);
  gzFile file = gzopen(path.c_str(), "wb6");
  EXPECT_NE(file, nullptr);
  EXPECT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
  gzclose(file);
  return path;
}

/// The message of the E that `action` throws (a test failure when it throws none).
template <typename E, typename F>
std::string ErrorOf(F&& action) {
  try {
    action();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\"\n  does not contain \"" << part << "\"";
}

/// How many times `what` occurs in `text` (overlapping occurrences included).
inline size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace lever::testing
