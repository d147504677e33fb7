// Writes a run directory (events.jsonl, the TensorBoard event files of a run and of its resumption, a
// checkpoint) into the directory given as the only argument, and prints as JSON what it wrote, for
// tests/checkpoint/independent_decoder.py to compare with what python3-protobuf and numpy read from the
// files.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "lever/autodiff/graph.h"
#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/io/run_log.h"
#include "lever/losses/registry.h"
#include "lever/nn/sequential.h"
#include "lever/optim/registry.h"

using nlohmann::json;

namespace {

// The tensor's values as JSON numbers, flattened in row-major order (exact: floats widen to doubles).
json Values(const lever::RawTensor& t) {
  json values = json::array();
  const size_t n = static_cast<size_t>(t.NumElements());
  for (size_t i = 0; i < n; ++i) {
    const char* p = t.bytes.data() + i * lever::DTypeSize(t.dtype);
    switch (t.dtype) {
      case lever::DType::kF32: {
        float v;
        std::memcpy(&v, p, 4);
        values.push_back(static_cast<double>(v));
        break;
      }
      case lever::DType::kF64: {
        double v;
        std::memcpy(&v, p, 8);
        values.push_back(v);
        break;
      }
      case lever::DType::kI64: {
        int64_t v;
        std::memcpy(&v, p, 8);
        values.push_back(v);
        break;
      }
      case lever::DType::kU64: {
        uint64_t v;
        std::memcpy(&v, p, 8);
        values.push_back(v);
        break;
      }
      case lever::DType::kU8:
        values.push_back(static_cast<unsigned char>(*p));
        break;
      default:
        throw lever::Error("driver: unexpected dtype " + lever::DTypeName(t.dtype));
    }
  }
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: checkpoint_files_driver OUTPUT_DIRECTORY\n";
    return 2;
  }
  const std::string dir = argv[1];
  try {
    // Scalars: a few steps with exact binary fractions and one value that float rounds, logged by a run
    // that is then resumed from step 100 and logs step 200 again (other values): events.jsonl keeps 0 and
    // 100 and the resumed 200; each event file starts with a SessionLog START at its first step.
    json scalars = json::array(), resumed_scalars = json::array(), jsonl_scalars = json::array();
    std::string tfevents, resumed_tfevents, jsonl;
    {
      lever::RunLog log(dir, 0);
      for (int64_t step = 0; step <= 300; step += 100) {
        const std::map<std::string, double> values = {
            {"loss", 1.0 / static_cast<double>(step + 3)},
            {"learning_rate", 0.01 * std::pow(0.5, static_cast<double>(step / 100))},
            {"train/accuracy", 0.5 + 0.125 * static_cast<double>(step / 100)}};
        const double wall_time = 1767225600.0 + 0.25 * static_cast<double>(step);
        log.Log(step, values, wall_time);
        scalars.push_back({{"step", step}, {"wall_time", wall_time}, {"values", values}});
        if (step <= 100) jsonl_scalars.push_back(scalars.back());
      }
      tfevents = log.tfevents_path();
      jsonl = log.jsonl_path();
    }
    {
      lever::RunLog log(dir, 100);
      const std::map<std::string, double> values = {
          {"loss", 0.1}, {"learning_rate", 0.0025}, {"train/accuracy", 0.875}};
      log.Log(200, values, 1767225700.75);
      resumed_scalars.push_back({{"step", 200}, {"wall_time", 1767225700.75}, {"values", values}});
      jsonl_scalars.push_back(resumed_scalars.back());
      resumed_tfevents = log.tfevents_path();
    }

    // A small model trained two Adam steps, so the checkpoint holds real slots.
    lever::Sequential model;
    model.Add(lever::layers::Dense(3, "tanh")).Add(lever::layers::Dense(1));
    model.Build(2, 7);
    lever::OptimizerSpec spec;
    spec.name = "adam";
    auto optimizer = lever::MakeOptimizer(spec);
    lever::Graph graph(1);
    lever::Var x = graph.Input("x", {4, 2});
    lever::Var y = graph.Input("y", {4, 1});
    lever::Var loss = lever::MakeLoss("mean_squared_error", model.Apply(x, lever::LayerContext{}), y);
    graph.Feed(x, (lever::Tensor(4, 2) << 0.5f, -1.0f, 1.5f, 2.0f, -0.25f, 0.75f, 1.0f, 1.0f).finished());
    graph.Feed(y, (lever::Tensor(4, 1) << 1.0f, -1.0f, 0.5f, 0.0f).finished());
    for (int k = 0; k < 2; ++k) {
      graph.Forward(loss);
      graph.Backward(loss);
      optimizer->Step(model.parameters().Trainable());
    }
    lever::Rng rng(42);
    rng.Normal();
    lever::CheckpointContents contents;
    contents.step = 2;
    contents.wall_time = 1767225700.5;
    contents.config = {{"hidden", {3}}, {"activation", "tanh"}, {"optimizer", optimizer->Describe()}};
    contents.extra = {{"data", {{"epoch", 0}, {"position", 8}}}};
    contents.AddParameters(model.parameters().All());
    contents.AddOptimizer(*optimizer);
    contents.AddRng("data", rng);
    contents.Add("data/position", lever::RawTensor::FromI64({0, 8, -1}));
    contents.Add("data/flags", lever::RawTensor{lever::DType::kU8, {3}, std::string("\x01\x00\xff", 3)});
    lever::CheckpointManager manager(dir + "/model", 3);
    manager.Save(contents);

    json tensors = json::object();
    for (const auto& [name, t] : contents.tensors) {
      tensors[name] = {{"dtype", lever::DTypeName(t.dtype)}, {"shape", t.shape}, {"values", Values(t)}};
    }
    const json out = {{"tfevents_files",
                       {{{"path", tfevents}, {"start_step", 1}, {"scalars", scalars}},
                        {{"path", resumed_tfevents}, {"start_step", 101}, {"scalars", resumed_scalars}}}},
                      {"jsonl", jsonl},
                      {"jsonl_scalars", jsonl_scalars},
                      {"checkpoint",
                       {{"directory", manager.directory()},
                        {"record", manager.RecordPath(2)},
                        {"tensors_file", manager.TensorsPath(2)},
                        {"step", contents.step},
                        {"wall_time", contents.wall_time},
                        {"config", contents.config},
                        {"extra", contents.extra},
                        {"tensors", tensors}}}};
    std::cout << out.dump(1) << "\n";
  } catch (const lever::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
