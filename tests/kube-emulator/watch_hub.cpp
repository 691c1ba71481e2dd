#include "watch_hub.hpp"

namespace kemu {
namespace {

constexpr const char* kTypeNames[] = {"ADDED", "MODIFIED", "DELETED"};

std::shared_ptr<const std::string> event_line(const char* type, const json& obj) {
    std::string s = R"({"type":")";
    s += type;
    s += R"(","object":)";
    s += obj.dump();
    s += "}\n";
    return std::make_shared<const std::string>(std::move(s));
}

bool selected(const WatchSpec& spec, const json& obj) {
    if (!spec.ns.empty() && get_string(obj, {"metadata", "namespace"}) != spec.ns) {
        return false;
    }
    return spec.labels.matches(labels_of(obj)) && spec.fields.matches(obj);
}

}  // namespace

const std::shared_ptr<const std::string>& WatchHub::line(Entry& e, Kind kind) {
    auto& cached = e.lines[kind];
    if (!cached) {
        cached = event_line(kTypeNames[kind], *e.change.obj);
    }
    return cached;
}

std::optional<WatchHub::Kind> WatchHub::classify(const WatchSpec& spec, const Change& change) {
    const bool now = selected(spec, *change.obj);
    switch (change.type) {
        case Change::Type::Added:
            return now ? std::optional(kAdded) : std::nullopt;
        case Change::Type::Deleted:
            return now ? std::optional(kDeleted) : std::nullopt;
        case Change::Type::Modified: {
            // An object moving into or out of a selector appears as ADDED / DELETED, as the real
            // watch cache does.
            const bool before = change.old && selected(spec, *change.old);
            if (now) {
                return before ? kModified : kAdded;
            }
            return before ? std::optional(kDeleted) : std::nullopt;
        }
    }
    return std::nullopt;
}

void WatchHub::deliver(Entry& entry, Watcher& w) {
    if (const auto kind = classify(w.spec, entry.change)) {
        if (auto sink = w.sink.lock()) {
            sink->send(line(entry, *kind));
        }
    }
}

void WatchHub::publish(const Change& change) {
    history_.push_back(Entry{change, {}});
    const auto bucket = watchers_.find(change.rt->plural);
    if (bucket != watchers_.end()) {
        for (auto it = bucket->second.begin(); it != bucket->second.end();) {
            if (it->second.sink.expired()) {
                it = bucket->second.erase(it);
                continue;
            }
            deliver(history_.back(), it->second);
            ++it;
        }
    }
    while (history_.size() > history_limit_) {
        compacted_rv_ = history_.front().change.rv;
        history_.pop_front();
    }
}

std::uint64_t WatchHub::open(const WatchSpec& spec, const std::shared_ptr<WatchSink>& sink,
                             const std::vector<ObjPtr>& snapshot, std::uint64_t current_rv) {
    if (spec.since && (*spec.since < compacted_rv_ || expire_next_ > 0)) {
        if (expire_next_ > 0) {
            --expire_next_;
        }
        const std::uint64_t oldest = compacted_rv_ + 1;
        const json status =
            to_status(expired("too old resource version: " + std::to_string(*spec.since) + " (" +
                              std::to_string(std::max(oldest, current_rv)) + ")"));
        sink->send(std::make_shared<const std::string>(
            json{{"type", "ERROR"}, {"object", status}}.dump() + "\n"));
        sink->finish();
        return 0;
    }
    Watcher w{spec, sink};
    if (spec.since) {
        for (auto& entry : history_) {
            if (entry.change.rv > *spec.since && entry.change.rt == spec.rt) {
                deliver(entry, w);
            }
        }
    } else {
        for (const auto& obj : snapshot) {
            if (selected(spec, *obj)) {
                sink->send(event_line("ADDED", *obj));
            }
        }
    }
    const std::uint64_t id = next_id_++;
    watchers_[spec.rt->plural].emplace(id, std::move(w));
    return id;
}

void WatchHub::close(std::uint64_t id) {
    for (auto& [plural, bucket] : watchers_) {
        if (bucket.erase(id) != 0) {
            return;
        }
    }
}

void WatchHub::drop_all() {
    // Move out first: finishing a sink may call close() and mutate the map.
    auto all = std::move(watchers_);
    watchers_.clear();
    for (auto& [plural, bucket] : all) {
        for (auto& [id, w] : bucket) {
            if (auto sink = w.sink.lock()) {
                sink->finish();
            }
        }
    }
}

void WatchHub::bookmark(std::uint64_t rv) {
    for (auto& [plural, bucket] : watchers_) {
        std::shared_ptr<const std::string> shared;
        for (auto& [id, w] : bucket) {
            auto sink = w.sink.lock();
            if (!sink || !w.spec.bookmarks) {
                continue;
            }
            if (!shared) {
                const json obj = {{"kind", w.spec.rt->kind},
                                  {"apiVersion", w.spec.rt->api_version()},
                                  {"metadata", {{"resourceVersion", std::to_string(rv)}}}};
                shared = event_line("BOOKMARK", obj);
            }
            sink->send(shared);
        }
    }
}

std::size_t WatchHub::size() const {
    std::size_t n = 0;
    for (const auto& [plural, bucket] : watchers_) {
        n += bucket.size();
    }
    return n;
}

}  // namespace kemu
