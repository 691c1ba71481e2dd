// Host memory with many live trials and many stored metrics (issue 7: "Host RSS with 1,000
// live trials and 1,000,000 stored metrics: under 100 MB"), measured on the real tshost
// binary: its VmHWM (peak resident set) from /proc.
//
// 1,000 trial agents would need about 10 GB (each is a Python interpreter), so the trials
// are plain local processes (`sleep`, useTrialAgent: false) and this program plays their
// agents: it holds one keep-alive connection per trial to the host's trial-metrics server
// (as each agent does) and posts each trial's metrics there with that trial's token, in
// batches as the agent sends them. On the host's side everything is real: the engine with
// 1,000 active trials, the local platform watching 1,000 processes, the metrics server with
// 1,000 connections, the journal follower, and every metric stored in SQLite. What is not
// exercised: 1,000 journals on the share (the follower sees no changed markers).
//
// usage: metrics_rss_bench [trials [metrics-per-trial [records-per-request]]]
//        (defaults 1000 1000 500); set TSHOST_RSS_ASSESSOR=Medianstop to add an assessor
//        (it keeps each live trial's intermediate results in memory).
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metrics/trial_tokens.hpp"
#include "metrics_experiment.hpp"
#include "raw_http.hpp"
#include "tshost_process.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using metrics_e2e::MetricsExperiment;

namespace {

// "VmHWM:    12345 kB" -> 12345; 0 when absent.
long status_kb(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(field + ":", 0) == 0) {
            return std::stol(line.substr(field.size() + 1));
        }
    }
    return 0;
}

// One integer from the experiment database, read-only; -1 while it cannot be read.
int64_t scalar(const fs::path& db, const char* sql) {
    if (!fs::exists(db)) {
        return -1;
    }
    sqlite3* conn = nullptr;
    int64_t value = -1;
    if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(conn, 1000);
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(conn, sql, -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            value = sqlite3_column_int64(s, 0);
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(conn);
    return value;
}

std::vector<std::string> running_trials(const fs::path& db) {
    std::vector<std::string> ids;
    sqlite3* conn = nullptr;
    if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(conn, 1000);
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(conn, "SELECT id FROM trials WHERE status = 'RUNNING' ORDER BY id",
                               -1, &s, nullptr) == SQLITE_OK) {
            while (sqlite3_step(s) == SQLITE_ROW) {
                ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
            }
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(conn);
    return ids;
}

// Polls `done` until it holds or `limit` passes (a child process offers no event to
// block on); false on timeout or when the host exited.
bool wait_until(pid_t host, std::chrono::seconds limit, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (done()) {
            return true;
        }
        if (::kill(host, 0) != 0) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The port in the host's "trials post to http://ADDRESS:PORT" log line; 0 until logged.
uint16_t metrics_port(const fs::path& log) {
    const std::string text = slurp(log);
    const std::string mark = "trials post to http://";
    const auto at = text.find(mark);
    if (at == std::string::npos) {
        return 0;
    }
    const auto end = text.find_first_of(" \r\n", at + mark.size());
    const std::string url = text.substr(at + mark.size(), end - at - mark.size());
    return static_cast<uint16_t>(std::stoul(url.substr(url.rfind(':') + 1)));
}

// A POST of `count` PERIODICAL records of `trial` from `seq`, as the agent sends them.
std::string request(const std::string& trial, const std::string& token, int64_t seq, int count) {
    std::string body = R"({"attempt":0,"replica":"local-0","primary":true,"records":[)";
    for (int i = 0; i < count; ++i) {
        const auto s = std::to_string(seq + i);
        if (i != 0) {
            body += ',';
        }
        body += R"({"seq":)" + s + R"(,"data":"{\"parameter_id\":0,\"trial_job_id\":\")" + trial +
                R"(\",\"type\":\"PERIODICAL\",\"sequence\":)" + s +
                R"(,\"value\":\"{\\\"default\\\": 0.8125, \\\"loss\\\": 0.1875}\"}"})";
    }
    body += "]}";
    return tshost::test::metrics_post(trial, token, body);
}

}  // namespace

int main(int argc, char** argv) {
    const int trials = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int per_trial = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int per_request = argc > 3 ? std::atoi(argv[3]) : 500;
    const char* assessor = std::getenv("TSHOST_RSS_ASSESSOR");
    const fs::path root = fs::temp_directory_path() / "tshost-metrics-rss";

    MetricsExperiment experiment(root, {});
    experiment.set_trial_agent(false);
    const std::string top =
        assessor != nullptr ? "assessor: {name: " + std::string(assessor) + "}\n" : "";
    const std::string cfg =
        experiment.config(metrics_e2e::local_nfs(root / "share"), "sleep 900", top, trials, trials);
    const fs::path log = root / "tshost.log";
    const pid_t host = start_tshost(
        experiment.args({"run", cfg, "--id", MetricsExperiment::kId, "--port", "0"}), log.string());
    auto fail = [&](const std::string& why) {
        std::printf("metrics_rss_bench: %s (log: %s)\n", why.c_str(), log.c_str());
        ::kill(host, SIGTERM);
        wait_process(host, 120);
        return 1;
    };

    uint16_t port = 0;
    if (!wait_until(host, std::chrono::seconds(60),
                    [&] { return (port = metrics_port(log)) != 0; })) {
        return fail("the host never opened its metrics server");
    }
    const fs::path db = experiment.db_path();
    const auto start = Clock::now();
    std::vector<std::string> ids;
    if (!wait_until(host, std::chrono::seconds(600), [&] {
            ids = running_trials(db);
            return static_cast<int>(ids.size()) == trials;
        })) {
        return fail("only " + std::to_string(ids.size()) + " trials ever ran at once");
    }
    const double launch_s = std::chrono::duration<double>(Clock::now() - start).count();
    const long live_hwm = status_kb(host, "VmHWM");
    const long live_rss = status_kb(host, "VmRSS");

    // One connection per trial, as each trial's agent keeps one.
    const auto tokens =
        tshost::metrics::TrialTokens::load_or_create(db.parent_path() / "metrics.key");
    std::vector<std::string> token_of;
    std::vector<std::unique_ptr<tshost::test::RawConnection>> conns;
    for (const auto& id : ids) {
        token_of.push_back(tokens.token(id, 0));
        conns.push_back(std::make_unique<tshost::test::RawConnection>(port));
    }
    const auto post_start = Clock::now();
    int64_t rejected = 0, busy = 0;
    for (int64_t seq = 0; seq < per_trial; seq += per_request) {
        const int n = static_cast<int>(std::min<int64_t>(per_request, per_trial - seq));
        std::vector<size_t> pending(ids.size());
        std::iota(pending.begin(), pending.end(), size_t{0});
        // As the agent does: a batch the host refused with 503/429 (its queue of unstored
        // metrics is full) or a dropped connection is sent again after Retry-After, on a new
        // connection when the host closed the old one.
        while (!pending.empty()) {
            // Send on all connections, then read all: every trial's batch is in flight.
            for (const size_t t : pending) {
                if (!conns[t] || !conns[t]->send_all(request(ids[t], token_of[t], seq, n))) {
                    conns[t] = std::make_unique<tshost::test::RawConnection>(port);
                    if (!conns[t]->send_all(request(ids[t], token_of[t], seq, n))) {
                        return fail("the host closed a new connection");
                    }
                }
            }
            std::vector<size_t> again;
            int retry_after_s = 0;
            for (const size_t t : pending) {
                const auto r = conns[t]->read_response(std::chrono::seconds(120));
                if (!r || r->header("connection") == "close") {
                    conns[t].reset();
                }
                if (!r || r->status == 503 || r->status == 429) {
                    again.push_back(t);
                    busy += r ? 1 : 0;
                    if (r && !r->header("retry-after").empty()) {
                        retry_after_s =
                            std::max(retry_after_s, std::stoi(r->header("retry-after")));
                    }
                } else if (r->status != 200) {
                    ++rejected;
                }
            }
            if (!again.empty()) {
                // The agent's back-off, not synchronisation: the host asked for it.
                std::this_thread::sleep_for(retry_after_s > 0
                                                ? std::chrono::milliseconds(1000 * retry_after_s)
                                                : std::chrono::milliseconds(200));
            }
            pending = std::move(again);
        }
    }
    const double post_s = std::chrono::duration<double>(Clock::now() - post_start).count();
    const int64_t expected = static_cast<int64_t>(trials) * per_trial;
    int64_t stored = 0;
    if (!wait_until(host, std::chrono::seconds(600), [&] {
            stored = scalar(db, "SELECT count(*) FROM metrics");
            return stored >= expected;
        })) {
        return fail("only " + std::to_string(stored) + " of " + std::to_string(expected) +
                    " metrics were stored (" + std::to_string(rejected) + " posts rejected)");
    }
    const double store_s = std::chrono::duration<double>(Clock::now() - post_start).count();
    const int64_t live = scalar(db, "SELECT count(*) FROM trials WHERE status = 'RUNNING'");
    const long hwm = status_kb(host, "VmHWM");
    const long rss = status_kb(host, "VmRSS");
    const long threads = status_kb(host, "Threads");
    conns.clear();

    std::printf(
        "metrics_rss_bench: tshost with %d live local trials (sleep; this program posts "
        "their metrics over one keep-alive connection per trial, %d records per POST)%s\n",
        trials, per_request,
        assessor != nullptr ? (std::string(", assessor ") + assessor).c_str() : "");
    std::printf("  all %d trials running after %.1f s: VmHWM %.1f MB, VmRSS %.1f MB\n", trials,
                launch_s, static_cast<double>(live_hwm) / 1024.0,
                static_cast<double>(live_rss) / 1024.0);
    std::printf(
        "  %lld metrics posted in %.1f s, all stored after %.1f s (%lld posts rejected, %lld "
        "answered 503/429 and sent again, as the agent does); %lld trials still running\n",
        static_cast<long long>(expected), post_s, store_s, static_cast<long long>(rejected),
        static_cast<long long>(busy), static_cast<long long>(live));
    std::printf(
        "  with %lld stored metrics: VmHWM %.1f MB, VmRSS %.1f MB, %ld threads, "
        "database %.1f MB   [target: under 100 MB: %s]\n",
        static_cast<long long>(stored), static_cast<double>(hwm) / 1024.0,
        static_cast<double>(rss) / 1024.0, threads, static_cast<double>(fs::file_size(db)) / 1e6,
        hwm < 100 * 1024 ? "met" : "NOT met");
    std::fflush(stdout);

    // Stop the experiment as a user would; the host cancels the trials.
    ::kill(host, SIGTERM);
    const int code = wait_process(host, 300);
    std::printf("  tshost stopped with exit code %d\n", code);
    std::error_code ignored;
    if (code == 0) {
        fs::remove_all(root, ignored);
    }
    return rejected == 0 && live == trials ? 0 : 1;
}
