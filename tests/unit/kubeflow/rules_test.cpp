// What training-operator would refuse fails before anything is sent: at `tshost validate` (the
// published config schemas, with the key path), when the settings are read, and in the webhook
// rules every generated job is checked against.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kf_test_support.hpp"
#include "pytorch_flavor.hpp"
#include "tf_flavor.hpp"

namespace {

using kf_test::json;
using testing::HasSubstr;
namespace kp = tshost::kubeplatform;

std::string rule_violation(const kp::KubeflowFlavor& flavor, const json& job) {
    try {
        kp::check_kubeflow_rules(flavor, job);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

json valid_pytorch_job() {
    return kp::build_kubeflow_job(
        kubeflow_pytorch::pytorch_flavor(), kf_test::pytorch_settings(kf_test::pytorch_section()),
        kf_test::trial_input("abc12xyz", "xy3qa"), kp::parse_pod_volume(kf_test::nfs_pod_volume()));
}

json valid_tf_job() {
    return kp::build_kubeflow_job(
        kubeflow_tf::tf_flavor(), kf_test::tf_settings(kf_test::tf_section()),
        kf_test::trial_input("abc12xyz", "xy3qa"), kp::parse_pod_volume(kf_test::nfs_pod_volume()));
}

TEST(ConfigSchemas, AcceptNniSectionsAndTshostKeys) {
    EXPECT_EQ(kf_test::config_problems(kubeflow_tf::kConfigSchema, kf_test::tf_section()), "");
    EXPECT_EQ(kf_test::config_problems(kubeflow_pytorch::kConfigSchema, kf_test::pytorch_section()),
              "");
    for (const char* version : {"v1alpha2", "v1beta1", "v1beta2", "v1"}) {
        json s = kf_test::tf_section();
        s["apiVersion"] = version;
        s["kubeconfig"] = "/home/me/.kube/config";
        s["qps"] = 20;
        EXPECT_EQ(kf_test::config_problems(kubeflow_tf::kConfigSchema, s), "") << version;
    }
}

TEST(ConfigSchemas, PyTorchMasterReplicasOtherThanOneFailWithTheKeyPath) {
    json s = kf_test::pytorch_section();
    s["master"]["replicas"] = 2;
    EXPECT_THAT(kf_test::config_problems(kubeflow_pytorch::kConfigSchema, s),
                HasSubstr("master.replicas"));
    // The settings say it too (a section that skipped the schema).
    try {
        kf_test::pytorch_settings(s);
        ADD_FAILURE() << "two masters accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("master.replicas: must be 1"));
    }
}

TEST(ConfigSchemas, RolesTheOperatorDoesNotHaveFailWithTheKeyPath) {
    json tf = kf_test::tf_section();
    tf["master"] = kf_test::pytorch_section()["master"];
    EXPECT_THAT(kf_test::config_problems(kubeflow_tf::kConfigSchema, tf), HasSubstr("master"));
    json torch = kf_test::pytorch_section();
    torch["ps"] = kf_test::tf_section()["ps"];
    EXPECT_THAT(kf_test::config_problems(kubeflow_pytorch::kConfigSchema, torch), HasSubstr("ps"));
    json no_worker = kf_test::tf_section();
    no_worker.erase("worker");
    EXPECT_THAT(kf_test::config_problems(kubeflow_tf::kConfigSchema, no_worker),
                HasSubstr("worker"));
    json bad_api = kf_test::tf_section();
    bad_api["apiVersion"] = "v2";
    EXPECT_THAT(kf_test::config_problems(kubeflow_tf::kConfigSchema, bad_api),
                HasSubstr("apiVersion"));
    json bad_operator = kf_test::tf_section();
    bad_operator["operator"] = "pytorch-operator";
    EXPECT_THAT(kf_test::config_problems(kubeflow_tf::kConfigSchema, bad_operator),
                HasSubstr("operator"));
}

TEST(WebhookRules, GeneratedJobsPass) {
    EXPECT_EQ(rule_violation(kubeflow_tf::tf_flavor(), valid_tf_job()), "");
    EXPECT_EQ(rule_violation(kubeflow_pytorch::pytorch_flavor(), valid_pytorch_job()), "");
}

TEST(WebhookRules, PyTorchMasterReplicasMustBeOne) {
    json job = valid_pytorch_job();
    job["spec"]["pytorchReplicaSpecs"]["Master"]["replicas"] = 3;
    EXPECT_THAT(rule_violation(kubeflow_pytorch::pytorch_flavor(), job),
                HasSubstr("spec.pytorchReplicaSpecs.Master.replicas: must be 1"));
}

TEST(WebhookRules, TheOperatorsContainerNameIsRequired) {
    json job = valid_tf_job();
    job["spec"]["tfReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0]["name"] = "main";
    EXPECT_THAT(rule_violation(kubeflow_tf::tf_flavor(), job),
                HasSubstr("spec.tfReplicaSpecs.Worker.template.spec.containers: must have a "
                          "container named 'tensorflow'"));
    json torch = valid_pytorch_job();
    torch["spec"]["pytorchReplicaSpecs"]["Master"]["template"]["spec"]["containers"][0]["name"] =
        "tensorflow";
    EXPECT_THAT(rule_violation(kubeflow_pytorch::pytorch_flavor(), torch),
                HasSubstr("named 'pytorch'"));
}

TEST(WebhookRules, UnknownRolesTwoMastersMissingImagesAndBadNamesFail) {
    json job = valid_pytorch_job();
    job["spec"]["pytorchReplicaSpecs"]["PS"] = job["spec"]["pytorchReplicaSpecs"]["Worker"];
    EXPECT_THAT(rule_violation(kubeflow_pytorch::pytorch_flavor(), job),
                HasSubstr("spec.pytorchReplicaSpecs.PS: unknown replica type"));

    json tf = valid_tf_job();
    tf["spec"]["tfReplicaSpecs"]["Chief"] = tf["spec"]["tfReplicaSpecs"]["PS"];
    tf["spec"]["tfReplicaSpecs"]["Master"] = tf["spec"]["tfReplicaSpecs"]["PS"];
    EXPECT_THAT(rule_violation(kubeflow_tf::tf_flavor(), tf),
                HasSubstr("more than 1 Chief or Master"));

    tf = valid_tf_job();
    tf["spec"]["tfReplicaSpecs"]["PS"]["template"]["spec"]["containers"][0].erase("image");
    EXPECT_THAT(rule_violation(kubeflow_tf::tf_flavor(), tf),
                HasSubstr("spec.tfReplicaSpecs.PS.template.spec.containers[0].image"));

    tf = valid_tf_job();
    tf["metadata"]["name"] = "9-starts-with-a-digit";
    EXPECT_THAT(rule_violation(kubeflow_tf::tf_flavor(), tf), HasSubstr("DNS-1035"));
}

TEST(Crd, RefusesWhatTheApiServerWould) {
    json tf = valid_tf_job();
    // A command is a list of words, not one shell line.
    tf["spec"]["tfReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0]["command"] =
        "sh run_worker.sh";
    EXPECT_THAT(kf_test::crd_problems(kp::tfjob_crd(), tf), HasSubstr("command"));
    json torch = valid_pytorch_job();
    torch["spec"]["pytorchReplicaSpecs"]["Master"]["replicas"] = "one";
    EXPECT_THAT(kf_test::crd_problems(kp::pytorchjob_crd(), torch), HasSubstr("replicas"));
}

}  // namespace
