// The hand-written name lists in docs/cli.md and README.md against the registries, so a name added to a
// table (or removed) without its docs fails here. Run from the source root (gtest_discover_tests does).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lever/losses/registry.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/optim/registry.h"
#include "lever/optim/schedule.h"

namespace lever {
namespace {

using Names = std::set<std::string>;

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path << " (run from the source root)";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The `backticked` words of the meaning column of every docs table row for `flag`, one set per row;
// "leaky_relu[:alpha]" counts as "leaky_relu".
std::vector<Names> FlagRows(const std::string& path, const std::string& flag) {
  std::vector<Names> rows;
  const std::string start = "| `" + flag + "` |";
  for (const std::string& line : Lines(path)) {
    if (line.rfind(start, 0) != 0) continue;
    const std::string meaning = line.substr(line.find('|', start.size()) + 1);
    Names words;
    const std::regex word("`([a-z_0-9]+)(\\[:alpha\\])?`");
    for (auto it = std::sregex_iterator(meaning.begin(), meaning.end(), word); it != std::sregex_iterator(); ++it) {
      words.insert((*it)[1]);
    }
    rows.push_back(words);
  }
  EXPECT_FALSE(rows.empty()) << path << " has no row for " << flag;
  return rows;
}

// The comma-separated words in the parentheses after `flag` in a README line.
Names ReadmeList(const std::string& flag) {
  for (const std::string& line : Lines("README.md")) {
    const auto at = line.find("`" + flag + "` (");
    if (at == std::string::npos) continue;
    const auto open = line.find('(', at), close = line.find(')', open);
    std::stringstream list(line.substr(open + 1, close - open - 1));
    Names words;
    for (std::string w; std::getline(list, w, ',');) {
      w.erase(0, w.find_first_not_of(' '));
      words.insert(w.substr(0, w.find('[')));
    }
    return words;
  }
  ADD_FAILURE() << "README.md has no list for " << flag;
  return {};
}

Names Set(const std::vector<std::string>& v) { return Names(v.begin(), v.end()); }

TEST(RegistryDocsTest, OptimizersInCliDocsAndReadme) {
  for (const Names& row : FlagRows("docs/cli.md", "--optimizer")) EXPECT_EQ(row, Set(OptimizerNames()));
  EXPECT_EQ(ReadmeList("--optimizer"), Set(OptimizerNames()));
}

TEST(RegistryDocsTest, HiddenActivationsInCliDocsAndReadme) {
  Names hidden;
  for (const std::string& name : ActivationNames()) {
    if (!FindActivation(name).output_only) hidden.insert(name);
  }
  for (const Names& row : FlagRows("docs/cli.md", "--activation")) EXPECT_EQ(row, hidden);
  EXPECT_EQ(ReadmeList("--activation"), hidden);
}

TEST(RegistryDocsTest, InitializersAndSchedulesInCliDocs) {
  for (const Names& row : FlagRows("docs/cli.md", "--initializer")) EXPECT_EQ(row, Set(InitializerNames()));
  for (const Names& row : FlagRows("docs/cli.md", "--lr-schedule")) EXPECT_EQ(row, Set(ScheduleNames()));
}

TEST(RegistryDocsTest, LossesInCliDocsAreNamesOrAliases) {
  // lever train's row names every loss; every word it shows is a loss name or alias (or auto).
  const std::vector<Names> rows = FlagRows("docs/cli.md", "--loss");
  ASSERT_FALSE(rows.empty());
  for (const std::string& name : LossNames()) EXPECT_EQ(rows.front().count(name), 1u) << name;
  for (const Names& row : rows) {
    for (const std::string& word : row) {
      if (word == "auto") continue;
      EXPECT_NO_THROW(CanonicalLossName(word)) << "docs/cli.md --loss shows '" << word << "', which is no loss";
    }
  }
}

}  // namespace
}  // namespace lever
