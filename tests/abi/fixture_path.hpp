#pragma once

#include <filesystem>
#include <string>

inline std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(TSHOST_FIXTURE_DIR) / ("fixture_" + name + ".so");
}
