#include "lever/nn/sequential.h"

#include <gtest/gtest.h>

#include "lever/error.h"
#include "lever/nn/mlp.h"

namespace lever {
namespace {

TEST(SequentialTest, SummaryMatchesKerasLayout) {
  Sequential model;
  model.Add(layers::Dense(8, "tanh")).Add(layers::Dropout(0.1)).Add(layers::BatchNorm()).Add(layers::Dense(1));
  model.Build(2, 1);
  const std::string expected =
      "Model: \"sequential\"\n"
      "_________________________________________________________________\n"
      " Layer (type)                Output Shape              Param #\n"
      "=================================================================\n"
      " dense (Dense)               (None, 8)                 24\n"
      "_________________________________________________________________\n"
      " dropout (Dropout)           (None, 8)                 0\n"
      "_________________________________________________________________\n"
      " batch_norm (BatchNorm)      (None, 8)                 32\n"
      "_________________________________________________________________\n"
      " dense_1 (Dense)             (None, 1)                 9\n"
      "=================================================================\n"
      "Total params: 65\n"
      "Trainable params: 49\n"
      "Non-trainable params: 16\n"
      "_________________________________________________________________\n";
  EXPECT_EQ(model.Summary(), expected);
}

TEST(SequentialTest, NamesParametersPerLayer) {
  Sequential model;
  model.Add(layers::Dense(3, "prelu")).Add(layers::Dense(2));
  model.Build(4, 1);
  ASSERT_NE(model.parameters().Find("dense/kernel"), nullptr);
  EXPECT_EQ(model.parameters().Find("dense/kernel")->value.rows(), 4);
  EXPECT_EQ(model.parameters().Find("dense/kernel")->value.cols(), 3);
  ASSERT_NE(model.parameters().Find("dense/prelu_alpha"), nullptr);
  EXPECT_FLOAT_EQ(model.parameters().Find("dense/prelu_alpha")->value(0, 0), 0.25f);
  EXPECT_TRUE(model.parameters().Find("dense/bias")->value.isZero());
  EXPECT_EQ(model.output_units(), 2);
  EXPECT_EQ(model.CountKernelWeights(), 4 * 3 + 3 * 2);
}

TEST(SequentialTest, SameSeedSameInitialWeights) {
  auto build = [](uint64_t seed) {
    Sequential m;
    m.Add(layers::Dense(5, "relu", "he_normal")).Add(layers::Dense(1));
    m.Build(3, seed);
    return Tensor(m.parameters().Find("dense/kernel")->value);
  };
  EXPECT_EQ(build(9), build(9));
  EXPECT_NE(build(9), build(10));
}

TEST(SequentialTest, ApplyComputesTheForwardPass) {
  Sequential model;
  model.Add(layers::Dense(2, "relu", "ones")).Add(layers::Dense(1, "linear", "ones"));
  model.Build(2, 1);
  Graph g;
  Var x = g.Input("x", {1, 2});
  Tensor in(1, 2);
  in << 1.0f, -3.0f;
  g.Feed(x, in);
  Var y = model.Apply(x, LayerContext{false, nullptr});
  g.Forward();
  EXPECT_FLOAT_EQ(y.scalar(), 0.0f);  // relu(1 - 3) = 0 for both units
  in << 2.0f, 1.0f;
  g.Feed(x, in);
  g.Forward();
  EXPECT_FLOAT_EQ(y.scalar(), 6.0f);  // relu(3) * 2 units
}

TEST(SequentialTest, RejectsMisuse) {
  Sequential empty;
  EXPECT_THROW(empty.Build(2, 1), ConfigError);
  Sequential model;
  model.Add(layers::Dense(2));
  model.Build(2, 1);
  EXPECT_THROW(model.Add(layers::Dense(1)), ConfigError);
  EXPECT_THROW(model.Build(2, 1), ConfigError);
  Graph g;
  Var x = g.Input("x", {1, 3});
  EXPECT_THROW(model.Apply(x, LayerContext{}), ShapeError);
  EXPECT_THROW(layers::Dense(0), ConfigError);
  EXPECT_THROW(layers::Dense(3, "swish"), ConfigError);
  EXPECT_THROW(layers::Dense(3, "relu", "xavier"), ConfigError);
  EXPECT_THROW(layers::Dense(3, "relu", "glorot_uniform", Regularizer::L1(-1)), ConfigError);
  EXPECT_THROW(layers::Dropout(1.0), ConfigError);
  EXPECT_THROW(layers::BatchNorm({1.5, 1e-3}), ConfigError);
}

TEST(MlpTest, ParsesLayerSizes) {
  EXPECT_EQ(ParseLayerSizes("8,8"), (std::vector<Index>{8, 8}));
  EXPECT_TRUE(ParseLayerSizes("").empty());
  EXPECT_THROW(ParseLayerSizes("8,0"), ConfigError);
  EXPECT_THROW(ParseLayerSizes("8,,8"), ConfigError);
  EXPECT_THROW(ParseLayerSizes("8,"), ConfigError);
  EXPECT_THROW(ParseLayerSizes("eight"), ConfigError);
  EXPECT_THROW(ParseLayerSizes("-4"), ConfigError);
}

TEST(MlpTest, BatchNormAndDropoutPlacement) {
  MlpSpec spec;
  spec.hidden = {4, 3};
  spec.activation = "relu";
  spec.batch_norm = true;
  spec.dropout = 0.2;
  Sequential model = MakeMlp(spec);
  model.Build(2, 1);
  std::vector<std::string> types;
  for (const auto& l : model.layers()) types.push_back(l->TypeName());
  EXPECT_EQ(types, (std::vector<std::string>{"Dense", "BatchNorm", "Activation", "Dropout", "Dense", "BatchNorm",
                                             "Activation", "Dropout", "Dense"}));
  EXPECT_EQ(model.parameters().Find("dense/bias"), nullptr);  // BatchNorm's beta replaces it
}

TEST(MlpTest, OneActivationPerHiddenLayer) {
  MlpSpec spec;
  spec.hidden = {4, 3, 2};
  spec.activation = "relu,tanh,leaky_relu:0.1";
  Sequential model = MakeMlp(spec);
  model.Build(2, 1);
  Graph g;
  Var x = g.Input("x", {1, 2});
  std::vector<ActivationTap> taps;
  model.Apply(x, LayerContext{false, &taps});
  ASSERT_GE(taps.size(), 3u);
  EXPECT_EQ(taps[0].activation, "relu");
  EXPECT_EQ(taps[1].activation, "tanh");
  EXPECT_EQ(taps[2].activation, "leaky_relu");
  // One name is every layer's; another count, or an output activation, is an error naming the knob.
  spec.activation = "elu";
  EXPECT_EQ(HiddenActivations(spec.activation, 3).size(), 3u);
  EXPECT_EQ(HiddenActivations("elu", 3)[2].name, "elu");
  spec.activation = "relu,tanh";
  try {
    MakeMlp(spec);
    FAIL() << "2 activations for 3 layers";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("names 2 activations for 3 hidden layers"), std::string::npos) << e.what();
  }
  EXPECT_THROW(HiddenActivations("relu,softmax", 2), ConfigError);
  EXPECT_THROW(HiddenActivations("relu,", 2), ConfigError);
  EXPECT_THROW(HiddenActivations("relu,swish", 2), ConfigError);
  spec.activation = "relu";
  spec.dropout = -1;  // not "no dropout": an error, as 1 is
  EXPECT_THROW(MakeMlp(spec), ConfigError);
}

TEST(ActivationTest, ParsesNamesAndSlopes) {
  EXPECT_EQ(Activation::Parse("ReLU").name, "relu");
  EXPECT_DOUBLE_EQ(Activation::Parse("leaky_relu:0.1").EffectiveAlpha(), 0.1);
  EXPECT_DOUBLE_EQ(Activation::Parse("leaky_relu").EffectiveAlpha(), 0.2);
  EXPECT_DOUBLE_EQ(Activation::Parse("elu").EffectiveAlpha(), 1.0);
  EXPECT_THROW(Activation::Parse("relu:0.1"), ConfigError);
  EXPECT_THROW(Activation::Parse("elu:abc"), ConfigError);
  EXPECT_THROW(Activation::Parse("elu:-1"), ConfigError);
  EXPECT_EQ(Activation::Parse("Identity").name, "linear");
  EXPECT_EQ(Activation::Parse("leakyrelu:0.3").ToString(), "leaky_relu:0.3");
  EXPECT_EQ(&Activation::Parse("tanh").Kind(), &FindActivation("tanh"));  // resolved once, by Parse
  try {
    Activation::Parse("swish");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "Valid activations: linear, sigmoid, tanh, relu", e.what());
  }
}

}  // namespace
}  // namespace lever
