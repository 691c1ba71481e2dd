// Trial-metrics ingestion on loopback (issue 7's performance targets), measured in one run:
//
//  (a) baseline: a bare Boost.Beast server with the same number of threads, answering 200
//      to the same POSTs without looking at them;
//  (b) MetricsServer (token check, JSON validation, one event per record) with the events
//      drained into the real ExperimentDb the way the engine does it (batches of up to 4096
//      events per transaction, each record parsed by engine::parse_metric_record and
//      deduplicated by insert_metric). The clock stops when the last metric is committed.
//
// Both for one metric per request and for 100 per request, with the same keep-alive
// clients: a few threads, each keeping several connections busy (send on all, then read
// all), plain blocking sockets. Usage: metrics_bench [scale [single|batched [PART]]]
//
// PART runs one part alone, for profiling (valgrind --tool=callgrind --separate-threads=yes:
// then thread 2 is the server's and, with "stored", thread 3 the storer's): "bare", "server"
// (queue not drained) or "stored". Its figures are printed; the ratio needs the whole run.
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db/experiment_db.hpp"
#include "engine/metric_event.hpp"
#include "engine/metric_record.hpp"
#include "metrics/metrics_server.hpp"
#include "raw_http.hpp"

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kServerThreads = 1;
constexpr int kClientThreads = 2;
constexpr int kConnectionsPerClient = 16;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- (a) the bare Beast server: read a request, answer 200, nothing else ----------------

class BareSession : public std::enable_shared_from_this<BareSession> {
  public:
    explicit BareSession(tcp::socket&& socket) : stream_(std::move(socket)) {}
    void run() { read(); }

  private:
    void read() {
        request_ = {};
        http::async_read(stream_, buffer_, request_,
                         [self = shared_from_this()](beast::error_code ec, size_t) {
                             if (ec) {
                                 return;
                             }
                             self->respond();
                         });
    }
    void respond() {
        response_ = {};
        response_.result(http::status::ok);
        response_.version(request_.version());
        response_.set(http::field::content_type, "application/json");
        response_.body() = R"({"accepted":1})";
        response_.keep_alive(request_.keep_alive());
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (!ec) {
                                  self->read();
                              }
                          });
    }
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
};

class BareServer {
  public:
    explicit BareServer(int threads) : ioc_(threads), acceptor_(ioc_) {
        const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen();
        accept();
        for (int i = 0; i < threads; ++i) {
            threads_.emplace_back([this] { ioc_.run(); });
        }
    }
    ~BareServer() {
        ioc_.stop();
        for (auto& t : threads_) {
            t.join();
        }
    }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }

  private:
    void accept() {
        acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (ec) {
                return;
            }
            std::make_shared<BareSession>(std::move(s))->run();
            accept();
        });
    }
    net::io_context ioc_;
    tcp::acceptor acceptor_;
    std::vector<std::thread> threads_;
};

// ---- the clients ------------------------------------------------------------------------

std::string trial_of(int client, int connection) {
    return "trial-" + std::to_string(client) + "-" + std::to_string(connection);
}

// One POST with `per_request` records starting at `seq`, as the agent sends them: each
// record is an NNI PERIODICAL record (JSON text) inside a JSON string.
std::string make_request(const std::string& trial, const std::string& token, int64_t seq,
                         int per_request) {
    std::string body = R"({"attempt":0,"replica":"worker-0","primary":true,"records":[)";
    for (int i = 0; i < per_request; ++i) {
        const auto s = std::to_string(seq + i);
        if (i != 0) {
            body += ',';
        }
        body += R"({"seq":)" + s + R"(,"data":"{\"parameter_id\":0,\"trial_job_id\":\")" + trial +
                R"(\",\"type\":\"PERIODICAL\",\"sequence\":)" + s + R"(,\"value\":\"0.8125\"}"})";
    }
    body += "]}";
    return tshost::test::metrics_post(trial, token, body);
}

// Sends `requests_per_connection` requests on each of the client's connections, keeping
// one request in flight per connection. Returns the number of 200 responses.
int64_t run_client(uint16_t port, int client, int64_t requests_per_connection, int per_request,
                   const tshost::metrics::TrialTokens& tokens) {
    std::vector<tshost::test::RawConnection> connections;
    std::vector<std::string> trials, token_of;
    for (int c = 0; c < kConnectionsPerClient; ++c) {
        connections.emplace_back(port);
        trials.push_back(trial_of(client, c));
        token_of.push_back(tokens.token(trials.back(), 0));
    }
    int64_t ok = 0;
    for (int64_t r = 0; r < requests_per_connection; ++r) {
        for (int c = 0; c < kConnectionsPerClient; ++c) {
            if (!connections[c].send_all(
                    make_request(trials[c], token_of[c], r * per_request, per_request))) {
                std::fprintf(stderr, "send failed\n");
                std::exit(1);
            }
        }
        for (int c = 0; c < kConnectionsPerClient; ++c) {
            const auto response = connections[c].read_response(std::chrono::seconds(60));
            if (!response) {
                std::fprintf(stderr, "no response\n");
                std::exit(1);
            }
            ok += response->status == 200;
        }
    }
    return ok;
}

double drive(uint16_t port, int64_t total_metrics, int per_request,
             const tshost::metrics::TrialTokens& tokens, int64_t& ok) {
    const int64_t per_connection =
        total_metrics / per_request / (kClientThreads * kConnectionsPerClient);
    std::vector<std::thread> clients;
    std::atomic<int64_t> answered{0};
    const auto start = Clock::now();
    for (int t = 0; t < kClientThreads; ++t) {
        clients.emplace_back(
            [&, t] { answered += run_client(port, t, per_connection, per_request, tokens); });
    }
    for (auto& c : clients) {
        c.join();
    }
    ok = answered.load();
    return seconds_since(start);
}

// ---- (b) MetricsServer + the engine's way of storing --------------------------------------

// Drains the queue into the database as Engine::process does: up to 4096 events per
// transaction; each payload decoded, its record parsed and checked, then insert_metric
// (deduplicating). Stops when `expected` metrics are stored.
void store_metrics(tshost::plugin::EventQueue& events, tshost::db::ExperimentDb* db,
                   int64_t expected, std::atomic<int64_t>& stored, int64_t& transactions) {
    constexpr size_t kMaxBatch = 4096;
    std::vector<tshost::plugin::HostEvent> batch;
    while (stored.load() < expected) {
        batch.clear();
        if (events.pop_many(batch, kMaxBatch, std::chrono::milliseconds(100)) == 0) {
            continue;
        }
        int64_t added = 0;
        ++transactions;
        db->begin();
        for (const auto& event : batch) {
            auto payload = tshost::engine::decode_metric_event(event.payload_json);
            if (!payload.data || !payload.attempt || !payload.replica || !payload.seq) {
                std::fprintf(stderr, "incomplete event: %s\n", event.payload_json.c_str());
                std::exit(1);
            }
            auto parsed = tshost::engine::parse_metric_record(*payload.data, event.trial_id);
            if (!parsed.record) {
                std::fprintf(stderr, "rejected: %s\n", parsed.rejection.c_str());
                std::exit(1);
            }
            tshost::db::MetricRow row{event.trial_id,
                                      static_cast<int>(*payload.attempt),
                                      std::move(*payload.replica),
                                      *payload.seq,
                                      event.time_ms,
                                      std::move(parsed.record->type),
                                      parsed.record->sequence,
                                      std::move(parsed.record->value_json),
                                      parsed.record->default_value};
            added += db->insert_metric(row) ? 1 : 0;
        }
        db->commit();
        stored += added;
    }
}

fs::path scratch(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("tshost-bench-metrics-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

struct Figures {
    double bare_rate = 0;
    double server_rate = 0;         // persisted
    double server_answer_rate = 0;  // answered (all 200s received)
    double server_only_rate = 0;    // answered, nothing draining the queue meanwhile
    double metrics_per_transaction = 0;
};

Figures scenario(const char* name, int64_t total_metrics, int per_request,
                 const tshost::metrics::TrialTokens& tokens, const std::string& part) {
    Figures f;
    const int64_t requests_total = total_metrics / per_request /
                                   (kClientThreads * kConnectionsPerClient) *
                                   (kClientThreads * kConnectionsPerClient);
    const int64_t metrics = requests_total * per_request;
    if (part.empty() || part == "bare") {
        BareServer bare(kServerThreads);
        int64_t ok = 0;
        const double s = drive(bare.port(), metrics, per_request, tokens, ok);
        f.bare_rate = static_cast<double>(metrics) / s;
        if (ok != requests_total) {
            std::fprintf(stderr, "bare: %lld of %lld answered 200\n", static_cast<long long>(ok),
                         static_cast<long long>(requests_total));
        }
    }
    for (const bool with_db : {false, true}) {
        if (!part.empty() && part != (with_db ? "stored" : "server")) {
            continue;
        }
        auto db = tshost::db::ExperimentDb::open(scratch(name) / "experiment.db");
        for (int t = 0; t < kClientThreads; ++t) {
            for (int c = 0; c < kConnectionsPerClient; ++c) {
                tshost::db::TrialRow row;
                row.id = trial_of(t, c);
                row.parameters_json = "{}";
                row.status = "RUNNING";
                db.insert_trial(row);
            }
        }
        tshost::plugin::EventQueue events;
        tshost::metrics::MetricsServerOptions options;
        options.bind_address = "127.0.0.1";
        options.threads = kServerThreads;
        options.max_queued_events = 0;  // measure the whole pipeline, not back-pressure
        tshost::metrics::MetricsServer server(tokens, events, options);
        server.start();
        std::atomic<int64_t> stored{0};
        int64_t transactions = 0;
        const auto start = Clock::now();
        // Without the database nothing consumes the queue during the run: this isolates the
        // server's own cost (no consumer wake-ups either); the events are counted after.
        std::thread storer([&] {
            if (with_db) {
                store_metrics(events, &db, metrics, stored, transactions);
            }
        });
        int64_t ok = 0;
        const double answered_s = drive(server.port(), metrics, per_request, tokens, ok);
        storer.join();
        const double stored_s = seconds_since(start);
        const int64_t in_db = with_db ? db.metric_count() : static_cast<int64_t>(events.size());
        if (ok != requests_total || in_db != metrics) {
            std::fprintf(stderr, "server: %lld of %lld answered 200, %lld of %lld stored\n",
                         static_cast<long long>(ok), static_cast<long long>(requests_total),
                         static_cast<long long>(in_db), static_cast<long long>(metrics));
            std::exit(1);
        }
        if (!with_db) {
            f.server_only_rate = static_cast<double>(metrics) / answered_s;
            continue;
        }
        f.server_answer_rate = static_cast<double>(metrics) / answered_s;
        f.server_rate = static_cast<double>(metrics) / stored_s;
        f.metrics_per_transaction =
            static_cast<double>(metrics) / static_cast<double>(std::max<int64_t>(transactions, 1));
    }
    std::printf(
        "%s: %lld metrics\n"
        "  bare Beast (baseline)              %9.0f metrics/s\n"
        "  MetricsServer, queue not drained   %9.0f metrics/s (%5.1f %% of bare)\n"
        "  MetricsServer + ExperimentDb       %9.0f metrics/s persisted (%5.1f %% of bare),"
        " %.0f answered; %.0f metrics per transaction\n",
        name, static_cast<long long>(metrics), f.bare_rate, f.server_only_rate,
        100.0 * f.server_only_rate / f.bare_rate, f.server_rate,
        100.0 * f.server_rate / f.bare_rate, f.server_answer_rate, f.metrics_per_transaction);
    std::fflush(stdout);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    const auto tokens = tshost::metrics::TrialTokens::from_key(std::string(32, 'b'));
    std::printf(
        "loopback, keep-alive; %d server thread(s), %d client threads x %d connections; "
        "%u cores\n",
        kServerThreads, kClientThreads, kConnectionsPerClient, std::thread::hardware_concurrency());
    // argv[2]: "single" or "batched" runs only that scenario (for profiling).
    const std::string only = argc > 2 ? argv[2] : "";
    const std::string part = argc > 3 ? argv[3] : "";
    Figures single, batched;
    if (only.empty() || only == "single") {
        single = scenario("1 metric per request", static_cast<int64_t>(200'000 * scale), 1, tokens,
                          part);
    }
    if (only.empty() || only == "batched") {
        batched = scenario("100 metrics per request", static_cast<int64_t>(1'000'000 * scale), 100,
                           tokens, part);
    }
    const auto verdict = [](const Figures& f) {
        return f.server_rate >= 40'000 && f.server_rate >= 0.75 * f.bare_rate ? "met" : "NOT met";
    };
    std::printf(
        "targets (>= 40000 metrics/s persisted, >= 75 %% of bare Beast): "
        "1/request %s, 100/request %s\n",
        verdict(single), verdict(batched));
    return 0;  // a benchmark prints figures; it does not pass or fail
}
