// The gtest side of the metrics end-to-end tests: one MetricsExperiment per test
// under the test's temp directory, over the storage the concrete fixture provides,
// and the checks every suite makes ("exactly once" against the agents' journals;
// "seen while running" through trial.py's wait mode).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "metrics_experiment.hpp"

namespace metrics_e2e {

class MetricsE2ETest : public testing::Test {
  protected:
    /// The shared storage of this suite; called from SetUp, after the suite's
    /// servers are up. `root` is the test's scratch directory.
    virtual SharedStorage make_storage(const fs::path& root) = 0;

    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        const fs::path root =
            fs::path(testing::TempDir()) /
            ("metrics-" + std::string(info->test_suite_name()) + "-" + std::string(info->name()));
        experiment_.emplace(root, TRIAL_SCRIPT);
        storage_ = make_storage(root);
    }

    static constexpr const char* kId = MetricsExperiment::kId;
    const fs::path& root() const { return experiment_->root(); }

    std::string config(const std::string& mode, const std::string& top = "", int trials = 3) {
        return experiment_->config(storage_, "python3 trial.py " + mode, top, trials);
    }
    std::vector<std::string> args(std::vector<std::string> rest) const {
        return experiment_->args(std::move(rest));
    }
    tshost::db::ExperimentDb db() const { return experiment_->db(); }

    /// Every journalled record is in the database once; returns the trials.
    std::vector<tshost::db::TrialRow> expect_exactly_once() {
        auto d = db();
        const auto trials = d.trials();
        for (const auto& t : trials) {
            const auto stored = d.metrics(t.id);
            const size_t journalled = experiment_->journal_records(t.id);
            EXPECT_GT(journalled, 0U) << t.id << " journalled nothing";
            EXPECT_EQ(stored.size(), journalled) << t.id;
            std::set<std::pair<std::string, int64_t>> keys;
            for (const auto& m : stored) {
                EXPECT_TRUE(keys.insert({m.replica, m.seq}).second) << t.id << " seq " << m.seq;
            }
        }
        return trials;
    }

    /// After a run of trial.py's wait mode: every trial succeeded and saw its
    /// intermediate result in the database while it was still running (final 1.0).
    void expect_every_trial_saw_its_metric(size_t expected_trials, const std::string& path) {
        const auto trials = expect_exactly_once();
        ASSERT_EQ(trials.size(), expected_trials);
        auto d = db();
        for (const auto& t : trials) {
            EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
            ASSERT_TRUE(t.final_metric) << t.id;
            EXPECT_EQ(*t.final_metric, 1.0)
                << path << " did not bring trial " << t.id << "'s metric in while it ran";
            const auto metrics = d.metrics(t.id);
            ASSERT_EQ(metrics.size(), 2U) << t.id << ": one intermediate, one final";
            // The quote and the accents survived the trip (NNI truncates at the quote).
            EXPECT_THAT(metrics[0].value_json, testing::HasSubstr("it's"));
            EXPECT_THAT(metrics[0].value_json, testing::HasSubstr("quoted"));
        }
    }

  private:
    std::optional<MetricsExperiment> experiment_;
    SharedStorage storage_;
};

}  // namespace metrics_e2e
