// What the metrics-server tests (plain and TLS) share: the names they use, waiting for a
// condition with a deadline, and a fixture owning the tokens, the event queue and the server.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "metrics/metrics_server.hpp"
#include "raw_http.hpp"

namespace tshost::test {

using json = nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using tshost::metrics::MetricsServer;
using tshost::metrics::MetricsServerOptions;
using tshost::metrics::TrialTokens;
using tshost::plugin::EventQueue;
using tshost::plugin::HostEvent;

// Polls a condition with a deadline (the server's counters are updated on its own
// threads; there is no event to wait on from outside).
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

/// The experiment key the fixture's tokens are made with.
inline std::string test_key() {
    return std::string(32, 'k');
}

class MetricsServerFixture : public ::testing::Test {
  protected:
    /// Starts the server on 127.0.0.1 and a port the kernel picks.
    void start_server(MetricsServerOptions options) {
        options.bind_address = "127.0.0.1";
        server_ = std::make_unique<MetricsServer>(tokens_, events_, std::move(options));
        server_->start();
        ASSERT_NE(server_->port(), 0);
    }

    std::string token(const std::string& trial, int64_t attempt = 0) const {
        return tokens_.token(trial, attempt);
    }

    TrialTokens tokens_ = TrialTokens::from_key(test_key());
    EventQueue events_;
    std::unique_ptr<MetricsServer> server_;
};

}  // namespace tshost::test
