// A real storage instance over a local directory: the NFS plugin in
// localMountPath mode, which is what a user with the export already mounted runs.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "plugin/instance.hpp"
#include "plugin/loader.hpp"

namespace trialkit_test {

class LocalStore : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "tsh-trialkit-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        root_ = tmpl;
        auto loaded = tshost::plugin::load_plugin(TSHOST_NFS_PLUGIN);
        ASSERT_TRUE(loaded.plugin) << loaded.refusal->message();
        const nlohmann::json config{
            {"server", "127.0.0.1"}, {"path", "/export"}, {"localMountPath", root_.string()}};
        store_ = std::make_unique<tshost::plugin::StorageInstance>(
            *loaded.plugin, config.dump(), tshost::plugin::InstanceOptions{});
    }
    void TearDown() override {
        store_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }

    void write(const std::string& path, const std::string& data, bool append = false) {
        const auto file = root_ / path;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, append ? std::ios::app | std::ios::binary : std::ios::binary) << data;
    }
    std::string read(const std::string& path) const {
        std::ifstream in(root_ / path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    std::filesystem::path root_;
    std::unique_ptr<tshost::plugin::StorageInstance> store_;
};

}  // namespace trialkit_test
