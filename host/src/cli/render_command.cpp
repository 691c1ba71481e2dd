// `tshost render CONFIG`: what the experiment's first trial would create, without a
// cluster — every Kubernetes object (Secrets and tokens redacted) as one List that
// `kubectl apply --dry-run=client -f -` reads, or with --scripts the run scripts the
// trial's pods would execute. Nothing is written to the store or sent anywhere.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/experiment_session.hpp"
#include "cli/trial_channel.hpp"
#include "engine/ids.hpp"
#include "engine/packed_parameter.hpp"
#include "trialkit/trial_hooks.hpp"
#include "tuner/search_space.hpp"

namespace po = boost::program_options;

namespace tshost::cli {
namespace {

using nlohmann::json;

constexpr const char* kRedacted = "<redacted>";

int render(const GlobalOptions& global, const po::variables_map& vm) {
    CheckedConfig checked = check_config(global, vm["config"].as<std::string>());
    const auto& c = checked.config;
    if (!checked.platform->descriptor.platform.render) {
        std::cerr << "tshost: platform '" << c.platform.plugin << "' cannot render its trials\n";
        return 2;
    }
    const std::string id = engine::random_id(8, [](const std::string&) { return false; });
    const std::string experiment = experiment_json(id, c, resolve_data_dir(global.data_dir) / id);

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
    const json rendered = json::parse(platform.render({row.id, 0, row.parameters_json, spec}));

    if (vm.count("scripts") != 0U) {
        const json files = rendered.value("files", json::object());
        for (const auto& [path, text] : files.items()) {
            std::cout << "# " << path << "\n" << text.get<std::string>() << "\n";
        }
        return 0;
    }
    std::cout << json{{"apiVersion", "v1"},
                      {"kind", "List"},
                      {"items", rendered.value("objects", json::array())}}
                     .dump(2)
              << '\n';
    return 0;
}

}  // namespace

Command render_command() {
    return Command{"render",
                   "Print what the first trial would create (objects as a List for kubectl; "
                   "--scripts: its run scripts), with no cluster",
                   [](po::options_description& o) {
                       o.add_options()("config", po::value<std::string>()->required(),
                                       "the experiment config file")(
                           "scripts", "print the run scripts instead of the objects");
                   },
                   render, "config"};
}

}  // namespace tshost::cli
