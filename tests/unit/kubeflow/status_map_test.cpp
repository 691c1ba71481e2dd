// A TFJob's / PyTorchJob's conditions → the trial's status: NNI's table (reference §5.2) with its
// quirks fixed — condition status honoured, the end conditions win whatever their order,
// Restarting is not success, the start time is when the job began Running.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tshost/kubeplatform/kubeflow_job.hpp>
#include <tshost/kubeplatform/tracker.hpp>

#include "kf_test_support.hpp"

namespace {

using kf_test::json;
namespace kp = tshost::kubeplatform;

json condition(const std::string& type, const std::string& status = "True",
               const std::string& at = "2026-01-01T00:00:00Z", const std::string& message = "") {
    return {{"type", type},       {"status", status},     {"reason", "TFJob" + type},
            {"message", message}, {"lastUpdateTime", at}, {"lastTransitionTime", at}};
}

json job_with(json conditions) {
    return {{"metadata", {{"name", "nni-exp-e-trial-t1"}, {"labels", {{"trialId", "t1"}}}}},
            {"status", {{"conditions", std::move(conditions)}}}};
}

std::string status_of(const json& job) {
    const auto u = kp::map_kubeflow_status(job);
    return u ? u->status : "(unchanged)";
}

TEST(KubeflowStatus, TheTable) {
    EXPECT_EQ(status_of(json::object()), "WAITING");  // not reconciled yet
    EXPECT_EQ(status_of(job_with(json::array())), "WAITING");
    EXPECT_EQ(status_of(job_with({condition("Created")})), "WAITING");
    EXPECT_EQ(status_of(job_with({condition("Created"), condition("Running")})), "RUNNING");
    EXPECT_EQ(status_of(job_with({condition("Created"), condition("Restarting")})), "RUNNING");
    EXPECT_EQ(status_of(job_with(
                  {condition("Created"), condition("Running", "False"), condition("Succeeded")})),
              "SUCCEEDED");
    EXPECT_EQ(status_of(job_with(
                  {condition("Created"), condition("Running", "False"), condition("Failed")})),
              "FAILED");
    EXPECT_EQ(status_of(job_with({condition("Created"), condition("Suspended")})), "WAITING");
}

TEST(KubeflowStatus, OnlyTrueConditionsCountAndEndsWinWhateverTheOrder) {
    // NNI read the last element and ignored `status` (§11.2).
    EXPECT_EQ(status_of(job_with({condition("Created"), condition("Running", "False")})),
              "WAITING");
    EXPECT_EQ(status_of(job_with({condition("Succeeded", "False"), condition("Running")})),
              "RUNNING");
    EXPECT_EQ(status_of(job_with({condition("Failed"), condition("Running")})), "FAILED");
}

TEST(KubeflowStatus, RestartingIsRunningWithTheReasonNeverSuccess) {
    const auto u = kp::map_kubeflow_status(job_with(
        {condition("Created"),
         condition("Restarting", "True", "2026-01-01T00:00:05Z",
                   "TFJob x is restarting because a replica exited with a retryable code.")}));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->status, "RUNNING");
    EXPECT_THAT(u->message, testing::HasSubstr("restarting"));
    EXPECT_EQ(u->reason, "TFJobRestarting");
}

TEST(KubeflowStatus, StartIsWhenItRanEndIsWhenItEndedFailureCarriesTheReason) {
    const auto running =
        kp::map_kubeflow_status(job_with({condition("Created", "True", "2026-01-01T00:00:00Z"),
                                          condition("Running", "True", "2026-01-01T00:05:00Z")}));
    ASSERT_TRUE(running && running->start_ms);
    // Not the Created time (§11.4).
    EXPECT_EQ(*running->start_ms, *kp::parse_rfc3339_ms("2026-01-01T00:05:00Z"));
    const auto failed = kp::map_kubeflow_status(
        job_with({condition("Running", "False", "2026-01-01T00:09:00Z"),
                  condition("Failed", "True", "2026-01-01T00:09:00Z",
                            "TFJob x has failed because 1 Worker replica(s) failed.")}));
    ASSERT_TRUE(failed && failed->end_ms);
    EXPECT_EQ(*failed->end_ms, *kp::parse_rfc3339_ms("2026-01-01T00:09:00Z"));
    EXPECT_EQ(failed->reason, "TFJobFailed");
    EXPECT_THAT(failed->message, testing::HasSubstr("1 Worker replica(s) failed"));
}

// Through the shared tracker: the events a trial gets, once each, and a deleted job's reason.
TEST(KubeflowTracker, EventsOnceEachAndADeletedJobFailsTheTrialWithTheReason) {
    std::vector<json> events;
    kp::JobTracker tracker([&](const std::string&, const json& p) { events.push_back(p); },
                           [] { return int64_t{42}; }, kp::map_kubeflow_status, "TFJob");
    tracker.follow("t1", "nni-exp-e-trial-t1");
    tracker.observe(job_with({condition("Created")}));
    tracker.observe(job_with({condition("Created"), condition("Running")}));
    tracker.observe(job_with({condition("Created"), condition("Running")}));  // no news
    const json restarting =
        job_with({condition("Created"),
                  condition("Restarting", "True", "2026-01-01T00:00:00Z", "retryable exit code")});
    tracker.observe(restarting);
    tracker.observe(restarting);  // the same message: no news
    tracker.vanished(restarting);
    std::vector<std::string> statuses;
    for (const json& e : events) {
        statuses.push_back(e["status"]);
    }
    EXPECT_THAT(statuses, testing::ElementsAre("WAITING", "RUNNING", "RUNNING", "FAILED"));
    EXPECT_EQ(events[2]["message"], "retryable exit code");
    EXPECT_EQ(events[3]["reason"], "TFJobDeleted");
    EXPECT_THAT(events[3]["message"].get<std::string>(),
                testing::HasSubstr("nni-exp-e-trial-t1 was deleted outside tshost"));
}

}  // namespace
