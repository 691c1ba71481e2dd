// The portal as `tshost run`, `resume` and `view` start it: its command-line options, what it
// shows of the config, and the printed URL.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "portal/experiment_info.hpp"
#include "portal/portal.hpp"

namespace tshost::cli {

struct PortalCliOptions {
    std::string bind_address = "127.0.0.1";  // --portal-bind
    std::string token_file;                  // --portal-token-file
    std::string web_dir;                     // --web-dir
};

void add_portal_options(boost::program_options::options_description& options);
PortalCliOptions portal_cli_options(const boost::program_options::variables_map& vm);

/// Starts the portal on `port` and prints its URL. Throws with the fix (a non-loopback bind
/// without a token, a port in use).
std::unique_ptr<portal::Portal> start_portal(const GlobalOptions& global,
                                             const PortalCliOptions& options, int port,
                                             const std::filesystem::path& database,
                                             portal::ExperimentInfo info,
                                             engine::CommandInbox* commands,
                                             plugin::StorageInstance* storage);

}  // namespace tshost::cli
