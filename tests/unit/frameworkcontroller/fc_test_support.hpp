// Shared inputs of the frameworkcontroller unit tests: a trial as the host hands it over, the
// nfs plugin's pod volume, and the two schemas compiled the way the host's validate_json and
// config check compile them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "manifest.hpp"
#include "settings.hpp"

namespace fc_test {

using nlohmann::json;

/// The nfs plugin's pod_volume() for server/path (its exact shape).
std::string nfs_pod_volume(const std::string& server = "10.20.30.40",
                           const std::string& path = "/exports/nni");

/// spec_json of trial `trial` of experiment `exp`, with a metrics URL and token.
std::string spec_json(const std::string& exp, const std::string& trial, int64_t attempt = 0,
                      const std::string& token = "s3cr3t-token");

fc_platform::TrialInput trial_input(const std::string& exp, const std::string& trial,
                                    int64_t attempt = 0);

/// A one-role config section like the v2 example's, as the host passes it.
json one_role_section();
/// Two roles (ps + worker), for the barrier.
json two_role_section();
fc_platform::Settings settings_of(const json& section, const std::string& exp = "abc12xyz");

/// Problems of `doc` against the Framework schema / the config schema ("" = valid).
std::string framework_problems(const json& doc);
std::string config_problems(const json& section);

}  // namespace fc_test
