// Watch fan-out: a bounded history of changes for resuming from a resourceVersion, and the set of
// open watchers. Each event is serialised at most once per event type and shared by every
// watcher that receives it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "selectors.hpp"
#include "store.hpp"

namespace kemu {

/// One open watch response stream (implemented by the HTTP session).
class WatchSink {
  public:
    virtual ~WatchSink() = default;
    /// Queue one newline-terminated JSON WatchEvent.
    virtual void send(std::shared_ptr<const std::string> line) = 0;
    /// End the stream (after what was queued).
    virtual void finish() = 0;
};

struct WatchSpec {
    const ResourceType* rt = nullptr;
    std::string ns;  // empty: all namespaces
    LabelSelector labels;
    FieldSelector fields;
    std::optional<std::uint64_t> since;  // nullopt: start with ADDED events for current state
    bool bookmarks = false;
};

class WatchHub {
  public:
    explicit WatchHub(std::size_t history_limit) : history_limit_(history_limit) {}

    void publish(const Change& change);

    /// Registers a watcher and queues its initial events (current state, or history after
    /// `since`). A too-old `since` gets an ERROR event with a 410 Expired Status and is finished.
    /// Returns 0 when the watch ended immediately.
    std::uint64_t open(const WatchSpec& spec, const std::shared_ptr<WatchSink>& sink,
                       const std::vector<ObjPtr>& snapshot, std::uint64_t current_rv);
    void close(std::uint64_t id);

    /// Fault injection: end every open watch now / answer the next `n` watches with 410.
    void drop_all();
    void expire_next(int n) { expire_next_ += n; }

    /// Sends a BOOKMARK at `rv` to every watcher that asked for bookmarks.
    void bookmark(std::uint64_t rv);

    std::size_t size() const;

  private:
    struct Entry {
        Change change;
        std::shared_ptr<const std::string> lines[3];  // ADDED, MODIFIED, DELETED, made lazily
    };
    struct Watcher {
        WatchSpec spec;
        std::weak_ptr<WatchSink> sink;
    };
    enum Kind { kAdded = 0, kModified = 1, kDeleted = 2 };

    static const std::shared_ptr<const std::string>& line(Entry& e, Kind kind);
    /// Which event (if any) this watcher sees for a change.
    static std::optional<Kind> classify(const WatchSpec& spec, const Change& change);
    void deliver(Entry& entry, Watcher& w);

    std::size_t history_limit_;
    std::deque<Entry> history_;
    std::uint64_t compacted_rv_ = 0;  // every change with rv <= this is gone from history
    int expire_next_ = 0;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::string, std::map<std::uint64_t, Watcher>> watchers_;  // by plural
};

}  // namespace kemu
