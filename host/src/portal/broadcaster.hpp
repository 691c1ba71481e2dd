// Feeds Server-Sent Events clients. The engine's thread publishes (cheap: a lock and a map
// insert); a flusher thread sends what accumulated, at once when it sent nothing in the last
// 100 ms, else at the end of those 100 ms, so changes are coalesced (a trial's newest row
// wins) and the engine never waits for a client. Each client
// is an http::Stream with a bounded buffer: one that falls behind is dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace tshost::portal {

class Broadcaster {
  public:
    static constexpr std::chrono::milliseconds kFlushInterval{100};
    static constexpr std::chrono::seconds kKeepAlive{15};
    static constexpr size_t kMaxPendingMetrics = 10'000;  // beyond: the oldest are dropped

    /// `flush_interval`: the coalescing window (tests widen it to make a burst certain).
    explicit Broadcaster(std::chrono::milliseconds flush_interval = kFlushInterval);
    ~Broadcaster();  // stop()
    Broadcaster(const Broadcaster&) = delete;
    Broadcaster& operator=(const Broadcaster&) = delete;

    /// Sends the greeting (retry, hello with the current revision) and adds the client.
    void add_client(std::shared_ptr<http::Stream> client);

    // JSON texts, from any thread.
    void publish_overview(std::string body);
    void publish_trial(const std::string& id, std::string body);
    void publish_metric(std::string body);

    uint64_t revision() const { return revision_.load(); }
    size_t clients() const;
    /// Sends what is pending, then closes every client (each drains what it was sent).
    void stop();

  private:
    void run();
    bool pending() const;      // under mutex_
    std::string take_batch();  // under mutex_
    void send_all(const std::string& text);

    const std::chrono::milliseconds flush_interval_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::vector<std::shared_ptr<http::Stream>> clients_;
    std::string overview_;                       // pending, or empty
    std::map<std::string, std::string> trials_;  // pending, by id
    std::vector<std::string> metrics_;           // pending
    std::atomic<uint64_t> revision_{0};
    std::thread thread_;
};

}  // namespace tshost::portal
