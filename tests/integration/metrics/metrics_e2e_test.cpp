// Metrics from trial to database through the trial agent, end to end: pushed to the
// host's metrics server, followed on the share in storage-only mode, and recovered
// from the journals when pushes fail or the host is killed. "Exactly once" is
// checked against the agents' own journals.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "metrics_fixture.hpp"
#include "tshost_process.hpp"

namespace fs = std::filesystem;

namespace {

/// The NFS plugin in localMountPath mode: host and trials share a local directory.
class MetricsE2E : public metrics_e2e::MetricsE2ETest {
  protected:
    metrics_e2e::SharedStorage make_storage(const fs::path& root) override {
        return metrics_e2e::local_nfs(root / "share");
    }
};

TEST_F(MetricsE2E, PushedMetricsReachTheHostWhileTheTrialRuns) {
    const auto run = run_tshost(args({"run", config("wait"), "--id", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, testing::HasSubstr("trials post to http://"));
    expect_every_trial_saw_its_metric(3, "the push path");
}

TEST_F(MetricsE2E, StorageOnlyModeOpensNoPortAndStillDeliversWhileRunning) {
    const auto run = run_tshost(
        args({"run", config("wait", "metricsTransport: storage\n"), "--id", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, testing::Not(testing::HasSubstr("trials post to")));
    expect_every_trial_saw_its_metric(3, "the follower");
}

TEST_F(MetricsE2E, UnreachableHostLosesNothing) {
    // Trials are told an address where nothing listens; everything they report must
    // come in from the journals when they end.
    const auto run = run_tshost(args({"run", config("plain", "nniManagerIp: 127.0.0.3\n"), "--id",
                                      kId, "--port", "0", "--metrics-bind", "127.0.0.1"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto trials = expect_exactly_once();
    ASSERT_EQ(trials.size(), 3U);
    auto d = db();
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(d.metrics(t.id).size(), 4U) << "3 intermediate + 1 final";
        EXPECT_TRUE(t.final_metric) << t.id;
    }
}

TEST_F(MetricsE2E, KillNineAndResumeNeitherLosesNorDuplicates) {
    const auto cfg = config("gated", "", 2);
    const pid_t host = start_tshost(args({"run", cfg, "--id", kId, "--port", "0"}),
                                    (root() / "first.log").string());
    // Kill the host once both trials' first metric is stored.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool ready = false;
    while (!ready && std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(root() / "data" / kId / "experiment.db")) {
            auto d = db();
            const auto trials = d.trials();
            ready = trials.size() == 2 &&
                    std::all_of(trials.begin(), trials.end(),
                                [&](const auto& t) { return !d.metrics(t.id).empty(); });
        }
        if (!ready) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ASSERT_TRUE(ready) << "the experiment never got going";
    ASSERT_EQ(::kill(host, SIGKILL), 0);
    EXPECT_EQ(wait_process(host), -SIGKILL);

    // The trials go on without a host; their later metrics can only be journalled.
    for (const auto& t : db().trials()) {
        std::ofstream(root() / "markers" / (t.id + ".go")) << "go";
    }
    const auto run = run_tshost(args({"resume", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto trials = expect_exactly_once();
    ASSERT_EQ(trials.size(), 2U);
    auto d = db();
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(d.metrics(t.id).size(), 3U) << "2 intermediate + 1 final";
        EXPECT_TRUE(t.final_metric) << t.id;
    }
}

}  // namespace
