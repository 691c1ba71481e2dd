// The key never leaves the plugin except in pod_volume's Secret: not in the host's
// log (captured with an spdlog sink), not in error messages, not in browse_url.
#include <gmock/gmock.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "crypto.hpp"
#include "fixture.hpp"
#include "path_guard.hpp"

using namespace azure_test;
using testing::HasSubstr;
using testing::Not;

namespace {

class AzureSecrets : public AzureFileTest {
  protected:
    void SetUp() override {
        sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
        spdlog::default_logger()->sinks().push_back(sink_);
        old_level_ = spdlog::get_level();
        spdlog::set_level(spdlog::level::trace);
    }
    void TearDown() override {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
        spdlog::set_level(old_level_);
        emulator_->inject(503, 0);
    }
    void expect_no_key(const std::string& text, const std::string& what) const {
        const std::string b64_key = tshost::azure::base64_encode(key_);
        EXPECT_THAT(text, Not(HasSubstr(key_))) << what;
        EXPECT_THAT(text, Not(HasSubstr(b64_key))) << what;
        // A key fragment would still be a leak.
        EXPECT_THAT(text, Not(HasSubstr(key_.substr(0, 24)))) << what;
    }
    std::ostringstream log_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
    spdlog::level::level_enum old_level_ = spdlog::level::info;
    EnvGuard env_;
};

}  // namespace

TEST_F(AzureSecrets, KeyAppearsOnlyInThePodVolumeSecret) {
    // The key comes from Key Vault, and the stand-in az echoes it on stderr as a warning:
    // the plugin must redact what it passes on.
    env_.fake_az("vault", "secret", key_);
    env_.set("FAKE_AZ_WARNING", "debug dump of value " + key_);
    auto c = config();
    c.erase("accountKeyEnv");
    c["keyVaultName"] = "vault";
    c["keyVaultKey"] = "secret";
    const auto instance = make_instance(c);
    const auto store = storage(*instance);
    std::vector<std::string> outputs;

    emulator_->inject(503, 2, 0);  // retries log warnings with URLs
    store.write_file("s/a.txt", "data");
    outputs.push_back(store.read_file("s/a.txt"));
    outputs.push_back(store.list_dir("s"));
    outputs.push_back(*store.browse_url("s/a.txt"));
    outputs.push_back(failure([&] { store.read_file("s/missing"); }).message);
    outputs.push_back(failure([&] { store.remove("s"); }).message);
    emulator_->inject(500, 10, 0);
    outputs.push_back(failure([&] { store.make_dir("s/b"); }).message);
    emulator_->inject(503, 0);

    // A wrong key from the same vault: the 403 message must not carry either key.
    const std::string wrong_key = random_key_b64();
    env_.set("FAKE_AZ_VALUE", wrong_key);
    env_.set("FAKE_AZ_WARNING", "debug dump of value " + wrong_key);
    const Failure refused = failure([&] { make_instance(c); });
    EXPECT_EQ(refused.status, TSH_ERR_PERMISSION);
    outputs.push_back(refused.message);
    EXPECT_THAT(refused.message, Not(HasSubstr(wrong_key)));
    EXPECT_THAT(log_.str(), Not(HasSubstr(wrong_key)));

    spdlog::default_logger()->flush();
    const std::string log = log_.str();
    EXPECT_THAT(log, HasSubstr("using Azure file share 'data'"));
    EXPECT_THAT(log, HasSubstr("retrying"));
    EXPECT_THAT(log, HasSubstr("debug dump of value <redacted>"));
    expect_no_key(log, "log");
    for (const auto& out : outputs) {
        expect_no_key(out, out);
    }
    // The one sanctioned place, so the checks above are not vacuous.
    EXPECT_THAT(store.pod_volume(), HasSubstr(tshost::azure::base64_encode(key_)));
}
