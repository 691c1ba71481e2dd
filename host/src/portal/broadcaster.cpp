#include "portal/broadcaster.hpp"

#include <algorithm>

namespace tshost::portal {

Broadcaster::Broadcaster() : thread_([this] { run(); }) {}

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

void Broadcaster::publish_overview(std::string json) {
    std::lock_guard lock(mutex_);
    overview_ = std::move(json);
    ++revision_;
}

void Broadcaster::publish_trial(const std::string& id, std::string json) {
    std::lock_guard lock(mutex_);
    trials_[id] = std::move(json);
    ++revision_;
}

void Broadcaster::publish_metric(std::string json) {
    std::lock_guard lock(mutex_);
    if (metrics_.size() >= kMaxPendingMetrics) {
        metrics_.erase(metrics_.begin());
    }
    metrics_.push_back(std::move(json));
    ++revision_;
}

size_t Broadcaster::clients() const {
    std::lock_guard lock(mutex_);
    return clients_.size();
}

// Under mutex_. A client whose send fails (gone, or too far behind) is dropped.
void Broadcaster::send_all(const std::string& text) {
    std::erase_if(clients_, [&](const auto& client) { return !client->send(text); });
}

void Broadcaster::run() {
    auto last_keep_alive = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, kFlushInterval, [&] { return stopping_; });
        if (stopping_) {
            break;
        }
        std::string batch;
        if (!overview_.empty()) {
            batch += "event: overview\ndata: " + overview_ + "\n\n";
            overview_.clear();
        }
        for (const auto& [id, json] : trials_) {
            batch += "event: trial\ndata: " + json + "\n\n";
        }
        trials_.clear();
        for (const auto& json : metrics_) {
            batch += "event: metric\ndata: " + json + "\n\n";
        }
        metrics_.clear();
        const auto now = std::chrono::steady_clock::now();
        if (now - last_keep_alive >= kKeepAlive) {
            batch += ": keep-alive\n\n";
            last_keep_alive = now;
        }
        if (!batch.empty() && !clients_.empty()) {
            send_all(batch);
        }
    }
}

}  // namespace tshost::portal
