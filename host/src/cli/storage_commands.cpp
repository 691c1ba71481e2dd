// `tshost storage check|ls|get CONFIG ...`: the store named by a config's
// trainingService.storage, checked end to end before an experiment or browsed
// afterwards. Only the storage plugin is loaded and created: the platform need
// not be installed, and nothing is written to the experiment data directory.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/table.hpp"
#include "config/diagnostic.hpp"
#include "config/experiment_config.hpp"
#include "plugin/instance.hpp"
#include "plugin/registry.hpp"
#include "storage/check.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace tshost::cli {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;  // the check failed, or a path is not in the store
constexpr int kUsage = 2;   // bad command line or config

/// A mistake on the command line: exit 2 with the message.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

constexpr const char* kUsageText =
    "storage check CONFIG [--json] [--probe-mb N]\n"
    "       tshost storage ls CONFIG [PATH] [--experiment ID [--trial ID]] [--json]\n"
    "       tshost storage get CONFIG PATH [--experiment ID [--trial ID]] [-o FILE]\n"
    "\n"
    "  check  write, read back, stat, list and remove a probe in the store that CONFIG's\n"
    "         trainingService.storage names; report upload and read throughput; explain\n"
    "         any failure and how to fix it\n"
    "  ls     list a folder (or one file) of the store: name, type, size, modified time;\n"
    "         PATH is relative to the store's root (default: nni, where NNI keeps\n"
    "         nni/<experiment>/<trial>); --experiment/--trial make it relative to that folder\n"
    "  get    copy a file of the store to stdout, or to FILE with -o (streamed in ranges)\n"
    "\n"
    "Exit status: 0 ok; 1 check failed, or PATH is not in the store; 2 usage or config error.\n";

// ---- opening the store ------------------------------------------------------

struct Store {
    config::ExperimentConfig config;
    plugin::Registry registry;
    const plugin::Plugin* plugin = nullptr;
};

std::string installed_storage_plugins(const plugin::Registry& registry) {
    std::string names;
    for (const auto& p : registry.plugins()) {
        if (p.descriptor.kind == plugin::Kind::storage) {
            names += (names.empty() ? "" : ", ") + p.descriptor.name;
        }
    }
    return names.empty() ? "none" : names;
}

// Loads CONFIG and finds the storage plugin it names; the platform section is not
// looked at (browsing a store must not need the platform plugin). Config problems
// throw config::ConfigError, located in the user's file (exit 2).
Store load_store(const GlobalOptions& global, const std::string& file) {
    Store s{config::load_config(file),
            plugin::Registry::load(plugin::plugin_directories(
                global.plugin_dirs, std::getenv(plugin::kPluginPathEnv), global.executable))};
    if (!s.config.storage) {
        throw UsageError(file +
                         " has no trainingService.storage: add one (storageType: nfs or "
                         "azureStorage) to check or browse a store");
    }
    const auto& section = *s.config.storage;
    std::vector<config::Diagnostic> problems;
    s.plugin = s.registry.find(section.plugin);
    if (s.plugin == nullptr) {
        std::string hint = "installed storage plugins: " + installed_storage_plugins(s.registry) +
                           " (see 'tshost plugins')";
        for (const auto& r : s.registry.refusals()) {
            if (r.path.find(section.plugin) != std::string::npos) {
                hint += "; " + r.message();
            }
        }
        problems.push_back(s.config.diagnostic_at(
            section.key_path + ".storageType", "no storage plugin '" + section.plugin + "'", hint));
    } else if (s.plugin->descriptor.kind != plugin::Kind::storage) {
        problems.push_back(s.config.diagnostic_at(section.key_path + ".storageType",
                                                  "'" + section.plugin + "' is a " +
                                                      plugin::kind_name(s.plugin->descriptor.kind) +
                                                      " plugin, not a storage plugin"));
    } else if (s.plugin->config_schema) {
        problems = config::validate_section(s.config, section, *s.plugin->config_schema);
    }
    if (!problems.empty()) {
        throw config::ConfigError(std::move(problems));
    }
    return s;
}

/// Creates the plugin instance. A plugin that connects in create() (azure-file)
/// fails here with PluginError; a config its schema refused is a usage error.
std::unique_ptr<plugin::StorageInstance> open_instance(const Store& s) {
    try {
        return std::make_unique<plugin::StorageInstance>(*s.plugin, s.config.storage->config.dump(),
                                                         plugin::InstanceOptions{});
    } catch (const plugin::ConfigError& e) {
        throw UsageError(e.what());
    }
}

// ---- arguments ----------------------------------------------------------------

struct Args {
    std::string action;
    std::string config;
    std::optional<std::string> path;
};

Args parse_args(const po::variables_map& vm) {
    const auto words = vm.count("arguments") != 0U ? vm["arguments"].as<std::vector<std::string>>()
                                                   : std::vector<std::string>{};
    if (words.empty()) {
        throw UsageError("missing the action: check, ls or get (see 'tshost storage --help')");
    }
    Args a{words[0], "", std::nullopt};
    if (a.action != "check" && a.action != "ls" && a.action != "get") {
        throw UsageError("unknown storage action '" + a.action +
                         "': use check, ls or get (see 'tshost storage --help')");
    }
    if (words.size() < 2) {
        throw UsageError("'storage " + a.action +
                         "' needs the experiment config file: tshost "
                         "storage " +
                         a.action + " CONFIG" + (a.action == "check" ? "" : " [PATH]"));
    }
    a.config = words[1];
    const size_t max_words = a.action == "check" ? 2 : 3;
    if (words.size() > max_words) {
        throw UsageError("too many arguments for 'storage " + a.action + "': '" + words[max_words] +
                         "' (see 'tshost storage --help')");
    }
    if (words.size() == 3) {
        a.path = words[2];
    }
    return a;
}

// Appends the '/'-separated segments of `text` to `out`, dropping empty and "."
// segments; ".." is refused (store paths never leave the root).
void append_segments(const std::string& text, std::vector<std::string>& out) {
    std::stringstream in(text);
    std::string segment;
    while (std::getline(in, segment, '/')) {
        if (segment.empty() || segment == ".") {
            continue;
        }
        if (segment == "..") {
            throw UsageError("'" + text + "': store paths cannot contain '..'");
        }
        out.push_back(segment);
    }
}

// The store path the user means: PATH under nni/<experiment>/<trial> when those
// are given, else PATH from the root; `fallback` when neither names anything.
std::string store_path(const Args& a, const po::variables_map& vm, const char* fallback) {
    std::vector<std::string> segments;
    const bool has_experiment = vm.count("experiment") != 0U;
    if (vm.count("trial") != 0U && !has_experiment) {
        throw UsageError("--trial needs --experiment: trials live in nni/<experiment>/<trial>");
    }
    if (has_experiment) {
        segments.push_back("nni");
        append_segments(vm["experiment"].as<std::string>(), segments);
        if (vm.count("trial") != 0U) {
            append_segments(vm["trial"].as<std::string>(), segments);
        }
    }
    if (a.path) {
        append_segments(*a.path, segments);
    } else if (!has_experiment && fallback != nullptr) {
        segments.emplace_back(fallback);
    }
    if (segments.empty()) {
        throw UsageError(
            "give a path inside the store, such as nni or nni/<experiment>/<trial>/trial.log "
            "(the store's root itself cannot be read)");
    }
    std::string path;
    for (const auto& s : segments) {
        path += (path.empty() ? "" : "/") + s;
    }
    return path;
}

// ---- check --------------------------------------------------------------------

void print_report(const storage::CheckReport& r, const std::string& plugin_name,
                  const std::string& file, uint64_t probe_bytes) {
    std::cout << "Checking the " << plugin_name << " store of " << file << '\n';
    for (const auto& s : r.steps) {
        const char* mark = !s.ran ? "skip" : (s.ok ? "ok" : "FAIL");
        std::ostringstream seconds;
        seconds << std::fixed << std::setprecision(3) << s.seconds << 's';
        std::cout << "  " << std::left << std::setw(5) << mark << std::setw(18) << s.name
                  << std::setw(9) << (s.ran ? seconds.str() : "") << s.detail << '\n';
        if (s.ran && !s.ok && !s.fix.empty()) {
            std::cout << "        fix: " << s.fix << '\n';
        }
    }
    if (r.upload_mb_per_s > 0 || r.read_mb_per_s > 0) {
        std::ostringstream line;
        line << std::fixed << std::setprecision(1) << "Throughput (" << (probe_bytes >> 20)
             << " MiB probe, 1 MB = 10^6 bytes): upload " << r.upload_mb_per_s << " MB/s, read "
             << r.read_mb_per_s << " MB/s\n";
        std::cout << line.str();
    }
    if (r.ok) {
        std::cout << "Storage check passed.\n";
        return;
    }
    const auto failed = std::find_if(r.steps.begin(), r.steps.end(),
                                     [](const storage::CheckStep& s) { return s.ran && !s.ok; });
    std::cout << "Storage check FAILED";
    if (failed != r.steps.end()) {
        std::cout << " at '" << failed->name << "': " << failed->detail << '\n';
        if (!failed->fix.empty()) {
            std::cout << "Fix: " << failed->fix << '\n';
        }
    } else {
        std::cout << '\n';
    }
}

int check(const GlobalOptions& global, const Args& a, const po::variables_map& vm) {
    const Store s = load_store(global, a.config);
    storage::CheckOptions options;
    const uint64_t probe_mb = vm["probe-mb"].as<uint64_t>();
    if (probe_mb == 0 || probe_mb > 4096) {
        throw UsageError("--probe-mb must be between 1 and 4096");
    }
    options.throughput_bytes = probe_mb << 20;
    storage::CheckReport report;
    try {
        auto instance = open_instance(s);
        report = storage::check_storage(*instance, options);
    } catch (const plugin::PluginError& e) {
        report = storage::open_failed_report(e.status(), e.what());
    }
    if (vm["json"].as<bool>()) {
        auto j = json::parse(report.to_json());
        j["plugin"] = s.plugin->descriptor.name;
        j["probeBytes"] = options.throughput_bytes;
        std::cout << j.dump(2) << '\n';
    } else {
        print_report(report, s.plugin->descriptor.name, a.config, options.throughput_bytes);
    }
    return report.ok ? kOk : kFailed;
}

// ---- ls and get ---------------------------------------------------------------

std::string type_name(tsh_file_type type) {
    switch (type) {
        case TSH_FILE_REGULAR:
            return "file";
        case TSH_FILE_DIRECTORY:
            return "dir";
        default:
            return "other";
    }
}

std::string time_text(int64_t mtime_ms) {
    if (mtime_ms <= 0) {
        return "-";
    }
    const time_t t = static_cast<time_t>(mtime_ms / 1000);
    struct tm local {};
    ::localtime_r(&t, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    return text;
}

std::string not_found_text(const std::string& path) {
    return "'" + path + "' is not in the store (list its folder with 'tshost storage ls CONFIG " +
           (path.find('/') == std::string::npos ? std::string("nni")
                                                : path.substr(0, path.rfind('/'))) +
           "')";
}

int ls(const GlobalOptions& global, const Args& a, const po::variables_map& vm) {
    const std::string path = store_path(a, vm, "nni");
    const Store s = load_store(global, a.config);
    const auto instance = open_instance(s);
    const auto info = instance->stat(path);
    if (!info) {
        std::cerr << "tshost: " << not_found_text(path) << '\n';
        return kFailed;
    }
    json entries = json::array();
    if (info->type == TSH_FILE_DIRECTORY) {
        entries = json::parse(instance->list_dir(path));
        std::sort(entries.begin(), entries.end(), [](const json& x, const json& y) {
            return x.value("name", "") < y.value("name", "");
        });
    } else {
        const auto slash = path.rfind('/');
        entries.push_back({{"name", slash == std::string::npos ? path : path.substr(slash + 1)},
                           {"type", type_name(info->type)},
                           {"size", info->size},
                           {"mtime", info->mtime_ms}});
    }
    if (vm["json"].as<bool>()) {
        std::cout << json{{"path", path}, {"entries", entries}}.dump(2) << '\n';
        return kOk;
    }
    Table table({"NAME", "TYPE", "SIZE", "MODIFIED"});
    for (const auto& e : entries) {
        const std::string type = e.value("type", "other");
        table.add({e.value("name", "") + (type == "dir" ? "/" : ""), type,
                   type == "dir" ? "-" : std::to_string(e.value("size", uint64_t{0})),
                   time_text(e.value("mtime", int64_t{0}))});
    }
    std::cout << path << "/ (" << entries.size() << (entries.size() == 1 ? " entry" : " entries")
              << ")\n";
    table.print(std::cout);
    return kOk;
}

// Streams `path` to `out` in ranges, so a large file never sits in memory.
uint64_t copy_out(plugin::StorageInstance& storage, const std::string& path, FILE* out,
                  const std::string& out_name) {
    constexpr uint64_t kChunk = uint64_t{4} << 20;
    uint64_t offset = 0;
    for (;;) {
        const std::string chunk = storage.read_file(path, offset, kChunk);
        if (!chunk.empty() && std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
            throw std::runtime_error("cannot write " + out_name + ": " + std::strerror(errno));
        }
        offset += chunk.size();
        if (chunk.size() < kChunk) {
            return offset;
        }
    }
}

int get(const GlobalOptions& global, const Args& a, const po::variables_map& vm) {
    if (!a.path) {
        throw UsageError("'storage get' needs the PATH of a file: tshost storage get CONFIG PATH");
    }
    const std::string path = store_path(a, vm, nullptr);
    const std::string output = vm.count("output") != 0U ? vm["output"].as<std::string>() : "-";
    const Store s = load_store(global, a.config);
    const auto instance = open_instance(s);
    const auto info = instance->stat(path);
    if (!info) {
        std::cerr << "tshost: " << not_found_text(path) << '\n';
        return kFailed;
    }
    if (info->type != TSH_FILE_REGULAR) {
        std::cerr << "tshost: '" << path << "' is a " << type_name(info->type)
                  << ", not a file (list it with 'tshost storage ls CONFIG " << path << "')\n";
        return kFailed;
    }
    if (output == "-") {
        copy_out(*instance, path, stdout, "stdout");
        if (std::fflush(stdout) != 0) {
            throw std::runtime_error(std::string("cannot write stdout: ") + std::strerror(errno));
        }
        return kOk;
    }
    // Written beside FILE and renamed into place: a failed copy leaves no half file.
    const std::string partial = output + ".tshost-part-" + std::to_string(::getpid());
    FILE* out = std::fopen(partial.c_str(), "wb");
    if (out == nullptr) {
        throw UsageError("cannot create " + partial + ": " + std::strerror(errno));
    }
    uint64_t bytes = 0;
    try {
        bytes = copy_out(*instance, path, out, output);
        if (std::fclose(out) != 0) {
            out = nullptr;
            throw std::runtime_error("cannot write " + output + ": " + std::strerror(errno));
        }
        out = nullptr;
        std::filesystem::rename(partial, output);
    } catch (...) {
        if (out != nullptr) {
            std::fclose(out);
        }
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        throw;
    }
    std::cerr << "wrote " << bytes << " bytes of " << path << " to " << output << '\n';
    return kOk;
}

int run_storage(const GlobalOptions& global, const po::variables_map& vm) {
    try {
        const Args a = parse_args(vm);
        if (a.action == "check") {
            return check(global, a, vm);
        }
        return a.action == "ls" ? ls(global, a, vm) : get(global, a, vm);
    } catch (const UsageError& e) {
        std::cerr << "tshost storage: " << e.what() << '\n';
        return kUsage;
    } catch (const plugin::PluginError& e) {
        std::cerr << "tshost storage: " << e.what() << '\n';
        return kFailed;
    }
}

}  // namespace

Command storage_command() {
    Command c{"storage", "Check a config's storage end to end, or browse it (check, ls, get)",
              [](po::options_description& o) {
                  o.add_options()("arguments", po::value<std::vector<std::string>>(),
                                  "ACTION CONFIG [PATH], given without the option name")(
                      "json", po::bool_switch(), "check, ls: print JSON")(
                      "probe-mb", po::value<uint64_t>()->default_value(8),
                      "check: size of the throughput probe in MiB")(
                      "experiment", po::value<std::string>(),
                      "ls, get: PATH is relative to nni/<experiment>")(
                      "trial", po::value<std::string>(),
                      "ls, get: PATH is relative to nni/<experiment>/<trial>")(
                      "output,o", po::value<std::string>(),
                      "get: write to this file instead of stdout");
              },
              run_storage, "arguments"};
    c.positional_count = -1;
    c.usage = kUsageText;
    return c;
}

}  // namespace tshost::cli
