// A check of the Kubernetes platforms' end-to-end tests for the pod lifecycle: a trial failed
// by pod trouble after podPendingTimeout.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "db/experiment_db.hpp"

namespace pod_checks {

/// The one trial of the experiment was failed by its pod's trouble (`trouble` is in the reason,
/// `detail` in the message): the message was shown first under the trial's live status, then the
/// trial FAILED with that reason after podPendingTimeout (3 s), and its job was deleted on its
/// own (a DELETE, not the experiment end's deletecollection).
inline void expect_failed_by_pod_trouble(const tshost::db::ExperimentDb& d,
                                         const nlohmann::json& stats, const std::string& plural,
                                         const std::string& trouble, const std::string& detail) {
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 1U);
    const auto& t = trials.front();
    EXPECT_EQ(t.status, "FAILED");
    EXPECT_THAT(t.message, testing::HasSubstr(trouble));
    EXPECT_THAT(t.message, testing::HasSubstr(detail));
    EXPECT_THAT(t.message, testing::HasSubstr("podPendingTimeout 3 s"));
    bool shown_before = false;
    for (const auto& change : d.status_history(t.id)) {
        shown_before = shown_before || (change.status != "FAILED" &&
                                        change.message.find(trouble) != std::string::npos);
    }
    EXPECT_TRUE(shown_before) << "the trouble was not shown while the trial waited";
    const nlohmann::json verbs =
        stats["requests"]["resources"].value(plural, nlohmann::json::object());
    EXPECT_EQ(verbs.value("delete", 0), 1) << stats.dump();
}

}  // namespace pod_checks
