// Losses by name: every alias means the same loss wherever a name is read.
#include <gtest/gtest.h>

#include <set>

#include "lever/error.h"
#include "lever/losses/registry.h"

namespace lever {
namespace {

TEST(LossRegistryTest, AliasesResolveToOneLoss) {
  EXPECT_EQ(CanonicalLossName("mse"), "mean_squared_error");
  EXPECT_EQ(CanonicalLossName("squared"), "mean_squared_error");
  EXPECT_EQ(CanonicalLossName("logistic"), "sigmoid_cross_entropy");
  EXPECT_EQ(CanonicalLossName("categorical_cross_entropy"), "softmax_cross_entropy");
  // `softmax` is the sparse loss everywhere (lever train and lever linear alike): labels are class ids.
  EXPECT_EQ(CanonicalLossName("softmax"), "sparse_softmax_cross_entropy");
  EXPECT_EQ(LossLabelColumns("softmax", 3), 1);
  EXPECT_EQ(LossLabelColumns("softmax_cross_entropy", 3), 3);
}

TEST(LossRegistryTest, UnknownNameListsEveryLoss) {
  try {
    CanonicalLossName("hinge");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring,
                        "unknown loss 'hinge'. Valid losses: mean_squared_error, sigmoid_cross_entropy, "
                        "softmax_cross_entropy, sparse_softmax_cross_entropy.",
                        e.what());
  }
}

TEST(LossRegistryTest, HelpNamesEveryLossAndAlias) {
  const std::string help = HelpLines(LossEntries());
  for (const std::string& name : LossNames()) EXPECT_NE(help.find(name), std::string::npos) << name;
  EXPECT_NE(help.find("sparse_softmax_cross_entropy (also softmax"), std::string::npos) << help;
}

TEST(LossRegistryTest, ClassificationAndPredictionFollowTheTable) {
  EXPECT_FALSE(IsClassificationLoss("mse"));
  for (const char* name : {"logistic", "categorical_cross_entropy", "softmax"}) EXPECT_TRUE(IsClassificationLoss(name));
}

}  // namespace
}  // namespace lever
