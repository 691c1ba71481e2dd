// The engine end to end: `tshost run` / `resume` / `stop` with the local
// platform plugin and real trial processes, checked through the experiment
// database and the trials' own logs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "db/experiment_db.hpp"
#include "tshost_process.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;
using tshost::db::ExperimentDb;

namespace {

struct TrialLogLine {
    std::string event;
    std::string trial;
    double time = 0;
};

class EngineE2E : public testing::Test {
protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::path(testing::TempDir()) / ("engine-" + std::string(info->name()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "code");
        fs::create_directories(root_ / "markers");
        fs::copy_file(TRIAL_SCRIPT, root_ / "code" / "trial.py");
        // The trial processes inherit the host's environment.
        ::setenv("TRIAL_LOG", (root_ / "trials.log").c_str(), 1);
        ::setenv("TRIAL_MARKERS", (root_ / "markers").c_str(), 1);
    }

    /// Writes an NNI v2 config for the local platform; `top` holds top-level YAML
    /// lines (limits, assessor, ...).
    std::string config(const std::string& trial_args, const std::string& top,
                       const std::string& search_space =
                           "  x: {_type: uniform, _value: [0, 1]}\n") {
        const auto path = root_ / "config.yml";
        std::ofstream(path) << "experimentName: e2e\n"
                            << "searchSpace:\n"
                            << search_space << "trialCommand: python3 trial.py " << trial_args
                            << "\n"
                            << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
                            << top << (top.find("tuner:") == std::string::npos
                                           ? "tuner:\n  name: Random\n  classArgs: {seed: 7}\n"
                                           : "")
                            << "trainingService:\n  platform: local\n";
        return path.string();
    }

    TshostRun tshost(std::vector<std::string> args, int timeout_s = 120) {
        if (!args.empty() && (args[0] == "run" || args[0] == "resume")) {
            // Each run serves its portal: a free port, so tests run side by side.
            args.insert(args.end(), {"--port", "0"});
        }
        args.insert(args.begin(), {"--data-dir", (root_ / "data").string()});
        return run_tshost(args, timeout_s);
    }

    ExperimentDb db(const std::string& id) { return ExperimentDb::open(root_ / "data" / id / "experiment.db"); }

    std::vector<TrialLogLine> trial_log() {
        std::vector<TrialLogLine> lines;
        std::ifstream in(root_ / "trials.log");
        TrialLogLine line;
        while (in >> line.event >> line.trial >> line.time) {
            lines.push_back(line);
        }
        return lines;
    }

    fs::path root_;
};

// The most trials running at once, from the trials' own start/end records.
int max_overlap(const std::vector<TrialLogLine>& log) {
    std::vector<std::pair<double, int>> edges;
    for (const auto& l : log) {
        edges.emplace_back(l.time, l.event == "start" ? +1 : -1);
    }
    std::sort(edges.begin(), edges.end());
    int now = 0;
    int most = 0;
    for (const auto& [time, delta] : edges) {
        now += delta;
        most = std::max(most, now);
    }
    return most;
}

}  // namespace

TEST_F(EngineE2E, ConcurrencyIsNeverExceededAndMaxTrialsHolds) {
    const auto run = tshost({"run", config("--steps 2 --sleep 0.15",
                                           "trialConcurrency: 3\nmaxTrialNumber: 9\n"),
                             "--id", "conc"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("DONE"));
    const auto log = trial_log();
    EXPECT_EQ(log.size(), 18U) << "9 trials, each starting and ending once";
    EXPECT_LE(max_overlap(log), 3);
    EXPECT_GE(max_overlap(log), 2) << "the engine should keep several trials running";

    auto d = db("conc");
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 9U);
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        ASSERT_TRUE(t.final_metric) << t.id;
        EXPECT_EQ(d.metrics(t.id).size(), 3U) << "2 intermediate + 1 final, each exactly once";
        EXPECT_GT(t.end_time_ms, t.start_time_ms);
    }
    EXPECT_EQ(d.meta("status"), "DONE");
}

TEST_F(EngineE2E, FailuresAreReportedAndRetriedWhenAsked) {
    auto run = tshost({"run", config("--fail-first-run", "trialConcurrency: 2\nmaxTrialNumber: 2\n"), "--id", "fail"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    for (const auto& t : db("fail").trials()) {
        EXPECT_EQ(t.status, "FAILED");
        EXPECT_THAT(t.message, HasSubstr("3")) << "the exit code is the reason";
    }

    fs::remove_all(root_ / "markers");
    fs::create_directories(root_ / "markers");
    run = tshost({"run", config("--fail-first-run", "trialConcurrency: 2\nmaxTrialNumber: 2\nmaxTrialRetries: 1\n"),
                  "--id", "retry"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto d = db("retry");
    for (const auto& t : d.trials()) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.message;
        EXPECT_EQ(t.attempt, 1);
        std::vector<std::string> statuses;
        for (const auto& change : d.status_history(t.id)) {
            statuses.push_back(change.status);
        }
        EXPECT_THAT(statuses, testing::Contains("FAILED"));
        EXPECT_EQ(statuses.back(), "SUCCEEDED");
    }
}

TEST_F(EngineE2E, MaxTrialDurationStopsALongTrial) {
    const auto run = tshost(
        {"run", config("--steps 1 --sleep 60", "trialConcurrency: 1\nmaxTrialNumber: 1\nmaxTrialDuration: 1s\n"), "--id",
         "slow"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto trials = db("slow").trials();
    ASSERT_EQ(trials.size(), 1U);
    EXPECT_EQ(trials[0].status, "EARLY_STOPPED");
    EXPECT_LT(trials[0].end_time_ms - trials[0].start_time_ms, 30'000);
}

TEST_F(EngineE2E, NoTrialStartsAfterMaxExperimentDuration) {
    const auto run = tshost({"run", config("--steps 1 --sleep 0.3",
                                           "trialConcurrency: 1\nmaxTrialNumber: 1000\nmaxExperimentDuration: 3s\n"),
                             "--id", "timed"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto d = db("timed");
    const int64_t start = std::stoll(d.meta("start_time").value_or("0"));
    const auto trials = d.trials();
    EXPECT_GE(trials.size(), 2U);
    EXPECT_LT(trials.size(), 20U);
    for (const auto& t : trials) {
        // Submission stops at 3 s of experiment time; allow for start-up.
        EXPECT_LT(t.submit_time_ms - start, 3'000 + 2'000) << t.id;
        EXPECT_EQ(t.status, "SUCCEEDED") << "running trials finish, as in NNI";
    }
}

TEST_F(EngineE2E, TheAssessorStopsTrialsWorseThanTheMedian) {
    // GridSearch runs x in order, one at a time: 0.9 first, then worse ones,
    // which Medianstop must stop once they pass start_step.
    const auto run = tshost(
        {"run", config("--steps 6 --sleep 0.05",
                       "trialConcurrency: 1\n"
                       "tuner: {name: GridSearch}\n"
                       "assessor:\n  name: Medianstop\n  classArgs: {optimize_mode: maximize, "
                       "start_step: 2}\n",
                       "  x: {_type: choice, _value: [0.9, 0.8, 0.1]}\n"),
         "--id", "assess"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::map<double, std::string> status_by_x;
    for (const auto& t : db("assess").trials()) {
        const auto x = std::stod(t.parameters_json.substr(t.parameters_json.find("\"x\":") + 4));
        status_by_x[x] = t.status;
    }
    EXPECT_EQ(status_by_x[0.9], "SUCCEEDED");
    EXPECT_EQ(status_by_x[0.8], "EARLY_STOPPED");
    EXPECT_EQ(status_by_x[0.1], "EARLY_STOPPED");
}

TEST_F(EngineE2E, KillNineAndResumeLosesAndDuplicatesNothing) {
    const auto cfg = config("--steps 3 --sleep 0.4", "trialConcurrency: 2\nmaxTrialNumber: 6\n");
    const auto log_file = (root_ / "first.log").string();
    const pid_t host = start_tshost({"--data-dir", (root_ / "data").string(), "run", cfg, "--id",
                                     "crash", "--port", "0"},
                                    log_file);
    // Kill the host once two trials have started and a metric is in the database.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool ready = false;
    while (!ready && std::chrono::steady_clock::now() < deadline) {
        const auto log = trial_log();
        const auto started = std::count_if(log.begin(), log.end(),
                                           [](const auto& l) { return l.event == "start"; });
        if (started >= 2 && fs::exists(root_ / "data" / "crash" / "experiment.db")) {
            ready = db("crash").metric_count() >= 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(ready) << "the experiment never got going";
    ASSERT_EQ(::kill(host, SIGKILL), 0);
    EXPECT_EQ(wait_process(host), -SIGKILL);

    const auto run = tshost({"resume", "crash"});
    ASSERT_EQ(run.exit_code, 0) << run.output;

    auto d = db("crash");
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 6U) << run.output;
    std::map<std::string, int> starts;
    for (const auto& l : trial_log()) {
        starts[l.trial] += l.event == "start" ? 1 : 0;
    }
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(starts[t.id], 1) << "trial " << t.id << " must run exactly once";
        EXPECT_EQ(d.metrics(t.id).size(), 4U) << "3 intermediate + 1 final, none lost or doubled";
    }
}

TEST_F(EngineE2E, StopThenResumeFinishesTheExperiment) {
    const auto cfg = config("--steps 2 --sleep 1", "trialConcurrency: 2\nmaxTrialNumber: 4\n");
    const pid_t host = start_tshost(
        {"--data-dir", (root_ / "data").string(), "run", cfg, "--id", "pause", "--port", "0"},
        (root_ / "first.log").string());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (trial_log().size() < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto stop = tshost({"stop", "pause"});
    EXPECT_EQ(stop.exit_code, 0) << stop.output;
    EXPECT_EQ(wait_process(host), 0);
    auto first = db("pause");
    EXPECT_EQ(first.meta("status"), "STOPPED");
    for (const auto& t : first.trials()) {
        EXPECT_EQ(t.status, "SYS_CANCELED") << t.id;
    }

    const auto run = tshost({"resume", "pause"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto d = db("pause");
    EXPECT_EQ(d.meta("status"), "DONE");
    EXPECT_EQ(d.trials().size(), 4U);
}

TEST_F(EngineE2E, ValidateReportsFileLineAndColumn) {
    const auto top = root_ / "top.yml";
    std::ofstream(top) << "searchSpace: {}\ntrialCommand: x\ntrialCodeDirectory: .\n"
                       << "trialConcurrency: 0\ntuner: {name: TPE}\n"
                       << "trainingService:\n  platform: local\n";
    auto run = tshost({"validate", top.string()});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_THAT(run.output, HasSubstr("top.yml:4:"));
    EXPECT_THAT(run.output, HasSubstr("trialConcurrency"));

    // The platform section is checked against the local plugin's own schema.
    const auto section = root_ / "section.yml";
    std::ofstream(section) << "searchSpace: {}\ntrialCommand: x\ntrialCodeDirectory: .\n"
                           << "trialConcurrency: 1\ntuner: {name: TPE}\n"
                           << "trainingService:\n  platform: local\n  useActiveGpus: true\n";
    run = tshost({"validate", section.string()});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_THAT(run.output, HasSubstr("section.yml:8:"));
    EXPECT_THAT(run.output, HasSubstr("useActiveGpu")) << "a did-you-mean suggestion";

    const auto good = root_ / "good.yml";
    std::ofstream(good) << "searchSpace: {}\ntrialCommand: x\ntrialCodeDirectory: .\n"
                        << "trialConcurrency: 1\ntuner: {name: TPE}\n"
                        << "trainingService:\n  platform: local\n";
    run = tshost({"validate", good.string()});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("ok (platform local)"));
}
