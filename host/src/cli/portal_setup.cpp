#include "cli/portal_setup.hpp"

#include <boost/program_options.hpp>
#include <iostream>

namespace po = boost::program_options;

namespace tshost::cli {

void add_portal_options(po::options_description& o) {
    o.add_options()("portal-bind", po::value<std::string>()->default_value("127.0.0.1"),
                    "address the web portal listens on; anything but loopback needs an access "
                    "token")("portal-token-file", po::value<std::string>(),
                             "file whose first line is the portal's access token (or set "
                             "TSHOST_PORTAL_TOKEN)")(
        "web-dir", po::value<std::string>(),
        "the built web front end (default: <tshost dir>/../share/tshost/web)");
}

PortalCliOptions portal_cli_options(const po::variables_map& vm) {
    PortalCliOptions o;
    if (vm.count("portal-bind") != 0U) {
        o.bind_address = vm["portal-bind"].as<std::string>();
    }
    if (vm.count("portal-token-file") != 0U) {
        o.token_file = vm["portal-token-file"].as<std::string>();
    }
    if (vm.count("web-dir") != 0U) {
        o.web_dir = vm["web-dir"].as<std::string>();
    }
    return o;
}

std::unique_ptr<portal::Portal> start_portal(const GlobalOptions& global,
                                             const PortalCliOptions& options, int port,
                                             const std::filesystem::path& database,
                                             portal::ExperimentInfo info,
                                             engine::CommandInbox* commands,
                                             plugin::StorageInstance* storage) {
    portal::PortalOptions p;
    p.bind_address = options.bind_address;
    p.port = static_cast<uint16_t>(port);
    p.token = portal::resolve_token(options.bind_address, options.token_file);
    p.web_dir =
        options.web_dir.empty() ? portal::default_web_dir(global.executable) : options.web_dir;
    p.read_only = commands == nullptr;
    const bool with_token = !p.token.empty();
    auto portal = std::make_unique<portal::Portal>(database, std::move(info), std::move(p),
                                                   commands, storage);
    portal->start();
    std::cout << "Web portal: " << portal->url()
              << (with_token ? " (open it once with ?token=<your token>)" : "") << std::endl;
    return portal;
}

}  // namespace tshost::cli
