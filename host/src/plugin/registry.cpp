#include "plugin/registry.hpp"

#include <algorithm>
#include <system_error>

namespace tshost::plugin {

std::vector<std::filesystem::path> plugin_directories(const std::vector<std::string>& cli_dirs,
                                                      const char* env_value,
                                                      const std::filesystem::path& executable) {
    std::vector<std::filesystem::path> dirs(cli_dirs.begin(), cli_dirs.end());
    if (env_value != nullptr) {
        std::string_view rest(env_value);
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            const auto item = rest.substr(0, colon);
            if (!item.empty()) {
                dirs.emplace_back(item);
            }
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    dirs.push_back(
        (executable.parent_path() / ".." / "lib" / "tshost" / "plugins").lexically_normal());
    return dirs;
}

Registry Registry::load(const std::vector<std::filesystem::path>& dirs) {
    Registry registry;
    for (const auto& dir : dirs) {
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.path().extension() == ".so" && !entry.is_directory()) {
                files.push_back(entry.path());
            }
        }
        // A missing directory is normal (the built-in one before install, an
        // unset search path); there is simply nothing to load from it.
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            registry.add(load_plugin(file));
        }
    }
    return registry;
}

void Registry::add(LoadResult result) {
    if (result.refusal) {
        refusals_.push_back(std::move(*result.refusal));
        return;
    }
    const Plugin* existing = find(result.plugin->descriptor.name);
    if (existing != nullptr) {
        refusals_.push_back(Refusal{result.plugin->descriptor.path,
                                    {"duplicate name '" + existing->descriptor.name +
                                     "': already loaded from " + existing->descriptor.path}});
        return;
    }
    plugins_.push_back(std::move(*result.plugin));
}

const Plugin* Registry::find(std::string_view name) const noexcept {
    for (const auto& p : plugins_) {
        if (p.descriptor.name == name) {
            return &p;
        }
    }
    return nullptr;
}

}  // namespace tshost::plugin
