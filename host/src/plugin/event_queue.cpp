#include "plugin/event_queue.hpp"

namespace tshost::plugin {

void EventQueue::push(HostEvent event) {
    {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
    }
    ready_.notify_one();
}

void EventQueue::push_many(std::vector<HostEvent>&& events) {
    if (events.empty()) {
        return;
    }
    {
        std::lock_guard lock(mutex_);
        for (auto& event : events) {
            events_.push_back(std::move(event));
        }
    }
    events.clear();
    ready_.notify_one();
}

std::optional<HostEvent> EventQueue::pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [this] { return !events_.empty(); })) {
        return std::nullopt;
    }
    HostEvent event = std::move(events_.front());
    events_.pop_front();
    return event;
}

size_t EventQueue::size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

}  // namespace tshost::plugin
