// FrameworkController status → trial status (reference §5.3) with NNI's bugs fixed.
#include <gtest/gtest.h>

#include "fc_test_support.hpp"
#include "status_map.hpp"

namespace {

using fc_platform::map_framework_status;
using fc_test::json;

json framework_in(const std::string& state, json attempt = json::object()) {
    return {{"metadata", {{"name", "f"}}},
            {"status",
             {{"state", state},
              {"startTime", "2026-01-01T00:00:00Z"},
              {"runTime", nullptr},
              {"completionTime", nullptr},
              {"attemptStatus", attempt}}}};
}

TEST(StatusMap, NotReconciledAndPreparingAreWaiting) {
    EXPECT_EQ(map_framework_status(json{{"metadata", json::object()}})->status, "WAITING");
    for (const char* s :
         {"AttemptCreationPending", "AttemptCreationRequested", "AttemptPreparing"}) {
        EXPECT_EQ(map_framework_status(framework_in(s))->status, "WAITING") << s;
    }
}

TEST(StatusMap, RunningStartsWhenATaskRanNotWhenCreated) {
    const auto u = map_framework_status(
        framework_in("AttemptRunning", {{"runTime", "2026-01-01T00:05:00.250Z"}}));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->status, "RUNNING");
    // Five minutes after the Framework's startTime: image pulls do not count (§11.4).
    EXPECT_EQ(*u->start_ms, *fc_platform::parse_rfc3339_ms("2026-01-01T00:00:00Z") + 300'250);
}

TEST(StatusMap, TransitionalStatesChangeNothing) {
    for (const char* s : {"AttemptDeletionPending", "AttemptDeletionRequested", "AttemptDeleting",
                          "AttemptCompleted"}) {
        EXPECT_FALSE(map_framework_status(framework_in(s))) << s;
    }
}

TEST(StatusMap, CompletedCarriesOutcomeCodeAndTimes) {
    json ok = framework_in(
        "Completed", {{"runTime", "2026-01-01T00:01:00Z"},
                      {"completionStatus",
                       {{"code", 0}, {"phrase", "Succeeded"}, {"type", {{"name", "Succeeded"}}}}}});
    ok["status"]["completionTime"] = "2026-01-01T00:02:00Z";
    const auto s = map_framework_status(ok);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status, "SUCCEEDED");
    EXPECT_EQ(*s->end_ms - *s->start_ms, 60'000);

    const json failed = framework_in(
        "Completed", {{"completionStatus",
                       {{"code", 3},
                        {"phrase", "ContainerFailed"},
                        {"diagnostics", "container framework exited with 3"},
                        {"type", {{"name", "Failed"}, {"attributes", json::array()}}}}}});
    const auto f = map_framework_status(failed);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->status, "FAILED");
    EXPECT_EQ(*f->exit_code, 3);
    EXPECT_EQ(f->reason, "ContainerFailed");
    EXPECT_EQ(f->message, "container framework exited with 3");
    EXPECT_FALSE(f->start_ms);  // it never ran
}

TEST(StatusMap, ParsesApiServerTimes) {
    EXPECT_EQ(*fc_platform::parse_rfc3339_ms("1970-01-01T00:00:01Z"), 1000);
    EXPECT_EQ(*fc_platform::parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), 1500);
    EXPECT_FALSE(fc_platform::parse_rfc3339_ms("yesterday"));
}

}  // namespace
