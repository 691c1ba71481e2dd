// Loads one plugin file: Boost.DLL opens the library and fetches the single C
// entry symbol; nothing else of the library is touched.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plugin/descriptor.hpp"

namespace tshost::plugin {

struct Refusal {
    std::string path;
    std::vector<std::string> problems;
    /// One line naming the file and every problem.
    std::string message() const;
};

struct LoadResult {
    std::optional<Plugin> plugin;
    std::optional<Refusal> refusal;
};

LoadResult load_plugin(const std::filesystem::path& path);

}  // namespace tshost::plugin
