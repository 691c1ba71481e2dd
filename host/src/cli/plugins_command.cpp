// `tshost plugins`: what the host found in its plugin directories, and why it
// refused any file there.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/experiment_session.hpp"
#include "cli/table.hpp"
#include "plugin/registry.hpp"

namespace po = boost::program_options;

namespace tshost::cli {
namespace {

std::string abi_text(const plugin::Descriptor& d) {
    return std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor);
}

void print_table(const plugin::Registry& registry) {
    Table table({"NAME", "KIND", "VERSION", "ABI", "PATH"});
    for (const auto& p : registry.plugins()) {
        const auto& d = p.descriptor;
        table.add({d.name, plugin::kind_name(d.kind), d.version, abi_text(d), d.path});
    }
    table.print(std::cout);
    if (registry.plugins().empty()) {
        std::cout << "(no plugins found)\n";
    }
}

nlohmann::json to_json(const plugin::Registry& registry) {
    auto plugins = nlohmann::json::array();
    for (const auto& p : registry.plugins()) {
        const auto& d = p.descriptor;
        plugins.push_back(
            {{"name", d.name},
             {"kind", plugin::kind_name(d.kind)},
             {"version", d.version},
             {"abi", abi_text(d)},
             {"minHostAbi", std::to_string(d.abi_major) + "." + std::to_string(d.min_host_minor)},
             {"description", d.description},
             {"path", d.path}});
    }
    auto refused = nlohmann::json::array();
    for (const auto& r : registry.refusals()) {
        refused.push_back({{"path", r.path}, {"problems", r.problems}});
    }
    return {{"plugins", plugins}, {"refused", refused}};
}

}  // namespace

Command plugins_command() {
    return Command{"plugins", "List the plugins found (name, kind, version, ABI version, path)",
                   [](po::options_description& options) {
                       options.add_options()("json", po::bool_switch(),
                                             "print JSON instead of a table");
                   },
                   [](const GlobalOptions& global, const po::variables_map& vm) {
                       const char* env = std::getenv(plugin::kPluginPathEnv);
                       const auto registry = plugin::Registry::load(
                           plugin::plugin_directories(global.plugin_dirs, env, global.executable));
                       if (vm["json"].as<bool>()) {
                           std::cout << to_json(registry).dump(2) << '\n';
                       } else {
                           print_table(registry);
                       }
                       for (const auto& refusal : registry.refusals()) {
                           std::cerr << "tshost: " << refusal.message() << '\n';
                       }
                       return 0;
                   }};
}

}  // namespace tshost::cli
