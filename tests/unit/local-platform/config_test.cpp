// The config schema the host validates against, and the settings create() derives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "local_fixture.hpp"

namespace local_test {
namespace {

using testing::HasSubstr;
using tshost::plugin::ConfigError;
using tshost::plugin::PluginError;

class LocalConfigTest : public LocalPlatformTest {};

TEST_F(LocalConfigTest, UnknownKeyIsRejectedBeforeCreate) {
    EXPECT_THROW(make_platform(json{{"gpuIndex", 1}}), ConfigError);
    EXPECT_THROW(make_platform(json{{"killGraceMs", -1}}), ConfigError);
    EXPECT_THROW(make_platform(json{{"reuseMode", true}}), ConfigError);
}

TEST_F(LocalConfigTest, AcceptsNniLocalKeysAndARelativeTrialsDirectory) {
    const json config{{"platform", "local"},       {"useActiveGpu", false},
                      {"maxTrialNumberPerGpu", 2}, {"gpuIndices", "0,1"},
                      {"reuseMode", false},        {"trialsDirectory", "elsewhere"},
                      {"killGraceMs", 100}};
    auto platform = make_platform(config);
    write_trial("t1", "exit 0\n");
    const json out = submit(*platform, "t1");
    EXPECT_EQ(out.at("trialDir"), (work_dir_ / "elsewhere" / "t1").string());
    EXPECT_EQ(end_of(log_.wait_end("t1")).at("status"), "SUCCEEDED");
}

TEST_F(LocalConfigTest, GpusWithoutIndicesAreAnError) {
    try {
        make_platform(json::object(), nullptr, json{{"trialGpuNumber", 1}});
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT);
        EXPECT_THAT(e.what(), HasSubstr("gpuIndices"));
    }
}

TEST_F(LocalConfigTest, MissingTrialCommandIsAnError) {
    try {
        make_platform(json::object(), nullptr, json{{"trialCommand", nullptr}});
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT);
        EXPECT_THAT(e.what(), HasSubstr("trialCommand"));
    }
}

TEST_F(LocalConfigTest, InvalidTrialIdIsRejected) {
    auto platform = make_platform();
    try {
        submit(*platform, "../escape");
        FAIL() << "expected a PluginError";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT);
    }
    EXPECT_FALSE(fs::exists(work_dir_ / "escape"));
}

}  // namespace
}  // namespace local_test
