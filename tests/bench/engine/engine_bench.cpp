// Engine + database ingestion: 100,000 metrics through the real engine (events
// from a plugin thread, parsed, deduplicated, persisted in batched transactions,
// delivered to the tuner), against a baseline measured in the same run: the same
// rows inserted one transaction each, as an unbatched host would.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "db/experiment_db.hpp"
#include "engine/engine.hpp"
#include "plugin/loader.hpp"
#include "tuner/search_space.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kTrials = 10;
constexpr long kMetricsPerTrial = 10'000;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

fs::path scratch(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("tshost-bench-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

double engine_run(int64_t& stored) {
    auto loaded = tshost::plugin::load_plugin(FLOOD_PLUGIN);
    if (!loaded.plugin) {
        std::fprintf(stderr, "%s\n", loaded.refusal->message().c_str());
        std::exit(1);
    }
    auto db = tshost::db::ExperimentDb::open(scratch("engine") / "experiment.db");
    tshost::plugin::EventQueue events;
    tshost::plugin::InstanceOptions options;
    options.events = &events;
    tshost::plugin::PlatformInstance platform(
        *loaded.plugin, R"({"metricsPerTrial":)" + std::to_string(kMetricsPerTrial) + "}",
        std::move(options));
    auto tuner = tshost::tuner::make_tuner("Random", nlohmann::json::object(), 1);
    tuner->update_search_space(tshost::tuner::SearchSpace::parse(
        nlohmann::json::parse(R"({"x":{"_type":"uniform","_value":[0,1]}})")));
    tshost::engine::Limits limits;
    limits.trial_concurrency = kTrials;
    limits.max_trial_number = kTrials;
    tshost::engine::Engine engine({db, platform, events, *tuner, nullptr,
                                   tshost::tuner::OptimizeMode::Maximize},
                                  limits);
    std::atomic<bool> stop{false};
    const auto start = Clock::now();
    engine.run(stop, [](const tshost::engine::Progress&) {});
    const double elapsed = seconds_since(start);
    stored = db.metric_count();
    return elapsed;
}

double unbatched_baseline(int64_t rows) {
    auto db = tshost::db::ExperimentDb::open(scratch("baseline") / "experiment.db");
    tshost::db::TrialRow trial;
    trial.id = "t0";
    trial.parameters_json = "{}";
    trial.status = "RUNNING";
    db.insert_trial(trial);
    const auto start = Clock::now();
    for (int64_t i = 0; i < rows; ++i) {
        db.insert_metric({"t0", 0, "0", i, i, "PERIODICAL", i, "0.5", 0.5});
    }
    return seconds_since(start);
}

}  // namespace

int main() {
    int64_t stored = 0;
    const double engine_s = engine_run(stored);
    const int64_t expected = kTrials * (kMetricsPerTrial + 1);
    const int64_t baseline_rows = 20'000;  // one fsync-free transaction each is slow enough
    const double baseline_s = unbatched_baseline(baseline_rows);
    const double engine_rate = static_cast<double>(stored) / engine_s;
    const double baseline_rate = static_cast<double>(baseline_rows) / baseline_s;
    std::printf("engine ingestion: %lld metrics stored of %lld emitted in %.3f s = %.0f metrics/s\n",
                static_cast<long long>(stored), static_cast<long long>(expected), engine_s,
                engine_rate);
    std::printf("baseline (one transaction per metric, same database code): %.0f metrics/s\n",
                baseline_rate);
    std::printf("ratio engine/baseline: %.1fx; 100,000 metrics take %.3f s (target < 2 s)\n",
                engine_rate / baseline_rate, 100'000.0 / engine_rate);
    return stored == expected ? 0 : 1;
}
