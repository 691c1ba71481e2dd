#include "trial_dir.hpp"

#include <tshost/plugin.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "process.hpp"

namespace local_platform {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<std::string> read_small_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A decimal integer, surrounding whitespace allowed (the wrapper writes "3\n").
template <class Int>
std::optional<Int> parse_int(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    text = text.substr(first, last - first + 1);
    Int value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<TrialMeta> read_meta(const TrialPaths& paths) {
    const auto text = read_small_file(paths.meta_file());
    if (!text) {
        return std::nullopt;
    }
    const json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
        return std::nullopt;
    }
    try {
        return TrialMeta{
            doc.at("experimentId").get<std::string>(), doc.at("trialId").get<std::string>(),
            doc.at("attempt").get<int64_t>(),          doc.value("sequenceId", int64_t{0}),
            doc.value("startTime", int64_t{0}),        doc.value("agent", false),
            doc.value("shareTrialDir", std::string())};
    } catch (const json::exception&) {
        return std::nullopt;  // not one of ours: ignore it like any foreign directory
    }
}

}  // namespace

bool valid_trial_id(std::string_view id) {
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

TrialPaths attempt_paths(const fs::path& trials_dir, std::string_view trial_id, int64_t attempt) {
    std::string name(trial_id);
    if (attempt > 0) {
        name += ".attempt-" + std::to_string(attempt);
    }
    return TrialPaths{trials_dir / name};
}

void write_file_atomic(const fs::path& path, std::string_view content) {
    fs::path temp = path;
    temp += ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            throw tshost::Error(TSH_ERR_GENERIC, "cannot write " + temp.string());
        }
    }
    fs::rename(temp, path);
}

void write_meta(const TrialPaths& paths, const TrialMeta& meta) {
    json doc{{"experimentId", meta.experiment_id},
             {"trialId", meta.trial_id},
             {"attempt", meta.attempt},
             {"sequenceId", meta.sequence_id},
             {"startTime", meta.start_ms}};
    if (meta.agent) {
        doc["agent"] = true;
        doc["shareTrialDir"] = meta.share_trial_dir;
    }
    write_file_atomic(paths.meta_file(), doc.dump());
}

void create_attempt_dir(const TrialPaths& paths, const TrialMeta& meta,
                        std::string_view parameters_json) {
    fs::create_directories(paths.dir.parent_path());
    std::error_code ec;
    if (!fs::create_directory(paths.dir, ec)) {
        if (ec) {
            throw tshost::Error(TSH_ERR_GENERIC,
                                "cannot create " + paths.dir.string() + ": " + ec.message());
        }
        throw tshost::Error(TSH_ERR_EXISTS, paths.dir.string() +
                                                " exists already: adopt the trial or submit "
                                                "a new attempt");
    }
    fs::create_directory(paths.nni_dir());
    write_file_atomic(paths.parameter_file(), parameters_json);
    write_file_atomic(paths.metrics_file(), "");  // pre-created so following starts at once
    write_meta(paths, meta);
}

std::vector<FoundTrial> scan_trials(const fs::path& trials_dir, std::string_view experiment_id) {
    std::map<std::string, FoundTrial> newest;
    std::error_code ec;
    for (fs::directory_iterator it(trials_dir, ec), end; !ec && it != end; it.increment(ec)) {
        const TrialPaths paths{it->path()};
        const auto meta = read_meta(paths);
        if (!meta || meta->experiment_id != experiment_id) {
            continue;
        }
        auto [slot, inserted] = newest.try_emplace(meta->trial_id, FoundTrial{*meta, paths});
        if (!inserted && meta->attempt > slot->second.meta.attempt) {
            slot->second = FoundTrial{*meta, paths};
        }
    }
    std::vector<FoundTrial> found;
    for (auto& [id, trial] : newest) {
        found.push_back(std::move(trial));
    }
    return found;
}

std::optional<FoundTrial> find_trial(const fs::path& trials_dir, std::string_view experiment_id,
                                     std::string_view trial_id, std::optional<int64_t> attempt) {
    if (!valid_trial_id(trial_id)) {
        return std::nullopt;
    }
    if (!attempt) {
        for (FoundTrial& trial : scan_trials(trials_dir, experiment_id)) {
            if (trial.meta.trial_id == trial_id) {
                return std::move(trial);
            }
        }
        return std::nullopt;
    }
    const TrialPaths paths = attempt_paths(trials_dir, trial_id, *attempt);
    const auto meta = read_meta(paths);
    if (!meta || meta->experiment_id != experiment_id || meta->trial_id != trial_id) {
        return std::nullopt;
    }
    return FoundTrial{*meta, paths};
}

std::optional<pid_t> read_pid(const TrialPaths& paths) {
    const auto text = read_small_file(paths.pid_file());
    return text ? parse_int<pid_t>(*text) : std::nullopt;
}

std::optional<int> read_exit_code(const TrialPaths& paths) {
    const auto text = read_small_file(paths.exit_code_file());
    return text ? parse_int<int>(*text) : std::nullopt;
}

std::optional<std::string> read_cancel_status(const TrialPaths& paths) {
    auto text = read_small_file(paths.cancel_file());
    if (text) {
        text->erase(text->find_last_not_of(" \t\r\n") + 1);
    }
    return text;
}

int64_t file_mtime_ms(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return 0;
    }
    return int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
}

DiskState read_disk_state(const TrialPaths& paths) {
    DiskState state;
    state.pid = read_pid(paths);
    state.exit_code = read_exit_code(paths);
    const auto cancelled = read_cancel_status(paths);
    const bool alive = state.pid && is_trial_wrapper(*state.pid, paths.nni_dir());
    if (alive && !state.exit_code) {
        state.status = "RUNNING";  // even when cancelled: the kill has not finished yet
        return state;
    }
    if (cancelled && !cancelled->empty()) {
        state.status = *cancelled;
        state.end_ms = file_mtime_ms(paths.cancel_file());
    } else {
        state.status = state.exit_code == 0 ? "SUCCEEDED" : "FAILED";
        state.end_ms = state.exit_code ? file_mtime_ms(paths.exit_code_file()) : 0;
    }
    return state;
}

}  // namespace local_platform
