// The Framework a trial becomes: NNI's names and labels, and each of §11's fixes, checked one by
// one; every generated object passes the Framework schema.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fc_test_support.hpp"
#include "names.hpp"

namespace {

using namespace fc_platform;
using fc_test::json;
using testing::HasSubstr;
using testing::Not;

json build(const json& section, const std::string& trial = "xy3qa", int64_t attempt = 0) {
    const Settings s = fc_test::settings_of(section);
    return build_framework(s, fc_test::trial_input("abc12xyz", trial, attempt),
                           parse_pod_volume(fc_test::nfs_pod_volume()));
}

const json& pod_of(const json& fw, size_t role = 0) {
    return fw["spec"]["taskRoles"][role]["task"]["pod"]["spec"];
}

TEST(Names, NniNamesAndNoCollisions) {
    EXPECT_EQ(framework_name("abc12xyz", "xy3qa", 0), "nniexpabc12xyztrialxy3qa");
    EXPECT_EQ(framework_name("abc12xyz", "xy3qa", 2), "nniexpabc12xyztrialxy3qar2");
    // Ids that lower-casing alone would merge get distinct tokens.
    EXPECT_NE(name_token("AbC"), name_token("abc"));
    EXPECT_NE(name_token("AbC"), name_token("ABC"));
    EXPECT_THAT(name_token("my-exp"), testing::MatchesRegex("^[a-z0-9]+$"));
    EXPECT_THROW(framework_name("abc12xyz", "Xy3Qa", 0), std::invalid_argument);
    EXPECT_THROW(framework_name(std::string(60, 'e'), "xy3qa", 0), std::invalid_argument);
}

TEST(Manifest, NniNameLabelsAndNamespace) {
    const json fw = build(fc_test::one_role_section());
    EXPECT_EQ(fw["metadata"]["name"], "nniexpabc12xyztrialxy3qa");
    EXPECT_EQ(fw["metadata"]["namespace"], "nni");
    EXPECT_EQ(fw["metadata"]["labels"]["app"], "nni-kubernetes-trial");
    EXPECT_EQ(fw["metadata"]["labels"]["expId"], "abc12xyz");
    EXPECT_EQ(fw["metadata"]["labels"]["trialId"], "xy3qa");
    EXPECT_EQ(fc_test::framework_problems(fw), "");
}

TEST(Manifest, CommandRunsTheRoleScriptFromTheMount) {
    const json c = pod_of(build(fc_test::one_role_section()))["containers"][0];
    EXPECT_EQ(c["command"], json({"sh", "/tmp/mount/nni/abc12xyz/xy3qa/run_worker.sh"}));
    EXPECT_FALSE(c.contains("args"));  // an image ENTRYPOINT must not wrap it (§11.14)
    EXPECT_EQ(c["volumeMounts"][0], json({{"name", "nni-vol"}, {"mountPath", "/tmp/mount"}}));
    EXPECT_EQ(pod_of(build(fc_test::one_role_section()))["volumes"][0]["nfs"]["server"],
              "10.20.30.40");
}

TEST(Manifest, NeverRestartsAndNeverRetries) {
    const json fw = build(fc_test::one_role_section());
    EXPECT_EQ(pod_of(fw)["restartPolicy"], "Never");
    const json no_retry = {{"fancyRetryPolicy", false}, {"maxRetryCount", 0}};
    EXPECT_EQ(fw["spec"]["retryPolicy"], no_retry);
    EXPECT_EQ(fw["spec"]["taskRoles"][0]["task"]["retryPolicy"], no_retry);
    EXPECT_EQ(fw["spec"]["executionType"], "Start");
    // v2's minSucceedTaskCount becomes FrameworkController's minSucceededTaskCount.
    EXPECT_EQ(fw["spec"]["taskRoles"][0]["frameworkAttemptCompletionPolicy"],
              json({{"minFailedTaskCount", 1}, {"minSucceededTaskCount", 1}}));
}

TEST(Manifest, ResourcesAsWrittenAndGpuOnlyWhenAsked) {
    const json fw = build(fc_test::two_role_section());
    const json ps = pod_of(fw, 0)["containers"][0]["resources"];
    EXPECT_EQ(ps["requests"], json({{"cpu", "500m"}, {"memory", "2Gi"}}));
    EXPECT_EQ(ps["limits"], ps["requests"]);
    const json worker = pod_of(fw, 1)["containers"][0]["resources"];
    EXPECT_EQ(worker["limits"],
              json({{"cpu", "4"}, {"memory", "16384Mi"}, {"nvidia.com/gpu", "2"}}));
}

TEST(Manifest, MetricsTokenOnlyInThePodEnvironment) {
    const Settings s = fc_test::settings_of(fc_test::one_role_section());
    const auto trial = fc_test::trial_input("abc12xyz", "xy3qa");
    const auto storage = parse_pod_volume(fc_test::nfs_pod_volume());
    const json env = pod_of(build_framework(s, trial, storage))["containers"][0]["env"];
    EXPECT_EQ(env, json({{{"name", "TSHOST_METRICS_URL"}, {"value", "http://10.10.10.10:8081"}},
                         {{"name", "TSHOST_METRICS_TOKEN"}, {"value", "s3cr3t-token"}}}));
    for (const auto& [path, text] : run_scripts(s, trial, storage)) {
        EXPECT_THAT(text, Not(HasSubstr("s3cr3t-token"))) << path;  // the share is shared
    }
    EXPECT_THAT(redacted(build_framework(s, trial, storage)).dump(),
                Not(HasSubstr("s3cr3t-token")));
}

TEST(Manifest, ServiceAccountOnlyWhenConfigured) {
    EXPECT_EQ(pod_of(build(fc_test::one_role_section()))["serviceAccountName"], "frameworkbarrier");
    EXPECT_FALSE(pod_of(build(fc_test::two_role_section())).contains("serviceAccountName"));
}

TEST(Manifest, SingleRoleHasNoBarrier) {
    const json pod = pod_of(build(fc_test::one_role_section()));
    EXPECT_FALSE(pod.contains("initContainers"));
    EXPECT_EQ(pod["volumes"].size(), 1U);
}

TEST(Manifest, SeveralRolesGetTheBarrierAndTheirPorts) {
    const Settings s = fc_test::settings_of(fc_test::two_role_section());
    const auto trial = fc_test::trial_input("abc12xyz", "xy3qa");
    const auto storage = parse_pod_volume(fc_test::nfs_pod_volume());
    const json fw = build_framework(s, trial, storage);
    for (size_t r = 0; r < 2; ++r) {
        const json pod = pod_of(fw, r);
        ASSERT_EQ(pod["initContainers"].size(), 1U);
        EXPECT_EQ(pod["initContainers"][0]["name"], "frameworkbarrier");
        EXPECT_EQ(pod["initContainers"][0]["image"], "frameworkcontroller/frameworkbarrier");
        EXPECT_EQ(pod["volumes"][1],
                  json({{"name", "frameworkbarrier-volume"}, {"emptyDir", json::object()}}));
        EXPECT_EQ(pod["containers"][0]["ports"][0]["containerPort"], 4000 + static_cast<int>(r));
        EXPECT_EQ(pod["containers"][0]["volumeMounts"][1]["mountPath"], "/mnt/frameworkbarrier");
    }
    const auto scripts = run_scripts(s, trial, storage);
    ASSERT_EQ(scripts.size(), 2U);
    EXPECT_EQ(scripts[0].first, "nni/abc12xyz/xy3qa/run_ps.sh");
    EXPECT_EQ(scripts[1].first, "nni/abc12xyz/xy3qa/run_worker.sh");
    for (const auto& [path, text] : scripts) {
        EXPECT_THAT(text, HasSubstr("FB_PS_PORT=")) << path;
        EXPECT_THAT(text, HasSubstr("FB_WORKER_PORT=")) << path;
        EXPECT_THAT(text, HasSubstr(". /mnt/frameworkbarrier/injector.sh")) << path;
        // Task 0 of the first role reports to the tuner.
        EXPECT_THAT(text, HasSubstr("ps-0")) << path;
    }
    EXPECT_EQ(fc_test::framework_problems(fw), "");
}

TEST(Manifest, StorageMountSpelledRight) {
    const auto storage = parse_pod_volume(
        R"({"volume": {"name": "nni-vol", "azureFile": {"secretName": "s", "shareName": "share",
                       "readonly": false}},
            "volumeMount": {"mountPath": "/tmp/mount/", "readonly": false},
            "secret": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                       "data": {"azurestorageaccountkey": "a2V5"}}})");
    const Settings s = fc_test::settings_of(fc_test::one_role_section());
    const json pod = pod_of(build_framework(s, fc_test::trial_input("abc12xyz", "xy3qa"), storage));
    EXPECT_THAT(pod.dump(), Not(HasSubstr("\"readonly\"")));
    EXPECT_EQ(pod["volumes"][0]["azureFile"]["readOnly"], false);
    EXPECT_EQ(pod["containers"][0]["volumeMounts"][0]["readOnly"], false);
    EXPECT_EQ(pod["containers"][0]["command"][1], "/tmp/mount/nni/abc12xyz/xy3qa/run_worker.sh");
}

TEST(Manifest, RegistrySecretOncePerExperimentAndFile) {
    json section = fc_test::two_role_section();
    section["taskRoles"][0]["privateRegistryAuthPath"] = "/auth/config.json";
    section["taskRoles"][1]["privateRegistryAuthPath"] = "/auth/config.json";
    const Settings s = fc_test::settings_of(section);
    ASSERT_EQ(registry_secrets(s).size(), 1U);
    const json fw = build_framework(s, fc_test::trial_input("abc12xyz", "xy3qa"),
                                    parse_pod_volume(fc_test::nfs_pod_volume()));
    const std::string name = registry_secrets(s)[0].second;
    EXPECT_EQ(pod_of(fw, 0)["imagePullSecrets"], json({{{"name", name}}}));
    EXPECT_EQ(pod_of(fw, 1)["imagePullSecrets"], json({{{"name", name}}}));
    const json secret = registry_secret(s, "nni", name, "{\"auths\":{}}");
    EXPECT_EQ(secret["type"], "kubernetes.io/dockerconfigjson");
    EXPECT_EQ(secret["data"][".dockerconfigjson"], "eyJhdXRocyI6e319");
    EXPECT_EQ(secret["metadata"]["labels"]["expId"], "abc12xyz");
    EXPECT_THAT(redacted(secret).dump(), Not(HasSubstr("eyJhdXRocyI6e319")));
}

TEST(Manifest, RetryGetsItsOwnFrameworkAndDirectory) {
    const json fw = build(fc_test::one_role_section(), "xy3qa", 1);
    EXPECT_EQ(fw["metadata"]["name"], "nniexpabc12xyztrialxy3qar1");
    EXPECT_EQ(fw["metadata"]["labels"][kAttemptLabel], "1");
    EXPECT_EQ(pod_of(fw)["containers"][0]["command"][1],
              "/tmp/mount/nni/abc12xyz/xy3qa.attempt-1/run_worker.sh");
}

TEST(FrameworkSchema, RefusesWhatFrameworkControllerRefuses) {
    json fw = build(fc_test::one_role_section());
    fw["spec"]["taskRoles"][0]["name"] = "Worker";
    EXPECT_THAT(fc_test::framework_problems(fw), HasSubstr("spec.taskRoles[0].name"));
    fw = build(fc_test::one_role_section());
    fw["spec"]["executionType"] = "Run";
    EXPECT_THAT(fc_test::framework_problems(fw), HasSubstr("spec.executionType"));
    fw = build(fc_test::one_role_section());
    fw["spec"]["retryPolicy"]["maxRetryCount"] = -3;
    EXPECT_THAT(fc_test::framework_problems(fw), HasSubstr("maxRetryCount"));
    fw = build(fc_test::one_role_section());
    fw["metadata"]["name"] = "nni-exp";
    EXPECT_THAT(fc_test::framework_problems(fw), HasSubstr("metadata.name"));
    fw = build(fc_test::one_role_section());
    fw["spec"]["taskRoles"][0]["task"]["pod"]["spec"]["containers"][0].erase("image");
    EXPECT_THAT(fc_test::framework_problems(fw), HasSubstr("image"));
}

TEST(TrialSpec, NeedsTheSharedStoreKeysAndNeverQuotesTheSpec) {
    try {
        parse_trial_spec(R"({"attempt": 0, "metrics": {"token": "s3cr3t"}})");
        ADD_FAILURE() << "parsed a spec without trialDir";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("trialDir"));
        EXPECT_THAT(e.what(), Not(HasSubstr("s3cr3t")));
    }
    EXPECT_THROW(parse_trial_spec(
                     R"({"trialDir": "/etc", "kitDir": "k", "codeManifest": "m", "casDir": "c"})"),
                 std::invalid_argument);
}

}  // namespace
