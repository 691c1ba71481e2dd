#include <gtest/gtest.h>

#include "trialkit/layout.hpp"

using namespace tshost::trialkit;

TEST(Layout, TrialDirectoriesFollowNniAndSeparateAttempts) {
    EXPECT_EQ(trial_dir("exp1", "ab3xz", 0), "nni/exp1/ab3xz");
    EXPECT_EQ(trial_dir("exp1", "ab3xz", 2), "nni/exp1/ab3xz.attempt-2");
    EXPECT_EQ(metrics_dir("nni/exp1/ab3xz"), "nni/exp1/ab3xz/.tshost/metrics");
    EXPECT_EQ(kit_dir("exp1"), "nni/exp1/.tshost/kit");
    EXPECT_EQ(changed_dir("exp1"), "nni/exp1/.tshost/changed");
}

TEST(Layout, DirectoryNamesRoundTrip) {
    for (int64_t attempt : {0, 1, 12}) {
        const auto ref = parse_trial_dir_name(trial_dir_name("ab3xz", attempt));
        ASSERT_TRUE(ref);
        EXPECT_EQ(ref->trial_id, "ab3xz");
        EXPECT_EQ(ref->attempt, attempt);
    }
}

TEST(Layout, RejectsNamesThatAreNotTrials) {
    for (const char* name : {"", ".tshost", "ab3xz.attempt-", "ab3xz.attempt-0", "ab3xz.attempt-01",
                             "ab3xz.attempt-x", "a/b", "code.manifest"}) {
        EXPECT_FALSE(parse_trial_dir_name(name)) << name;
    }
}

TEST(Layout, MarkerNamesSplitAtTheLastDot) {
    const auto marker = parse_marker_name("ab3xz.attempt-3.worker-1");
    ASSERT_TRUE(marker);
    EXPECT_EQ(marker->trial.trial_id, "ab3xz");
    EXPECT_EQ(marker->trial.attempt, 3);
    EXPECT_EQ(marker->trial_dir_name, "ab3xz.attempt-3");
    EXPECT_EQ(marker->replica, "worker-1");
    EXPECT_FALSE(parse_marker_name("ab3xz"));
    EXPECT_FALSE(parse_marker_name("ab3xz."));
    EXPECT_FALSE(parse_marker_name("ab3xz.worker 1"));
}
