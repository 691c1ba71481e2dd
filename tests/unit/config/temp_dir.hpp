// A scratch directory per test for configs, search spaces and code directories.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "config/experiment_config.hpp"

namespace tshost::config::test {

class TempDir {
  public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("tshost-config-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path write(const std::string& name, std::string_view text) const {
        std::filesystem::path file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }

  private:
    std::filesystem::path path_;
};

/// The diagnostics load_config throws for `text` (empty when it loads).
inline std::vector<Diagnostic> load_errors(const TempDir& dir, std::string_view text,
                                           const std::string& name = "exp.yml") {
    try {
        load_config(dir.write(name, text));
    } catch (const ConfigError& e) {
        return e.diagnostics();
    }
    return {};
}

/// A minimal valid v2 config followed by `extra` lines (which may override nothing: YAML
/// duplicate keys are errors).
inline std::string minimal_v2(std::string_view extra = {}) {
    return std::string(
               "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\n"
               "trialCommand: python3 trial.py\n"
               "trialConcurrency: 1\n"
               "tuner: {name: TPE}\n"
               "trainingService: {platform: local}\n") +
           std::string(extra);
}

}  // namespace tshost::config::test
