// Finds and loads every plugin in the plugin directories. A bad plugin is refused
// with one message and never stops the others from loading.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/loader.hpp"

namespace tshost::plugin {

/// The environment variable with extra plugin directories (':'-separated).
inline constexpr const char* kPluginPathEnv = "TSHOST_PLUGIN_PATH";

/// Where plugins are looked for, in order of precedence: the --plugin-dir
/// options, then TSHOST_PLUGIN_PATH, then the built-in directory next to the
/// binary (<bindir>/../lib/tshost/plugins). A name found twice keeps the first.
std::vector<std::filesystem::path> plugin_directories(const std::vector<std::string>& cli_dirs,
                                                      const char* env_value,
                                                      const std::filesystem::path& executable);

class Registry {
  public:
    /// Loads every *.so in `dirs`, in directory order then file-name order.
    static Registry load(const std::vector<std::filesystem::path>& dirs);

    const std::vector<Plugin>& plugins() const noexcept { return plugins_; }
    const std::vector<Refusal>& refusals() const noexcept { return refusals_; }
    /// nullptr when no plugin of that name was loaded.
    const Plugin* find(std::string_view name) const noexcept;

  private:
    void add(LoadResult result);

    std::vector<Plugin> plugins_;
    std::vector<Refusal> refusals_;
};

}  // namespace tshost::plugin
