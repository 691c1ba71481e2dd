// fc_experiment_bench: a whole FrameworkController experiment of many trivial trials through
// the real tshost binary and the local Kubernetes API emulator (one run, figures only):
//  - Kubernetes API requests/s the host makes (GET /emulator/v1/stats, sampled every second):
//    all of them, and in steady state without creates and deletes (which scale with the
//    trials started, not with the trials tracked);
//  - job end → tuner: from the moment the trial's command ended (it writes the time to its
//    trial directory as its last act) to the host's recording of SUCCEEDED, which is when the
//    engine tells the tuner; median and p95;
//  - trials finished per minute;
//  - the host's CPU seconds (user + system) and peak RSS (from wait4).
// Usage: fc_experiment_bench [--trials N] [--concurrency C]
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "db/experiment_db.hpp"
#include "emulator_fixture.hpp"
#include "tshost_process.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
    int trials = 1000;
    int concurrency = 100;
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
        } else {
            std::fprintf(stderr, "usage: fc_experiment_bench [--trials N] [--concurrency C]\n");
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

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    const fs::path root = fs::temp_directory_path() / ("fc-bench-" + std::to_string(getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "code");
    const fs::path share = root / "nfs" / "127.0.0.1" / "export";
    fs::create_directories(share);
    kemu::test::Emulator emulator({"--nfs-root", (root / "nfs").string()});

    // The trial does nothing but note when it ended (ms since the epoch, host clock).
    std::ofstream(root / "config.yml")
        << "experimentName: fc-bench\n"
        << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
        << "trialCodeDirectory: " << (root / "code").string() << "\n"
        << "trialConcurrency: " << args.concurrency << "\nmaxTrialNumber: " << args.trials
        << "\ntuner: {name: Random, classArgs: {seed: 1}}\n"
        << "trainingService:\n  platform: frameworkcontroller\n  reuseMode: false\n"
        << "  namespace: nni\n  kubeconfig: " << emulator.kubeconfig() << "\n"
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
        "through kube-emulator\n",
        args.trials, args.concurrency);
    const auto start = Clock::now();
    const pid_t host =
        start_tshost({"--data-dir", (root / "data").string(), "run", (root / "config.yml").string(),
                      "--id", "bench", "--port", "0"},
                     (root / "tshost.log").string());
    std::vector<Sample> samples{sample(emulator, start)};
    int status = 0;
    rusage usage{};
    while (wait4(host, &status, WNOHANG, &usage) == 0) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        samples.push_back(sample(emulator, start));
    }
    samples.push_back(sample(emulator, start));
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::printf("tshost failed (status %d); see %s\n", status,
                    (root / "tshost.log").string().c_str());
        return 1;
    }

    auto db = tshost::db::ExperimentDb::open(root / "data" / "bench" / "experiment.db");
    std::vector<double> latency_ms;
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
        for (const auto& change : db.status_history(t.id)) {
            if (change.status == "SUCCEEDED") {
                latency_ms.push_back(static_cast<double>(change.time_ms - ended_ms));
            }
        }
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
        "job end -> tuner            median %.0f ms, p95 %.0f ms, max %.0f ms (%zu trials)\n",
        percentile(latency_ms, 0.5), percentile(latency_ms, 0.95), percentile(latency_ms, 1.0),
        latency_ms.size());
    std::printf("host CPU                    %.1f s (%.2f s per 100 trials)\n", cpu_s,
                cpu_s * 100 / std::max(1, succeeded));
    std::printf("host peak RSS               %.1f MB\n",
                static_cast<double>(usage.ru_maxrss) / 1024.0);
    fs::remove_all(root);
    return 0;
}
