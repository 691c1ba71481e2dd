// A tshost sub-command: its name, one-line help, options, and body.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace boost::program_options {
class options_description;
class variables_map;
}  // namespace boost::program_options

namespace tshost::cli {

struct GlobalOptions {
    std::vector<std::string> plugin_dirs;
    std::string data_dir;    // --data-dir; empty: the default (see resolve_data_dir)
    std::string executable;  // argv[0] resolved, to find the built-in plugin directory
};

struct Command {
    const char* name;
    const char* summary;
    /// Adds the command's own options and positional arguments.
    std::function<void(boost::program_options::options_description&)> add_options;
    std::function<int(const GlobalOptions&, const boost::program_options::variables_map&)> run;
    /// The option that takes the first argument after the command ("config", "id").
    const char* positional = nullptr;
    /// How many arguments `positional` takes (-1: every one that follows).
    int positional_count = 1;
    /// `tshost <command> --help` prints "usage: tshost " and this (default: "<name> [options]").
    const char* usage = nullptr;
};

/// Every command, in the order `tshost --help` lists them.
const std::vector<Command>& commands();

Command plugins_command();
Command run_command();
Command resume_command();
Command view_command();
Command stop_command();
Command list_command();
Command trials_command();
Command validate_command();
Command storage_command();
Command render_command();

}  // namespace tshost::cli
