#include "trialkit/journal.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace tshost::trialkit {
namespace {

using nlohmann::json;

constexpr std::string_view kJournalSuffix = ".jsonl";
// A record holds at most NNI's 1,000,000-byte metric, JSON-escaped: bound one read
// so that a runaway file cannot make the host allocate without limit.
constexpr uint64_t kMaxReadBytes = 16u << 20;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool is_not_found(const plugin::PluginError& e) {
    return e.status() == TSH_ERR_NOT_FOUND;
}

}  // namespace

JournalChunk parse_journal(std::string_view text) {
    JournalChunk chunk;
    size_t start = 0;
    while (start < text.size()) {
        const size_t newline = text.find('\n', start);
        if (newline == std::string_view::npos) {
            break;  // torn or still being written
        }
        const std::string_view line = text.substr(start, newline - start);
        start = newline + 1;
        chunk.consumed = start;
        const json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
        const auto seq = doc.is_object() ? doc.find("seq") : json::const_iterator{};
        const auto data = doc.is_object() ? doc.find("data") : json::const_iterator{};
        if (!doc.is_object() || seq == doc.end() || !seq->is_number_unsigned() ||
            data == doc.end() || !data->is_string()) {
            ++chunk.bad_lines;
            continue;
        }
        const auto primary = doc.find("primary");
        chunk.records.push_back(
            {seq->get<int64_t>(),
             primary == doc.end() || !primary->is_boolean() || primary->get<bool>(),
             data->get<std::string>()});
    }
    return chunk;
}

plugin::HostEvent metric_event(const TrialRef& trial, std::string_view replica,
                               const JournalRecord& record, int64_t time_ms) {
    return plugin::HostEvent{"journal", TSH_EVENT_TRIAL_METRIC, trial.trial_id,
                             json{{"replica", replica},
                                  {"seq", record.seq},
                                  {"data", record.data},
                                  {"primary", record.primary},
                                  {"attempt", trial.attempt}}
                                 .dump(),
                             time_ms};
}

JournalReader::JournalReader(plugin::StorageInstance& storage, std::string experiment_id)
    : storage_(storage), experiment_id_(std::move(experiment_id)) {}

std::vector<plugin::HostEvent> JournalReader::read_trial(const TrialRef& trial) {
    const std::string dir_name = trial_dir_name(trial.trial_id, trial.attempt);
    const std::string dir = metrics_dir(experiment_dir(experiment_id_) + "/" + dir_name);
    std::vector<plugin::HostEvent> out;
    json listing;
    try {
        listing = json::parse(storage_.list_dir(dir), nullptr, false);
    } catch (const plugin::PluginError& e) {
        if (is_not_found(e)) {
            return out;  // the trial never reported a metric (or never started)
        }
        throw;
    }
    std::lock_guard lock(mutex_);
    for (const auto& entry : listing.is_array() ? listing : json::array()) {
        const std::string name = entry.value("name", "");
        if (entry.value("type", "") != "file" || !name.ends_with(kJournalSuffix)) {
            continue;
        }
        const std::string replica = name.substr(0, name.size() - kJournalSuffix.size());
        if (valid_replica_name(replica)) {
            read_replica(trial, dir_name, replica, out);
            // The whole journal is in now: its marker would only make the follower
            // read it again. (A marker the agent writes after this is harmless.)
            storage_.remove(changed_dir(experiment_id_) + "/" + dir_name + "." + replica);
        }
    }
    return out;
}

std::vector<plugin::HostEvent> JournalReader::read_changed() {
    std::vector<plugin::HostEvent> out;
    const std::string dir = changed_dir(experiment_id_);
    json listing;
    try {
        listing = json::parse(storage_.list_dir(dir), nullptr, false);
    } catch (const plugin::PluginError& e) {
        if (is_not_found(e)) {
            return out;
        }
        throw;
    }
    std::lock_guard lock(mutex_);
    for (const auto& entry : listing.is_array() ? listing : json::array()) {
        const std::string name = entry.value("name", "");
        const auto marker = parse_marker_name(name);
        if (!marker) {
            continue;
        }
        storage_.remove(dir + "/" + name);
        read_replica(marker->trial, marker->trial_dir_name, marker->replica, out);
    }
    return out;
}

void JournalReader::read_replica(const TrialRef& trial, const std::string& dir_name,
                                 const std::string& replica, std::vector<plugin::HostEvent>& out) {
    const std::string path = metrics_dir(experiment_dir(experiment_id_) + "/" + dir_name) + "/" +
                             replica + std::string(kJournalSuffix);
    uint64_t& offset = offsets_[path];
    std::string text;
    try {
        text = storage_.read_file(path, offset, kMaxReadBytes);
    } catch (const plugin::PluginError& e) {
        if (is_not_found(e)) {
            return;
        }
        throw;
    }
    if (text.size() == kMaxReadBytes && text.find('\n') == std::string::npos) {
        // A "line" longer than any record can be: skip it rather than stall on it.
        spdlog::warn("trial {}: skipping {} bytes of a corrupt metric journal ({})", trial.trial_id,
                     text.size(), replica);
        offset += text.size();
        ++stats_.bad_lines;
        return;
    }
    const JournalChunk chunk = parse_journal(text);
    offset += chunk.consumed;
    stats_.bytes_read += text.size();
    stats_.bad_lines += chunk.bad_lines;
    stats_.records += chunk.records.size();
    if (chunk.bad_lines > 0) {
        spdlog::warn("trial {}: {} unreadable line(s) in the metric journal of {}", trial.trial_id,
                     chunk.bad_lines, replica);
    }
    const int64_t time = now_ms();
    for (const auto& record : chunk.records) {
        out.push_back(metric_event(trial, replica, record, time));
    }
}

void JournalReader::forget(const TrialRef& trial) {
    const std::string prefix = metrics_dir(experiment_dir(experiment_id_) + "/" +
                                           trial_dir_name(trial.trial_id, trial.attempt)) +
                               "/";
    std::lock_guard lock(mutex_);
    for (auto it = offsets_.lower_bound(prefix);
         it != offsets_.end() && it->first.starts_with(prefix);) {
        it = offsets_.erase(it);
    }
}

JournalReader::Stats JournalReader::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

}  // namespace tshost::trialkit
