// The metrics path end to end over real shared storage: the host reaches the share
// only through its storage plugin (the NFS plugin speaking NFSv3 over libnfs to a
// real nfs-ganesha, or the Azure File plugin speaking REST to the local Azure Files
// endpoint), while the trials write to the export's / share's directory on the local
// disk, which is what a pod mounting the share sees. In storage-only mode nothing
// but those files carries metrics to the host; trial.py's wait mode proves each
// metric was stored while its trial ran.
#include "metrics_fixture.hpp"
#include "shared_storages.hpp"
#include "tshost_process.hpp"

namespace {

using metrics_e2e::SharedStorage;
namespace fs = std::filesystem;

/// A real nfs-ganesha per test; skips where the NFS tests skip.
class GaneshaMetricsE2E : public metrics_e2e::MetricsE2ETest {
  protected:
    void SetUp() override {
        const std::string reason = tshost::test::NfsServer::unavailable_reason();
        if (!reason.empty()) {
            GTEST_SKIP() << reason;
        }
        server_ = metrics_e2e::start_ganesha();
        MetricsE2ETest::SetUp();
    }

    SharedStorage make_storage(const fs::path&) override {
        return metrics_e2e::ganesha_storage(*server_);
    }

    std::unique_ptr<tshost::test::NfsServer> server_;
};

TEST_F(GaneshaMetricsE2E, StorageOnlyModeDeliversThroughGaneshaWhileTrialsRun) {
    const auto run = run_tshost(
        args({"run", config("wait", "metricsTransport: storage\n"), "--id", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, testing::Not(testing::HasSubstr("trials post to")));
    // The code and the kit reached the trials through ganesha: the host has no other
    // way to write into the export directory.
    EXPECT_TRUE(fs::exists(server_->export_dir() / "nni" / kId / "code.manifest"));
    expect_every_trial_saw_its_metric(3, "the follower reading through ganesha");
}

TEST_F(GaneshaMetricsE2E, PushModeWithGaneshaStorage) {
    const auto run = run_tshost(args({"run", config("wait"), "--id", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, testing::HasSubstr("trials post to http://"));
    expect_every_trial_saw_its_metric(3, "the push path");
}

/// The local Azure Files endpoint per test; its share's directory is the trials' view.
class AzureMetricsE2E : public metrics_e2e::MetricsE2ETest {
  protected:
    static constexpr const char* kShare = "metrics";
    static constexpr const char* kKeyEnv = "TSHOST_E2E_AZURE_KEY";

    void SetUp() override {
        emulator_ = metrics_e2e::start_azure_endpoint(kKeyEnv);
        MetricsE2ETest::SetUp();
    }

    SharedStorage make_storage(const fs::path&) override {
        return metrics_e2e::azure_storage(*emulator_, kShare, kKeyEnv);
    }

    std::unique_ptr<azure_test::Emulator> emulator_;
};

TEST_F(AzureMetricsE2E, StorageOnlyModeDeliversThroughTheAzureEndpointWhileTrialsRun) {
    const auto run = run_tshost(
        args({"run", config("wait", "metricsTransport: storage\n"), "--id", kId, "--port", "0"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, testing::Not(testing::HasSubstr("trials post to")));
    expect_every_trial_saw_its_metric(3, "the follower reading through the Azure endpoint");
    // Everything the host knows came through the endpoint, with the right key.
    const auto stats = emulator_->stats();
    EXPECT_GT(stats.at("requests").get<int64_t>(), 0);
    EXPECT_EQ(stats.at("authFailures").get<int64_t>(), 0);
}

}  // namespace
