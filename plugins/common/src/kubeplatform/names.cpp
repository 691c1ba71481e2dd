#include "tshost/kubeplatform/names.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace tshost::kubeplatform {

namespace {

bool lower_alnum(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    });
}

// FNV-1a, 64 bit: stable across builds and platforms (names must survive a host restart).
uint64_t fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

}  // namespace

std::string name_token(std::string_view experiment_id) {
    std::string lower(experiment_id);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // Lower-casing alone is injective only for ids that were lower-case already: "AbC" and
    // "abc" would share a name, so any other id is hashed.
    if (lower == experiment_id && lower_alnum(lower)) {
        return lower;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(fnv1a(experiment_id)));
    return "x" + std::string(hex);
}

std::string job_name(const NameStyle& style, std::string_view experiment_id,
                     std::string_view trial_id, int64_t attempt) {
    if (!lower_alnum(trial_id)) {
        throw std::invalid_argument("trial id '" + std::string(trial_id) +
                                    "' is not [a-z0-9]+, so it cannot name a " + style.kind);
    }
    std::string name =
        style.prefix + name_token(experiment_id) + style.middle + std::string(trial_id);
    if (attempt > 0) {
        name += style.retry_separator + ("r" + std::to_string(attempt));
    }
    if (name.size() > 63) {
        throw std::invalid_argument(std::string(style.kind) + " name '" + name +
                                    "' is longer than Kubernetes' 63 characters: use a "
                                    "shorter experiment id");
    }
    return name;
}

std::vector<std::pair<std::string, std::string>> trial_labels(std::string_view experiment_id,
                                                              std::string_view trial_id,
                                                              int64_t attempt) {
    return {{"app", kAppLabel},
            {"expId", std::string(experiment_id)},
            {"trialId", std::string(trial_id)},
            {kAttemptLabel, std::to_string(attempt)}};
}

std::vector<std::pair<std::string, std::string>> experiment_labels(std::string_view experiment_id) {
    return {{"app", kAppLabel}, {"expId", std::string(experiment_id)}};
}

std::string registry_secret_name(std::string_view experiment_id, size_t index) {
    return "nni-secret-" + name_token(experiment_id) + "-registry" + std::to_string(index);
}

int64_t attempt_of_labels(const std::string& attempt) {
    if (attempt.empty() || attempt.size() >= 10 ||
        attempt.find_first_not_of("0123456789") != std::string::npos) {
        return -1;
    }
    return std::stoll(attempt);
}

}  // namespace tshost::kubeplatform
