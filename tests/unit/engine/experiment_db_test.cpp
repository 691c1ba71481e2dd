// The experiment database: exactly-once metrics, persistence across reopen.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

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

// NNI's metric-data-latest, condensed by SQLite: per trial, its current attempt's primary
// records only; FINAL ones in place, and the newest PERIODICAL where the first one was.
TEST(ExperimentDb, LatestMetricsKeepEachTrialsNewestResultInTheFirstOnesPlace) {
    auto db = ExperimentDb::open(fresh_db("latest"));
    auto t1 = trial("t1");
    db.insert_trial(t1);
    db.insert_trial(trial("t2"));
    const auto record = [](std::string trial_id, int attempt, std::string replica, int64_t seq,
                           std::string type, std::string value, bool primary = true) {
        return MetricRow{std::move(trial_id),
                         attempt,
                         std::move(replica),
                         seq,
                         1000 + seq,
                         std::move(type),
                         seq,
                         value,
                         std::stod(value),
                         primary};
    };
    ASSERT_TRUE(db.insert_metric(record("t1", 0, "0", 0, "PERIODICAL", "0.01")));
    ASSERT_TRUE(db.insert_metric(record("t1", 0, "0", 1, "PERIODICAL", "0.02")));
    ASSERT_TRUE(db.insert_metric(record("t2", 0, "0", 0, "PERIODICAL", "0.1")));
    ASSERT_TRUE(db.insert_metric(record("t2", 0, "1", 0, "PERIODICAL", "9.1", false)));
    ASSERT_TRUE(db.insert_metric(record("t1", 0, "0", 2, "FINAL", "0.03")));
    ASSERT_TRUE(db.insert_metric(record("t1", 1, "0", 0, "PERIODICAL", "1.1")));
    ASSERT_TRUE(db.insert_metric(record("t2", 0, "0", 1, "PERIODICAL", "0.2")));
    ASSERT_TRUE(db.insert_metric(record("t1", 1, "0", 1, "PERIODICAL", "1.2")));
    ASSERT_TRUE(db.insert_metric(record("t2", 0, "1", 1, "FINAL", "9.3", false)));
    ASSERT_TRUE(db.insert_metric(record("t2", 0, "0", 2, "FINAL", "0.3")));
    t1.attempt = 1;  // t1 was retried: its first attempt's records no longer count
    db.update_trial(t1);

    std::vector<std::string> got;
    for (const auto& m : db.latest_metrics()) {
        got.push_back(m.trial_id + "/" + std::to_string(m.attempt) + " " + m.type + " " +
                      m.value_json);
    }
    EXPECT_EQ(got, (std::vector<std::string>{"t2/0 PERIODICAL 0.2", "t1/1 PERIODICAL 1.2",
                                             "t2/0 FINAL 0.3"}));
}
