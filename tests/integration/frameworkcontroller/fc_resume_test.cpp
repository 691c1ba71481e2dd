// `kill -9` of the host while trials run, then `tshost resume`: the running Frameworks are
// re-adopted by label, nothing is submitted twice, and every metric the agents journalled on
// the share is stored exactly once.
#include <signal.h>

#include "fc_e2e_fixture.hpp"

namespace fc_e2e {
namespace {

TEST_F(FrameworkControllerE2E, KillNineThenResumeAdoptsTheRunningFrameworksAndLosesNothing) {
    // Four trials, two at a time; each reports one result, then waits for the test's go.
    const std::string cfg = config(Experiment{role("worker", 1, "--wait-for /tmp/mount/go"), 4});
    const pid_t host = start(cfg, "first.log");
    const fs::path db_file = root_ / "data" / kExp / "experiment.db";
    const bool going = wait_until([&] {
        if (!fs::exists(db_file)) {
            return false;
        }
        auto d = db();
        size_t with_metric = 0;
        for (const auto& t : d.trials()) {
            with_metric += t.status == "RUNNING" && !d.metrics(t.id).empty() ? 1 : 0;
        }
        return with_metric == 2;
    });
    ASSERT_TRUE(going) << "two trials never ran with a stored metric";
    ASSERT_EQ(::kill(host, SIGKILL), 0);
    ASSERT_EQ(wait_process(host), -SIGKILL);
    ASSERT_EQ(requests("frameworks", "create"), 2);
    ASSERT_EQ(count("/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks"), 2U);

    const int64_t watches_before = requests("frameworks", "watch");
    const pid_t resumed =
        start_tshost({"--data-dir", (root_ / "data").string(), "resume", kExp, "--port", "0"},
                     (root_ / "resume.log").string());
    // The resumed host watches the experiment's Frameworks before the trials may end, so it
    // adopts them running.
    ASSERT_TRUE(wait_until([&] { return requests("frameworks", "watch") > watches_before; }))
        << "the resumed host never watched";
    release_trials();
    ASSERT_EQ(wait_process(resumed, 240), 0);

    expect_done_with_every_metric(4);
    // The two adopted trials were not created again: four trials, four creates.
    EXPECT_EQ(requests("frameworks", "create"), 4);
    expect_cluster_empty();
}

}  // namespace
}  // namespace fc_e2e
