// --port and --metrics-bind, as `run`, `resume` and `check` take them.
#pragma once

#include <optional>
#include <string>

#include "cli/command.hpp"  // the program_options declarations

namespace tshost::cli {

void add_network_options(boost::program_options::options_description& o);

/// --port when given (0: free ports); throws std::runtime_error for one out of range.
std::optional<int> port_option(const boost::program_options::variables_map& vm);
std::string metrics_bind_option(const boost::program_options::variables_map& vm);

}  // namespace tshost::cli
