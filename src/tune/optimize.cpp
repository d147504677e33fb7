#include "lever/tune/optimize.h"

#include <cmath>
#include <filesystem>
#include <thread>

#include "lever/error.h"
#include "tune/study_loop.h"

namespace lever::tune {

bool TrialReporter::Report(int64_t step, double value) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back({step, value});
  }
  return ShouldStop();
}

std::vector<MetricPoint> TrialReporter::TakeReports() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<MetricPoint> reports = std::move(pending_);
  pending_.clear();
  return reports;
}

namespace {

// The objective on its own thread; the loop polls it like a subprocess.
class FunctionTrial : public internal::RunningTrial {
 public:
  FunctionTrial(const Objective& objective, const StoredTrial& trial) : reporter_(trial.number, trial.job_dir) {
    thread_ = std::thread([this, &objective, assignment = trial.assignment] {
      try {
        value_ = objective(assignment, reporter_);
      } catch (const Error& e) {
        error_ = e.what();
      } catch (const std::exception& e) {
        error_ = std::string("exception: ") + e.what();
      } catch (...) {
        error_ = "an exception that is not a std::exception";
      }
      done_.store(true);
    });
  }
  ~FunctionTrial() override {
    reporter_.RequestStop();
    if (thread_.joinable()) thread_.join();
  }
  FunctionTrial(const FunctionTrial&) = delete;
  FunctionTrial& operator=(const FunctionTrial&) = delete;

  std::vector<MetricPoint> NewReports() override { return reporter_.TakeReports(); }

  std::optional<internal::TrialEnd> Poll() override {
    if (!done_.load()) return std::nullopt;
    thread_.join();
    internal::TrialEnd end;
    end.ok = error_.empty();
    end.error = error_;
    if (end.ok) end.objective = value_;
    return end;
  }

  void Stop() override { reporter_.RequestStop(); }

 private:
  TrialReporter reporter_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  double value_ = std::numeric_limits<double>::quiet_NaN();
  std::string error_;
};

class FunctionLauncher : public internal::TrialLauncher {
 public:
  FunctionLauncher(const Objective& objective, std::string study_dir)
      : objective_(objective), study_dir_(std::move(study_dir)) {}

  std::string JobDir(int number) const override {
    if (study_dir_.empty()) return "";
    return (std::filesystem::path(study_dir_) / "trials" / std::to_string(number)).string();
  }

  std::unique_ptr<internal::RunningTrial> Start(const StoredTrial& trial) override {
    if (!trial.job_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(trial.job_dir, ec);
      if (ec) throw IoError("cannot create the trial directory '" + trial.job_dir + "': " + ec.message());
    }
    return std::make_unique<FunctionTrial>(objective_, trial);
  }

 private:
  const Objective& objective_;
  std::string study_dir_;
};

}  // namespace

StudyResult Optimize(const StudySpec& spec, const Objective& objective, StudyStorage& storage,
                     const StudyOptions& options, StudyObserver* observer, const std::string& study_dir) {
  if (!objective) throw ConfigError("Optimize needs an objective function");
  FunctionLauncher launcher(objective, study_dir.empty() ? "" : std::filesystem::absolute(study_dir).string());
  return internal::RunStudyLoop(spec, launcher, storage, options, observer);
}

}  // namespace lever::tune
