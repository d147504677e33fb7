// Writes into model and job directories: never through a symbolic link (a link there is refused, its
// target untouched), temporary files created exclusively, outputs the user names written whole or not at
// all and never over an input, and the temporaries of killed processes removed (only those).
#include "lever/io/atomic_file.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "lever/error.h"
#include "lever/io/text_file.h"
#include "testing/files.h"

namespace lever {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ErrorOf;

using testing::TempDir;

// A pid no process has now: a child's, after it exited and was reaped.
pid_t DeadPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

ino_t Inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_ino;
}

TEST(AtomicFileTest, WritesAndReplacesAFile) {
  TempDir dir;
  const std::string path = dir.path + "/result.json";
  WriteFileAtomically(path, "one\n");
  WriteFileAtomically(path, "two\n");
  EXPECT_EQ(ReadTextFile(path, "result"), "two\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1) << "no temporary left";
}

TEST(AtomicFileTest, ASymbolicLinkAtThePathIsRefusedAndItsTargetKept) {
  TempDir dir;
  const std::string outside = testing::WriteFile("outside.txt", "keep me\n");
  fs::create_symlink(outside, dir.path + "/result.json");
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { WriteFileAtomically(dir.path + "/result.json", "new\n"); }),
                       "'" + dir.path + "/result.json': it is a symbolic link"));
  EXPECT_EQ(ReadTextFile(outside, "outside"), "keep me\n");
  EXPECT_TRUE(fs::is_symlink(dir.path + "/result.json"));
}

TEST(AtomicFileTest, ALinkPlantedAtTheTemporaryNameIsNotFollowed) {
  TempDir dir;
  const std::string outside = testing::WriteFile("outside.txt", "keep me\n");
  const std::string path = dir.path + "/ckpt-1.json";
  fs::create_symlink(outside, path + ".tmp." + std::to_string(getpid()));
  WriteFileAtomically(path, "record\n");
  EXPECT_EQ(ReadTextFile(path, "record"), "record\n");
  EXPECT_EQ(ReadTextFile(outside, "outside"), "keep me\n");
}

TEST(AtomicFileTest, AppendingThroughASymbolicLinkIsRefused) {
  TempDir dir;
  const std::string outside = testing::WriteFile("outside.txt", "keep me\n");
  fs::create_symlink(outside, dir.path + "/eval.jsonl");
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { AppendToFile(dir.path + "/eval.jsonl", "{}\n"); }), "symbolic link"));
  EXPECT_EQ(ReadTextFile(outside, "outside"), "keep me\n");
  AppendToFile(dir.path + "/log", "a\n");
  AppendToFile(dir.path + "/log", "b\n");
  EXPECT_EQ(ReadTextFile(dir.path + "/log", "log"), "a\nb\n");
}

TEST(AtomicFileTest, AnOutputFileIsReplacedByRenameAndAUsersLinkIsFollowed) {
  TempDir dir;
  const std::string path = dir.path + "/p.csv";
  WriteOutputFile(path, "old\n");
  const ino_t before = Inode(path);
  WriteOutputFile(path, "new\n");
  EXPECT_EQ(ReadTextFile(path, "output"), "new\n");
  EXPECT_NE(Inode(path), before) << "written under another name and renamed, not truncated in place";
  fs::create_symlink(path, dir.path + "/link.csv");
  WriteOutputFile(dir.path + "/link.csv", "through the link\n");
  EXPECT_TRUE(fs::is_symlink(dir.path + "/link.csv"));
  EXPECT_EQ(ReadTextFile(path, "output"), "through the link\n");
  WriteOutputFile("/dev/null", "a device is written in place\n");
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { WriteOutputFile(dir.path, "x"); }), "it is a directory"));
}

TEST(AtomicFileTest, AnOutputThatIsAnInputIsRefused) {
  TempDir dir;
  const std::string input = dir.path + "/p.csv";
  std::ofstream(input) << "a,b\n1,2\n";
  fs::create_hard_link(input, dir.path + "/same.csv");
  fs::create_symlink(input, dir.path + "/link.csv");
  for (const std::string& output : {input, dir.path + "/./p.csv", dir.path + "/same.csv", dir.path + "/link.csv"}) {
    EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] {
                           CheckOutputIsNotAnInput(output, "--output", {"", input});
                         }),
                         "--output " + output + " is the input file " + input))
        << output;
  }
  CheckOutputIsNotAnInput(dir.path + "/other.csv", "--output", {input});
  CheckOutputIsNotAnInput("", "--output", {input});
  EXPECT_EQ(ReadTextFile(input, "input"), "a,b\n1,2\n");
}

TEST(AtomicFileTest, StaleTemporariesOfDeadProcessesAreRemovedOnlyThose) {
  TempDir dir;
  const std::string dead = std::to_string(DeadPid()), live = std::to_string(getpid());
  for (const std::string& name :
       std::vector<std::string>{"ckpt-5.json.tmp." + dead, "checkpoint.tmp." + dead, "checkpoint.tmp." + live,
                                "user.tmp.notapid", "result.json"}) {
    std::ofstream(dir.path + "/" + name) << "x";
  }
  for (const std::string& name : std::vector<std::string>{".7.tmp-" + dead, ".8.tmp-" + live, "9"}) {
    fs::create_directories(dir.path + "/" + name + "/variables");
  }
  EXPECT_EQ(RemoveStaleTemporaries(dir.path, StaleTemporaries::kDirectoriesOnly), 1);
  EXPECT_FALSE(fs::exists(dir.path + "/.7.tmp-" + dead));
  EXPECT_TRUE(fs::exists(dir.path + "/checkpoint.tmp." + dead)) << "files stay with kDirectoriesOnly";
  EXPECT_EQ(RemoveStaleTemporaries(dir.path), 2);
  std::set<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir.path)) left.insert(entry.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{"checkpoint.tmp." + live, "user.tmp.notapid", "result.json", ".8.tmp-" + live,
                                         "9"}));
}

}  // namespace
}  // namespace lever
