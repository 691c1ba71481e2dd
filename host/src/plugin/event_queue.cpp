#include "plugin/event_queue.hpp"

#include <algorithm>
#include <iterator>

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

size_t EventQueue::pop_many(std::vector<HostEvent>& out, size_t max,
                            std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (max == 0 || !ready_.wait_for(lock, timeout, [this] { return !events_.empty(); })) {
        return 0;
    }
    const size_t n = std::min(max, events_.size());
    const auto end = events_.begin() + static_cast<std::ptrdiff_t>(n);
    out.insert(out.end(), std::make_move_iterator(events_.begin()), std::make_move_iterator(end));
    events_.erase(events_.begin(), end);
    return n;
}

size_t EventQueue::size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

}  // namespace tshost::plugin
