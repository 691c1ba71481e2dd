// Every Kubernetes platform (frameworkcontroller, kubeflow-tf, kubeflow-pytorch) × every storage
// backend (nfs through a real nfs-ganesha, Azure Files through the local endpoint) end to end, as a
// user runs them: the real tshost binary against the kube emulator (kube_e2e_fixture.hpp). Each
// scenario checks the trials' statuses, that every metric a trial's primary replica journalled is
// stored exactly once, and that nothing is left in the cluster or the share.
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <tuple>

#include "kube_e2e_fixture.hpp"
#include "pod_lifecycle_checks.hpp"
#include "raw_http.hpp"

namespace kube_e2e {
namespace {

using testing::HasSubstr;
using Cell = std::tuple<const Platform*, Storage>;

class Matrix : public KubeE2E, public testing::WithParamInterface<Cell> {
  protected:
    Matrix() : KubeE2E(*std::get<0>(GetParam()), std::get<1>(GetParam())) {}

    /// `tshost run` of `e` to its end, which must be DONE with `e.trials` trials: those trials
    /// (none when it was not), and the host's output in `output`.
    std::vector<tshost::db::TrialRow> run_until_done(const Experiment& e, std::string& output) {
        const TshostRun result = run(config(e));
        output = result.output;
        EXPECT_EQ(result.exit_code, 0) << result.output;
        if (!fs::exists(db_path())) {
            return {};
        }
        EXPECT_EQ(db().meta("status"), "DONE") << result.output;
        auto trials = db().trials();
        EXPECT_EQ(trials.size(), static_cast<size_t>(e.trials)) << result.output;
        return trials.size() == static_cast<size_t>(e.trials) ? trials
                                                              : std::vector<tshost::db::TrialRow>{};
    }

    /// Starts `trials` trials, two at a time, that report one result each and then wait: for
    /// release_trials() (`--wait-for /tmp/mount/go`) or release_trial() (`--gate`). Output in
    /// <root>/run.log. The host's pid once `running` of them run with that result stored
    /// (their ids in `ids`; fewer when that did not happen).
    pid_t start_waiting_trials(int trials, size_t running, std::vector<std::string>& ids,
                               const std::string& wait = "--wait-for /tmp/mount/go") {
        return start_waiting(experiment(trials, wait), running, ids);
    }
    pid_t start_waiting(const Experiment& e, size_t running, std::vector<std::string>& ids) {
        const pid_t host = start(config(e), "run.log");
        ids = wait_for_running_reporters(running);
        EXPECT_EQ(ids.size(), running) << "the experiment never got going\n" << run_log();
        return host;
    }
    std::string run_log() const { return text_of(root_ / "run.log"); }

    std::string text_of(const fs::path& path) const {
        std::ifstream in(path);
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }

    /// The port in a host log's "trial metrics server on ADDRESS:PORT", or "" without one.
    std::string metrics_port_in(const std::string& log) const {
        static const std::regex line("trial metrics server on [^ ]*:([0-9]+)");
        std::smatch m;
        return std::regex_search(log, m, line) ? m[1].str() : "";
    }
};

std::string cell_name(const testing::TestParamInfo<Cell>& info) {
    return matrix_name(*std::get<0>(info.param), std::get<1>(info.param));
}

const auto kCells = testing::Combine(testing::Values(&kFrameworkController, &kTf, &kPyTorch),
                                     testing::Values(Storage::nfs, Storage::azure));

TEST_P(Matrix, EveryTrialSucceedsWithItsMetricsStoredOnceAndNothingIsLeft) {
    const TshostRun result = run(config(Experiment{}));
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();
    expect_done_with_every_metric(3);
    for (const auto& t : db().trials()) {
        EXPECT_EQ(t.job_name, job_name(t.id)) << "submitted again?";
        // Where its outputs are, from the storage plugin.
        const std::string dir = "/nni/" + std::string(kExp) + "/" + t.id;
        if (storage_ == Storage::nfs) {
            // libnfs tools open it as is: the server's ports are in it.
            EXPECT_EQ(t.url, "nfs://127.0.0.1/export" + dir +
                                 "?nfsport=" + std::to_string(nfs_->nfs_port()) +
                                 "&mountport=" + std::to_string(nfs_->mount_port()));
        } else {
            EXPECT_EQ(t.url, azure_->endpoint() + "/data" + dir);
        }
        EXPECT_GT(t.start_time_ms, 0) << t.id;
        EXPECT_GE(t.end_time_ms, t.start_time_ms) << t.id;
        // Each role's run script is on the share; the metrics token is not.
        for (const char* role : platform_.roles) {
            const fs::path script = trial_dir(t.id) / ("run_" + std::string(role) + ".sh");
            ASSERT_TRUE(fs::exists(script)) << script;
            EXPECT_THAT(text_of(script), testing::Not(HasSubstr("TSHOST_METRICS_TOKEN=")));
        }
    }
    expect_cluster_empty();
}

TEST_P(Matrix, AFailingTrialFailsSayingWhyWithItsMetricsStoredOnce) {
    Experiment e = experiment(1, "--fail-first-attempt " + std::string(platform_.primary));
    std::string output;
    const auto trials = run_until_done(e, output);
    ASSERT_EQ(trials.size(), 1U);
    const auto& t = trials[0];
    EXPECT_EQ(t.status, "FAILED") << t.message;
    EXPECT_THAT(t.message, HasSubstr("fail")) << "the message says why";
    EXPECT_EQ(t.attempt, 0);
    EXPECT_EQ(journalled(t.id, platform_.primary), 3U);
    expect_metrics_match_journals(t, {platform_.primary});
    EXPECT_EQ(requests(platform_.plural, "create"), 1) << "a failed trial is not restarted";
    expect_cluster_empty();
}

TEST_P(Matrix, AFailedFirstAttemptIsRetriedAndOnlyTheRetryCounts) {
    std::string output;
    const auto trials =
        run_until_done(experiment(2, "--fail-first-attempt " + std::string(platform_.primary),
                                  "maxTrialRetries: 1\n"),
                       output);
    ASSERT_EQ(trials.size(), 2U);
    auto d = db();
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(t.attempt, 1) << t.id;
        // The failure and the retry are in the trial's history.
        std::vector<std::string> statuses;
        for (const auto& change : d.status_history(t.id)) {
            statuses.push_back(change.status);
        }
        EXPECT_THAT(statuses, testing::Contains("FAILED")) << t.id;
        // Each attempt journalled in its own directory: the first its two intermediates and
        // a final of 1000 + x, the retry two intermediates and x.
        const std::string retry_dir = t.id + ".attempt-1";
        ASSERT_TRUE(fs::exists(trial_dir(retry_dir))) << retry_dir;
        EXPECT_EQ(journalled(t.id, platform_.primary), 3U) << t.id;
        EXPECT_EQ(journalled(retry_dir, platform_.primary), 3U) << retry_dir;
        const double x = json::parse(t.parameters_json)["parameters"]["x"];
        ASSERT_TRUE(t.final_metric) << t.id;
        EXPECT_DOUBLE_EQ(*t.final_metric, x) << "the retry's final result is the trial's";
        std::map<int, size_t> per_attempt;
        std::set<std::tuple<int, std::string, int64_t>> keys;
        for (const auto& m : d.metrics(t.id)) {
            EXPECT_TRUE(keys.insert({m.attempt, m.replica, m.seq}).second)
                << t.id << " seq " << m.seq << " stored twice";
            if (m.replica != platform_.primary) {
                continue;
            }
            ++per_attempt[m.attempt];
            EXPECT_EQ(m.default_value >= 1000, m.attempt == 0) << t.id << " seq " << m.seq;
        }
        EXPECT_EQ(per_attempt[0], 3U) << "the failed attempt's records are kept";
        EXPECT_EQ(per_attempt[1], 3U);
    }
    // Two trials, two attempts each: four jobs, none created twice.
    EXPECT_EQ(requests(platform_.plural, "create"), 4);
    expect_cluster_empty();
}

TEST_P(Matrix, ACancelledTrialIsStoppedAndDeletedWhileTheOtherGoesOn) {
    std::vector<std::string> ids;
    const pid_t host = start_waiting_trials(2, 2, ids);
    ASSERT_EQ(ids.size(), 2U);
    const uint16_t port = wait_for_portal_port((root_ / "run.log").string());
    ASSERT_NE(port, 0) << run_log();
    // What a user does on the trial's page (NNI: `nnictl trial kill`).
    const auto cancel =
        tshost::test::http_request(port, "POST", "/api/v1/tshost/trials/" + ids[0] + "/cancel");
    ASSERT_TRUE(cancel && cancel->status == 202) << (cancel ? cancel->body : "no answer");
    ASSERT_TRUE(wait_until([&] {
        const auto d = tshost::db::ExperimentDb::open_read_only(db_path());
        return d.trial(ids[0])->status == "USER_CANCELED";
    })) << run_log();
    // Gone while the other trial still runs.
    const json gone = emulator_->wait_for(
        job_path(ids[0]), [](const json& job) { return job.value("code", 0) == 404; });
    EXPECT_EQ(gone.value("code", 0), 404) << "the cancelled job is still there";
    EXPECT_EQ(emulator_->request("GET", job_path(ids[1])).code, 200);
    release_trials();
    ASSERT_EQ(wait_process(host, 240), 0) << run_log();
    EXPECT_EQ(db().meta("status"), "DONE");
    expect_stopped(ids[0], "USER_CANCELED");
    const auto other = db().trial(ids[1]);
    EXPECT_EQ(other->status, "SUCCEEDED") << other->message;
    expect_metrics_match_journals(*other, {platform_.primary});
    EXPECT_EQ(journalled(ids[1], platform_.primary), 3U);
    expect_cluster_empty();
}

TEST_P(Matrix, TheAssessorStopsATrialWhoseResultsAreWorseThanTheMedian) {
    // Medianstop as NNI users configure it: from the first result on, a trial whose best
    // result so far is below the median of the completed trials' running averages is stopped.
    // One at a time: the first completes; the second reports far worse and would wait forever.
    Experiment e = experiment(2, "--worse-after-first");
    e.concurrency = 1;
    e.extra = "assessor: {name: Medianstop, classArgs: {optimize_mode: maximize, start_step: 1}}\n";
    std::string output;
    const auto trials = run_until_done(e, output);
    ASSERT_EQ(trials.size(), 2U);
    for (const auto& t : trials) {
        if (t.sequence_id == 0) {
            EXPECT_EQ(t.status, "SUCCEEDED") << t.message;
            EXPECT_EQ(journalled(t.id, platform_.primary), 3U);
            expect_metrics_match_journals(t, {platform_.primary});
        } else {
            expect_stopped(t.id, "EARLY_STOPPED");
        }
    }
    EXPECT_THAT(output, HasSubstr("the assessor stops trial"));
    expect_cluster_empty();
}

TEST_P(Matrix, ATrialRunningLongerThanMaxTrialDurationIsEarlyStopped) {
    // The file it waits for is never created: it would run forever.
    std::string output;
    const auto trials =
        run_until_done(experiment(1, "--wait-for /tmp/mount/go", "maxTrialDuration: 3s\n"), output);
    ASSERT_EQ(trials.size(), 1U);
    const auto& t = trials[0];
    expect_stopped(t.id, "EARLY_STOPPED");
    EXPECT_GE(t.end_time_ms - t.start_time_ms, 3000) << "stopped before its time";
    EXPECT_THAT(output, HasSubstr("exceeded maxTrialDuration"));
    expect_cluster_empty();
}

class MatrixPods : public Matrix {
  protected:
    /// One trial whose pod never starts, with podPendingTimeout 3s: the trouble is shown, then
    /// fails the trial, and nothing is left.
    void expect_pod_trouble_fails_the_trial(Experiment e, const std::string& trouble,
                                            const std::string& detail) {
        e.trials = 1;
        e.platform_extra = "  podPendingTimeout: 3s\n";
        const TshostRun result = run(config(e));
        ASSERT_EQ(result.exit_code, 0) << result.output;
        pod_checks::expect_failed_by_pod_trouble(
            db(), emulator_->request("GET", "/emulator/v1/stats").json_body(), platform_.plural,
            trouble, detail);
        expect_cluster_empty();
    }
};

TEST_P(MatrixPods, AnImageThatCannotBePulledIsShownThenFailsTheTrialAfterTheTimeout) {
    Experiment e;
    if (&platform_ == &kFrameworkController) {
        e.roles = role("worker", 1);
        const std::string from = "dockerImage: python:3-slim";
        e.roles.replace(e.roles.find(from), from.size(),
                        "dockerImage: registry.example/does-not-exist:1");
    } else {
        e.image = "registry.example/does-not-exist:1";
    }
    expect_pod_trouble_fails_the_trial(e, "ImagePull", "does-not-exist");
}

TEST_P(MatrixPods, APodNoNodeFitsIsShownThenFailsTheTrialAfterTheTimeout) {
    Experiment e;
    e.role_extra = "podSpecPatch:\n  nodeSelector: {accelerator: nvidia-a100}\n";
    expect_pod_trouble_fails_the_trial(e, "Unschedulable",
                                       "didn't match Pod's node affinity/selector");
}

TEST_P(Matrix, AJobDeletedBehindTheHostsBackFailsItsTrialWithTheReason) {
    std::vector<std::string> ids;
    const pid_t host = start_waiting_trials(1, 1, ids);
    ASSERT_EQ(ids.size(), 1U);
    ASSERT_EQ(emulator_->request("DELETE", job_path(ids[0])).code, 200);
    ASSERT_EQ(wait_process(host, 240), 0) << run_log();
    const auto t = db().trial(ids[0]);
    EXPECT_EQ(t->status, "FAILED");
    EXPECT_THAT(t->message, HasSubstr("deleted outside tshost"));
    EXPECT_THAT(t->message, HasSubstr(job_name(ids[0])));
    // What its agent journalled before the pod went is stored, once.
    EXPECT_GE(journalled(ids[0], platform_.primary), 1U);
    expect_metrics_match_journals(*t, {platform_.primary});
    expect_cluster_empty();
}

TEST_P(Matrix, TheTrialsEndsArriveAfterTheWatchIsDroppedAndExpired) {
    std::vector<std::string> ids;
    const pid_t host = start_waiting_trials(2, 2, ids);
    ASSERT_EQ(ids.size(), 2U);
    const auto lists = [&] {
        return requests(platform_.plural, "list") + requests("pods", "list");
    };
    const int64_t lists_before = lists();
    const int64_t job_watches_before = requests(platform_.plural, "watch");
    // Every open watch (the jobs' and the pods' informers) is cut, and the next two resumes
    // are told 410 Gone: an informer so told must re-list, and the trials' ends must still
    // arrive. (Which informer resumes first is a race, hence the two together.)
    const auto faults = emulator_->request("POST", "/emulator/v1/faults",
                                           R"({"dropWatches": true, "expireNextWatches": 2})");
    ASSERT_EQ(faults.code, 200) << faults.body;
    ASSERT_TRUE(wait_until([&] { return lists() > lists_before; }))
        << "no informer listed again after 410 Gone";
    ASSERT_TRUE(wait_until([&] {
        return requests(platform_.plural, "watch") > job_watches_before;
    })) << "the jobs' watch was not resumed";
    release_trials();
    ASSERT_EQ(wait_process(host, 240), 0) << run_log();
    expect_done_with_every_metric(2);
    expect_cluster_empty();
}

TEST_P(Matrix, KillNineThenResumeAdoptsTheRunningJobsAndLosesNothing) {
    // Four trials, two at a time; each reports one result, then waits for the test's go.
    std::vector<std::string> ids;
    const pid_t host = start_waiting_trials(4, 2, ids);
    ASSERT_EQ(ids.size(), 2U) << "two trials never ran with a stored metric";
    ASSERT_EQ(::kill(host, SIGKILL), 0);
    ASSERT_EQ(wait_process(host), -SIGKILL);
    ASSERT_EQ(requests(platform_.plural, "create"), 2);
    ASSERT_EQ(count(jobs_path()), 2U);

    const int64_t watches_before = requests(platform_.plural, "watch");
    const pid_t resumed = resume("resume.log");
    // The resumed host watches the experiment's jobs before the trials may end, so it
    // adopts them running.
    ASSERT_TRUE(wait_until([&] { return requests(platform_.plural, "watch") > watches_before; }))
        << "the resumed host never watched";
    // The running trials were told the first host's metrics port: the resumed one listens
    // there again, so their results arrive as they come, not from the share at their end.
    const std::string first_port = metrics_port_in(run_log());
    ASSERT_FALSE(first_port.empty()) << run_log();
    ASSERT_TRUE(wait_until([&] { return !metrics_port_in(text_of(root_ / "resume.log")).empty(); }))
        << text_of(root_ / "resume.log");
    EXPECT_EQ(metrics_port_in(text_of(root_ / "resume.log")), first_port);
    release_trials();
    ASSERT_EQ(wait_process(resumed, 240), 0) << text_of(root_ / "resume.log");

    expect_done_with_every_metric(4);
    // The two adopted trials were not created again: four trials, four creates.
    EXPECT_EQ(requests(platform_.plural, "create"), 4);
    for (const auto& t : db().trials()) {
        EXPECT_EQ(t.job_name, job_name(t.id)) << "submitted again?";
    }
    expect_cluster_empty();
}

// Not per cell: the metrics port is the host's, whatever the platform and storage.
class MatrixOneCell : public Matrix {};

TEST_P(MatrixOneCell, AResumedHostWhoseMetricsPortIsTakenListensElsewhereAndLosesNothing) {
    Experiment e = experiment(4, "--wait-for /tmp/mount/go");
    // The agents stop pushing 1 s after their command ends rather than the default 30 s;
    // what they could not deliver is in their journal on the share.
    e.role_extra =
        "podSpecPatch:\n  containers:\n  - name: framework\n    env:\n"
        "    - {name: TSHOST_METRICS_FLUSH_SECONDS, value: '1'}\n";
    std::vector<std::string> ids;
    const pid_t host = start_waiting(e, 2, ids);
    ASSERT_EQ(ids.size(), 2U);
    ASSERT_EQ(::kill(host, SIGKILL), 0);
    ASSERT_EQ(wait_process(host), -SIGKILL);

    const std::string first_port = metrics_port_in(run_log());
    ASSERT_FALSE(first_port.empty()) << run_log();
    const int blocker = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(blocker, 0);
    // As the host does: the killed host's connections may linger in TIME_WAIT on that port.
    const int on = 1;
    ASSERT_EQ(::setsockopt(blocker, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons(static_cast<uint16_t>(std::stoi(first_port)));
    ASSERT_EQ(::bind(blocker, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0)
        << "port " << first_port;
    ASSERT_EQ(::listen(blocker, 1), 0);

    const pid_t resumed = resume("resume.log");
    ASSERT_TRUE(wait_until([&] { return !metrics_port_in(text_of(root_ / "resume.log")).empty(); }))
        << text_of(root_ / "resume.log");
    EXPECT_NE(metrics_port_in(text_of(root_ / "resume.log")), first_port);
    release_trials();
    const int code = wait_process(resumed, 240);
    ::close(blocker);
    ASSERT_EQ(code, 0) << text_of(root_ / "resume.log");
    EXPECT_THAT(text_of(root_ / "resume.log"), HasSubstr("metrics port is not free"));
    expect_done_with_every_metric(4);
    EXPECT_EQ(requests(platform_.plural, "create"), 4);
    expect_cluster_empty();
}

TEST_P(Matrix, AFinishedTrialsJobIsDeletedWhileTheExperimentRuns) {
    // Each waits after its first result until `go` is in its directory.
    std::vector<std::string> ids;
    const pid_t host = start_waiting_trials(2, 2, ids, "--gate");
    ASSERT_EQ(ids.size(), 2U);
    release_trial(ids[0]);
    // The finished one goes while the other, still gated, keeps the experiment running.
    const json gone = emulator_->wait_for(
        job_path(ids[0]), [](const json& job) { return job.value("code", 0) == 404; });
    EXPECT_EQ(gone.value("code", 0), 404) << "the finished job is still there";
    EXPECT_EQ(emulator_->request("GET", job_path(ids[1])).code, 200);
    EXPECT_EQ(tshost::db::ExperimentDb::open_read_only(db_path()).trial(ids[0])->status,
              "SUCCEEDED");
    release_trial(ids[1]);
    ASSERT_EQ(wait_process(host, 240), 0);
    expect_done_with_every_metric(2);  // outputs collected before deletion
    // The first job by its own DELETE; the last one may go with the experiment's end.
    EXPECT_GE(requests(platform_.plural, "delete"), 1);
    expect_cluster_empty();
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

TEST_P(Matrix, AForbiddenCreateFailsTheTrialsNamingTheCause) {
    const auto set = emulator_->request(
        "POST", "/emulator/v1/faults",
        json{{"rules", {{{"verb", "create"}, {"resource", platform_.plural}, {"code", 403}}}}}
            .dump());
    ASSERT_EQ(set.code, 200) << set.body;
    const TshostRun result = run(config(experiment(2)));
    auto d = db();
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 2U) << result.output;
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "FAILED") << t.id;
        EXPECT_THAT(lower(t.message), HasSubstr("forbidden")) << t.id << ": " << t.message;
    }
    EXPECT_THAT(lower(result.output), HasSubstr("forbidden")) << result.output;
    // Permanent: each trial's create was tried once, not retried as if transient.
    EXPECT_EQ(requests(platform_.plural, "create"), 2);
    expect_cluster_empty();
}

INSTANTIATE_TEST_SUITE_P(Cells, Matrix, kCells, cell_name);
INSTANTIATE_TEST_SUITE_P(Cells, MatrixPods, kCells, cell_name);
INSTANTIATE_TEST_SUITE_P(Cells, MatrixOneCell,
                         testing::Values(Cell{&kFrameworkController, Storage::nfs}), cell_name);

// Kubernetes API faults during a real experiment: bursts of 429, 500 and 503 on create, get,
// list, watch and deletecollection, with latency added to every request. The experiment still
// ends DONE with every trial's metrics, nothing is created twice, and nothing is left.
class ApiFaults : public KubeE2E, public testing::WithParamInterface<std::tuple<Cell, int>> {
  protected:
    ApiFaults()
        : KubeE2E(*std::get<0>(std::get<0>(GetParam())), std::get<1>(std::get<0>(GetParam()))) {}
};

TEST_P(ApiFaults, TheExperimentRidesOutBurstsOnEveryVerbAndCreatesNothingTwice) {
    constexpr int kBurst = 2;  // failures in a row per verb
    // The plugin deletes jobs one by one only to cancel; at the experiment's end it deletes
    // them all with one deletecollection, which is what a normal run meets.
    const int code = std::get<1>(GetParam());
    json rules = json::array();
    for (const std::string verb : {"create", "get", "list", "watch", "deletecollection"}) {
        // get is the one verb the informer never needs for jobs: fault any resource.
        json rule = {{"verb", verb},
                     {"resource", verb == "get" ? "*" : platform_.plural},
                     {"code", code},
                     {"count", kBurst}};
        if (code == 429) {
            rule["retryAfterSeconds"] = 1;
        }
        rules.push_back(rule);
    }
    rules.push_back({{"verb", "*"}, {"latencyMs", 40}});
    const auto set =
        emulator_->request("POST", "/emulator/v1/faults", json{{"rules", rules}}.dump());
    ASSERT_EQ(set.code, 200) << set.body;

    const TshostRun result = run(config(Experiment{}));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_done_with_every_metric(3);
    // The host met every burst it could: a rule is dropped once its count is spent. (A get
    // burst stays when nothing was read by name.)
    const json left = emulator_->request("GET", "/emulator/v1/faults").json_body();
    for (const auto& rule : left["rules"]) {
        EXPECT_TRUE(rule["code"] == 0 || rule["verb"] == "get") << "never met: " << rule.dump();
    }
    // Three trials: three jobs created, plus the requests the bursts refused.
    EXPECT_EQ(requests(platform_.plural, "create"), 3 + kBurst);
    expect_cluster_empty();
}

INSTANTIATE_TEST_SUITE_P(Codes, ApiFaults, testing::Combine(kCells, testing::Values(429, 500, 503)),
                         [](const testing::TestParamInfo<std::tuple<Cell, int>>& tp) {
                             const Cell& cell = std::get<0>(tp.param);
                             return matrix_name(*std::get<0>(cell), std::get<1>(cell)) + "_Http" +
                                    std::to_string(std::get<1>(tp.param));
                         });

}  // namespace
}  // namespace kube_e2e
