// Events plugins emit. emit() only enqueues, so a plugin calling the host never
// re-enters itself; the engine drains the queue on its own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tshost::plugin {

struct HostEvent {
    std::string instance;  // the emitting instance's name
    std::string type;      // TSH_EVENT_*
    std::string trial_id;
    std::string payload_json;
    int64_t time_ms = 0;  // ms since the Unix epoch
};

class EventQueue {
  public:
    void push(HostEvent event);
    /// Appends all of `events` under one lock and one wake-up: a batch of metrics from one
    /// request costs the consumer (the engine) no more hand-offs than a single event.
    void push_many(std::vector<HostEvent>&& events);
    /// The oldest event, waiting up to `timeout` for one.
    std::optional<HostEvent> pop(std::chrono::milliseconds timeout);
    /// Waits up to `timeout` for an event, then appends the oldest events, at most `max`, to
    /// `out` under one lock (one hand-off a batch, not one an event). Returns how many.
    size_t pop_many(std::vector<HostEvent>& out, size_t max, std::chrono::milliseconds timeout);
    size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<HostEvent> events_;
};

}  // namespace tshost::plugin
