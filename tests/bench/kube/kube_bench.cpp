// kube_bench: what tracking many live jobs costs the API server, and how fast a status change
// reaches the host, against the local Kubernetes API emulator (one run, figures only):
//  (a) create N TFJobs whose single worker sleeps (one `sleep` process per job);
//  (b) track them with the client's Informer (label selector) for a steady-state window: API
//      requests/s as counted by the emulator (GET /emulator/v1/stats, requests per verb);
//  (c) the same window with NNI-style polling, one GET per job every 3 s, as the baseline;
//  (d) status-change latency: end the worker process of M jobs, one at a time, and time from
//      the kill to the informer callback that shows the job Failed (kill → process reaped →
//      pod status → operator → watch event → informer: an upper bound of "change at the
//      emulator to callback").
// Usage: kube_bench [--jobs N] [--window SECONDS] [--samples M] [--emulator PATH]
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator_process.hpp"
#include "tshost/kube/client.hpp"
#include "tshost/kube/informer.hpp"

namespace fs = std::filesystem;
namespace tk = tshost::kube;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

const tk::ResourceRef kTfJobs{"kubeflow.org", "v1", "tfjobs", ""};
const char* kSelector = "app=kube-bench";

struct Args {
    int jobs = 1000;
    int window_s = 20;
    int samples = 50;
    std::string emulator = KUBE_EMULATOR_BIN;
};

// The worker writes its pid to its working directory, then becomes `sleep`.
// ("$$$$": the emulator, like Kubernetes, turns "$$" in a command into "$".)
json tfjob(const std::string& name) {
    json container = {{"name", "tensorflow"},
                      {"image", "busybox"},
                      {"command", {"sh", "-c", "echo $$$$ > pid && exec sleep 3600"}}};
    return {{"apiVersion", "kubeflow.org/v1"},
            {"kind", "TFJob"},
            {"metadata", {{"name", name}, {"labels", {{"app", "kube-bench"}}}}},
            {"spec",
             {{"tfReplicaSpecs",
               {{"Worker",
                 {{"replicas", 1},
                  {"restartPolicy", "Never"},
                  {"template", {{"spec", {{"containers", {container}}}}}}}}}}}}};
}

std::string jobName(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "bench-%04d", i);
    return buf;
}

bool hasCondition(const json& job, const std::string& type) {
    for (const auto& c : job.value("status", json::object()).value("conditions", json::array())) {
        if (c.value("type", "") == type && c.value("status", "") == "True") {
            return true;
        }
    }
    return false;
}

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// Runs `f(i)` for i in [0, n) on `threads` threads.
void parallelFor(int n, int threads, const std::function<void(int)>& f) {
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = next++; i < n; i = next++) {
                f(i);
            }
        });
    }
    for (auto& t : pool) {
        t.join();
    }
}

// Polls the emulator's stats until `pred` holds or the deadline passes.
json waitForStats(kubetest::EmulatorControl& control, const std::function<bool(const json&)>& pred,
                  std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    json s = control.stats();
    while (!pred(s) && Clock::now() < deadline) {
        tk::Cancellation().sleepFor(200ms);
        s = control.stats();
    }
    return s;
}

long long rssKb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atoll(line.c_str() + 6);
        }
    }
    return -1;
}

int run(const Args& args) {
    const fs::path dir = fs::temp_directory_path() / ("kube-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::printf("kube_bench: %d TFJobs, %d s windows, %d latency samples, emulator %s\n", args.jobs,
                args.window_s, args.samples, args.emulator.c_str());
    int rc = 0;
    {
        kubetest::EmulatorProcess emulator(args.emulator, dir.string());
        auto cfg = emulator.config(30s);
        if (!cfg) {
            std::fprintf(stderr, "kube_bench: the emulator did not start (see %s)\n",
                         (dir / "emulator.log").c_str());
            return 1;
        }
        kubetest::EmulatorControl control(*cfg);
        using C = kubetest::EmulatorControl;

        // Setup client: no client-side rate limit (setup and the polling baseline).
        tk::ClientOptions fast;
        fast.config = *cfg;
        fast.qps = 0;
        fast.max_connections = 8;
        tk::Client setup(fast);

        // (a) create.
        auto t0 = Clock::now();
        parallelFor(args.jobs, 4, [&](int i) { setup.create(kTfJobs, tfjob(jobName(i))); });
        const double create_s = seconds(Clock::now() - t0);
        std::printf("\n(a) created %d TFJobs in %.1f s (%.0f creates/s)\n", args.jobs, create_s,
                    args.jobs / create_s);

        // (b) the informer, with the client's default (client-go) rate limit, as the host runs.
        tk::ClientOptions host_opts;
        host_opts.config = *cfg;
        tk::Client host(host_opts);
        std::mutex mutex;
        std::condition_variable cv;
        std::map<std::string, Clock::time_point> killed_at;  // job -> kill time
        std::map<std::string, Clock::time_point> seen_at;    // job -> callback showing Failed
        std::atomic<int> running{0};
        std::map<std::string, bool> is_running;
        auto observe = [&](const json& o) {
            const std::string name = o["metadata"].value("name", "");
            const auto now = Clock::now();
            std::lock_guard lock(mutex);
            if (hasCondition(o, "Running") && !is_running[name]) {
                is_running[name] = true;
                ++running;
            }
            if (hasCondition(o, "Failed") && killed_at.count(name) != 0 &&
                seen_at.count(name) == 0) {
                seen_at[name] = now;
            }
            cv.notify_all();
        };
        tk::Informer informer(host, kTfJobs, kSelector,
                              {observe, [&](const json&, const json& o) { observe(o); }, {}, {}});
        t0 = Clock::now();
        informer.start();
        if (!informer.waitForSync(120s)) {
            std::fprintf(stderr, "kube_bench: the informer did not sync\n");
            return 1;
        }
        std::printf("    informer synced in %.2f s (%zu jobs cached)\n", seconds(Clock::now() - t0),
                    informer.objects().size());
        {
            std::unique_lock lock(mutex);
            cv.wait_for(lock, 300s, [&] { return running.load() == args.jobs; });
        }
        // The informer's watch is open (it opens after the list has been applied).
        json s = waitForStats(
            control, [](const json& st) { return st.value("watchers", 0) >= 1; }, 30s);
        std::printf(
            "    %d/%d jobs Running %.1f s after the first create; %d sleep processes,"
            " emulator RSS %.0f MB\n",
            running.load(), args.jobs, seconds(Clock::now() - t0) + create_s,
            s.value("runningContainers", 0), static_cast<double>(rssKb(emulator.pid())) / 1024.0);

        auto window = [&](const char* what, const std::function<void(Clock::time_point)>& body) {
            const json before = control.stats();
            const auto start = Clock::now();
            body(start + std::chrono::seconds(args.window_s));
            const double secs = seconds(Clock::now() - start);
            const json after = control.stats();
            const long long total = C::totalRequests(after) - C::totalRequests(before);
            std::printf(
                "    %s: %lld API requests in %.1f s = %.2f requests/s (get %lld, list "
                "%lld, watch %lld)\n",
                what, total, secs, static_cast<double>(total) / secs,
                C::requests(after, "tfjobs", "get") - C::requests(before, "tfjobs", "get"),
                C::requests(after, "tfjobs", "list") - C::requests(before, "tfjobs", "list"),
                C::requests(after, "tfjobs", "watch") - C::requests(before, "tfjobs", "watch"));
            return static_cast<double>(total) / secs;
        };
        std::printf("\n(b) steady state, %d live jobs tracked by one Informer (list + watch):\n",
                    args.jobs);
        const double informer_rps =
            window("informer", [](Clock::time_point end) { std::this_thread::sleep_until(end); });

        // (d) status-change latency, informer still running.
        std::printf("\n(d) status change → informer callback, %d jobs, one at a time:\n",
                    args.samples);
        const fs::path pods = fs::path(emulator.workDir()) / "pods" / "default";
        std::vector<double> lat;
        int missed = 0;
        for (int i = 0; i < args.samples && i < args.jobs; ++i) {
            const std::string name = jobName(i);
            pid_t pid = -1;
            for (const auto& e : fs::directory_iterator(pods)) {
                if (e.path().filename().string().rfind(name + "-worker-0-", 0) == 0) {
                    // The working directory is the pod's directory, or its own /tmp when that
                    // hides the directory (the emulator's workdir is under /tmp).
                    for (const fs::path file : {e.path() / "pid", e.path() / "tmp" / "pid"}) {
                        std::ifstream in(file);
                        if (in >> pid) {
                            break;
                        }
                    }
                }
            }
            if (pid <= 0) {
                ++missed;
                continue;
            }
            {
                std::lock_guard lock(mutex);
                killed_at[name] = Clock::now();
            }
            ::kill(pid, SIGKILL);
            std::unique_lock lock(mutex);
            if (cv.wait_for(lock, 10s, [&] { return seen_at.count(name) != 0; })) {
                lat.push_back(ms(seen_at[name] - killed_at[name]));
            } else {
                ++missed;
            }
        }
        std::sort(lat.begin(), lat.end());
        if (!lat.empty()) {
            auto pct = [&](double p) {
                return lat[std::min(lat.size() - 1,
                                    static_cast<std::size_t>(p * static_cast<double>(lat.size())))];
            };
            std::printf(
                "    latency ms: median %.1f, p90 %.1f, max %.1f (min %.1f; %zu samples, "
                "%d missed)\n",
                pct(0.5), pct(0.9), lat.back(), lat.front(), lat.size(), missed);
        } else {
            std::printf("    no samples (%d missed)\n", missed);
        }
        informer.stop();

        // (c) NNI-style polling: every job GET once per 3 s period, spread evenly over it.
        std::printf("\n(c) the same %d jobs polled NNI-style (one GET per job every 3 s):\n",
                    args.jobs);
        std::atomic<long long> poll_errors{0};
        const double poll_rps = window("polling", [&](Clock::time_point end) {
            constexpr int kThreads = 8;
            const auto period = std::chrono::milliseconds(3000);
            const auto start = Clock::now();
            std::vector<std::thread> pollers;
            for (int t = 0; t < kThreads; ++t) {
                pollers.emplace_back([&, t] {
                    for (int cycle = 0;; ++cycle) {
                        for (int i = t; i < args.jobs; i += kThreads) {
                            const auto at = start + cycle * period + period * i / args.jobs;
                            if (at >= end) {
                                return;
                            }
                            std::this_thread::sleep_until(at);
                            try {
                                setup.get(kTfJobs, jobName(i));
                            } catch (const tk::KubeError&) {
                                ++poll_errors;
                            }
                        }
                    }
                });
            }
            for (auto& p : pollers) {
                p.join();
            }
        });
        if (poll_errors > 0) {
            std::printf("    (%lld polling errors)\n", poll_errors.load());
        }

        std::printf("\nfigures vs targets:\n");
        std::printf("  informer  %.2f requests/s for %d jobs  (target O(1): no per-job requests)\n",
                    informer_rps, args.jobs);
        std::printf("  polling   %.2f requests/s for %d jobs  (NNI: jobs / 3 s = %.1f)\n", poll_rps,
                    args.jobs, args.jobs / 3.0);
        if (!lat.empty()) {
            std::printf(
                "  status change → host: median %.1f ms, p90 %.1f ms, max %.1f ms "
                "(target < 100 ms on loopback)\n",
                lat[lat.size() / 2], lat[std::min(lat.size() - 1, lat.size() * 9 / 10)],
                lat.back());
        }

        // Clean up: delete every job; the emulator kills their processes.
        t0 = Clock::now();
        setup.removeCollection(kTfJobs, kSelector);
        s = waitForStats(
            control,
            [](const json& st) {
                return st.value("runningContainers", -1) == 0 &&
                       st["objects"].value("tfjobs", -1) == 0 &&
                       st["objects"].value("pods", -1) == 0;
            },
            120s);
        std::printf(
            "\ncleanup: %d TFJobs deleted in %.1f s; left: %d tfjobs, %d pods, %d "
            "running containers\n",
            args.jobs, seconds(Clock::now() - t0), s["objects"].value("tfjobs", -1),
            s["objects"].value("pods", -1), s.value("runningContainers", -1));
        if (s.value("runningContainers", -1) != 0) {
            rc = 1;
        }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--jobs") {
            args.jobs = std::atoi(argv[i + 1]);
        } else if (a == "--window") {
            args.window_s = std::atoi(argv[i + 1]);
        } else if (a == "--samples") {
            args.samples = std::atoi(argv[i + 1]);
        } else if (a == "--emulator") {
            args.emulator = argv[i + 1];
        } else {
            std::fprintf(stderr,
                         "usage: kube_bench [--jobs N] [--window S] [--samples M] "
                         "[--emulator PATH]\n");
            return 2;
        }
    }
    try {
        return run(args);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kube_bench: %s\n", e.what());
        return 1;
    }
}
