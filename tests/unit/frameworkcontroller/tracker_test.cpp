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
    int64_t now_ = 42;  // the injected clock
    Tracker tracker_{[this](const std::string& id, const json& p) { events_.emplace_back(id, p); },
                     [this] { return now_; }};
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

using tshost::kubeplatform::PodTrouble;

const PodTrouble kPullError{"ErrImagePull", "pod fw1-worker-0, container framework: ErrImagePull"};
const PodTrouble kBackOff{"ImagePullBackOff",
                          "pod fw1-worker-0, container framework: ImagePullBackOff"};

TEST_F(TrackerTest, PodTroubleIsShownAsTheTrialsMessageWithItsStatus) {
    tracker_.follow("t1", "fw1");
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kPullError);
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kPullError);  // no news
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kBackOff);
    // The Framework saying nothing new does not hide the trouble.
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", std::nullopt);  // pulled after all
    ASSERT_THAT(statuses(),
                testing::ElementsAre("t1:RUNNING", "t1:RUNNING", "t1:RUNNING", "t1:RUNNING"));
    EXPECT_EQ(events_[1].second["reason"], "ErrImagePull");
    EXPECT_EQ(events_[1].second["message"], kPullError.message);
    EXPECT_EQ(events_[2].second["message"], kBackOff.message);
    EXPECT_EQ(events_[3].second["message"], "");  // cleared
    EXPECT_FALSE(events_[3].second.contains("reason"));
}

TEST_F(TrackerTest, PodTroubleBeforeTheJobHasAStatusIsWaiting) {
    tracker_.follow("t1", "fw1");
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kPullError);
    tracker_.pod_changed("t1", "fw0", "fw0-worker-0", kBackOff);  // an earlier attempt's pod
    tracker_.pod_changed("t9", "fw9", "fw9-worker-0", kBackOff);  // not followed
    EXPECT_THAT(statuses(), testing::ElementsAre("t1:WAITING"));
}

TEST_F(TrackerTest, TroubleLastingTheTimeoutFailsTheTrialWithItsReason) {
    tracker_.follow("t1", "fw1");
    tracker_.follow("t2", "fw2");
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kPullError);
    now_ += 30'000;
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kBackOff);  // the same trouble, on
    tracker_.pod_changed("t2", "fw2", "fw2-worker-0", kPullError);
    now_ += 29'999;
    EXPECT_TRUE(tracker_.expire_troubles(60'000).empty());
    now_ += 1;
    EXPECT_THAT(tracker_.expire_troubles(60'000), testing::ElementsAre("fw1"));
    EXPECT_TRUE(tracker_.expire_troubles(60'000).empty());  // once
    ASSERT_THAT(statuses(),
                testing::ElementsAre("t1:WAITING", "t1:WAITING", "t2:WAITING", "t1:FAILED"));
    EXPECT_EQ(events_[3].second["reason"], "ImagePullBackOff");
    EXPECT_THAT(events_[3].second["message"].get<std::string>(),
                testing::HasSubstr(kBackOff.message + " (for 60 s, podPendingTimeout 60 s)"));
    EXPECT_EQ(events_[3].second["endTime"], now_);
    // Its job's deletion that follows is not news; it is not "finished" for deletion again.
    tracker_.vanished(framework("fw1", "t1", nullptr));
    EXPECT_TRUE(tracker_.finished_jobs_due(0).empty());
    EXPECT_EQ(events_.size(), 4U);
}

TEST_F(TrackerTest, TroubleThatClearsStartsTheTimeoutAfresh) {
    tracker_.follow("t1", "fw1");
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kPullError);
    now_ += 50'000;
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", std::nullopt);
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", kPullError);
    now_ += 50'000;
    EXPECT_TRUE(tracker_.expire_troubles(60'000).empty());
    // Gone with its pod: nothing left to time out.
    tracker_.pod_changed("t1", "fw1", "fw1-worker-0", std::nullopt);
    now_ += 100'000;
    EXPECT_TRUE(tracker_.expire_troubles(60'000).empty());
}

TEST_F(TrackerTest, FinishedJobsAreDueAfterTheDelayOnce) {
    const json succeeded = state(
        "Completed", {{"completionStatus", {{"code", 0}, {"type", {{"name", "Succeeded"}}}}}});
    tracker_.follow("t1", "fw1");
    tracker_.follow("t2", "fw2");
    tracker_.follow("t3", "fw3");
    tracker_.observe(framework("fw1", "t1", state("AttemptRunning")));
    EXPECT_TRUE(tracker_.finished_jobs_due(0).empty());  // running
    tracker_.observe(framework("fw1", "t1", succeeded));
    tracker_.cancelled("t3", tshost::CancelReason::user);  // cancel deletes its own job
    now_ += 5'000;
    tracker_.observe(framework("fw2", "t2", succeeded));
    EXPECT_THAT(tracker_.finished_jobs_due(5'000), testing::ElementsAre("fw1"));
    EXPECT_TRUE(tracker_.finished_jobs_due(5'000).empty());
    now_ += 5'000;
    EXPECT_THAT(tracker_.finished_jobs_due(5'000), testing::ElementsAre("fw2"));
}

}  // namespace
