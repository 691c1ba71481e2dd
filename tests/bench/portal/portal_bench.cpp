// The portal's reads with 10,000 trials and 1,000,000 metrics (issue 9's figures) in a real
// experiment database, served by the real Portal over loopback, against the same server's
// trivial GET /api/v1/nni/check-status measured in the same run (the baseline: what the
// transport costs). Keep-alive clients send one request at a time and time each one.
// Usage: portal_bench [trials [metrics_per_trial [seconds_per_route [only_routes_containing]]]]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "db/experiment_db.hpp"
#include "engine/packed_parameter.hpp"
#include "portal/portal.hpp"
#include "raw_http.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr int kClients = 2;

void fill(const fs::path& path, int trials, int metrics_per_trial) {
    auto db = tshost::db::ExperimentDb::open(path);
    db.set_meta("id", "bench");
    db.set_meta("start_time", "1");
    db.begin();
    for (int i = 0; i < trials; ++i) {
        tshost::db::TrialRow row;
        row.id = "t" + std::to_string(i);
        row.sequence_id = i;
        row.parameter_id = i;
        row.parameters_json =
            tshost::engine::pack_parameters(i, {{"lr", 0.001 * (i % 97)},
                                                {"batch", 32 << (i % 4)},
                                                {"optimizer", i % 2 ? "adam" : "sgd"}});
        row.status = "SUCCEEDED";
        row.submit_time_ms = 1000 + i;
        row.start_time_ms = 2000 + i;
        row.end_time_ms = 3000 + i;
        row.final_metric = 0.5 + (i % 1000) / 2000.0;
        row.job_name = "tshost-bench-" + row.id;
        db.insert_trial(row);
        for (int m = 0; m < metrics_per_trial; ++m) {
            const bool final = m == metrics_per_trial - 1;
            const double v = 0.1 * m;
            db.insert_metric({row.id, 0, "0", m, 2500 + m, final ? "FINAL" : "PERIODICAL",
                              final ? 0 : m, json(v).dump(), v});
        }
    }
    db.commit();
}

struct Figures {
    double requests_per_s = 0;
    double first_ms = 0;  // the first request: a kept answer is built then (view: once)
    double p50_ms = 0, p95_ms = 0, p99_ms = 0;
    size_t bytes = 0;
};

Figures measure(uint16_t port, const std::string& target, double seconds) {
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    std::vector<std::vector<double>> latencies(kClients);
    std::atomic<size_t> bytes{0};
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    const auto started = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            tshost::test::RawConnection connection(port);
            while (Clock::now() < deadline) {
                const auto t0 = Clock::now();
                if (!connection.send_all(request)) {
                    return;
                }
                const auto response = connection.read_response(std::chrono::seconds(60));
                if (!response || response->status != 200) {
                    std::fprintf(stderr, "%s failed\n", target.c_str());
                    return;
                }
                latencies[c].push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                bytes = response->body.size();
            }
        });
    }
    for (auto& t : clients) {
        t.join();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    std::vector<double> all;
    for (const auto& l : latencies) {
        all.insert(all.end(), l.begin(), l.end());
    }
    Figures f;
    for (const auto& l : latencies) {
        f.first_ms = std::max(f.first_ms, l.empty() ? 0.0 : l.front());
    }
    std::sort(all.begin(), all.end());
    if (all.empty()) {
        return f;
    }
    f.requests_per_s = static_cast<double>(all.size()) / elapsed;
    f.p50_ms = all[all.size() / 2];
    f.p95_ms = all[std::min(all.size() - 1, all.size() * 95 / 100)];
    f.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    f.bytes = bytes;
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    const int trials = argc > 1 ? std::atoi(argv[1]) : 10'000;
    const int per_trial = argc > 2 ? std::atoi(argv[2]) : 100;
    const double seconds = argc > 3 ? std::atof(argv[3]) : 5;
    if (trials < 3 || per_trial < 1 || seconds <= 0) {
        std::fprintf(stderr,
                     "usage: portal_bench [trials >= 3 [metrics_per_trial >= 1 "
                     "[seconds_per_route > 0]]]\n");
        return 2;
    }
    const fs::path dir = fs::temp_directory_path() / "tshost-portal-bench";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto t0 = Clock::now();
    fill(dir / "experiment.db", trials, per_trial);
    std::printf("database: %d trials, %lld metrics, written in %.1f s\n", trials,
                static_cast<long long>(trials) * per_trial,
                std::chrono::duration<double>(Clock::now() - t0).count());

    tshost::portal::ExperimentInfo info;
    info.id = "bench";
    info.platform = "local";
    info.config_json = "{}";
    info.search_space_json = "{}";
    tshost::portal::PortalOptions options;
    options.port = 0;
    options.read_only = true;
    tshost::portal::Portal portal(dir / "experiment.db", info, options, nullptr, nullptr);
    portal.start();

    std::printf("%d keep-alive clients, %.0f s per route, one request at a time each\n", kClients,
                seconds);
    std::printf("%-52s %10s %9s %9s %9s %9s %11s %8s\n", "route", "requests/s", "first ms",
                "p50 ms", "p95 ms", "p99 ms", "body bytes", "vs base");
    const std::string base_route = "/api/v1/nni/check-status";
    const auto base = measure(portal.port(), base_route, seconds);
    // What the pages ask: the overview, the table, one trial, the curves of three compared
    // trials; then NNI's routes that read every trial or every metric. (/nni/metric-data,
    // every record as NNI stores it, is 1,000,000 objects by definition: not a page's read.)
    const std::string mid = "t" + std::to_string(trials / 2);
    const std::vector<std::string> routes = {
        base_route,
        "/api/v1/tshost/overview",
        "/api/v1/tshost/trials",
        "/api/v1/tshost/trials/" + mid,
        "/api/v1/tshost/metrics?type=PERIODICAL&trials=t0," + mid + ",t" +
            std::to_string(trials - 1),
        "/api/v1/nni/trial-jobs",
        "/api/v1/nni/trial-jobs?status=SUCCEEDED",
        "/api/v1/nni/job-statistics",
        "/api/v1/nni/metric-data/" + mid,
        "/api/v1/nni/metric-data-latest",
        "/api/v1/nni/export-data",
    };
    const std::string only = argc > 4 ? argv[4] : "";
    for (const auto& target : routes) {
        if (target != base_route && target.find(only) == std::string::npos) {
            continue;
        }
        const auto f = target == base_route ? base : measure(portal.port(), target, seconds);
        std::printf("%-52s %10.1f %9.2f %9.2f %9.2f %9.2f %11zu %7.1fx\n", target.c_str(),
                    f.requests_per_s, f.first_ms, f.p50_ms, f.p95_ms, f.p99_ms, f.bytes,
                    f.p50_ms / std::max(base.p50_ms, 1e-9));
    }
    portal.stop();
    fs::remove_all(dir);
    return 0;
}
