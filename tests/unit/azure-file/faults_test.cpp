// A wrong key is refused by the emulator's own signature check and reported with
// advice; throttling, server errors and dropped connections are retried.
#include <gmock/gmock.h>

#include "fixture.hpp"

using namespace azure_test;
using testing::HasSubstr;

namespace {

class AzureFaults : public AzureFileTest {
  protected:
    void TearDown() override { emulator_->inject(503, 0); }  // no fault outlives its test
};

}  // namespace

TEST_F(AzureFaults, WrongKeyIsRejectedBySignatureAndExplained) {
    const long before = emulator_->stats()["authFailures"];
    setenv("AZURE_TEST_WRONG_KEY", random_key_b64().c_str(), 1);
    auto c = config();
    c["accountKeyEnv"] = "AZURE_TEST_WRONG_KEY";
    const Failure f = failure([&] { make_instance(c); });
    EXPECT_EQ(f.status, TSH_ERR_PERMISSION);
    EXPECT_THAT(f.message, HasSubstr("403 AuthenticationFailed"));
    EXPECT_THAT(f.message, HasSubstr("environment variable 'AZURE_TEST_WRONG_KEY'"));
    EXPECT_THAT(f.message, HasSubstr("storage account 'devaccount'"));
    EXPECT_GT(emulator_->stats()["authFailures"].get<long>(), before);
}

TEST_F(AzureFaults, ThrottlingWithRetryAfterIsSurvived) {
    const auto instance = make_instance(config());
    const long before = emulator_->stats()["faultsInjected"];
    emulator_->inject(503, 3, 1);
    const auto start = std::chrono::steady_clock::now();
    storage(*instance).write_file("throttled/a.txt", "survived");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(emulator_->stats()["faultsInjected"].get<long>() - before, 3);
    EXPECT_GE(elapsed, std::chrono::seconds(3)) << "Retry-After: 1 was not honoured";
    EXPECT_EQ(storage(*instance).read_file("throttled/a.txt"), "survived");
}

TEST_F(AzureFaults, ServerErrorsAndDroppedConnectionsAreRetried) {
    const auto instance = make_instance(config());
    const long before = emulator_->stats()["faultsInjected"];
    emulator_->inject(500, 2, -1);
    storage(*instance).write_file("flaky/a.txt", "one");
    emulator_->inject(0, 2);
    EXPECT_EQ(storage(*instance).read_file("flaky/a.txt"), "one");
    emulator_->inject(429, 1, 0);
    EXPECT_TRUE(storage(*instance).stat("flaky/a.txt"));
    EXPECT_EQ(emulator_->stats()["faultsInjected"].get<long>() - before, 5);
}

TEST_F(AzureFaults, ExhaustedRetriesAreTransient) {
    auto c = config();
    c["uploadRetryCount"] = 1;
    const auto instance = make_instance(c);
    emulator_->inject(503, 10, 0);
    const Failure f = failure([&] { storage(*instance).make_dir("busy"); });
    EXPECT_EQ(f.status, TSH_ERR_TRANSIENT);
    EXPECT_THAT(f.message, HasSubstr("after 2 attempt(s): 503 ServerBusy"));
    EXPECT_EQ(emulator_->stats()["faultsPending"], 8);  // one request, two attempts
}
