#include "portal/broadcaster.hpp"

#include <algorithm>

namespace tshost::portal {

Broadcaster::Broadcaster(std::chrono::milliseconds flush_interval)
    : flush_interval_(flush_interval), thread_([this] { run(); }) {}

Broadcaster::~Broadcaster() {
    stop();
}

void Broadcaster::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
        // The last changes (the experiment's end) still go out; close() lets them drain.
        if (auto last = take_batch(); !last.empty()) {
            send_all(last);
        }
        for (auto& client : clients_) {
            client->close();
        }
        clients_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void Broadcaster::add_client(std::shared_ptr<http::Stream> client) {
    std::lock_guard lock(mutex_);
    if (stopping_) {
        client->close();
        return;
    }
    if (client->send("retry: 2000\n\nevent: hello\ndata: {\"revision\": " +
                     std::to_string(revision_.load()) + "}\n\n")) {
        clients_.push_back(std::move(client));
    }
}

void Broadcaster::publish_overview(std::string body) {
    {
        std::lock_guard lock(mutex_);
        overview_ = std::move(body);
        ++revision_;
    }
    wake_.notify_one();
}

void Broadcaster::publish_trial(const std::string& id, std::string body) {
    {
        std::lock_guard lock(mutex_);
        trials_[id] = std::move(body);
        ++revision_;
    }
    wake_.notify_one();
}

void Broadcaster::publish_metric(std::string body) {
    {
        std::lock_guard lock(mutex_);
        if (metrics_.size() >= kMaxPendingMetrics) {
            metrics_.erase(metrics_.begin());
        }
        metrics_.push_back(std::move(body));
        ++revision_;
    }
    wake_.notify_one();
}

bool Broadcaster::pending() const {
    return !overview_.empty() || !trials_.empty() || !metrics_.empty();
}

size_t Broadcaster::clients() const {
    std::lock_guard lock(mutex_);
    return clients_.size();
}

// Under mutex_. A client whose send fails (gone, or too far behind) is dropped.
void Broadcaster::send_all(const std::string& text) {
    std::erase_if(clients_, [&](const auto& client) { return !client->send(text); });
}

// Under mutex_: the pending changes as one text of events, and nothing pending after it.
std::string Broadcaster::take_batch() {
    std::string batch;
    if (!overview_.empty()) {
        batch += "event: overview\ndata: " + overview_ + "\n\n";
        overview_.clear();
    }
    for (const auto& [id, body] : trials_) {
        batch += "event: trial\ndata: " + body + "\n\n";
    }
    trials_.clear();
    for (const auto& body : metrics_) {
        batch += "event: metric\ndata: " + body + "\n\n";
    }
    metrics_.clear();
    return batch;
}

// A change goes out at once when nothing went out in the last flush_interval_, else at the end
// of it: a lone trial finishing reaches the pages without waiting for a tick, and a burst
// still leaves as one batch per interval (a trial's newest row wins).
void Broadcaster::run() {
    using Clock = std::chrono::steady_clock;
    auto last_keep_alive = Clock::now();
    auto last_flush = Clock::now() - flush_interval_;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (!pending()) {
            wake_.wait_until(lock, last_keep_alive + kKeepAlive,
                             [&] { return stopping_ || pending(); });
        }
        if (pending()) {
            wake_.wait_until(lock, last_flush + flush_interval_, [&] { return stopping_; });
        }
        if (stopping_) {
            break;
        }
        std::string batch = take_batch();
        const auto now = Clock::now();
        if (now - last_keep_alive >= kKeepAlive) {
            batch += ": keep-alive\n\n";
            last_keep_alive = now;
        }
        last_flush = now;
        if (!batch.empty() && !clients_.empty()) {
            send_all(batch);
        }
    }
}

}  // namespace tshost::portal
