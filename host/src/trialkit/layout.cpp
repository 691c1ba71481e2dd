#include "trialkit/layout.hpp"

#include <algorithm>
#include <charconv>

namespace tshost::trialkit {
namespace {

constexpr std::string_view kAttemptSuffix = ".attempt-";

bool valid_trial_id(std::string_view id) {
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

}  // namespace

std::string experiment_dir(std::string_view experiment_id) {
    return "nni/" + std::string(experiment_id);
}

std::string kit_dir(std::string_view experiment_id) {
    return experiment_dir(experiment_id) + "/.tshost/kit";
}

std::string changed_dir(std::string_view experiment_id) {
    return experiment_dir(experiment_id) + "/.tshost/changed";
}

std::string trial_dir_name(std::string_view trial_id, int64_t attempt) {
    std::string name(trial_id);
    if (attempt > 0) {
        name += std::string(kAttemptSuffix) + std::to_string(attempt);
    }
    return name;
}

std::string trial_dir(std::string_view experiment_id, std::string_view trial_id, int64_t attempt) {
    return experiment_dir(experiment_id) + "/" + trial_dir_name(trial_id, attempt);
}

std::string metrics_dir(std::string_view trial_dir) {
    return std::string(trial_dir) + "/.tshost/metrics";
}

std::optional<TrialRef> parse_trial_dir_name(std::string_view name) {
    TrialRef ref;
    const size_t suffix = name.find(kAttemptSuffix);
    if (suffix != std::string_view::npos) {
        const std::string_view digits = name.substr(suffix + kAttemptSuffix.size());
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), ref.attempt);
        if (ec != std::errc() || end != digits.data() + digits.size() || ref.attempt < 1 ||
            digits.front() == '0') {
            return std::nullopt;
        }
        name = name.substr(0, suffix);
    }
    if (!valid_trial_id(name)) {
        return std::nullopt;
    }
    ref.trial_id = std::string(name);
    return ref;
}

std::optional<MarkerRef> parse_marker_name(std::string_view name) {
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view replica = name.substr(dot + 1);
    auto trial = parse_trial_dir_name(name.substr(0, dot));
    if (!trial || !valid_replica_name(replica)) {
        return std::nullopt;
    }
    return MarkerRef{std::move(*trial), std::string(name.substr(0, dot)), std::string(replica)};
}

bool valid_replica_name(std::string_view name) {
    return valid_trial_id(name);  // same alphabet and length limit
}

}  // namespace tshost::trialkit
