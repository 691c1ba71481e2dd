// The trial agent's metric journal: one JSON object per line,
//   {"seq": 0, "primary": true, "data": "<NNI metric record text>"}
// appended (and fsynced) before the agent pushes the same records to the host.
// The host reads journals to recover what a push lost: when a trial ends, on
// resume, and continuously in storage-only mode. The database stores a metric
// once per (trial, attempt, replica, seq), so reading a record twice is harmless.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"
#include "trialkit/layout.hpp"

namespace tshost::trialkit {

struct JournalRecord {
    int64_t seq = 0;
    bool primary = true;
    std::string data;
};

struct JournalChunk {
    std::vector<JournalRecord> records;
    size_t consumed = 0;  // bytes of complete lines: the next read starts here
    size_t bad_lines = 0;
};

/// Parses the complete lines of `text`. A last line without '\n' is left for the
/// next read (the agent may be writing it); a complete line that is not a record
/// is counted in bad_lines and skipped.
JournalChunk parse_journal(std::string_view text);

/// The trial.metric event for one journal record, as the metrics server makes it.
plugin::HostEvent metric_event(const TrialRef& trial, std::string_view replica,
                               const JournalRecord& record, int64_t time_ms);

/// Reads journals through the storage plugin, remembering how far each file was
/// read so that following a live trial costs only its new bytes. Thread-safe.
class JournalReader {
  public:
    JournalReader(plugin::StorageInstance& storage, std::string experiment_id);

    /// Every record of every replica of the trial attempt that was not read yet;
    /// removes the replicas' markers (called when the trial has ended).
    std::vector<plugin::HostEvent> read_trial(const TrialRef& trial);

    /// The records behind the markers in the experiment's changed/ directory; each
    /// marker is removed before its journal is read, so news that arrives while
    /// reading leaves a fresh marker for the next call.
    std::vector<plugin::HostEvent> read_changed();

    /// Forget offsets of a finished trial attempt (memory stays bounded).
    void forget(const TrialRef& trial);

    struct Stats {
        uint64_t records = 0;
        uint64_t bad_lines = 0;
        uint64_t bytes_read = 0;
    };
    Stats stats() const;

  private:
    void read_replica(const TrialRef& trial, const std::string& dir_name,
                      const std::string& replica, std::vector<plugin::HostEvent>& out);

    plugin::StorageInstance& storage_;
    std::string experiment_id_;
    mutable std::mutex mutex_;
    std::map<std::string, uint64_t> offsets_;  // journal path -> bytes consumed
    Stats stats_;
};

}  // namespace tshost::trialkit
