#include "cli/network_options.hpp"

#include <boost/program_options.hpp>
#include <stdexcept>

namespace po = boost::program_options;

namespace tshost::cli {

void add_network_options(po::options_description& o) {
    o.add_options()(
        "port", po::value<int>(),
        "web portal port (default: the config's port, else 8080); trials send metrics to "
        "port + 1; 0 picks free ports")(
        "metrics-bind", po::value<std::string>()->default_value("0.0.0.0"),
        "address the trial-metrics server listens on (pods must reach it)");
}

std::optional<int> port_option(const po::variables_map& vm) {
    if (vm.count("port") == 0U) {
        return std::nullopt;
    }
    const int port = vm["port"].as<int>();
    if (port < 0 || port > 65534) {
        throw std::runtime_error("--port " + std::to_string(port) +
                                 ": use 1 to 65534 (trials use port + 1), or 0 for free ports");
    }
    return port;
}

std::string metrics_bind_option(const po::variables_map& vm) {
    return vm["metrics-bind"].as<std::string>();
}

}  // namespace tshost::cli
