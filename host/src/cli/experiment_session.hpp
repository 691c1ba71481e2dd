// Everything `run`, `resume` and `validate` share: the config checked against
// the plugins it names, and for running, the live parts wired together.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/portal_setup.hpp"
#include "config/experiment_config.hpp"
#include "db/experiment_db.hpp"
#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"
#include "plugin/registry.hpp"
#include "tuner/assessor.hpp"
#include "tuner/tuner.hpp"

namespace tshost::cli {

/// A config whose platform and storage sections passed their plugins' schemas.
struct CheckedConfig {
    config::ExperimentConfig config;
    plugin::Registry registry;
    const plugin::Plugin* platform = nullptr;
    const plugin::Plugin* storage = nullptr;  // null when the config names none
};

/// What plugins get as tsh_create_args' experiment JSON: id, name, workDir and the
/// trial shortcuts (trialCommand, trialCodeDirectory, ...); "offline": true when the
/// instances only validate or render and must reach no server.
std::string experiment_json(const std::string& id, const config::ExperimentConfig& config,
                            const std::filesystem::path& work_dir, bool offline = false);

/// Every plugin in the plugin directories (see plugin_directories()).
plugin::Registry load_registry(const GlobalOptions& global);

/// Loads and checks a config; throws config::ConfigError listing every problem,
/// each with file, line, column and key path.
CheckedConfig check_config(const GlobalOptions& global, const std::string& file);

/// The live parts of a running experiment, in construction order (destroyed in
/// reverse: the platform before the storage it uses).
struct Session {
    Session(std::string id_, ExperimentPaths paths_, ExperimentLock lock_, CheckedConfig checked_,
            db::ExperimentDb db_)
        : id(std::move(id_)),
          paths(std::move(paths_)),
          lock(std::move(lock_)),
          checked(std::move(checked_)),
          db(std::move(db_)) {}

    std::string id;
    ExperimentPaths paths;
    ExperimentLock lock;
    CheckedConfig checked;
    db::ExperimentDb db;
    plugin::EventQueue events;
    std::unique_ptr<plugin::StorageInstance> storage;
    std::unique_ptr<plugin::PlatformInstance> platform;
    std::unique_ptr<tuner::Tuner> tuner;
    std::unique_ptr<tuner::Assessor> assessor;
    tuner::OptimizeMode optimize_mode = tuner::OptimizeMode::Maximize;
    /// --port: overrides the config's port (0: the metrics server takes any free port).
    std::optional<int> port_override;
    /// --metrics-bind: the metrics server's listening address.
    std::string metrics_bind = "0.0.0.0";
    /// --portal-bind, --portal-token-file, --web-dir.
    PortalCliOptions portal;
};

/// Creates (fresh) or reopens (resume) the experiment in `paths` and builds
/// every part. Throws with a message for the user.
std::unique_ptr<Session> open_session(const GlobalOptions& global, CheckedConfig checked,
                                      const std::string& id, const ExperimentPaths& paths,
                                      std::optional<uint64_t> seed, bool fresh);

/// Runs the session's experiment to its end (or until `stop`), printing progress;
/// returns the process exit code.
int run_session(const GlobalOptions& global, Session& session, const std::atomic<bool>& stop);

}  // namespace tshost::cli
