// The day x hour demo (see day_hour.h): trains the crossed column day x hour embedded in two dimensions
// on generated clicks with a weekly pattern and writes the 168 points as CSV (day,hour,e1,e2,click_rate)
// and as an SVG scatter plot beside it.
//
//   lever_day_hour_bench day_hour.csv            # also writes day_hour.svg
//   lever_day_hour_bench out.csv --svg plot.svg --hidden 0 --steps 8000 --seed 3
#include "day_hour.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  lever::demo::DayHourOptions options;
  std::string csv, svg;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      csv = arg;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", arg.c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--svg") {
      svg = value;
    } else if (arg == "--examples") {
      options.examples = std::atol(value.c_str());
    } else if (arg == "--buckets") {
      options.hash_buckets = std::atol(value.c_str());
    } else if (arg == "--hidden") {
      options.hidden = std::atol(value.c_str());
    } else if (arg == "--steps") {
      options.steps = std::atol(value.c_str());
    } else if (arg == "--learning-rate") {
      options.learning_rate = std::atof(value.c_str());
    } else if (arg == "--seed") {
      options.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "unknown option %s (--svg, --examples, --buckets, --hidden, --steps, --learning-rate, --seed)\n",
                   arg.c_str());
      return 2;
    }
  }
  if (csv.empty()) {
    std::fprintf(stderr,
                 "usage: lever_day_hour_bench OUTPUT.csv [--svg OUTPUT.svg] [--examples N] [--buckets N] "
                 "[--hidden N] [--steps N] [--learning-rate X] [--seed N]\n");
    return 2;
  }
  if (svg.empty())
    svg = (csv.size() > 4 && csv.substr(csv.size() - 4) == ".csv" ? csv.substr(0, csv.size() - 4) : csv) + ".svg";
  if (options.examples < 168 || options.steps < 1 || options.hidden < 0 || options.hash_buckets < 1) {
    std::fprintf(stderr, "--examples must be at least 168, --steps and --buckets positive, --hidden non-negative\n");
    return 2;
  }
  try {
    const auto data = lever::demo::GenerateDayHourClicks(options.examples, options.seed);
    const auto result = lever::demo::TrainDayHourEmbedding(data, options);
    lever::demo::WriteDayHourCsv(result, csv);
    lever::demo::WriteDayHourSvg(result, svg);
    const auto trained = lever::demo::WeekdayDaytimeVersusNight(result.cells);
    const auto initial = lever::demo::WeekdayDaytimeVersusNight(result.cells, /*initial=*/true);
    std::printf("column: %s; the 168 day x hour values fall in %lld distinct buckets (%lld collisions)\n",
                result.column.c_str(), static_cast<long long>(result.distinct_buckets),
                static_cast<long long>(result.collisions));
    std::printf("rows allocated: %lld of %lld buckets\n", static_cast<long long>(result.rows_allocated),
                static_cast<long long>(options.hash_buckets));
    std::printf("log loss on the %lld examples: model %.4f | planted rates %.4f | constant rate %.4f\n",
                static_cast<long long>(options.examples), result.log_loss, result.planted_log_loss,
                result.constant_log_loss);
    std::printf(
        "weekday 9-17h vs night 0-5h in the plane: projection AUC %.3f, 1-NN accuracy %.3f "
        "(untrained rows: %.3f, %.3f)\n",
        trained.projection_auc, trained.nearest_neighbour, initial.projection_auc, initial.nearest_neighbour);
    std::printf("wrote %s and %s\n", csv.c_str(), svg.c_str());
  } catch (const lever::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
