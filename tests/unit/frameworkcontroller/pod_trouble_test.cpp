// Pod status → the trouble a trial shows: what kubelet and the scheduler report for a pod that
// cannot start, and nothing for a pod that is merely starting or running.
#include <tshost/kubeplatform/pod_trouble.hpp>
#include <tshost/kubeplatform/status.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using testing::HasSubstr;
using tshost::kubeplatform::pod_trouble;

const int64_t kNow = *tshost::kubeplatform::parse_rfc3339_ms("2026-11-25T12:00:00Z");

json pod(json status) {
    return {{"metadata", {{"name", "nniexpe1trialt1-worker-0"}}}, {"status", std::move(status)}};
}

json waiting(const std::string& name, const std::string& reason, const std::string& message) {
    return {{"name", name}, {"state", {{"waiting", {{"reason", reason}, {"message", message}}}}}};
}

TEST(PodTrouble, ImagePullErrorsNameThePodContainerAndKubeletsMessage) {
    for (const char* reason :
         {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError"}) {
        const auto t = pod_trouble(
            pod({{"phase", "Pending"},
                 {"containerStatuses",
                  {waiting("framework", reason, "failed to pull \"nope:1\": not found")}}}),
            kNow);
        ASSERT_TRUE(t) << reason;
        EXPECT_EQ(t->reason, reason);
        EXPECT_THAT(t->message, HasSubstr("pod nniexpe1trialt1-worker-0, container framework"));
        EXPECT_THAT(t->message, HasSubstr("failed to pull \"nope:1\": not found"));
    }
}

TEST(PodTrouble, AnInitContainersPullErrorCounts) {
    const auto t = pod_trouble(
        pod({{"phase", "Pending"},
             {"initContainerStatuses", {waiting("frameworkbarrier", "ImagePullBackOff", "")}}}),
        kNow);
    ASSERT_TRUE(t);
    EXPECT_THAT(t->message, HasSubstr("init container frameworkbarrier: ImagePullBackOff"));
}

TEST(PodTrouble, UnschedulableNeedsTheConditionFalseWithThatReason) {
    json status = {{"phase", "Pending"},
                   {"conditions",
                    {{{"type", "PodScheduled"},
                      {"status", "False"},
                      {"reason", "Unschedulable"},
                      {"message",
                       "0/1 nodes are available: 1 node(s) didn't match Pod's node "
                       "affinity/selector."}}}}};
    const auto t = pod_trouble(pod(status), kNow);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->reason, "Unschedulable");
    EXPECT_THAT(t->message, HasSubstr("cannot be scheduled: 0/1 nodes are available"));
    status["conditions"][0]["status"] = "True";
    EXPECT_FALSE(pod_trouble(pod(status), kNow));
}

TEST(PodTrouble, AnInitContainerIsStuckOnlyAfterAMinute) {
    const auto init_running_since = [](const std::string& started) {
        return pod({{"phase", "Pending"},
                    {"initContainerStatuses",
                     {{{"name", "frameworkbarrier"},
                       {"state", {{"running", {{"startedAt", started}}}}}}}}});
    };
    EXPECT_FALSE(pod_trouble(init_running_since("2026-11-25T11:59:30Z"), kNow));
    const auto t = pod_trouble(init_running_since("2026-11-25T11:58:00Z"), kNow);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->reason, "InitContainerStuck");
    EXPECT_THAT(t->message, HasSubstr("init container frameworkbarrier has been running since "
                                      "2026-11-25T11:58:00Z"));
}

TEST(PodTrouble, StartingRunningAndFinishedPodsAreFine) {
    EXPECT_FALSE(
        pod_trouble(pod({{"phase", "Pending"},
                         {"containerStatuses", {waiting("framework", "ContainerCreating", "")}}}),
                    kNow));
    EXPECT_FALSE(pod_trouble(
        pod({{"phase", "Running"},
             {"containerStatuses",
              {{{"name", "framework"}, {"state", {{"running", {{"startedAt", "x"}}}}}}}}}),
        kNow));
    EXPECT_FALSE(pod_trouble(pod(json::object()), kNow));
    EXPECT_FALSE(pod_trouble(json::object(), kNow));
}

}  // namespace
