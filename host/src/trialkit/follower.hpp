// Follows the metric journals of live trials through the storage plugin: the only
// metrics path in storage-only mode (no inbound port on the host), and a safety net
// in push mode for a trial whose pushes fail while it keeps running (the assessor
// should not wait for the trial's end to see its curve). One list of the
// experiment's changed/ directory per tick, plus one read per journal with news:
// the cost follows the metric rate, not the number of live trials.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "plugin/event_queue.hpp"
#include "trialkit/journal.hpp"

namespace tshost::trialkit {

class JournalFollower {
  public:
    JournalFollower(JournalReader& reader, plugin::EventQueue& events,
                    std::chrono::milliseconds interval);
    ~JournalFollower();
    JournalFollower(const JournalFollower&) = delete;
    JournalFollower& operator=(const JournalFollower&) = delete;

    void stop();

  private:
    void loop();

    JournalReader& reader_;
    plugin::EventQueue& events_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tshost::trialkit
