// `tshost run`, `tshost resume` and `tshost validate`.
#include <spdlog/spdlog.h>

#include <unistd.h>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/experiment_session.hpp"
#include "cli/network_options.hpp"
#include "cli/offline_render.hpp"
#include "config/experiment_config.hpp"
#include "engine/ids.hpp"

namespace po = boost::program_options;

namespace tshost::cli {
namespace {

std::atomic<bool> g_stop{false};

// First Ctrl-C (or SIGTERM from `tshost stop`) stops cleanly: running trials are
// cancelled and the experiment can be resumed. A second one exits at once; the
// trials then keep running and `tshost resume` re-adopts them.
extern "C" void on_stop_signal(int) {
    if (g_stop.exchange(true)) {
        static const char message[] = "\ntshost: stopping immediately\n";
        (void)!::write(STDERR_FILENO, message, sizeof message - 1);
        std::_Exit(130);
    }
}

void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

void apply_network_options(Session& session, const po::variables_map& vm) {
    session.port_override = port_option(vm);
    session.metrics_bind = metrics_bind_option(vm);
    session.portal = portal_cli_options(vm);
}

std::optional<uint64_t> seed_option(const po::variables_map& vm) {
    if (vm.count("seed") == 0U) {
        return std::nullopt;
    }
    return vm["seed"].as<uint64_t>();
}

int run(const GlobalOptions& global, const po::variables_map& vm) {
    CheckedConfig checked = check_config(global, vm["config"].as<std::string>());
    for (const auto& warning : checked.config.warnings) {
        std::cerr << "tshost: warning: " << warning.to_string() << '\n';
    }
    const auto data_dir = resolve_data_dir(global.data_dir);
    std::string id = vm.count("id") != 0U ? vm["id"].as<std::string>() : "";
    if (id.empty()) {
        id = engine::random_id(8, [&](const std::string& candidate) {
            return std::filesystem::exists(data_dir / candidate);
        });
    } else if (std::filesystem::exists(data_dir / id / "experiment.db")) {
        std::cerr << "tshost: experiment " << id << " exists; use 'tshost resume " << id
                  << "' or another --id\n";
        return 2;
    }
    auto session =
        open_session(global, std::move(checked), id, {data_dir / id}, seed_option(vm), true);
    apply_network_options(*session, vm);
    install_stop_handlers();
    return run_session(global, *session, g_stop);
}

// The experiment `id` in the data directory, or nullopt after saying it is not there.
std::optional<ExperimentPaths> existing_experiment(const GlobalOptions& global,
                                                   const std::string& id) {
    ExperimentPaths paths{resolve_data_dir(global.data_dir) / id};
    if (!std::filesystem::exists(paths.database())) {
        std::cerr << "tshost: no experiment " << id << " in " << paths.dir.parent_path().string()
                  << " (see 'tshost list')\n";
        return std::nullopt;
    }
    return paths;
}

int resume(const GlobalOptions& global, const po::variables_map& vm) {
    const std::string id = vm["id"].as<std::string>();
    const auto found = existing_experiment(global, id);
    if (!found) {
        return 2;
    }
    const ExperimentPaths& paths = *found;
    // The normalised config saved at the first run is a v2 config: it loads
    // like any other, so a resumed experiment runs with exactly what it started with.
    auto session = open_session(global, check_config(global, paths.config().string()), id, paths,
                                seed_option(vm), false);
    apply_network_options(*session, vm);
    install_stop_handlers();
    return run_session(global, *session, g_stop);
}

// NNI's view: a read-only portal of an experiment that is not running.
int view(const GlobalOptions& global, const po::variables_map& vm) {
    const std::string id = vm["id"].as<std::string>();
    const auto found = existing_experiment(global, id);
    if (!found) {
        return 2;
    }
    const ExperimentPaths& paths = *found;
    long holder = 0;
    const auto lock = ExperimentLock::acquire(paths, &holder);
    if (!lock) {
        std::cerr << "tshost: experiment " << id << " is running (pid " << holder
                  << "); its portal is already open on the experiment's port\n";
        return 2;
    }
    const auto c = config::load_config(paths.config().string());
    const auto mode = c.tuner.class_args.find("optimize_mode");
    const bool minimize = mode != c.tuner.class_args.end() && *mode == "minimize";
    int port = c.port;
    if (vm.count("port") != 0U) {
        port = vm["port"].as<int>();
        if (port < 0 || port > 65535) {
            throw std::runtime_error("--port " + std::to_string(port) + ": use 0 to 65535");
        }
    }
    auto portal = start_portal(global, portal_cli_options(vm), port, paths.database(),
                               portal::portal_info(id, c, minimize, paths.dir), nullptr, nullptr);
    std::cout << "Viewing experiment " << id << " (read-only); Ctrl-C to stop." << std::endl;
    install_stop_handlers();
    while (!g_stop.load()) {
        // Only a signal ends a view; nothing to wait for but it.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return 0;
}

int validate(const GlobalOptions& global, const po::variables_map& vm) {
    const CheckedConfig checked = check_config(global, vm["config"].as<std::string>());
    for (const auto& warning : checked.config.warnings) {
        std::cout << "warning: " << warning.to_string() << '\n';
    }
    // The platform's own rules on what a trial would create (CRD schemas, webhook rules,
    // podSpecPatch, templates), checked offline: a config a submit would refuse fails here.
    if (checked.platform->descriptor.platform.render) {
        try {
            render_first_trial(global, checked);
        } catch (const std::exception& e) {
            std::cerr << checked.config.file << ": " << e.what() << '\n';
            return 2;
        }
    }
    std::cout << checked.config.file << ": ok (platform " << checked.config.platform.plugin;
    if (checked.config.storage) {
        std::cout << ", storage " << checked.config.storage->plugin;
    }
    std::cout << ")\n";
    return 0;
}

}  // namespace

Command run_command() {
    return Command{"run", "Run an experiment from an NNI config (YAML or JSON, v2 or v1)",
                   [](po::options_description& o) {
                       o.add_options()("config", po::value<std::string>()->required(),
                                       "the experiment config file")(
                           "id", po::value<std::string>(), "experiment id (default: random)")(
                           "seed", po::value<uint64_t>(), "seed the tuner, for a replayable run");
                       add_network_options(o);
                       add_portal_options(o);
                   },
                   run, "config"};
}

Command resume_command() {
    return Command{"resume", "Resume an experiment that was stopped or whose host was killed",
                   [](po::options_description& o) {
                       o.add_options()("id", po::value<std::string>()->required(),
                                       "the experiment id")("seed", po::value<uint64_t>(),
                                                            "seed the tuner");
                       add_network_options(o);
                       add_portal_options(o);
                   },
                   resume, "id"};
}

Command view_command() {
    return Command{"view", "Open a read-only web portal of a stopped or finished experiment",
                   [](po::options_description& o) {
                       o.add_options()("id", po::value<std::string>()->required(),
                                       "the experiment id")(
                           "port", po::value<int>(), "web port (default: the config's port)");
                       add_portal_options(o);
                   },
                   view, "id"};
}

Command validate_command() {
    return Command{"validate", "Check a config (and its plugins' sections) without running it",
                   [](po::options_description& o) {
                       o.add_options()("config", po::value<std::string>()->required(),
                                       "the experiment config file");
                   },
                   validate, "config"};
}

}  // namespace tshost::cli
