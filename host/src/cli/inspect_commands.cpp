// `tshost list`, `tshost trials` and `tshost stop`: looking at experiments from
// outside the host that runs them (the database is read while it is written:
// SQLite's WAL lets readers in).
#include <signal.h>

#include <boost/program_options.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/table.hpp"
#include "db/experiment_db.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace tshost::cli {
namespace {

std::string duration_text(int64_t start_ms, int64_t end_ms) {
    if (start_ms == 0 || end_ms < start_ms) {
        return "";
    }
    const int64_t s = (end_ms - start_ms) / 1000;
    return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
}

int list(const GlobalOptions& global, const po::variables_map& vm) {
    const auto data_dir = resolve_data_dir(global.data_dir);
    auto rows = json::array();
    for (const auto& id : list_experiments(data_dir)) {
        const ExperimentPaths paths{data_dir / id};
        const auto db = db::ExperimentDb::open(paths.database());
        std::string status = db.meta("status").value_or("UNKNOWN");
        const bool live = ExperimentLock::holder(paths).has_value();
        if (!live && (status == "RUNNING" || status == "STOPPING" || status == "NO_MORE_TRIAL")) {
            status = "INTERRUPTED";  // its host died: `tshost resume` continues it
        }
        const auto trials = db.trials();
        rows.push_back({{"id", id},
                        {"name", db.meta("name").value_or("")},
                        {"status", status},
                        {"trials", trials.size()},
                        {"path", paths.dir.string()}});
    }
    if (vm["json"].as<bool>()) {
        std::cout << rows.dump(2) << '\n';
        return 0;
    }
    Table table({"ID", "NAME", "STATUS", "TRIALS", "PATH"});
    for (const auto& r : rows) {
        table.add({r["id"], r["name"], r["status"], std::to_string(r["trials"].get<size_t>()),
                   r["path"]});
    }
    table.print(std::cout);
    if (rows.empty()) {
        std::cout << "(no experiments in " << data_dir.string() << ")\n";
    }
    return 0;
}

int trials(const GlobalOptions& global, const po::variables_map& vm) {
    const std::string id = vm["id"].as<std::string>();
    const ExperimentPaths paths{resolve_data_dir(global.data_dir) / id};
    if (!std::filesystem::exists(paths.database())) {
        std::cerr << "tshost: no experiment " << id << " (see 'tshost list')\n";
        return 2;
    }
    const auto db = db::ExperimentDb::open(paths.database());
    auto rows = json::array();
    std::vector<std::string> parameter_names;
    for (const auto& t : db.trials()) {
        const auto packed = json::parse(t.parameters_json, nullptr, false);
        const json parameters =
            packed.is_object() && packed.contains("parameters") ? packed["parameters"] : json::object();
        for (const auto& [name, value] : parameters.items()) {
            if (std::find(parameter_names.begin(), parameter_names.end(), name) ==
                parameter_names.end()) {
                parameter_names.push_back(name);
            }
        }
        rows.push_back({{"trialJobId", t.id},
                        {"sequenceId", t.sequence_id},
                        {"status", t.status},
                        {"parameters", parameters},
                        {"finalMetric", t.final_metric ? json(*t.final_metric) : json()},
                        {"startTime", t.start_time_ms},
                        {"endTime", t.end_time_ms},
                        {"attempt", t.attempt},
                        {"jobName", t.job_name},
                        {"url", t.url},
                        {"message", t.message}});
    }
    if (vm["json"].as<bool>()) {
        std::cout << rows.dump(2) << '\n';
        return 0;
    }
    std::vector<std::string> header{"TRIAL", "#", "STATUS"};
    header.insert(header.end(), parameter_names.begin(), parameter_names.end());
    header.insert(header.end(), {"METRIC", "DURATION", "MESSAGE"});
    Table table(header);
    for (const auto& r : rows) {
        std::vector<std::string> cells{r["trialJobId"], std::to_string(r["sequenceId"].get<int64_t>()),
                                       r["status"]};
        for (const auto& name : parameter_names) {
            const auto& p = r["parameters"];
            cells.push_back(!p.contains(name) ? ""
                            : p[name].is_string() ? p[name].get<std::string>()
                                                  : p[name].dump());
        }
        cells.push_back(r["finalMetric"].is_null() ? "" : r["finalMetric"].dump());
        cells.push_back(duration_text(r["startTime"], r["endTime"]));
        cells.push_back(r["message"]);
        table.add(std::move(cells));
    }
    table.print(std::cout);
    return 0;
}

int stop(const GlobalOptions& global, const po::variables_map& vm) {
    const std::string id = vm["id"].as<std::string>();
    const ExperimentPaths paths{resolve_data_dir(global.data_dir) / id};
    const auto pid = ExperimentLock::holder(paths);
    if (!pid) {
        std::cout << "experiment " << id << " is not running\n";
        return 0;
    }
    if (::kill(static_cast<pid_t>(*pid), SIGTERM) != 0) {
        std::cerr << "tshost: cannot signal the host of " << id << " (pid " << *pid
                  << "): " << std::strerror(errno) << '\n';
        return 1;
    }
    // The host cancels its trials and exits; wait for it (bounded), watching the lock.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (ExperimentLock::holder(paths) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (ExperimentLock::holder(paths)) {
        std::cerr << "tshost: the host of " << id << " (pid " << *pid
                  << ") is still stopping after 60 s\n";
        return 1;
    }
    std::cout << "experiment " << id << " stopped; resume with 'tshost resume " << id << "'\n";
    return 0;
}

}  // namespace

Command list_command() {
    return Command{"list", "List experiments",
                   [](po::options_description& o) {
                       o.add_options()("json", po::bool_switch(), "print JSON");
                   },
                   list};
}

Command trials_command() {
    return Command{"trials", "Show an experiment's trials: parameters, status, final metric",
                   [](po::options_description& o) {
                       o.add_options()("id", po::value<std::string>()->required(),
                                       "the experiment id")("json", po::bool_switch(),
                                                            "print JSON");
                   },
                   trials, "id"};
}

Command stop_command() {
    return Command{"stop", "Stop a running experiment (it can be resumed)",
                   [](po::options_description& o) {
                       o.add_options()("id", po::value<std::string>()->required(),
                                       "the experiment id");
                   },
                   stop, "id"};
}

}  // namespace tshost::cli
