// A host restart: the first instance is destroyed while its trial runs (destroy
// never kills trials); a new instance finds the trial with list_trials, adopts it,
// re-reports its metrics with the same seq numbers and reports its end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "local_fixture.hpp"

namespace local_test {
namespace {

// One metric on stdout and one in .nni/metrics, then waits (bounded) for the test
// to create "go", reports a third metric and exits with `code`.
std::string waiting_trial(int code) {
    return "echo \"NNISDK_MEb'{\\\"n\\\": 1}'\"\n"
           "printf 'ME000009{\"n\": 2}\\n' >> \"$NNI_SYS_DIR/.nni/metrics\"\n"
           "i=0\n"
           "while [ ! -e \"$NNI_SYS_DIR/go\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); "
           "done\n"
           "echo \"NNISDK_MEb'{\\\"n\\\": 3}'\"\n"
           "exit " +
           std::to_string(code) + "\n";
}

std::set<uint64_t> seqs(const EventLog::Events& events) {
    std::set<uint64_t> out;
    for (const json& m : payloads(events, TSH_EVENT_TRIAL_METRIC)) {
        out.insert(m.at("seq").get<uint64_t>());
    }
    return out;
}

class LocalRestartTest : public LocalPlatformTest {
  protected:
    // Starts `trial_id` in a first instance, waits for its first two metrics and
    // destroys that instance. Returns the trial's pid and the seqs seen.
    std::pair<pid_t, std::set<uint64_t>> start_and_abandon(const std::string& trial_id, int code) {
        auto first = make_platform();
        write_trial(trial_id, waiting_trial(code));
        const pid_t pid = submit(*first, trial_id).at("pid").get<pid_t>();
        const auto seen = seqs(log_.wait_metrics(trial_id, 2));
        first.reset();  // the host "crashes": the trial keeps running
        EXPECT_EQ(::kill(pid, 0), 0) << "destroy must not kill trials";
        return {pid, seen};
    }

    void release(const std::string& trial_id) { std::ofstream(trial_dir(trial_id) / "go"); }

    // The trial was started by this test process, so it can be waited for (and
    // reaped: no instance follows it as a child any more).
    static void wait_for_exit(pid_t pid) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }

    static json find(const json& listed, const std::string& trial_id) {
        for (const json& trial : listed) {
            if (trial.at("trialId") == trial_id) {
                return trial;
            }
        }
        ADD_FAILURE() << trial_id << " not listed in " << listed.dump();
        return json::object();
    }
};

TEST_F(LocalRestartTest, NewInstanceAdoptsARunningTrialAndReportsItsEnd) {
    const auto [pid, seen_before] = start_and_abandon("survivor", 4);

    EventQueue second_queue;
    EventLog second_log(second_queue);
    auto second = make_platform(json::object(), &second_queue);
    const json listed = find(json::parse(second->list_trials()), "survivor");
    EXPECT_EQ(listed.at("status"), "RUNNING");
    EXPECT_EQ(listed.at("pid"), pid);
    EXPECT_FALSE(listed.contains("exitCode"));

    second->adopt(TrialSpec{"survivor", 0, parameters_for("survivor"), R"({"attempt":0})"});
    const auto& replayed = second_log.wait_metrics("survivor", 2);
    EXPECT_EQ(payload(replayed.front()).at("status"), "RUNNING");
    EXPECT_EQ(seqs(replayed), seen_before);  // same records, same seq: the host dedups

    release("survivor");
    const auto& events = second_log.wait_end("survivor");
    const json end = end_of(events);
    EXPECT_EQ(end.at("status"), "FAILED");
    EXPECT_EQ(end.at("exitCode"), 4);
    const auto all = seqs(events);
    EXPECT_EQ(all.size(), 3U);
    EXPECT_TRUE(std::includes(all.begin(), all.end(), seen_before.begin(), seen_before.end()));
    wait_for_exit(pid);
}

TEST_F(LocalRestartTest, TrialThatEndedWhileNoHostRanIsReportedOnAdopt) {
    const auto [pid, seen_before] = start_and_abandon("quiet", 0);
    release("quiet");
    wait_for_exit(pid);

    EventQueue second_queue;
    EventLog second_log(second_queue);
    auto second = make_platform(json::object(), &second_queue);
    const json listed = find(json::parse(second->list_trials()), "quiet");
    EXPECT_EQ(listed.at("status"), "SUCCEEDED");
    EXPECT_EQ(listed.at("exitCode"), 0);

    second->adopt(TrialSpec{"quiet", 0, parameters_for("quiet"), "{}"});
    const auto& events = second_log.wait_end("quiet");
    const auto statuses = payloads(events, TSH_EVENT_TRIAL_STATUS);
    ASSERT_EQ(statuses.size(), 1U);  // no RUNNING for a trial that is long over
    EXPECT_EQ(statuses[0].at("status"), "SUCCEEDED");
    EXPECT_TRUE(statuses[0].contains("endTime"));
    const auto all = seqs(events);
    EXPECT_EQ(all.size(), 3U);
    EXPECT_TRUE(std::includes(all.begin(), all.end(), seen_before.begin(), seen_before.end()));
}

TEST_F(LocalRestartTest, AdoptedTrialCanBeCancelled) {
    const auto [pid, seen_before] = start_and_abandon("orphan", 0);
    EventQueue second_queue;
    EventLog second_log(second_queue);
    auto second = make_platform(json::object(), &second_queue);
    second->adopt(TrialSpec{"orphan", 0, parameters_for("orphan"), "{}"});
    second_log.wait_metrics("orphan", 2);
    second->cancel("orphan", TSH_CANCEL_EARLY_STOP);
    EXPECT_EQ(end_of(second_log.wait_end("orphan")).at("status"), "EARLY_STOPPED");
    wait_for_exit(pid);
    EXPECT_EQ(find(json::parse(second->list_trials()), "orphan").at("status"), "EARLY_STOPPED");
}

TEST_F(LocalRestartTest, ListTrialsSeesOnlyThisExperiment) {
    auto platform = make_platform();
    write_trial("mine", "exit 0\n");
    submit(*platform, "mine");
    log_.wait_end("mine");
    // A trial of another experiment sharing the directory, and a stray folder.
    const fs::path other = work_dir_ / "trials" / "theirs" / ".nni";
    fs::create_directories(other);
    std::ofstream(other / "trial.json")
        << R"({"experimentId":"exp2","trialId":"theirs","attempt":0})";
    fs::create_directories(work_dir_ / "trials" / "stray");

    const json listed = json::parse(platform->list_trials());
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].at("trialId"), "mine");
    EXPECT_THROW(platform->adopt(TrialSpec{"theirs", 0, "{}", "{}"}), tshost::plugin::PluginError);
}

}  // namespace
}  // namespace local_test
