// The tracker turns informer callbacks and cancels into exactly one status stream per trial.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fc_test_support.hpp"
#include "tracker.hpp"

namespace {

using fc_platform::Tracker;
using fc_test::json;

class TrackerTest : public testing::Test {
  protected:
    Tracker tracker_{[this](const std::string& id, const json& p) { events_.emplace_back(id, p); },
                     [] { return int64_t{42}; }};
    std::vector<std::pair<std::string, json>> events_;

    static json framework(const std::string& name, const std::string& trial, json status) {
        json fw = {
            {"metadata", {{"name", name}, {"labels", {{"trialId", trial}, {"expId", "exp1"}}}}}};
        if (!status.is_null()) {
            fw["status"] = status;
        }
        return fw;
    }
    static json state(const std::string& s, json attempt = json::object()) {
        return {{"state", s}, {"attemptStatus", attempt}};
    }
    std::vector<std::string> statuses() const {
        std::vector<std::string> out;
        for (const auto& [id, p] : events_) {
            out.push_back(id + ":" + p["status"].get<std::string>());
        }
        return out;
    }
};

TEST_F(TrackerTest, EmitsEachChangeOnceInOrder) {
    tracker_.follow("t1", "fw1");
    tracker_.observe(framework("fw1", "t1", nullptr));
    tracker_.observe(framework("fw1", "t1", state("AttemptCreationPending")));
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));
    tracker_.observe(framework("fw1", "t1", state("AttemptDeletionPending")));
    tracker_.observe(
        framework("fw1", "t1",
                  state("Completed",
                        {{"completionStatus", {{"code", 0}, {"type", {{"name", "Succeeded"}}}}}})));
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));  // late: ignored
    EXPECT_THAT(statuses(), testing::ElementsAre("t1:WAITING", "t1:RUNNING", "t1:SUCCEEDED"));
    EXPECT_EQ(events_[1].second["startTime"], 42);  // no runTime in the object: when seen
    EXPECT_EQ(events_[2].second["startTime"], 42);  // kept on the end event
    EXPECT_EQ(events_[2].second["jobName"], "fw1");
}

TEST_F(TrackerTest, IgnoresOtherAttemptsAndUnknownTrials) {
    tracker_.follow("t1", "fw1r1");
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));  // attempt 0's Framework
    tracker_.observe(framework("fw9", "t9", state("AttemptRunning")));
    tracker_.vanished(framework("fw1", "t1", nullptr));
    EXPECT_TRUE(events_.empty());
}

TEST_F(TrackerTest, ADeletionBehindTheHostsBackFailsTheTrialWithTheReason) {
    tracker_.follow("t1", "fw1");
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));
    tracker_.vanished(framework("fw1", "t1", state("AttemptRunning")));
    ASSERT_THAT(statuses(), testing::ElementsAre("t1:RUNNING", "t1:FAILED"));
    EXPECT_EQ(events_[1].second["reason"], "FrameworkDeleted");
    EXPECT_THAT(events_[1].second["message"].get<std::string>(), testing::HasSubstr("fw1"));
}

TEST_F(TrackerTest, AStopMeansTheCancelReasonNotAFailure) {
    tracker_.follow("t1", "fw1");
    tracker_.stopping("t1", tshost::CancelReason::early_stop);
    // executionType Stop completes the Framework as Failed (-210).
    tracker_.observe(
        framework("fw1", "t1",
                  state("Completed",
                        {{"completionStatus", {{"code", -210}, {"type", {{"name", "Failed"}}}}}})));
    tracker_.cancelled("t1", tshost::CancelReason::early_stop);
    tracker_.vanished(framework("fw1", "t1", nullptr));
    EXPECT_THAT(statuses(), testing::ElementsAre("t1:EARLY_STOPPED"));
    EXPECT_EQ(events_[0].second["endTime"], 42);
}

TEST_F(TrackerTest, EndAllCancelsOnlyLiveTrials) {
    tracker_.follow("t1", "fw1");
    tracker_.follow("t2", "fw2");
    tracker_.observe(
        framework("fw1", "t1",
                  state("Completed",
                        {{"completionStatus", {{"code", 0}, {"type", {{"name", "Succeeded"}}}}}})));
    tracker_.end_all();
    EXPECT_THAT(statuses(), testing::ElementsAre("t1:SUCCEEDED", "t2:SYS_CANCELED"));
}

}  // namespace
