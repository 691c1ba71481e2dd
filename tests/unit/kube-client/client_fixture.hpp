#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "test_server.hpp"
#include "tshost/kube/client.hpp"

namespace kubetest {

// Collects every log line the client emits, so tests can check what (not) to log.
struct LogCapture {
    std::mutex mutex;
    std::vector<std::string> lines;
    tshost::kube::LogFn fn() {
        return [this](tshost::kube::LogLevel, std::string_view m) {
            std::lock_guard lock(mutex);
            lines.emplace_back(m);
        };
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string out;
        for (const auto& l : lines) {
            out += l + "\n";
        }
        return out;
    }
};

// Fast timings so retry paths run in milliseconds; no rate limit unless a test wants one.
inline tshost::kube::ClientOptions fastOptions(const std::string& server, LogCapture& logs) {
    tshost::kube::ClientOptions o;
    o.config.server = server;
    o.config.namespace_name = "ns1";
    o.config.context_name = "test-ctx";
    o.config.token = "the-bearer-token-1234";
    o.log = logs.fn();
    o.qps = 0;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.request_timeout = std::chrono::milliseconds(5000);
    o.retry_deadline = std::chrono::milliseconds(3000);
    o.backoff_base = std::chrono::milliseconds(5);
    o.backoff_max = std::chrono::milliseconds(50);
    return o;
}

inline const tshost::kube::ResourceRef kTfJobs{"kubeflow.org", "v1", "tfjobs", ""};

}  // namespace kubetest
