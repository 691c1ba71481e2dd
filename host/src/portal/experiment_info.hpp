// What the portal shows of an experiment's config.
#pragma once

#include <filesystem>
#include <string>

#include "portal/portal.hpp"

namespace tshost::config {
struct ExperimentConfig;
}

namespace tshost::portal {

/// The portal's view of `config`: secrets redacted (ExperimentConfig::to_json), the limits.
ExperimentInfo portal_info(const std::string& id, const config::ExperimentConfig& config,
                           bool minimize, const std::filesystem::path& dir);

}  // namespace tshost::portal
