#include "fixture.hpp"

#include <cstdlib>
#include <random>

#include "crypto.hpp"

namespace azure_test {

std::string random_key_b64() {
    std::random_device rd;
    std::string bytes(64, '\0');
    for (char& c : bytes) {
        c = static_cast<char>(rd() & 0xFF);
    }
    return tshost::azure::base64_encode(bytes);
}

const tshost::plugin::Plugin& azure_plugin() {
    static const tshost::plugin::Plugin plugin = [] {
        auto result = tshost::plugin::load_plugin(AZURE_PLUGIN_PATH);
        if (!result.plugin) {
            throw std::runtime_error(result.refusal->message());
        }
        return *result.plugin;
    }();
    return plugin;
}

std::unique_ptr<Instance> make_instance(const nlohmann::json& config) {
    return std::make_unique<Instance>(azure_plugin(), config.dump(),
                                      tshost::plugin::InstanceOptions{});
}

tshost::Storage storage(const Instance& instance) {
    return tshost::Storage(instance.access());
}

void AzureFileTest::SetUpTestSuite() {
    key_ = random_key_b64();
    emulator_ = std::make_unique<Emulator>(EmulatorOptions{"devaccount", key_, 3});
}

void AzureFileTest::TearDownTestSuite() {
    emulator_.reset();
}

nlohmann::json AzureFileTest::config(const std::string& share) const {
    setenv("AZURE_TEST_ACCOUNT_KEY", key_.c_str(), 1);
    return {{"azureAccount", "devaccount"},
            {"azureShare", share},
            {"accountKeyEnv", "AZURE_TEST_ACCOUNT_KEY"},
            {"endpoint", emulator_->endpoint()},
            {"uploadRetryCount", 4},
            {"timeoutMs", 30000}};
}

}  // namespace azure_test
