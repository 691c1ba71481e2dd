// Shared set-up of the NFS tests: a ganesha per test and the nfs plugin loaded
// through the real host loader.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "nfs_server.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"

namespace nfstest {

inline tshost::plugin::Plugin load_nfs_plugin() {
    auto result = tshost::plugin::load_plugin(TSHOST_NFS_PLUGIN);
    if (!result.plugin)
        throw std::runtime_error(result.refusal->message());
    return *result.plugin;
}

inline std::unique_ptr<tshost::plugin::StorageInstance> open_storage(const std::string& config) {
    return std::make_unique<tshost::plugin::StorageInstance>(load_nfs_plugin(), config,
                                                             tshost::plugin::InstanceOptions{});
}

inline std::string random_bytes(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng());
    return s;
}

inline std::string read_local(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_local(const std::filesystem::path& p, const std::string& data) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

/// A scratch directory removed at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "tsh-nfs-test-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// Starts a fresh ganesha for each test; skips when none can run here.
class NfsTest : public ::testing::Test {
  protected:
    virtual tshost::test::NfsServerOptions server_options() const { return {}; }
    void SetUp() override {
        const std::string reason = tshost::test::NfsServer::unavailable_reason();
        if (!reason.empty())
            GTEST_SKIP() << reason;
        server_ = std::make_unique<tshost::test::NfsServer>(server_options());
    }
    tshost::test::NfsServer& server() { return *server_; }
    std::unique_ptr<tshost::plugin::StorageInstance> open(int version = 3,
                                                          const std::string& extra = "") {
        return open_storage(server_->plugin_config(version, extra));
    }

  private:
    std::unique_ptr<tshost::test::NfsServer> server_;
};

}  // namespace nfstest
