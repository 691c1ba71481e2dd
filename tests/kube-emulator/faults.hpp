// Runtime fault injection, configured through POST /emulator/v1/faults (see README.md): error
// rates and codes per verb/resource, the next N requests failing, added latency, image pull
// failures for pods.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "api_error.hpp"
#include "common.hpp"

namespace kemu {

struct FaultDecision {
    std::optional<ApiError> error;
    int delay_ms = 0;
};

class Faults {
  public:
    explicit Faults(std::uint64_t seed) : rng_(seed) {}

    /// Adds rules from `{"rules":[...], "imagePullErrors":[...]}`; returns an error on bad input.
    std::optional<ApiError> add(const json& body);
    void clear();
    json describe() const;

    /// Called once per API request (verb as in RBAC: get, list, watch, create, update, patch,
    /// delete, deletecollection).
    FaultDecision check(const std::string& verb, const std::string& resource,
                        const std::string& ns);

    /// True when a pod with this image must fail to pull: the image contains "does-not-exist" or
    /// one of the configured substrings.
    bool image_pull_fails(const std::string& image) const;

  private:
    struct Rule {
        std::uint64_t id;
        std::string verb = "*";
        std::string resource = "*";
        std::string ns;  // empty: any
        int code = 0;    // 0: latency only
        double rate = 1.0;
        std::optional<std::int64_t> remaining;  // nullopt: unlimited
        std::optional<int> retry_after;
        int latency_ms = 0;
        std::uint64_t hits = 0;
    };

    std::vector<Rule> rules_;
    std::vector<std::string> image_pull_errors_;
    std::mt19937_64 rng_;
    std::uint64_t next_id_ = 1;
};

}  // namespace kemu
