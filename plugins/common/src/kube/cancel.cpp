#include "tshost/kube/cancel.hpp"

namespace tshost::kube {

void Cancellation::cancel() {
    {
        std::lock_guard lock(mutex_);
        if (cancelled_) {
            return;
        }
        cancelled_ = true;
    }
    cv_.notify_all();
    std::lock_guard hooks_lock(hooks_mutex_);
    for (auto& [id, hook] : hooks_) {
        hook();
    }
}

bool Cancellation::cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

bool Cancellation::sleepFor(std::chrono::nanoseconds d) const {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, d, [this] { return cancelled_; });
}

int Cancellation::addWakeup(std::function<void()> hook) const {
    std::lock_guard lock(hooks_mutex_);
    hooks_.emplace(next_id_, std::move(hook));
    return next_id_++;
}

void Cancellation::removeWakeup(int id) const {
    std::lock_guard lock(hooks_mutex_);
    hooks_.erase(id);
}

}  // namespace tshost::kube
