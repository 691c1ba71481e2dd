// Shared pieces of the azure-file tests: the plugin loaded through the real host
// loader, one emulator per test suite, and helpers that turn failures into values.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tshost/plugin.hpp>

#include "emulator.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"

namespace azure_test {

/// 64 random bytes, base64: the shape of a real storage account key.
std::string random_key_b64();

const tshost::plugin::Plugin& azure_plugin();

using Instance = tshost::plugin::StorageInstance;
std::unique_ptr<Instance> make_instance(const nlohmann::json& config);
/// The plugin's full storage table, as a platform would reach it.
tshost::Storage storage(const Instance& instance);

struct Failure {
    tsh_status status = TSH_OK;
    std::string message;
};
/// Runs f and returns how it failed; status TSH_OK when it did not.
template <class F>
Failure failure(F&& f) {
    try {
        f();
    } catch (const tshost::plugin::PluginError& e) {
        return {e.status(), e.what()};
    } catch (const tshost::Error& e) {
        return {e.status(), e.what()};
    }
    return {};
}

/// Starts an emulator (page size 3, so listings page) for each suite deriving from it.
class AzureFileTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();

    /// A config for share `share` with the key in an environment variable.
    nlohmann::json config(const std::string& share = "data") const;

    static inline std::string key_;
    static inline std::unique_ptr<Emulator> emulator_;
};

}  // namespace azure_test
