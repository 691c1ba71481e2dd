#include "cli/experiment_session.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/progress_printer.hpp"
#include "cli/trial_channel.hpp"
#include "engine/engine.hpp"
#include "jsonschema/schema.hpp"
#include "tuner/search_space.hpp"

namespace tshost::cli {
namespace {

using nlohmann::json;

std::string installed(const plugin::Registry& registry, plugin::Kind kind) {
    std::string names;
    for (const auto& p : registry.plugins()) {
        if (p.descriptor.kind == kind) {
            names += (names.empty() ? "" : ", ") + p.descriptor.name;
        }
    }
    return names.empty() ? "none" : names;
}

// Finds the plugin a section names, or explains (at the section's place in the
// file) why it cannot be used.
const plugin::Plugin* resolve(const CheckedConfig& c, const config::PluginSection& section,
                              plugin::Kind kind, const char* name_key,
                              std::vector<config::Diagnostic>& problems) {
    const plugin::Plugin* found = c.registry.find(section.plugin);
    const std::string key = section.key_path + "." + name_key;
    if (found == nullptr) {
        std::string hint = std::string("installed ") + plugin::kind_name(kind) +
                           " plugins: " + installed(c.registry, kind) + " (see 'tshost plugins')";
        for (const auto& r : c.registry.refusals()) {
            if (r.path.find(section.plugin) != std::string::npos) {
                hint += "; " + r.message();
            }
        }
        problems.push_back(c.config.diagnostic_at(
            key, "no " + std::string(plugin::kind_name(kind)) + " plugin '" + section.plugin + "'",
            hint));
        return nullptr;
    }
    if (found->descriptor.kind != kind) {
        problems.push_back(c.config.diagnostic_at(
            key, "'" + section.plugin + "' is a " + plugin::kind_name(found->descriptor.kind) +
                     " plugin, not a " + plugin::kind_name(kind) + " plugin"));
        return nullptr;
    }
    if (found->config_schema) {
        auto more = config::validate_section(c.config, section, *found->config_schema);
        problems.insert(problems.end(), more.begin(), more.end());
    }
    return found;
}

engine::Limits limits_of(const config::ExperimentConfig& c) {
    engine::Limits limits;
    limits.trial_concurrency = c.trial_concurrency;
    limits.max_trial_number = c.max_trial_number;
    if (c.max_experiment_duration) {
        limits.max_experiment_duration = *c.max_experiment_duration;
    }
    if (c.max_trial_duration) {
        limits.max_trial_duration = *c.max_trial_duration;
    }
    limits.max_trial_retries = c.max_trial_retries;
    return limits;
}

// Limits changed through the portal (stored by the engine) outlive the run that changed them.
engine::Limits stored_limits(const db::ExperimentDb& db, engine::Limits limits) {
    if (const auto v = db.meta("trial_concurrency")) {
        limits.trial_concurrency = std::stoi(*v);
    }
    if (const auto v = db.meta("max_trial_number")) {
        limits.max_trial_number = std::stoll(*v);
    }
    if (const auto v = db.meta("max_experiment_duration_ms")) {
        limits.max_experiment_duration = std::chrono::milliseconds(std::stoll(*v));
    }
    return limits;
}

}  // namespace

std::string experiment_json(const std::string& id, const config::ExperimentConfig& c,
                            const std::filesystem::path& work_dir, bool offline) {
    json experiment{{"experimentId", id},
                    {"experimentName", c.experiment_name},
                    {"workDir", work_dir.string()},
                    {"trialCommand", c.trial_command},
                    {"trialCodeDirectory", c.trial_code_directory},
                    {"trialConcurrency", c.trial_concurrency},
                    {"trialGpuNumber", c.trial_gpu_number}};
    if (offline) {
        experiment["offline"] = true;
    }
    return experiment.dump();
}

namespace {

void print_summary(const Session& s, const engine::Progress& p) {
    std::cout << "Experiment " << s.id << " " << p.status << " after " << clock_text(p.elapsed)
              << ": " << p.submitted << " trials (" << p.succeeded << " succeeded, " << p.failed
              << " failed, " << p.stopped << " stopped).\n";
    if (p.best_metric) {
        const auto best = s.db.trial(p.best_trial);
        const auto packed = json::parse(best ? best->parameters_json : "{}", nullptr, false);
        std::cout << "Best: " << *p.best_metric << " in trial " << p.best_trial
                  << " with parameters "
                  << (packed.is_object() && packed.contains("parameters")
                          ? packed["parameters"].dump()
                          : "{}")
                  << '\n';
        if (best && !best->url.empty()) {
            std::cout << "Its outputs: " << best->url << '\n';
        }
    }
    if (!p.last_error.empty() && p.status == "ERROR") {
        std::cout << "Error: " << p.last_error << '\n';
    }
    if (p.status == "STOPPED" || p.status == "ERROR") {
        std::cout << "Resume with: tshost resume " << s.id << '\n';
    }
    std::cout << "Trials: tshost trials " << s.id << '\n';
}

}  // namespace

plugin::Registry load_registry(const GlobalOptions& global) {
    return plugin::Registry::load(plugin::plugin_directories(
        global.plugin_dirs, std::getenv(plugin::kPluginPathEnv), global.executable));
}

CheckedConfig check_config(const GlobalOptions& global, const std::string& file) {
    CheckedConfig c{config::load_config(file), load_registry(global)};
    std::vector<config::Diagnostic> problems;
    c.platform = resolve(c, c.config.platform, plugin::Kind::platform, "platform", problems);
    if (c.config.storage) {
        c.storage = resolve(c, *c.config.storage, plugin::Kind::storage, "storageType", problems);
    }
    if (!c.config.tuner.class_name.empty()) {
        problems.push_back(c.config.diagnostic_at(
            "tuner.className", "custom tuners are not supported yet",
            "use a built-in tuner: TPE, Random, GridSearch, Anneal or Evolution"));
    }
    if (!problems.empty()) {
        throw config::ConfigError(std::move(problems));
    }
    return c;
}

std::unique_ptr<Session> open_session(const GlobalOptions& global, CheckedConfig checked,
                                      const std::string& id, const ExperimentPaths& paths,
                                      std::optional<uint64_t> seed, bool fresh) {
    (void)global;
    std::filesystem::create_directories(paths.dir);
    long holder = 0;
    auto lock = ExperimentLock::acquire(paths, &holder);
    if (!lock) {
        throw std::runtime_error("experiment " + id + " is already running (pid " +
                                 std::to_string(holder) + "); stop it with 'tshost stop " + id +
                                 "'");
    }
    auto db = db::ExperimentDb::open(paths.database());
    auto s =
        std::make_unique<Session>(id, paths, std::move(*lock), std::move(checked), std::move(db));
    const auto& c = s->checked.config;

    if (fresh) {
        std::ofstream(paths.config()) << c.to_json().dump(2) << '\n';
        s->db.set_meta("id", id);
        s->db.set_meta("name", c.experiment_name);
        s->db.set_meta("config_file", c.file);
        s->db.set_meta("start_time",
                       std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()));
    }
    if (seed) {
        s->db.set_meta("seed", std::to_string(*seed));
    }

    s->tuner = tuner::make_tuner(c.tuner.name, c.tuner.class_args, seed);
    s->tuner->update_search_space(tuner::SearchSpace::parse(c.search_space));
    if (const auto it = c.tuner.class_args.find("optimize_mode");
        it != c.tuner.class_args.end() && *it == "minimize") {
        s->optimize_mode = tuner::OptimizeMode::Minimize;
    }
    if (c.assessor) {
        s->assessor = tuner::make_assessor(c.assessor->name, c.assessor->class_args);
    }

    const std::string experiment = experiment_json(s->id, c, s->paths.dir);
    if (s->checked.storage != nullptr) {
        plugin::InstanceOptions options;
        options.experiment_json = experiment;
        s->storage = std::make_unique<plugin::StorageInstance>(
            *s->checked.storage, c.storage->config.dump(), std::move(options));
    }
    plugin::InstanceOptions options;
    options.experiment_json = experiment;
    options.events = &s->events;
    options.storage = s->storage ? s->storage->access() : nullptr;
    s->platform = std::make_unique<plugin::PlatformInstance>(
        *s->checked.platform, c.platform.config.dump(), std::move(options));
    return s;
}

int run_session(const GlobalOptions& global, Session& s, const std::atomic<bool>& stop) {
    // The portal reads the database the engine writes; it answers while trials are set up.
    engine::CommandInbox commands;
    const int port = s.port_override.value_or(s.checked.config.port);
    auto portal = start_portal(
        global, s.portal, port, s.paths.database(),
        portal::portal_info(s.id, s.checked.config,
                            s.optimize_mode == tuner::OptimizeMode::Minimize, s.paths.dir),
        &commands, s.storage.get());
    std::unique_ptr<TrialChannel> channel;
    if (s.storage) {
        channel = std::make_unique<TrialChannel>(
            s,
            TrialChannelOptions{s.port_override.value_or(s.checked.config.port), s.metrics_bind});
    }
    s.platform->start();
    engine::Engine engine({s.db, *s.platform, s.events, *s.tuner, s.assessor.get(), s.optimize_mode,
                           channel ? &channel->hooks() : nullptr, &commands, &portal->observer()},
                          stored_limits(s.db, limits_of(s.checked.config)));
    ProgressPrinter printer(stderr);
    std::cout << "Experiment " << s.id << " (" << s.checked.config.file << "), data in "
              << s.paths.dir.string() << std::endl;
    const std::string status =
        engine.run(stop, [&](const engine::Progress& p) { printer.update(p); });
    printer.finish();
    print_summary(s, engine.progress());
    return status == "ERROR" ? 1 : 0;
}

}  // namespace tshost::cli
