// The experiment database: exactly-once metrics, persistence across reopen.
#include <gtest/gtest.h>

#include <filesystem>

#include "db/experiment_db.hpp"

using namespace tshost::db;

namespace {
std::filesystem::path fresh_db(const std::string& name) {
    const auto dir = std::filesystem::path(testing::TempDir()) / ("db-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir / "experiment.db";
}

TrialRow trial(const std::string& id) {
    TrialRow t;
    t.id = id;
    t.sequence_id = 1;
    t.parameter_id = 1;
    t.parameters_json = R"({"parameters":{"x":1}})";
    t.status = "WAITING";
    return t;
}

MetricRow metric(int64_t seq, int attempt = 0) {
    return MetricRow{"t1", attempt, "0", seq, 1000 + seq, "PERIODICAL", seq, "0.5", 0.5};
}
}  // namespace

TEST(ExperimentDb, AMetricIsStoredExactlyOnce) {
    auto db = ExperimentDb::open(fresh_db("once"));
    db.insert_trial(trial("t1"));
    EXPECT_TRUE(db.insert_metric(metric(0)));
    EXPECT_FALSE(db.insert_metric(metric(0))) << "a replay of the same record must be ignored";
    EXPECT_TRUE(db.insert_metric(metric(1)));
    EXPECT_TRUE(db.insert_metric(metric(0, 1))) << "a retried attempt numbers afresh";
    EXPECT_EQ(db.metric_count(), 3);
}

TEST(ExperimentDb, EverythingSurvivesReopening) {
    const auto path = fresh_db("reopen");
    {
        auto db = ExperimentDb::open(path);
        db.set_meta("status", "RUNNING");
        db.begin();
        auto t = trial("t1");
        db.insert_trial(t);
        t.status = "SUCCEEDED";
        t.final_metric = 0.75;
        db.update_trial(t);
        db.add_status_change({"t1", 5, "SUCCEEDED", "done"});
        db.insert_metric(metric(0));
        db.commit();
    }
    auto db = ExperimentDb::open(path);
    EXPECT_EQ(db.meta("status"), "RUNNING");
    EXPECT_EQ(db.meta("missing"), std::nullopt);
    const auto t = db.trial("t1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->status, "SUCCEEDED");
    EXPECT_EQ(t->final_metric, 0.75);
    ASSERT_EQ(db.status_history("t1").size(), 1U);
    EXPECT_EQ(db.status_history("t1")[0].message, "done");
    EXPECT_EQ(db.metrics("t1").size(), 1U);
}
