// `tshost render CONFIG`: what the experiment's first trial would create, without a
// cluster — every Kubernetes object (Secrets and tokens redacted) as one List that
// `kubectl apply --dry-run=client -f -` reads, or with --scripts the run scripts the
// trial's pods would execute. Nothing is written to the store or sent anywhere.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/experiment_session.hpp"
#include "cli/offline_render.hpp"

namespace po = boost::program_options;

namespace tshost::cli {
namespace {

using nlohmann::json;

int render(const GlobalOptions& global, const po::variables_map& vm) {
    const CheckedConfig checked = check_config(global, vm["config"].as<std::string>());
    if (!checked.platform->descriptor.platform.render) {
        std::cerr << "tshost: platform '" << checked.config.platform.plugin
                  << "' cannot render its trials\n";
        return 2;
    }
    const json rendered = json::parse(render_first_trial(global, checked));

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
