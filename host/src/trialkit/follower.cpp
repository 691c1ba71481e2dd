#include "trialkit/follower.hpp"

#include <spdlog/spdlog.h>

namespace tshost::trialkit {

JournalFollower::JournalFollower(JournalReader& reader, plugin::EventQueue& events,
                                 std::chrono::milliseconds interval)
    : reader_(reader), events_(events), interval_(interval), thread_([this] { loop(); }) {}

JournalFollower::~JournalFollower() {
    stop();
}

void JournalFollower::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void JournalFollower::loop() {
    auto backoff = interval_;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        auto next = interval_;
        try {
            for (auto& event : reader_.read_changed()) {
                events_.push(std::move(event));
            }
            backoff = interval_;
        } catch (const std::exception& e) {
            // The store may be briefly unreachable; the journals keep everything, so
            // slow down and try again rather than give up.
            spdlog::warn("following metric journals: {}", e.what());
            backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
            next = backoff;
        }
        lock.lock();
        wake_.wait_for(lock, next, [this] { return stopping_; });
    }
}

}  // namespace tshost::trialkit
