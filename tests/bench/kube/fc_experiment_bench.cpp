// fc_experiment_bench: a whole FrameworkController experiment of many trivial trials through
// the real tshost binary and the local Kubernetes API emulator (one run, figures only):
//  - Kubernetes API requests/s the host makes (GET /emulator/v1/stats, sampled every second):
//    all of them, and in steady state without creates and deletes (which scale with the
//    trials started, not with the trials tracked);
//  - job end → tuner: from the moment the trial's command ended (it writes the time to its
//    trial directory as its last act) to the engine's telling the tuner (a debug line of the
//    host's log); median and p95, and where the time goes: the pod's status write (agent exit,
//    kubelet), the Framework's completion (operator), both as seen by the bench's own watch;
//    the platform plugin's report (the SUCCEEDED time in the database: tshost's watch and
//    tracker); the engine's processing (event queue, journal, SQLite, tuner);
//  - trials finished per minute;
//  - the host's CPU seconds (user + system) and peak RSS (from wait4), the emulator's CPU
//    seconds and the machine's load, to tell tshost's own queueing from a busy machine.
// Usage: fc_experiment_bench [--trials N] [--concurrency C] [--qps Q] [--burst B]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db/experiment_db.hpp"
#include "emulator_fixture.hpp"
#include "trial_end_watch.hpp"
#include "tshost_process.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
    int trials = 1000;
    int concurrency = 100;
    // The platform's client-side rate limit; 0 = the plugin's default (not written).
    double qps = 0;
    int burst = 0;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const int v = std::atoi(argv[i + 1]);
        if (k == "--trials" && v > 0) {
            a.trials = v;
        } else if (k == "--concurrency" && v > 0) {
            a.concurrency = v;
        } else if (k == "--qps" && std::atof(argv[i + 1]) > 0) {
            a.qps = std::atof(argv[i + 1]);
        } else if (k == "--burst" && v > 0) {
            a.burst = v;
        } else {
            std::fprintf(stderr,
                         "usage: fc_experiment_bench [--trials N] [--concurrency C] [--qps Q] "
                         "[--burst B]\n");
            std::exit(2);
        }
    }
    return a;
}

struct Sample {
    double t_s;
    int64_t total, creates, deletes;
};

Sample sample(const kemu::test::Emulator& emulator, Clock::time_point start) {
    const json requests =
        emulator.request("GET", "/emulator/v1/stats").json_body().value("requests", json::object());
    const json verbs = requests.value("verbs", json::object());
    return {std::chrono::duration<double>(Clock::now() - start).count(),
            requests.value("total", int64_t{0}), verbs.value("create", int64_t{0}),
            verbs.value("delete", int64_t{0}) + verbs.value("deletecollection", int64_t{0})};
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// When the engine told the tuner of each trial's end (the host's debug line), by trial id.
std::map<std::string, int64_t> tuner_times(const fs::path& log) {
    static const std::regex kLine("trial ([a-z0-9]+) ended [A-Z_]+: the tuner knew at ([0-9]+) ms");
    std::map<std::string, int64_t> out;
    std::ifstream in(log);
    std::smatch m;
    for (std::string line; std::getline(in, line);) {
        if (std::regex_search(line, m, kLine)) {
            out[m[1]] = std::stoll(m[2]);
        }
    }
    return out;
}

// User + system CPU seconds of a live process (/proc/PID/stat fields 14 and 15).
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) {
        fields >> skip;
    }
    double utime = 0;
    double stime = 0;
    fields >> utime >> stime;
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Seconds the process's threads spent waiting on a run queue for a CPU (summed over threads,
// /proc/PID/task/*/schedstat field 2): how much a busy machine held it up.
double run_queue_wait_seconds(pid_t pid) {
    double ns = 0;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(task.path() / "schedstat");
        double on_cpu = 0;
        double waiting = 0;
        if (in >> on_cpu >> waiting) {
            ns += waiting;
        }
    }
    return ns / 1e9;
}

// Busy and total jiffies of the whole machine (/proc/stat), for its load over the run.
std::pair<double, double> machine_jiffies() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    double total = 0;
    double idle = 0;
    for (int i = 0; i < 8; ++i) {
        double v = 0;
        in >> v;
        total += v;
        if (i == 3 || i == 4) {  // idle, iowait
            idle += v;
        }
    }
    return {total - idle, total};
}

// One stage of the breakdown: its median and p95 over the trials that have both ends.
struct Stage {
    const char* name;
    std::vector<double> ms;
};

void print_stage(const Stage& stage) {
    std::printf("  %-44s median %6.0f ms, p95 %6.0f ms (%zu trials)\n", stage.name,
                percentile(stage.ms, 0.5), percentile(stage.ms, 0.95), stage.ms.size());
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    const fs::path root = fs::temp_directory_path() / ("fc-bench-" + std::to_string(getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "code");
    const fs::path share = kemu::test::nfs_export_dir(root);
    kemu::test::Emulator emulator(kemu::test::nfs_root_args(root));
    const TrialEndWatch cluster_view(emulator.kubeconfig(), "nni", "expId=bench");

    // The trial does nothing but note when it ended (ms since the epoch, host clock).
    std::ofstream(root / "config.yml")
        << "experimentName: fc-bench\n"
        << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
        << "trialCodeDirectory: " << (root / "code").string() << "\n"
        << "trialConcurrency: " << args.concurrency << "\nmaxTrialNumber: " << args.trials
        << "\ntuner: {name: Random, classArgs: {seed: 1}}\n"
        << "trainingService:\n  platform: frameworkcontroller\n  reuseMode: false\n"
        << "  namespace: nni\n  kubeconfig: " << emulator.kubeconfig() << "\n"
        << (args.qps > 0 ? "  qps: " + std::to_string(args.qps) + "\n" : "")
        << (args.burst > 0 ? "  burst: " + std::to_string(args.burst) + "\n" : "")
        << "  taskRoles:\n    - name: worker\n      dockerImage: python:3-slim\n"
        << "      taskNumber: 1\n"
        << "      command: sh -c 'date +%s%3N > \"$NNI_SYS_DIR/end_ms\"'\n"
        << "      gpuNumber: 0\n      cpuNumber: 1\n      memorySize: 64mb\n"
        << "      frameworkAttemptCompletionPolicy: {minFailedTaskCount: 1, "
           "minSucceedTaskCount: -1}\n"
        << "  storage:\n    storageType: nfs\n    server: 127.0.0.1\n    path: /export\n"
        << "    localMountPath: " << share.string() << "\n";

    std::printf(
        "fc_experiment_bench: %d trials, %d at a time, FrameworkController + nfs "
        "through kube-emulator; qps %s, burst %s\n",
        args.trials, args.concurrency, args.qps > 0 ? std::to_string(args.qps).c_str() : "default",
        args.burst > 0 ? std::to_string(args.burst).c_str() : "default");
    const auto start = Clock::now();
    const double emulator_cpu_before = cpu_seconds(emulator.pid());
    const double emulator_wait_before = run_queue_wait_seconds(emulator.pid());
    const auto machine_before = machine_jiffies();
    const pid_t host =
        start_tshost({"--log-level", "debug", "--data-dir", (root / "data").string(), "run",
                      (root / "config.yml").string(), "--id", "bench", "--port", "0"},
                     (root / "tshost.log").string());
    std::vector<Sample> samples{sample(emulator, start)};
    int status = 0;
    rusage usage{};
    while (wait4(host, &status, WNOHANG, &usage) == 0) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        samples.push_back(sample(emulator, start));
    }
    samples.push_back(sample(emulator, start));
    const double emulator_cpu_s = cpu_seconds(emulator.pid()) - emulator_cpu_before;
    const double emulator_wait_s = run_queue_wait_seconds(emulator.pid()) - emulator_wait_before;
    const auto machine_after = machine_jiffies();
    const double machine_busy = (machine_after.first - machine_before.first) /
                                std::max(1.0, machine_after.second - machine_before.second);
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::printf("tshost failed (status %d); see %s\n", status,
                    (root / "tshost.log").string().c_str());
        return 1;
    }

    auto db = tshost::db::ExperimentDb::open(root / "data" / "bench" / "experiment.db");
    const auto told = tuner_times(root / "tshost.log");
    const auto seen = cluster_view.seen();
    // NNI's "up to 8 s" is from the job's terminal status to the tuner (its 3 s GET poll plus
    // its manager's 5 s poll): the same span here is the Framework's Completed status, as the
    // bench's own watch sees it, to the tuner. The whole path from the trial's command end
    // adds the agent, kubelet and operator, which are the cluster's, not the host's.
    std::vector<double> job_end_ms;  // Framework Completed -> tuner
    std::vector<double> latency_ms;  // command end -> tuner
    Stage pod{"command end -> pod finished (agent, kubelet)", {}};
    Stage job{"pod finished -> Framework Completed (operator)", {}};
    Stage plugin{"Framework Completed -> plugin's report (tshost)", {}};
    Stage engine{"plugin's report -> tuner (engine queue, journal)", {}};
    int succeeded = 0;
    for (const auto& t : db.trials()) {
        if (t.status != "SUCCEEDED") {
            continue;
        }
        ++succeeded;
        std::ifstream end_file(share / "nni" / "bench" / t.id / "end_ms");
        int64_t ended_ms = 0;
        if (!(end_file >> ended_ms)) {
            continue;
        }
        int64_t reported = 0;
        for (const auto& change : db.status_history(t.id)) {
            if (change.status == "SUCCEEDED") {
                reported = change.time_ms;
            }
        }
        const auto tuner = told.find(t.id);
        const auto cluster = seen.find(t.id);
        if (reported == 0 || tuner == told.end() || cluster == seen.end() ||
            cluster->second.pod_finished_ms == 0 || cluster->second.job_completed_ms == 0) {
            continue;
        }
        const auto gap = [](int64_t from, int64_t to) { return static_cast<double>(to - from); };
        job_end_ms.push_back(gap(cluster->second.job_completed_ms, tuner->second));
        latency_ms.push_back(gap(ended_ms, tuner->second));
        pod.ms.push_back(gap(ended_ms, cluster->second.pod_finished_ms));
        job.ms.push_back(gap(cluster->second.pod_finished_ms, cluster->second.job_completed_ms));
        plugin.ms.push_back(gap(cluster->second.job_completed_ms, reported));
        engine.ms.push_back(gap(reported, tuner->second));
    }

    // Steady state: the middle half of the run, when trials are both starting and ending.
    const Sample& a = samples[samples.size() / 4];
    const Sample& b = samples[samples.size() * 3 / 4];
    const double window = std::max(1e-9, b.t_s - a.t_s);
    const Sample& last = samples.back();
    const double cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::printf("trials succeeded            %d of %d in %.1f s\n", succeeded, args.trials, wall_s);
    std::printf("trials per minute           %.1f\n", succeeded * 60.0 / wall_s);
    std::printf("API requests/s, whole run   %.2f (%lld requests: %lld creates, %lld deletes)\n",
                static_cast<double>(last.total) / wall_s, static_cast<long long>(last.total),
                static_cast<long long>(last.creates), static_cast<long long>(last.deletes));
    std::printf(
        "API requests/s, steady      %.2f all, %.2f without creates and deletes "
        "(NNI's polling baseline: %.1f/s, one GET per live trial every 3 s)\n",
        static_cast<double>(b.total - a.total) / window,
        static_cast<double>((b.total - b.creates - b.deletes) - (a.total - a.creates - a.deletes)) /
            window,
        args.concurrency / 3.0);
    std::printf(
        "job end -> tuner            median %.0f ms, p95 %.0f ms, max %.0f ms (%zu trials; from "
        "the Framework's Completed status; NNI: up to 8 s)\n",
        percentile(job_end_ms, 0.5), percentile(job_end_ms, 0.95), percentile(job_end_ms, 1.0),
        job_end_ms.size());
    std::printf(
        "command end -> tuner        median %.0f ms, p95 %.0f ms, max %.0f ms (the whole path)\n",
        percentile(latency_ms, 0.5), percentile(latency_ms, 0.95), percentile(latency_ms, 1.0));
    std::printf("where it goes (stages in order; medians do not add up exactly):\n");
    for (const Stage* stage : {&pod, &job, &plugin, &engine}) {
        print_stage(*stage);
    }
    std::printf("host CPU                    %.1f s (%.2f s per 100 trials)\n", cpu_s,
                cpu_s * 100 / std::max(1, succeeded));
    std::printf("host peak RSS               %.1f MB\n",
                static_cast<double>(usage.ru_maxrss) / 1024.0);
    std::printf(
        "emulator CPU                %.1f s, and %.1f s waiting for a CPU; machine busy %.0f%% "
        "of %ld cores over the run\n",
        emulator_cpu_s, emulator_wait_s, machine_busy * 100, sysconf(_SC_NPROCESSORS_ONLN));
    fs::remove_all(root);
    return 0;
}
