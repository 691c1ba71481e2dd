// A trial's life: its end status from the exit code, cancels for every reason
// (SIGTERM, then SIGKILL after the grace period, for the whole process group),
// retries, query and end_experiment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "local_fixture.hpp"

namespace local_test {
namespace {

using testing::HasSubstr;
using tshost::plugin::PluginError;

// A metric line the test waits for: the trial is up and has done its setup.
constexpr const char* kReady = "echo \"NNISDK_MEb'{\\\"ready\\\": true}'\"\n";

class LocalLifecycleTest : public LocalPlatformTest {
  protected:
    pid_t read_pid(const std::string& trial_id, const std::string& file) {
        return static_cast<pid_t>(std::stol(read_file(trial_dir(trial_id) / file)));
    }
};

TEST_F(LocalLifecycleTest, EndStatusFollowsTheExitCode) {
    auto platform = make_platform();
    write_trial("ok", "exit 0\n");
    write_trial("bad", "exit 3\n");
    write_trial("killed", "kill -9 $$\n");
    for (const std::string id : {"ok", "bad", "killed"}) {
        submit(*platform, id);
    }
    const auto& ok = log_.wait_end("ok");
    const json running = payload(ok.front());
    EXPECT_EQ(running.at("status"), "RUNNING");
    const json ok_end = end_of(ok);
    EXPECT_EQ(ok_end.at("status"), "SUCCEEDED");
    EXPECT_EQ(ok_end.at("exitCode"), 0);
    EXPECT_EQ(ok_end.at("message"), "exit code 0");
    EXPECT_GE(ok_end.at("endTime").get<int64_t>(), running.at("startTime").get<int64_t>());

    const json bad_end = end_of(log_.wait_end("bad"));
    EXPECT_EQ(bad_end.at("status"), "FAILED");
    EXPECT_EQ(bad_end.at("exitCode"), 3);
    EXPECT_EQ(bad_end.at("message"), "exit code 3");
    EXPECT_EQ(read_file(trial_dir("bad") / ".nni" / "exitcode"), "3\n");

    const json killed_end = end_of(log_.wait_end("killed"));
    EXPECT_EQ(killed_end.at("status"), "FAILED");
    EXPECT_EQ(killed_end.at("exitCode"), 137);
    EXPECT_THAT(killed_end.at("message").get<std::string>(), HasSubstr("killed by signal 9"));
}

class LocalCancelTest
    : public LocalLifecycleTest,
      public testing::WithParamInterface<std::pair<tsh_cancel_reason, std::string>> {};

TEST_P(LocalCancelTest, StatusReflectsTheReasonNotTheSignal) {
    const auto [reason, status] = GetParam();
    auto platform = make_platform();
    write_trial("victim", std::string(kReady) + "exec sleep 60\n");
    submit(*platform, "victim");
    log_.wait_metrics("victim", 1);
    platform->cancel("victim", reason);
    const json end = end_of(log_.wait_end("victim"));
    EXPECT_EQ(end.at("status"), status);
    EXPECT_FALSE(end.contains("exitCode"));
    EXPECT_EQ(read_file(trial_dir("victim") / ".nni" / "cancel"), std::string(status) + "\n");
    EXPECT_NO_THROW(platform->cancel("victim", TSH_CANCEL_USER));  // ended: still success
    EXPECT_EQ(payloads(log_.of("victim"), TSH_EVENT_TRIAL_STATUS).size(), 2U);
}

INSTANTIATE_TEST_SUITE_P(Reasons, LocalCancelTest,
                         testing::Values(std::pair{TSH_CANCEL_USER, std::string("USER_CANCELED")},
                                         std::pair{TSH_CANCEL_EARLY_STOP,
                                                   std::string("EARLY_STOPPED")},
                                         std::pair{TSH_CANCEL_SYSTEM, std::string("SYS_CANCELED")}),
                         [](const auto& reason) { return reason.param.second; });

TEST_F(LocalLifecycleTest, TrialIgnoringSigtermIsKilledAfterTheGracePeriod) {
    constexpr std::chrono::milliseconds kGrace{600};
    auto platform = make_platform(json{{"killGraceMs", kGrace.count()}});
    write_trial("stubborn", std::string("trap '' TERM\necho $$ > \"$NNI_SYS_DIR/inner.pid\"\n") +
                                kReady + "while :; do sleep 0.05; done\n");
    submit(*platform, "stubborn");
    log_.wait_metrics("stubborn", 1);
    const pid_t inner = read_pid("stubborn", "inner.pid");

    const auto before = std::chrono::steady_clock::now();
    platform->cancel("stubborn", TSH_CANCEL_USER);
    EXPECT_LT(std::chrono::steady_clock::now() - before, kGrace);  // cancel does not block
    const json end = end_of(log_.wait_end("stubborn"));
    EXPECT_GE(std::chrono::steady_clock::now() - before, kGrace);
    EXPECT_EQ(end.at("status"), "USER_CANCELED");
    EXPECT_TRUE(process_gone(inner));
}

TEST_F(LocalLifecycleTest, CancelKillsTheWholeProcessGroup) {
    auto platform = make_platform();
    write_trial("parent", std::string("sleep 300 &\necho $! > \"$NNI_SYS_DIR/child.pid\"\n") +
                              kReady + "wait\n");
    submit(*platform, "parent");
    log_.wait_metrics("parent", 1);
    const pid_t child = read_pid("parent", "child.pid");
    ASSERT_FALSE(process_gone(child));
    platform->cancel("parent", TSH_CANCEL_USER);
    EXPECT_EQ(end_of(log_.wait_end("parent")).at("status"), "USER_CANCELED");
    EXPECT_TRUE(process_gone(child));
}

TEST_F(LocalLifecycleTest, UnknownTrialsAreNotFound) {
    auto platform = make_platform();
    try {
        platform->cancel("nosuch", TSH_CANCEL_USER);
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_NOT_FOUND);
    }
    try {
        platform->adopt(TrialSpec{"nosuch", 0, "{}", "{}"});
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_NOT_FOUND);
    }
}

TEST_F(LocalLifecycleTest, RetryRunsInAFreshDirectoryAndKeepsTheOldOne) {
    auto platform = make_platform();
    write_trial("retry", "echo \"attempt output\"\necho \"NNISDK_MEb'{\\\"n\\\": 1}'\"\nexit 1\n");
    submit(*platform, "retry", 0);
    EXPECT_EQ(end_of(log_.wait_end("retry")).at("status"), "FAILED");
    try {
        submit(*platform, "retry", 0);  // the same attempt again would mix two runs' files
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_EXISTS);
    }
    const json out = submit(*platform, "retry", 1);
    EXPECT_EQ(out.at("trialDir"), (work_dir_ / "trials" / "retry.attempt-1").string());
    const auto& events = log_.wait(
        "retry", [](const auto& evs) { return payloads(evs, TSH_EVENT_TRIAL_STATUS).size() == 4; });
    const auto metrics = payloads(events, TSH_EVENT_TRIAL_METRIC);
    ASSERT_EQ(metrics.size(), 2U);
    // Same offset in the same file, but a different attempt: a different seq.
    EXPECT_EQ(metrics[0].at("seq"), 2'000'000'000'015ULL);
    EXPECT_EQ(metrics[1].at("seq"), 12'000'000'000'015ULL);
    EXPECT_EQ(read_file(trial_dir("retry") / "stdout").substr(0, 15), "attempt output\n");

    const json listed = json::parse(platform->list_trials());
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].at("attempt"), 1);
    EXPECT_EQ(listed[0].at("status"), "FAILED");
    EXPECT_EQ(listed[0].at("exitCode"), 1);
}

TEST_F(LocalLifecycleTest, SubmittingARunningTrialAgainIsRefused) {
    auto platform = make_platform();
    write_trial("twice", std::string(kReady) + "exec sleep 60\n");
    submit(*platform, "twice");
    log_.wait_metrics("twice", 1);
    try {
        submit(*platform, "twice", 1);
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_EXISTS);
    }
    platform->cancel("twice", TSH_CANCEL_USER);
    log_.wait_end("twice");
}

TEST_F(LocalLifecycleTest, QueryDescribesTheTrialAndItsFiles) {
    auto platform = make_platform();
    write_trial("q", "exit 2\n");
    const json submitted = submit(*platform, "q");
    log_.wait_end("q");
    const json detail = json::parse(platform->query("q"));
    EXPECT_EQ(detail.at("status"), "FAILED");
    EXPECT_EQ(detail.at("exitCode"), 2);
    EXPECT_EQ(detail.at("pid"), submitted.at("pid"));
    EXPECT_EQ(detail.at("stdout"), (trial_dir("q") / "stdout").string());
    EXPECT_EQ(detail.at("stderr"), (trial_dir("q") / "stderr").string());
    EXPECT_EQ(detail.at("parameterFile"), (trial_dir("q") / "parameter.cfg").string());
    EXPECT_THROW(platform->query("nosuch"), PluginError);
}

TEST_F(LocalLifecycleTest, EndExperimentCancelsEverythingStillRunning) {
    auto platform = make_platform(json{{"killGraceMs", 300}});
    for (const std::string id : {"a", "b"}) {
        write_trial(id, std::string("trap '' TERM\n") + kReady + "while :; do sleep 0.05; done\n");
        submit(*platform, id);
        log_.wait_metrics(id, 1);
    }
    write_trial("done", "exit 0\n");
    submit(*platform, "done");
    EXPECT_EQ(end_of(log_.wait_end("done")).at("status"), "SUCCEEDED");

    ASSERT_TRUE(platform->end_experiment());
    for (const std::string id : {"a", "b"}) {
        EXPECT_EQ(end_of(log_.wait_end(id)).at("status"), "SYS_CANCELED");
    }
    for (const json& trial : json::parse(platform->list_trials())) {
        EXPECT_NE(trial.at("status"), "RUNNING") << trial.dump();
    }
}

}  // namespace
}  // namespace local_test
