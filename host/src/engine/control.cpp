#include "engine/control.hpp"

#include <utility>

namespace tshost::engine {

std::future<CommandOutcome> CommandInbox::push(Command command) {
    std::lock_guard lock(mutex_);
    Pending pending{std::move(command), {}};
    auto future = pending.outcome.get_future();
    if (closed_) {
        pending.outcome.set_value({CommandOutcome::Kind::conflict, *closed_});
    } else {
        pending_.push_back(std::move(pending));
    }
    return future;
}

std::vector<CommandInbox::Pending> CommandInbox::take_all() {
    std::lock_guard lock(mutex_);
    return std::exchange(pending_, {});
}

void CommandInbox::close(const std::string& reason) {
    std::lock_guard lock(mutex_);
    closed_ = reason;
    for (auto& pending : pending_) {
        pending.outcome.set_value({CommandOutcome::Kind::conflict, reason});
    }
    pending_.clear();
}

}  // namespace tshost::engine
