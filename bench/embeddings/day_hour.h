#pragma once
// The day x hour demo: clicks whose rate follows a weekly pattern (weekday office hours, weekend late
// mornings and evenings, quiet nights), a model whose only input is the crossed column day x hour embedded
// in two dimensions (a lazily allocated table over the cross's hash buckets, then a small dense head to the
// click logit), and the 168 learned points written out as CSV and as an SVG scatter plot.
//
// Shared by bench/embeddings/day_hour.cpp (the program) and tests/nn/day_hour_embedding_test.cpp (which
// checks the CSV and that the embedding separates weekday daytime from night).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "lever/error.h"
#include "lever/features/column_table.h"
#include "lever/features/feature_column.h"
#include "lever/features/feature_set.h"
#include "lever/losses/sigmoid_cross_entropy.h"
#include "lever/nn/initializer.h"
#include "lever/nn/lazy_embedding.h"
#include "lever/ops/activations.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"
#include "lever/ops/sparse_matmul.h"
#include "lever/optim/registry.h"
#include "lever/optim/schedule.h"
#include "lever/tensor/rng.h"

namespace lever::demo {

struct DayHourOptions {
  Index examples = 336000;       // 2000 per (day, hour) on average
  Index hash_buckets = 1 << 20;  // of the cross; the table allocates only the buckets seen
  Index dimension = 2;           // of the embedding
  Index hidden = 8;              // tanh units of the head; 0 for a linear head
  Index batch = 256;
  long steps = 4000;
  std::string optimizer = "adam";
  double learning_rate = 0.03;
  uint64_t seed = 1;
};

inline const char* DayName(int day) {
  static const char* const kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return kNames[day];
}

/// The planted click logit of (day, hour), day 0 = Monday, before the per-cell noise: weekdays peak in
/// office hours (13:00), weekends in the late morning and the evening (20:30), nights (0-5) are quiet.
inline double PlantedClickLogit(int day, int hour) {
  const auto bump = [hour](double center, double width) {
    const double z = (hour - center) / width;
    return std::exp(-0.5 * z * z);
  };
  const bool weekday = day < 5;
  double logit = -2.8 - (hour < 6 ? 0.8 : 0.0);
  logit += weekday ? 2.6 * bump(13.0, 2.5) + 0.6 * bump(20.5, 2.0) : 1.0 * bump(11.0, 2.0) + 2.4 * bump(20.5, 2.0);
  return logit;
}

struct DayHourData {
  ColumnTable table;                // columns "day" (0-6) and "hour" (0-23)
  Tensor clicks;                    // (examples, 1), 0 or 1
  double planted_rate[7][24] = {};  // with the per-cell noise
};

/// Examples with uniformly drawn day and hour and a click drawn with the planted rate, whose logit also
/// carries a fixed per-cell noise N(0, 0.15^2).
inline DayHourData GenerateDayHourClicks(Index examples, uint64_t seed) {
  DayHourData data;
  Rng rng(seed);
  for (int day = 0; day < 7; ++day) {
    for (int hour = 0; hour < 24; ++hour) {
      data.planted_rate[day][hour] = 1.0 / (1.0 + std::exp(-(PlantedClickLogit(day, hour) + rng.Normal(0.0, 0.15))));
    }
  }
  std::vector<float> days(static_cast<size_t>(examples)), hours(static_cast<size_t>(examples));
  data.clicks.resize(examples, 1);
  for (Index i = 0; i < examples; ++i) {
    const int day = static_cast<int>(rng.UniformInt(7));
    const int hour = static_cast<int>(rng.UniformInt(24));
    days[static_cast<size_t>(i)] = static_cast<float>(day);
    hours[static_cast<size_t>(i)] = static_cast<float>(hour);
    data.clicks(i, 0) = rng.Uniform() < data.planted_rate[day][hour] ? 1.0f : 0.0f;
  }
  data.table.AddNumbers("day", std::move(days)).AddNumbers("hour", std::move(hours));
  return data;
}

struct DayHourCell {
  int day = 0;
  int hour = 0;
  float e1 = 0.0f, e2 = 0.0f;              // the learned embedding
  float initial1 = 0.0f, initial2 = 0.0f;  // the same row before training
  double click_rate = 0.0;                 // observed in the data
  double planted_rate = 0.0;
  double predicted_rate = 0.0;  // the trained model's
  Index examples = 0;
};

struct DayHourResult {
  std::vector<DayHourCell> cells;  // 168, Monday 0:00 first
  std::string column;              // the crossed column's description
  Index distinct_buckets = 0;      // of the 168 (day, hour) values
  Index collisions = 0;            // 168 - distinct_buckets: values sharing a bucket share an embedding
  Index rows_allocated = 0;
  double log_loss = 0.0;           // the model's on the training data
  double constant_log_loss = 0.0;  // predicting the overall click rate
  double planted_log_loss = 0.0;   // predicting the planted rates
};

inline double LogLoss(double p, double y) {
  p = std::clamp(p, 1e-7, 1.0 - 1e-7);
  return -(y * std::log(p) + (1.0 - y) * std::log(1.0 - p));
}

/// Trains the model with lever and returns the 168 cells. Only input: the crossed column day x hour
/// (hash buckets), embedded through LazyEmbeddingOptionsFor(MakeEmbeddingColumn(cross, dimension)).
inline DayHourResult TrainDayHourEmbedding(const DayHourData& data, const DayHourOptions& o) {
  if (o.dimension != 2)
    throw ConfigError("day x hour: the plot needs a 2-dimensional embedding, got " + std::to_string(o.dimension));
  auto embedding = MakeEmbeddingColumn(CrossedColumn({"day", "hour"}, o.hash_buckets), o.dimension, "sum");
  FeatureSet features({embedding});
  features.Fit(data.table);
  CategoricalFeatureColumn& cross = *embedding->categorical();
  DayHourResult result;
  result.column = embedding->Describe();

  // The 168 values and their buckets: how many collide.
  ColumnTable grid;
  {
    std::vector<float> days, hours;
    for (int day = 0; day < 7; ++day) {
      for (int hour = 0; hour < 24; ++hour) {
        days.push_back(static_cast<float>(day));
        hours.push_back(static_cast<float>(hour));
      }
    }
    grid.AddNumbers("day", std::move(days)).AddNumbers("hour", std::move(hours));
  }
  cross.Bind(grid);
  SparseRows grid_ids;
  FeatureSet::AppendCategoricalRows(cross, grid, 0, 168, grid_ids);
  result.distinct_buckets = static_cast<Index>(std::set<int32_t>(grid_ids.ids.begin(), grid_ids.ids.end()).size());
  result.collisions = 168 - result.distinct_buckets;
  cross.Bind(data.table);

  // The model: embedding (2) -> [tanh hidden] -> logit.
  LazyEmbedding table(LazyEmbeddingOptionsFor(*embedding, o.seed));
  ParameterStore store;
  Rng rng(o.seed + 1);
  Graph graph;
  Var ids = graph.GrowingSparseInput("day_x_hour", table.capacity());
  Var x = SparseMatMul(ids, table.Bind(graph), ParseCombiner(embedding->combiner()));
  Index width = o.dimension;
  ParameterList params = {&table.parameter()};
  auto dense = [&](const std::string& name, Index units) {
    Parameter& kernel = store.Create(name + "/kernel", width, units);
    Initialize("glorot_uniform", kernel.value, rng);
    Parameter& bias = store.Create(name + "/bias", 1, units);
    params.push_back(&kernel);
    params.push_back(&bias);
    width = units;
    return BiasAdd(MatMul(x, graph.Bind(kernel.name, &kernel.value, &kernel.grad)),
                   graph.Bind(bias.name, &bias.value, &bias.grad));
  };
  if (o.hidden > 0) x = Tanh(dense("hidden", o.hidden));
  const Var logit = dense("logit", 1);
  Var labels = graph.Input("click", {0, 1});  // rows follow the sparse input's, 0 until fed
  const Var loss = SigmoidCrossEntropy(logit, labels);
  OptimizerSpec spec;
  spec.name = o.optimizer;
  spec.learning_rate = o.learning_rate;
  // Cosine decay to 1% of the rate: the last steps average out the batches' noise in the 168 rows.
  spec.schedule = CosineSchedule(o.learning_rate, o.steps, 0.01);
  auto optimizer = MakeOptimizer(spec);

  const Index n = data.table.num_rows();
  SparseRows batch_ids, compact;
  Index cursor = 0;
  for (long step = 0; step < o.steps; ++step) {
    if (cursor + o.batch > n) cursor = 0;  // the examples are i.i.d.: passes in order
    batch_ids.Clear();
    FeatureSet::AppendCategoricalRows(cross, data.table, cursor, cursor + o.batch, batch_ids);
    table.Remap(batch_ids, compact);
    graph.FeedSparse(ids, &compact);
    graph.Feed(labels, data.clicks.middleRows(cursor, o.batch));
    graph.Forward();
    graph.Backward(loss);
    optimizer->Step(params);
    cursor += o.batch;
  }
  result.rows_allocated = table.rows();

  // The 168 cells: embedding rows, observed, planted and predicted rates.
  table.Lookup(grid_ids, compact);
  graph.FeedSparse(ids, &compact);
  graph.Feed(labels, Tensor::Zero(168, 1));
  graph.Forward(logit);
  std::vector<double> clicks(168), count(168);
  for (Index i = 0; i < n; ++i) {
    const auto cell = static_cast<size_t>(data.table.Number(0, i) * 24 + data.table.Number(1, i));
    clicks[cell] += data.clicks(i, 0);
    count[cell] += 1.0;
  }
  double total_clicks = 0.0;
  for (double c : clicks) total_clicks += c;
  const double overall = total_clicks / static_cast<double>(n);
  for (int day = 0; day < 7; ++day) {
    for (int hour = 0; hour < 24; ++hour) {
      const auto k = static_cast<size_t>(day * 24 + hour);
      DayHourCell c;
      c.day = day;
      c.hour = hour;
      const Index row = compact.ids[k];
      c.e1 = table.parameter().value(row, 0);
      c.e2 = table.parameter().value(row, 1);
      float initial[2];
      table.InitialRow(grid_ids.ids[k], initial);
      c.initial1 = initial[0];
      c.initial2 = initial[1];
      c.examples = static_cast<Index>(count[k]);
      c.click_rate = count[k] > 0 ? clicks[k] / count[k] : 0.0;
      c.planted_rate = data.planted_rate[day][hour];
      c.predicted_rate = 1.0 / (1.0 + std::exp(-static_cast<double>(logit.value()(static_cast<Index>(k), 0))));
      // Log losses over the data, cell by cell (every example of a cell gets the same prediction).
      const double ones = clicks[k], zeros = count[k] - clicks[k];
      result.log_loss += ones * LogLoss(c.predicted_rate, 1) + zeros * LogLoss(c.predicted_rate, 0);
      result.constant_log_loss += ones * LogLoss(overall, 1) + zeros * LogLoss(overall, 0);
      result.planted_log_loss += ones * LogLoss(c.planted_rate, 1) + zeros * LogLoss(c.planted_rate, 0);
      result.cells.push_back(c);
    }
  }
  result.log_loss /= static_cast<double>(n);
  result.constant_log_loss /= static_cast<double>(n);
  result.planted_log_loss /= static_cast<double>(n);
  return result;
}

/// How well two groups of cells separate in the embedding plane: weekday daytime (Monday-Friday,
/// 9:00-17:59, 45 cells) against night (every day, 0:00-5:59, 42 cells).
struct Separation {
  double projection_auc = 0.0;     // AUC of the projection on the line between the groups' centroids
  double nearest_neighbour = 0.0;  // leave-one-out 1-nearest-neighbour accuracy
};

inline Separation WeekdayDaytimeVersusNight(const std::vector<DayHourCell>& cells, bool initial = false) {
  struct Point {
    double x, y;
    bool day;
  };
  std::vector<Point> points;
  for (const DayHourCell& c : cells) {
    const bool daytime = c.day < 5 && c.hour >= 9 && c.hour <= 17;
    const bool night = c.hour <= 5;
    if (!daytime && !night) continue;
    points.push_back({initial ? c.initial1 : c.e1, initial ? c.initial2 : c.e2, daytime});
  }
  double cx[2] = {0, 0}, cy[2] = {0, 0}, count[2] = {0, 0};
  for (const Point& p : points) {
    cx[p.day] += p.x;
    cy[p.day] += p.y;
    count[p.day] += 1;
  }
  const double dx = cx[1] / count[1] - cx[0] / count[0], dy = cy[1] / count[1] - cy[0] / count[0];
  double pairs = 0, wins = 0, correct = 0;
  for (const Point& a : points) {
    double best = 1e300;
    bool best_day = !a.day;
    for (const Point& b : points) {
      if (&a == &b) continue;
      const double d = (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
      if (d < best) {
        best = d;
        best_day = b.day;
      }
      if (a.day && !b.day) {
        const double pa = a.x * dx + a.y * dy, pb = b.x * dx + b.y * dy;
        wins += pa > pb ? 1.0 : pa == pb ? 0.5 : 0.0;
        pairs += 1;
      }
    }
    correct += best_day == a.day ? 1.0 : 0.0;
  }
  return {wins / pairs, correct / static_cast<double>(points.size())};
}

/// Writes day,hour,e1,e2,click_rate (the observed rate), one line per cell. Throws IoError.
inline void WriteDayHourCsv(const DayHourResult& result, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw IoError(path + ": cannot open for writing; check that the directory exists");
  std::fprintf(f, "day,hour,e1,e2,click_rate\n");
  for (const DayHourCell& c : result.cells) {
    std::fprintf(f, "%d,%d,%.6g,%.6g,%.6g\n", c.day, c.hour, static_cast<double>(c.e1), static_cast<double>(c.e2),
                 c.click_rate);
  }
  if (std::fclose(f) != 0) throw IoError(path + ": write failed");
}

/// A scatter plot of the 168 points as hand-written SVG: hue = hour of day, filled = weekday, ring =
/// weekend, area ~ click rate; hovering a point shows its day, hour and rates.
inline void WriteDayHourSvg(const DayHourResult& result, const std::string& path) {
  const double size = 640, margin = 56;
  double lo_x = 1e300, hi_x = -1e300, lo_y = 1e300, hi_y = -1e300, top_rate = 0;
  for (const DayHourCell& c : result.cells) {
    lo_x = std::min(lo_x, double(c.e1));
    hi_x = std::max(hi_x, double(c.e1));
    lo_y = std::min(lo_y, double(c.e2));
    hi_y = std::max(hi_y, double(c.e2));
    top_rate = std::max(top_rate, c.click_rate);
  }
  // Equal scales on both axes, so distances in the plot are distances in the embedding.
  const double span = std::max({hi_x - lo_x, hi_y - lo_y, 1e-9});
  const double scale = (size - 2 * margin) / span;
  const double mid_x = (lo_x + hi_x) / 2, mid_y = (lo_y + hi_y) / 2;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw IoError(path + ": cannot open for writing; check that the directory exists");
  std::fprintf(f,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n",
               size, size + 40, size, size + 40);
  std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  std::fprintf(f,
               "<text x=\"%.0f\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">day x hour embedded in 2 "
               "dimensions (%zu points)</text>\n",
               size / 2, result.cells.size());
  std::fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#bbb\"/>\n",
               margin / 2, margin / 2 + 10, size - margin, size - margin);
  std::fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">e1</text>\n", size / 2, size - margin / 2 + 28);
  std::fprintf(f, "<text x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\" text-anchor=\"middle\">e2</text>\n",
               size / 2, size / 2);
  for (const DayHourCell& c : result.cells) {
    const double x = size / 2 + (c.e1 - mid_x) * scale;
    const double y = size / 2 + 10 - (c.e2 - mid_y) * scale;
    const double r = 2.5 + 9.0 * std::sqrt(top_rate > 0 ? c.click_rate / top_rate : 0.0);
    const int hue = c.hour * 15;
    const bool weekday = c.day < 5;
    std::fprintf(f,
                 "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"hsl(%d,80%%,40%%)\" "
                 "stroke-width=\"%s\" fill-opacity=\"0.8\"><title>%s %02d:00  click rate %.3f (planted %.3f, "
                 "model %.3f)</title></circle>\n",
                 x, y, r, weekday ? ("hsl(" + std::to_string(hue) + ",80%,55%)").c_str() : "none", hue,
                 weekday ? "1" : "2", DayName(c.day), c.hour, c.click_rate, c.planted_rate, c.predicted_rate);
  }
  // Legend: the hue wheel of hours.
  const double legend_y = size + 22;
  std::fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">hour:</text>\n", margin / 2, legend_y + 4);
  for (int hour = 0; hour < 24; hour += 3) {
    const double x = margin / 2 + 50 + hour * 14.0;
    std::fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"5\" fill=\"hsl(%d,80%%,55%%)\"/>", x, legend_y, hour * 15);
    std::fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\">%d</text>\n", x + 7, legend_y + 4, hour);
  }
  std::fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">filled: weekday, ring: weekend, area: click rate</text>\n",
               margin / 2 + 400, legend_y + 4);
  std::fprintf(f, "</svg>\n");
  if (std::fclose(f) != 0) throw IoError(path + ": write failed");
}

}  // namespace lever::demo
