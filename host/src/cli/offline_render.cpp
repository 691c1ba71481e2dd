#include "cli/offline_render.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/experiment_dir.hpp"
#include "cli/trial_channel.hpp"
#include "engine/ids.hpp"
#include "engine/packed_parameter.hpp"
#include "trialkit/trial_hooks.hpp"
#include "tuner/search_space.hpp"

namespace tshost::cli {

using nlohmann::json;

namespace {
constexpr const char* kRedacted = "<redacted>";
}  // namespace

std::string render_first_trial(const GlobalOptions& global, const CheckedConfig& checked) {
    const auto& c = checked.config;
    if (!checked.platform->descriptor.platform.render) {
        throw std::invalid_argument("platform '" + c.platform.plugin +
                                    "' cannot render its trials");
    }
    const std::string id = engine::random_id(8, [](const std::string&) { return false; });
    const std::string experiment =
        experiment_json(id, c, resolve_data_dir(global.data_dir) / id, /*offline=*/true);

    // The first trial as the engine would make it: the tuner's first suggestion.
    auto tuner = tuner::make_tuner(c.tuner.name, c.tuner.class_args, 0);
    tuner->update_search_space(tuner::SearchSpace::parse(c.search_space));
    db::TrialRow row;
    row.id = engine::random_id(5, [](const std::string&) { return false; });
    row.parameters_json =
        engine::pack_parameters(0, tuner->generate_parameters(0).value_or(json::object()));

    std::unique_ptr<plugin::StorageInstance> storage;
    std::string spec = json{{"attempt", 0}}.dump();
    if (checked.storage != nullptr) {
        plugin::InstanceOptions options;
        options.experiment_json = experiment;
        storage = std::make_unique<plugin::StorageInstance>(*checked.storage,
                                                            c.storage->config.dump(), options);
        // The hooks' spec without their writes (prepare(row, false) writes nothing).
        trialkit::JournalReader journals(*storage, id);
        const std::string url =
            c.metrics_transport == "push"
                ? metrics_base_url(c.metrics_tls, advertised_address(c.nni_manager_ip), c.port + 1)
                : "";
        trialkit::StorageTrialHooks hooks(
            *storage, id, journals,
            trialkit::MetricsChannel{url, [](std::string_view, int64_t) { return kRedacted; }});
        json extended = json::parse(hooks.prepare(row, false));
        extended["attempt"] = 0;
        spec = extended.dump();
    }
    plugin::InstanceOptions options;
    options.experiment_json = experiment;
    options.storage = storage ? storage->access() : nullptr;
    plugin::PlatformInstance platform(*checked.platform, c.platform.config.dump(), options);
    return platform.render({row.id, 0, row.parameters_json, spec});
}

}  // namespace tshost::cli
