// Where the account key comes from: Key Vault through az (the stand-in on PATH),
// an environment variable or a file; and what happens when it is wrong or missing.
#include <gmock/gmock.h>

#include <fstream>

#include "crypto.hpp"
#include "fixture.hpp"
#include "path_guard.hpp"

using namespace azure_test;
using testing::HasSubstr;
using testing::Not;

namespace {

class AzureKeySource : public AzureFileTest {
  protected:
    nlohmann::json vault_config() const {
        auto c = config();
        c.erase("accountKeyEnv");
        c["keyVaultName"] = "my-vault";
        c["keyVaultKey"] = "storage-key";
        return c;
    }
    void round_trip(const Instance& instance) {
        storage(instance).write_file("keys/probe.txt", "ok");
        EXPECT_EQ(storage(instance).read_file("keys/probe.txt"), "ok");
    }
    EnvGuard env_;
};

}  // namespace

TEST_F(AzureKeySource, KeyVaultThroughAz) {
    env_.fake_az("my-vault", "storage-key", key_);
    const auto instance = make_instance(vault_config());
    round_trip(*instance);
    const auto volume = nlohmann::json::parse(storage(*instance).pod_volume());
    EXPECT_EQ(volume["secret"]["data"]["azurestorageaccountkey"],
              tshost::azure::base64_encode(key_));
}

TEST_F(AzureKeySource, AzWarningsOnStderrAreNotFailures) {
    env_.fake_az("my-vault", "storage-key", key_);
    env_.set("FAKE_AZ_WARNING", "Your CLI is out of date; run 'az upgrade'");
    round_trip(*make_instance(vault_config()));
}

TEST_F(AzureKeySource, AzFailureIsReportedWithItsStderr) {
    env_.fake_az("my-vault", "other-name", key_);
    const Failure f = failure([&] { make_instance(vault_config()); });
    EXPECT_EQ(f.status, TSH_ERR_PERMISSION);
    EXPECT_THAT(f.message,
                HasSubstr("az keyvault secret show --name storage-key --vault-name my-vault"));
    EXPECT_THAT(f.message, HasSubstr("SecretNotFound"));
    EXPECT_THAT(f.message, HasSubstr("az login"));
}

TEST_F(AzureKeySource, ArgumentsReachAzVerbatimWithoutAShell) {
    const std::string tricky = "key;touch /tmp/azure-file-injected $(id)";
    env_.fake_az("my-vault", tricky, key_);
    auto c = vault_config();
    c["keyVaultKey"] = tricky;
    round_trip(*make_instance(c));
    EXPECT_FALSE(std::filesystem::exists("/tmp/azure-file-injected"));
}

TEST_F(AzureKeySource, EmptySecretIsAnError) {
    env_.fake_az("my-vault", "storage-key", "");
    const Failure f = failure([&] { make_instance(vault_config()); });
    EXPECT_EQ(f.status, TSH_ERR_PERMISSION);
    EXPECT_THAT(f.message, HasSubstr("no secret value"));
}

TEST_F(AzureKeySource, MissingAzIsAnActionableError) {
    env_.set("PATH", "/nonexistent-dir");
    const Failure f = failure([&] { make_instance(vault_config()); });
    EXPECT_NE(f.status, TSH_OK);
    EXPECT_THAT(f.message, HasSubstr("cannot run 'az'"));
}

TEST_F(AzureKeySource, KeyFromFile) {
    const auto file = std::filesystem::temp_directory_path() / "azure-file-test-key";
    std::ofstream(file) << key_ << "\n";
    auto c = config();
    c.erase("accountKeyEnv");
    c["accountKeyFile"] = file.string();
    round_trip(*make_instance(c));
    std::filesystem::remove(file);
    EXPECT_EQ(failure([&] { make_instance(c); }).status, TSH_ERR_INVALID_ARGUMENT);
}

TEST_F(AzureKeySource, KeyFromEnvironment) {
    round_trip(*make_instance(config()));
    auto c = config();
    c["accountKeyEnv"] = "AZURE_TEST_UNSET_VARIABLE";
    const Failure f = failure([&] { make_instance(c); });
    EXPECT_EQ(f.status, TSH_ERR_INVALID_ARGUMENT);
    EXPECT_THAT(f.message, HasSubstr("AZURE_TEST_UNSET_VARIABLE"));
}

TEST_F(AzureKeySource, KeyThatIsNotBase64IsRejectedWithoutEchoingIt) {
    env_.set("AZURE_TEST_BAD_KEY", "not-a-key!");
    auto c = config();
    c["accountKeyEnv"] = "AZURE_TEST_BAD_KEY";
    const Failure f = failure([&] { make_instance(c); });
    EXPECT_EQ(f.status, TSH_ERR_INVALID_ARGUMENT);
    EXPECT_THAT(f.message, HasSubstr("not valid base64"));
    EXPECT_THAT(f.message, Not(HasSubstr("not-a-key!")));
}

TEST_F(AzureKeySource, ExactlyOneKeySource) {
    auto two = config();
    two["accountKeyFile"] = "/tmp/k";
    EXPECT_THROW(make_instance(two), tshost::plugin::ConfigError);
    auto none = config();
    none.erase("accountKeyEnv");
    EXPECT_THROW(make_instance(none), tshost::plugin::ConfigError);
    auto half_vault = config();
    half_vault["keyVaultName"] = "v";
    const Failure f = failure([&] { make_instance(half_vault); });
    EXPECT_EQ(f.status, TSH_ERR_INVALID_ARGUMENT);
    EXPECT_THAT(f.message, HasSubstr("exactly one account key source"));
    auto unknown = config();
    unknown["storageAccount"] = "x";
    EXPECT_THROW(make_instance(unknown), tshost::plugin::ConfigError);
}
