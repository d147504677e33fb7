#include "io/yaml_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lever/error.h"

namespace lever::internal {
namespace {

// The message of the ConfigError `read` throws, or "(no error)".
template <class Read>
std::string ErrorOf(Read read) {
  try {
    read();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(YamlReaderTest, TypedReads) {
  const YamlValue root = ParseYaml(
      "name: adam\n"
      "rate: 0.5\n"
      "steps: 12\n"
      "on: true\n"
      "names: [a, b]\n"
      "sizes: [1, 2.5]\n"
      "nothing:\n",
      "c.yaml");
  EXPECT_EQ(root["name"].Text(), "adam");
  EXPECT_DOUBLE_EQ(root["rate"].Number(), 0.5);
  EXPECT_EQ(root["steps"].Integer(1, 100), 12);
  EXPECT_TRUE(root["on"].Bool());
  EXPECT_EQ(root["names"].TextList(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(root["sizes"].NumberList(), (std::vector<double>{1, 2.5}));
  EXPECT_EQ(root["steps"].As<int>("a whole number"), 12);
  // Optional reads: the fallback for a missing or null value, the value otherwise.
  EXPECT_EQ(root["missing"].TextOr("sgd"), "sgd");
  EXPECT_EQ(root["nothing"].IntegerOr(7), 7);
  EXPECT_DOUBLE_EQ(root["rate"].NumberOr(1.0), 0.5);
  EXPECT_FALSE(root["missing"].BoolOr(false));
  EXPECT_FALSE(root["missing"].IsDefined());
  EXPECT_TRUE(root["nothing"].IsDefined());
  EXPECT_FALSE(root["nothing"].IsSet());
}

TEST(YamlReaderTest, WrongTypeNamesFileLinePathFoundAndExpected) {
  const YamlValue root = ParseYaml("a: 1\ntrain:\n  max_steps: many\n  rate: [1]\n  flag: perhaps\n", "run.yaml");
  EXPECT_EQ(ErrorOf([&] { root["train"]["max_steps"].Integer(0, 10, "a whole number of steps"); }),
            "ConfigError: run.yaml:3: train.max_steps: expected a whole number of steps, got 'many'");
  EXPECT_EQ(ErrorOf([&] { root["train"]["rate"].Number(); }),
            "ConfigError: run.yaml:4: train.rate: expected a number, got a list");
  EXPECT_EQ(ErrorOf([&] { root["train"]["flag"].Bool(); }),
            "ConfigError: run.yaml:5: train.flag: expected true or false, got 'perhaps'");
  EXPECT_EQ(ErrorOf([&] { root["train"].Text(); }), "ConfigError: run.yaml:3: train: expected a text, got a map");
  EXPECT_EQ(ErrorOf([&] { root["a"].Integer(2); }), "ConfigError: run.yaml:1: a: must be at least 2, got 1");
  EXPECT_EQ(ErrorOf([&] { root["a"].Integer(-5, 0); }), "ConfigError: run.yaml:1: a: must be at most 0, got 1");
  EXPECT_EQ(ErrorOf([&] { ParseYaml("x: .nan\n", "c.yaml")["x"].FiniteNumber(); }),
            "ConfigError: c.yaml:1: x: expected a finite number, got '.nan'");
}

TEST(YamlReaderTest, MissingValuesPointAtTheirMap) {
  const YamlValue root = ParseYaml("a: 1\nrun:\n  seed: 1\n  dir:\n  other: 2\n", "run.yaml");
  // A missing key inside a map: the map's line; a missing section: no line.
  EXPECT_EQ(ErrorOf([&] { root["run"]["model_dir"].Text(); }),
            "ConfigError: run.yaml:3: run.model_dir: expected a text, got nothing");
  EXPECT_EQ(ErrorOf([&] { root["data"]["train"].Fail("required"); }), "ConfigError: run.yaml: data.train: required");
  // A null value: its key's line, not the next line where yaml-cpp marks it.
  EXPECT_EQ(ErrorOf([&] { root["run"]["dir"].Text(); }),
            "ConfigError: run.yaml:4: run.dir: expected a text, got nothing (null)");
}

TEST(YamlReaderTest, NestedPathsThroughMapsAndLists) {
  const YamlValue root = ParseYaml(
      "columns:\n"
      "  - {name: a, type: number}\n"
      "  - name: b\n"
      "    boundaries: [1, x]\n",
      "s.yaml");
  EXPECT_EQ(root["columns"][1]["boundaries"][1].path(), "columns[1].boundaries[1]");
  EXPECT_EQ(ErrorOf([&] { root["columns"][1]["boundaries"].NumberList(); }),
            "ConfigError: s.yaml:4: columns[1].boundaries[1]: expected a number, got 'x'");
  EXPECT_EQ(root["columns"].size(), 2u);
  EXPECT_EQ(root["columns"][0]["type"].line(), 2);
  EXPECT_FALSE(root["columns"][5].IsDefined());
}

TEST(YamlReaderTest, UnknownKeySuggestsTheClosestValidName) {
  const YamlValue root = ParseYaml("estimator:\n  type: dnn\n  learning_rat: 0.1\n", "run.yaml");
  EXPECT_EQ(ErrorOf([&] {
              root["estimator"].CheckKeys({"type", "optimizer", "learning_rate"});
            }),
            "ConfigError: run.yaml:3: estimator.learning_rat: unknown key (did you mean learning_rate?); valid keys "
            "here: type, optimizer, learning_rate");
  // Nothing close: no suggestion.
  EXPECT_EQ(ErrorOf([&] {
              ParseYaml("zzzzzz: 1\n", "c.yaml").CheckKeys({"goal", "params"});
            }),
            "ConfigError: c.yaml:1: zzzzzz: unknown key; valid keys here: goal, params");
  // Ignored keys are accepted and listed; a missing section passes; a text is not a map.
  EXPECT_EQ(ParseYaml("goal: x\nregion: eu\n", "c.yaml").CheckKeys({"goal"}, {"region"}),
            (std::vector<std::string>{"region"}));
  EXPECT_NO_THROW(root["run"].CheckKeys({"seed"}));
  EXPECT_EQ(ErrorOf([&] { root["estimator"]["type"].CheckKeys({"name"}); }),
            "ConfigError: run.yaml:2: estimator.type: expected a map of settings (name), got 'dnn'");
}

TEST(YamlReaderTest, DuplicateKeysNameBothLines) {
  EXPECT_EQ(ErrorOf([] { ParseYaml("a: 1\nb: 2\na: 3\n", "c.yaml"); }),
            "ConfigError: c.yaml:3: a: appears twice (first on line 1); keep one");
  // Anywhere in the document: inside lists and nested maps, flow style included.
  EXPECT_EQ(ErrorOf([] { ParseYaml("cols:\n  - x: 1\n  - {y: 1,\n     y: 2}\n", "c.yaml"); }),
            "ConfigError: c.yaml:4: cols[1].y: appears twice (first on line 3); keep one");
  EXPECT_EQ(ErrorOf([] { ParseYaml("a: {b: {c: 1}}\nd: {c: 1, c: 2}\n", "c.yaml"); }),
            "ConfigError: c.yaml:2: d.c: appears twice (first on line 2); keep one");
  // The same key in different maps is fine, and so is an alias of an anchored map.
  EXPECT_NO_THROW(ParseYaml("a: &m {x: 1}\nb: *m\nc: {x: 2}\n", "c.yaml"));
}

// A document of "billion laughs" shape: each level an anchored list of `fan_out` aliases of the level
// below, `levels` lines standing for about fan_out^levels values once expanded.
std::string Laughs(int levels, int fan_out = 2) {
  std::string text = "l0: &l0 [x, y]\n";
  for (int k = 1; k <= levels; ++k) {
    text += "l" + std::to_string(k) + ": &l" + std::to_string(k) + " [";
    for (int i = 0; i < fan_out; ++i) text += (i == 0 ? "*l" : ", *l") + std::to_string(k - 1);
    text += "]\n";
  }
  return text;
}

TEST(YamlReaderTest, DocumentsTooLargeOnceAliasesExpandAreRefusedWithTheFigureAndTheLimit) {
  // 16 levels: about 2^19 values in all, from 300 bytes of text; 20 levels are 2^23.
  EXPECT_NO_THROW(ParseYaml(Laughs(16), "c.yaml"));
  const std::string e = ErrorOf([] { ParseYaml(Laughs(20), "c.yaml"); });
  EXPECT_NE(e.find("ConfigError: c.yaml: holds "), std::string::npos) << e;
  EXPECT_NE(e.find(" values (each alias *name counted as a copy of its anchor); lever reads at most 1000000"),
            std::string::npos)
      << e;
  // 8^30 values overflow any counter: the count saturates, and the limit still holds.
  EXPECT_NE(ErrorOf([] { ParseYaml(Laughs(30, 8), "c.yaml"); }).find("holds 9223372036854775807 values"),
            std::string::npos);

  // Depth: lists in lists, written out or through aliases.
  std::string nested = "a: &a0 [x]\n";
  for (int k = 1; k <= kMaxYamlDepth; ++k) {
    nested += "a" + std::to_string(k) + ": &a" + std::to_string(k) + " [*a" + std::to_string(k - 1) + "]\n";
  }
  EXPECT_EQ(ErrorOf([&] { ParseYaml(nested, "c.yaml"); }),
            "ConfigError: c.yaml: nests 66 levels deep (each alias *name counted as a copy of its anchor); lever "
            "reads at most 64 levels. Flatten the nesting (a crossed column of crossed columns, for example)");
  const std::string brackets = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_NE(ErrorOf([&] {
              ParseYaml(brackets, "c.yaml");
            }).find("ConfigError: c.yaml:1: nests deeper than the YAML parser follows; lever reads at most 64"),
            std::string::npos);
  EXPECT_NO_THROW(ParseYaml(std::string(60, '[') + std::string(60, ']'), "c.yaml"));

  // A node that contains itself never ends.
  EXPECT_EQ(ErrorOf([] { ParseYaml("a: &x {b: [1, *x]}\n", "c.yaml"); }),
            "ConfigError: c.yaml:1: a.b[1]: contains itself (an alias *name inside the node its anchor &name marks), "
            "so it never ends; write the value out instead");
}

TEST(YamlReaderTest, SyntaxErrorsNameTheLine) {
  const std::string e = ErrorOf([] { ParseYaml("a: [1,\nb: 2\n", "c.yaml", "Close the list."); });
  EXPECT_NE(e.find("ConfigError: c.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find(": not valid YAML: "), std::string::npos) << e;
  EXPECT_NE(e.find(". Close the list."), std::string::npos) << e;
}

TEST(YamlReaderTest, OverriddenValuesAreNamedByTheirFlag) {
  const YamlValue parsed = ParseYaml("train: {max_steps: 5}\n", "run.yaml");
  const YamlValue root(parsed.node(), "",
                       std::make_shared<const YamlSource>(YamlSource{"run.yaml", {"train.max_steps"}}));
  EXPECT_EQ(ErrorOf([&] { root["train"]["max_steps"].Integer(10); }),
            "ConfigError: run.yaml with --train.max_steps=...: train.max_steps: must be at least 10, got 5");
}

TEST(YamlReaderTest, ClosestMatchFindsTyposAndFragmentsOnly) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("ABC", "abc"), 0);
  EXPECT_EQ(ClosestMatch("max_step", {"batch_size", "clip_norm", "max_steps"}), "max_steps");
  EXPECT_EQ(ClosestMatch("LOG_SCALE", {"UNIT_LINEAR_SCALE", "UNIT_LOG_SCALE"}), "UNIT_LOG_SCALE");
  EXPECT_EQ(ClosestMatch("banana", {"goal", "maxTrials"}), "");
}

}  // namespace
}  // namespace lever::internal
