// tshost: parse the global options, pick the sub-command, run it.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <tshost/plugin.h>

#include "cli/command.hpp"
#include "config/diagnostic.hpp"
#include "version.hpp"

namespace po = boost::program_options;

namespace tshost::cli {
namespace {

po::options_description global_options() {
    po::options_description options("Global options");
    options.add_options()("help,h", "show help")("version", "show the version")(
        "plugin-dir", po::value<std::vector<std::string>>()->composing(),
        "also load plugins from DIR (repeatable; searched before $TSHOST_PLUGIN_PATH and the "
        "built-in directory)")("data-dir", po::value<std::string>(),
                               "where experiments are kept (default: $TSHOST_DATA_DIR, else "
                               "~/.local/share/tshost/experiments)")(
        "log-level", po::value<std::string>()->default_value("info"),
        "trace, debug, info, warn, error or off");
    return options;
}

void print_usage(std::ostream& out) {
    out << "usage: tshost [global options] <command> [options]\n\nCommands:\n";
    for (const auto& c : commands()) {
        out << "  " << c.name << std::string(12 - std::min<size_t>(11, std::strlen(c.name)), ' ')
            << c.summary << '\n';
    }
    out << '\n' << global_options() << "\nRun 'tshost <command> --help' for a command's options.\n";
}

void setup_logging(const std::string& level_name) {
    auto logger = spdlog::stderr_color_mt("tshost");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    const auto level = spdlog::level::from_str(level_name);
    if (level == spdlog::level::off && level_name != "off") {
        throw po::error("unknown --log-level '" + level_name +
                        "': use trace, debug, info, warn, error or off");
    }
    spdlog::set_level(level);
}

int run(int argc, char** argv) {
    const auto global = global_options();
    po::options_description first_pass;
    first_pass.add(global).add_options()("command", po::value<std::string>())(
        "args", po::value<std::vector<std::string>>());
    po::positional_options_description first_positional;
    first_positional.add("command", 1).add("args", -1);

    // First pass: only the command name matters; the rest belongs to the command.
    const auto parsed = po::command_line_parser(argc, argv)
                            .options(first_pass)
                            .positional(first_positional)
                            .allow_unregistered()
                            .run();
    po::variables_map vm;
    po::store(parsed, vm);
    if (vm.count("version") != 0U) {
        std::cout << "tshost " << kHostVersion << " (plugin ABI " << TSH_ABI_MAJOR << "."
                  << TSH_ABI_MINOR << ")\n";
        return 0;
    }
    if (vm.count("command") == 0U) {
        print_usage(vm.count("help") != 0U ? std::cout : std::cerr);
        return vm.count("help") != 0U ? 0 : 2;
    }
    const auto name = vm["command"].as<std::string>();
    const auto it = std::find_if(commands().begin(), commands().end(),
                                 [&](const Command& c) { return name == c.name; });
    if (it == commands().end()) {
        std::cerr << "tshost: unknown command '" << name << "'\n\n";
        print_usage(std::cerr);
        return 2;
    }

    // Second pass: the whole line against global + command options, so global
    // options may come before or after the command.
    po::options_description command_options(std::string("Options of '") + it->name + "'");
    it->add_options(command_options);
    po::options_description all;
    all.add(global).add(command_options).add_options()("command", po::value<std::string>());
    po::positional_options_description positional;
    positional.add("command", 1);
    if (it->positional != nullptr) {
        positional.add(it->positional, it->positional_count);
    }
    vm.clear();
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help") != 0U) {
        std::cout << "usage: tshost "
                  << (it->usage != nullptr ? it->usage : std::string(it->name) + " [options]")
                  << '\n'
                  << it->summary << "\n\n"
                  << command_options << '\n'
                  << global << '\n';
        return 0;
    }
    po::notify(vm);
    setup_logging(vm["log-level"].as<std::string>());

    GlobalOptions options;
    if (vm.count("data-dir") != 0U) {
        options.data_dir = vm["data-dir"].as<std::string>();
    }
    if (vm.count("plugin-dir") != 0U) {
        options.plugin_dirs = vm["plugin-dir"].as<std::vector<std::string>>();
    }
    for (const auto& dir : options.plugin_dirs) {
        if (!std::filesystem::is_directory(dir)) {
            std::cerr << "tshost: --plugin-dir " << dir << ": no such directory\n";
            return 2;
        }
    }
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    options.executable = ec ? std::string(argv[0]) : self.string();
    return it->run(options, vm);
}

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> all{run_command(),      resume_command(),  view_command(),
                                          stop_command(),     list_command(),    trials_command(),
                                          validate_command(), storage_command(), render_command(),
                                          plugins_command()};
    return all;
}

}  // namespace tshost::cli

int main(int argc, char** argv) {
    try {
        return tshost::cli::run(argc, argv);
    } catch (const tshost::config::ConfigError& e) {
        for (const auto& d : e.diagnostics()) {
            std::cerr << d.to_string() << '\n';
        }
        std::cerr << "tshost: the config has " << e.diagnostics().size() << " problem"
                  << (e.diagnostics().size() == 1 ? "" : "s") << '\n';
        return 2;
    } catch (const boost::program_options::error& e) {
        std::cerr << "tshost: " << e.what() << "\n(run 'tshost --help' for usage)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "tshost: " << e.what() << '\n';
        return 1;
    }
}
