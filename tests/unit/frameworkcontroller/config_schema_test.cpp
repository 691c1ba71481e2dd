// The published config schema: NNI's v2 keys pass, what FrameworkController would refuse fails
// at `tshost validate` with its key path; the settings keep what the section says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fc_test_support.hpp"

namespace {

using fc_test::config_problems;
using fc_test::json;
using testing::HasSubstr;

TEST(ConfigSchema, AcceptsNniV2SectionsAndTshostKeys) {
    EXPECT_EQ(config_problems(fc_test::one_role_section()), "");
    EXPECT_EQ(config_problems(fc_test::two_role_section()), "");
    json s = fc_test::one_role_section();
    s["apiVersion"] = "frameworkcontroller.microsoft.com/v1";
    s["kubeconfig"] = "/home/me/.kube/config";
    s["context"] = "kind-kind";
    s["qps"] = 20;
    s["burst"] = 40;
    s["taskRoles"][0]["privateRegistryAuthPath"] = "/home/me/.docker/config.json";
    EXPECT_EQ(config_problems(s), "");
}

TEST(ConfigSchema, RefusesWhatFrameworkControllerWouldRefuse) {
    json s = fc_test::one_role_section();
    s["taskRoles"][0]["name"] = "Worker_1";
    EXPECT_THAT(config_problems(s), HasSubstr("taskRoles[0].name"));
    s = fc_test::one_role_section();
    s["taskRoles"][0]["taskNumber"] = 10001;
    EXPECT_THAT(config_problems(s), HasSubstr("taskRoles[0].taskNumber"));
    s = fc_test::one_role_section();
    s["taskRoles"][0]["frameworkAttemptCompletionPolicy"]["minSucceedTaskCount"] = -2;
    EXPECT_THAT(config_problems(s),
                HasSubstr("taskRoles[0].frameworkAttemptCompletionPolicy.minSucceedTaskCount"));
}

TEST(ConfigSchema, RefusesUnknownAndMissingKeys) {
    json s = fc_test::one_role_section();
    s["taskRoles"][0].erase("command");
    EXPECT_THAT(config_problems(s), HasSubstr("command"));
    s = fc_test::one_role_section();
    s["nameSpace"] = "x";
    EXPECT_THAT(config_problems(s), HasSubstr("nameSpace"));
    s = fc_test::one_role_section();
    s["configPath"] = 3;
    EXPECT_THAT(config_problems(s), HasSubstr("configPath"));
    s = fc_test::one_role_section();
    s.erase("taskRoles");  // and no frameworkTemplate: no roles at all
    EXPECT_NE(config_problems(s), "");
}

TEST(Settings, ReadsRolesAndDefaults) {
    const auto s = fc_test::settings_of(fc_test::two_role_section(), "exp1");
    ASSERT_EQ(s.roles.size(), 2U);
    EXPECT_EQ(s.roles[0].image, "msranni/nni:latest");  // NNI's default image
    EXPECT_EQ(s.roles[0].memory, "2Gi");                // a quantity stays as written
    EXPECT_EQ(s.roles[1].memory, "16384Mi");            // the host's MB
    EXPECT_EQ(s.roles[1].min_succeeded, 3);
    EXPECT_FALSE(s.service_account);  // null means none
    EXPECT_EQ(fc_platform::cpu_quantity(0.5), "500m");
    EXPECT_EQ(fc_platform::cpu_quantity(4), "4");
}

TEST(ConfigSchema, PodPendingTimeoutAndKeepFinishedJobsTakeDurations) {
    json s = fc_test::one_role_section();
    s["podPendingTimeout"] = "1.5m";
    s["keepFinishedJobs"] = "30m";
    EXPECT_EQ(config_problems(s), "");
    s["podPendingTimeout"] = 0;
    s["keepFinishedJobs"] = true;
    EXPECT_EQ(config_problems(s), "");
    s["podPendingTimeout"] = "ten minutes";
    EXPECT_THAT(config_problems(s), HasSubstr("podPendingTimeout"));
    s["podPendingTimeout"] = "10m";
    s["keepFinishedJobs"] = "forever";
    EXPECT_THAT(config_problems(s), HasSubstr("keepFinishedJobs"));
}

TEST(Settings, PodPendingTimeoutAndFinishedJobDeletion) {
    json s = fc_test::one_role_section();
    auto parsed = fc_test::settings_of(s, "exp1");
    EXPECT_EQ(parsed.pod_pending_timeout_ms, 600'000);       // NNI-style default: 10m
    EXPECT_EQ(parsed.delete_finished_after_ms, int64_t{0});  // deleted once finished
    s["podPendingTimeout"] = "1.5m";
    s["keepFinishedJobs"] = "2h";
    parsed = fc_test::settings_of(s, "exp1");
    EXPECT_EQ(parsed.pod_pending_timeout_ms, 90'000);
    EXPECT_EQ(parsed.delete_finished_after_ms, int64_t{7'200'000});
    s["podPendingTimeout"] = 0;  // disabled
    s["keepFinishedJobs"] = true;
    parsed = fc_test::settings_of(s, "exp1");
    EXPECT_EQ(parsed.pod_pending_timeout_ms, 0);
    EXPECT_FALSE(parsed.delete_finished_after_ms);  // kept until the experiment ends
    s["keepFinishedJobs"] = "3 weeks";
    try {
        fc_test::settings_of(s, "exp1");
        ADD_FAILURE() << "a bad duration was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("keepFinishedJobs"));
        EXPECT_THAT(e.what(), HasSubstr("\"10m\""));  // says what to write instead
    }
}

TEST(Settings, RefusesDuplicateRoleNames) {
    json s = fc_test::two_role_section();
    s["taskRoles"][1]["name"] = "ps";
    EXPECT_THROW(fc_test::settings_of(s), std::invalid_argument);
}

}  // namespace
