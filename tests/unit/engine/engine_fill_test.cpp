// The engine handles the events that arrive while it submits a round of trials between one
// submit and the next: a trial's end must not wait until every free slot has been submitted
// (each submit can wait for the Kubernetes client's rate limiter). The fixture platform ends
// every trial during its own submit, so the order of the tuner's calls shows it, no timing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "db/experiment_db.hpp"
#include "engine/engine.hpp"
#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"
#include "tuner/tuner.hpp"

namespace fs = std::filesystem;

namespace {

// Writes down what the engine asks of it, in order.
class RecordingTuner : public tshost::tuner::Tuner {
  public:
    std::vector<std::string> calls;

    void update_search_space(const tshost::tuner::SearchSpace&) override {}
    std::optional<nlohmann::json> generate_parameters(std::int64_t id) override {
        calls.push_back("generate " + std::to_string(id));
        return nlohmann::json{{"x", id}};
    }
    void receive_trial_result(std::int64_t, const nlohmann::json&, double) override {}
    void trial_end(std::int64_t id, bool succeeded) override {
        calls.push_back((succeeded ? "end " : "failed ") + std::to_string(id));
    }
};

TEST(EngineFill, ATrialThatEndsDuringASubmitRoundReachesTheTunerBeforeTheNextSubmit) {
    const fs::path dir = fs::path(testing::TempDir()) / "engine-fill";
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto loaded = tshost::plugin::load_plugin(INSTANT_PLATFORM);
    ASSERT_TRUE(loaded.plugin) << (loaded.refusal ? loaded.refusal->message() : "");
    tshost::plugin::EventQueue events;
    tshost::plugin::InstanceOptions options;
    options.events = &events;
    tshost::plugin::PlatformInstance platform(*loaded.plugin, "{}", options);
    auto db = tshost::db::ExperimentDb::open(dir / "experiment.db");
    RecordingTuner tuner;

    tshost::engine::Limits limits;
    limits.trial_concurrency = 3;  // three free slots: one round of three submits
    limits.max_trial_number = 4;
    tshost::engine::Engine engine({db, platform, events, tuner}, limits);
    const std::atomic<bool> stop{false};
    EXPECT_EQ(engine.run(stop, [](const tshost::engine::Progress&) {}), "DONE");

    // Without the hand-over between submits: generate 0, 1, 2, then end 0, 1, 2.
    EXPECT_THAT(tuner.calls, testing::ElementsAre("generate 0", "end 0", "generate 1", "end 1",
                                                  "generate 2", "end 2", "generate 3", "end 3"));
    EXPECT_EQ(engine.progress().succeeded, 4);
}

}  // namespace
