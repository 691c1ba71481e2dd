// maxTrialRetries with FrameworkController: a trial whose first attempt fails runs again as a
// new Framework in a new trial directory (<id>.attempt-1); the retry's metrics count, and the
// failed attempt's — a final result included — are kept in the database but never reach the
// tuner.
#include <gmock/gmock.h>

#include "fc_e2e_fixture.hpp"

namespace fc_e2e {
namespace {

TEST_F(FrameworkControllerE2E, AFailedFirstAttemptIsRetriedAndOnlyTheRetryCounts) {
    Experiment e{role("worker", 1, "--fail-first-attempt"), 2};
    e.extra = "maxTrialRetries: 1\n";
    const TshostRun result = run(config(e));
    ASSERT_EQ(result.exit_code, 0) << result.output;

    auto d = db();
    EXPECT_EQ(d.meta("status"), "DONE");
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 2U) << result.output;
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(t.attempt, 1) << t.id;
        // The failure and the retry are in the trial's history.
        std::vector<std::string> statuses;
        for (const auto& change : d.status_history(t.id)) {
            statuses.push_back(change.status);
        }
        EXPECT_THAT(statuses, testing::Contains("FAILED")) << t.id;
        // Each attempt journalled in its own directory: the first its two intermediates and
        // a final of 1000 + x, the retry two intermediates and x.
        const std::string retry_dir = t.id + ".attempt-1";
        ASSERT_TRUE(fs::exists(share_ / "nni" / kExp / retry_dir)) << retry_dir;
        EXPECT_EQ(journalled(t.id, "worker-0"), 3U) << t.id;
        EXPECT_EQ(journalled(retry_dir, "worker-0"), 3U) << retry_dir;
        const double x = json::parse(t.parameters_json)["parameters"]["x"];
        ASSERT_TRUE(t.final_metric) << t.id;
        EXPECT_DOUBLE_EQ(*t.final_metric, x) << "the retry's final result is the trial's";
        std::map<int, size_t> per_attempt;
        for (const auto& m : d.metrics(t.id)) {
            ++per_attempt[m.attempt];
            EXPECT_EQ(m.default_value >= 1000, m.attempt == 0) << t.id << " seq " << m.seq;
        }
        EXPECT_EQ(per_attempt[0], 3U) << "the failed attempt's records are kept";
        EXPECT_EQ(per_attempt[1], 3U);
    }
    // Two trials, two attempts each: four Frameworks, none created twice.
    EXPECT_EQ(requests("frameworks", "create"), 4);
    expect_cluster_empty();
}

}  // namespace
}  // namespace fc_e2e
