#include "lever/io/text_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

TEST(TextFileTest, ReadsAFileAndNamesWhatItCannotRead) {
  EXPECT_EQ(ReadTextFile(testing::WriteFile("a.yaml", "a: 1\n"), "run config"), "a: 1\n");
  EXPECT_EQ(DirectoryOf("runs/a.yaml"), "runs");
  EXPECT_EQ(DirectoryOf("a.yaml"), ".");
  const std::string missing = testing::TempPath("missing.yaml");
  EXPECT_EQ(testing::ErrorOf<IoError>([&] { ReadTextFile(missing, "run config"); }),
            "IoError: cannot open run config '" + missing + "': No such file or directory; check the path");
  // A directory (--config runs/) once read as an empty config: "data.train: required".
  const std::string directory = testing::TempPath("dir");
  std::filesystem::create_directory(directory);
  EXPECT_EQ(testing::ErrorOf<IoError>([&] { ReadTextFile(directory, "run config"); }),
            "IoError: '" + directory + "' is a directory, not a run config; give the file itself");
  std::filesystem::remove(directory);
}

}  // namespace
}  // namespace lever
