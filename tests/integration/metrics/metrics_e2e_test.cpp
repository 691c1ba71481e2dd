// Metrics from trial to database through the trial agent, end to end: pushed to the
// host's metrics server, followed on the share in storage-only mode, and recovered
// from the journals when pushes fail or the host is killed. "Exactly once" is
// checked against the agents' own journals.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

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

/// The files under `dir` whose text contains `needle`.
std::vector<fs::path> files_containing(const fs::path& dir, const std::string& needle) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.file_size() > (8u << 20)) {
            continue;
        }
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        if (text.find(needle) != std::string::npos) {
            found.push_back(entry.path());
        }
    }
    return found;
}

TEST_F(MetricsE2E, MetricsTlsPushesOverHttpsWithTheExperimentsOwnCa) {
    const auto run =
        run_tshost(args({"run", config("wait", "metricsTls: true\n"), "--id", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, testing::HasSubstr("trials post to https://"));
    expect_every_trial_saw_its_metric(3, "the push path over TLS");

    const fs::path kit = root() / "share" / "nni" / kId / ".tshost" / "kit";
    // The agents pushed over TLS, trusting the kit's CA, and no push failed (the journal
    // follower alone would also have brought the metrics in, more slowly).
    // (The needle is the agent's log line, which its own source does not contain.)
    const auto verified = files_containing(root(), "tshost-agent: metrics go to https://");
    EXPECT_FALSE(verified.empty()) << "no agent log says it verified the host";
    for (const auto& log : verified) {
        std::ifstream in(log, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        EXPECT_NE(text.find("verified against " + (kit / "metrics-ca.crt").string()),
                  std::string::npos)
            << log;
        EXPECT_EQ(text.find("metrics push failed"), std::string::npos) << log;
    }

    // Only the CA certificate is on the share; the keys stay in the data directory, 0600.
    EXPECT_FALSE(files_containing(kit, "BEGIN CERTIFICATE").empty());
    EXPECT_TRUE(fs::exists(kit / "metrics-ca.crt"));
    EXPECT_TRUE(files_containing(root() / "share", "PRIVATE KEY").empty());
    const fs::path tls_dir = root() / "data" / kId / "metrics-tls";
    for (const char* key : {"ca.key", "server.key"}) {
        ASSERT_TRUE(fs::exists(tls_dir / key)) << key;
        EXPECT_EQ(fs::status(tls_dir / key).permissions(),
                  fs::perms::owner_read | fs::perms::owner_write)
            << key;
    }
    // Nowhere else in the data directory either (database, logs).
    for (const auto& file : files_containing(root() / "data" / kId, "PRIVATE KEY")) {
        EXPECT_EQ(file.parent_path(), tls_dir) << file;
    }
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
