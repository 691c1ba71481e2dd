#include "portal/experiment_info.hpp"

#include <nlohmann/json.hpp>

#include "config/experiment_config.hpp"

namespace tshost::portal {

ExperimentInfo portal_info(const std::string& id, const config::ExperimentConfig& c, bool minimize,
                           const std::filesystem::path& dir) {
    ExperimentInfo info;
    info.id = id;
    info.platform = c.platform.plugin;
    info.storage = c.storage ? c.storage->plugin : "";
    info.config_json = c.to_json().dump();  // secrets are "<redacted>" in to_json()
    info.search_space_json = c.search_space.dump();
    info.minimize = minimize;
    info.log_dir = dir.string();
    info.trial_concurrency = c.trial_concurrency;
    info.max_trial_number = c.max_trial_number;
    if (c.max_experiment_duration) {
        info.max_experiment_duration_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(*c.max_experiment_duration)
                .count();
    }
    if (c.max_trial_duration) {
        info.max_trial_duration_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(*c.max_trial_duration).count();
    }
    return info;
}

}  // namespace tshost::portal
