// The TFJob / PyTorchJob a trial becomes: NNI's names and labels, and each of §11's fixes,
// checked one by one; every generated job passes the official CRD and the webhook rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tshost/kubeplatform/pod_parts.hpp>

#include "kf_test_support.hpp"
#include "pytorch_flavor.hpp"
#include "tf_flavor.hpp"

namespace {

using kf_test::json;
using testing::HasSubstr;
using testing::Not;
namespace kp = tshost::kubeplatform;

json tf_job(const json& section, const std::string& trial = "xy3qa", int64_t attempt = 0) {
    return kp::build_kubeflow_job(kubeflow_tf::tf_flavor(), kf_test::tf_settings(section),
                                  kf_test::trial_input("abc12xyz", trial, attempt),
                                  kp::parse_pod_volume(kf_test::nfs_pod_volume()));
}

json pytorch_job(const json& section) {
    return kp::build_kubeflow_job(
        kubeflow_pytorch::pytorch_flavor(), kf_test::pytorch_settings(section),
        kf_test::trial_input("abc12xyz", "xy3qa"), kp::parse_pod_volume(kf_test::nfs_pod_volume()));
}

const json& pod_of(const json& job, const char* key, const char* type) {
    return job["spec"][key][type]["template"]["spec"];
}

TEST(KubeflowNames, NniNamesLabelsAndRetries) {
    const json job = tf_job(kf_test::tf_section());
    EXPECT_EQ(job["metadata"]["name"], "nni-exp-abc12xyz-trial-xy3qa");
    EXPECT_EQ(job["metadata"]["namespace"], "kubeflow");
    EXPECT_EQ(job["metadata"]["labels"]["app"], "nni-kubernetes-trial");
    EXPECT_EQ(job["metadata"]["labels"]["expId"], "abc12xyz");
    EXPECT_EQ(job["metadata"]["labels"]["trialId"], "xy3qa");
    EXPECT_EQ(tf_job(kf_test::tf_section(), "xy3qa", 2)["metadata"]["name"],
              "nni-exp-abc12xyz-trial-xy3qa-r2");
    EXPECT_THROW(tf_job(kf_test::tf_section(), "Xy3Qa"), std::invalid_argument);
}

TEST(TfJobManifest, PsAndWorkerWithNeverRestartCommandAndTheOperatorsContainerName) {
    const json job = tf_job(kf_test::tf_section());
    EXPECT_EQ(job["apiVersion"], "kubeflow.org/v1");
    EXPECT_EQ(job["kind"], "TFJob");
    const json& specs = job["spec"]["tfReplicaSpecs"];
    ASSERT_EQ(specs.size(), 2U);
    EXPECT_EQ(specs["PS"]["replicas"], 1);
    EXPECT_EQ(specs["Worker"]["replicas"], 2);
    for (const char* type : {"PS", "Worker"}) {
        EXPECT_EQ(specs[type]["restartPolicy"], "Never") << type;
        const json& c = pod_of(job, "tfReplicaSpecs", type)["containers"][0];
        EXPECT_EQ(c["name"], "tensorflow");
        EXPECT_FALSE(c.contains("args")) << "an image ENTRYPOINT must not wrap the script";
        EXPECT_EQ(c["volumeMounts"][0], json({{"name", "nni-vol"}, {"mountPath", "/tmp/mount"}}));
    }
    EXPECT_EQ(pod_of(job, "tfReplicaSpecs", "PS")["containers"][0]["command"],
              json({"sh", "/tmp/mount/nni/abc12xyz/xy3qa/run_ps.sh"}));
    EXPECT_EQ(pod_of(job, "tfReplicaSpecs", "Worker")["containers"][0]["command"],
              json({"sh", "/tmp/mount/nni/abc12xyz/xy3qa/run_worker.sh"}));
    // PS pods end with the job (training-operator >= 1.7 defaults to None).
    EXPECT_EQ(job["spec"]["runPolicy"]["cleanPodPolicy"], "Running");
    EXPECT_EQ(kf_test::crd_problems(kp::tfjob_crd(), job), "");
}

TEST(TfJobManifest, ResourcesAsNniWritesThemAndGpusOnlyWhenAsked) {
    const json job = tf_job(kf_test::tf_section());
    const json ps = pod_of(job, "tfReplicaSpecs", "PS")["containers"][0]["resources"];
    EXPECT_EQ(ps["limits"], json({{"cpu", "1"}, {"memory", "8196Mi"}}));  // MB integer → Mi
    EXPECT_EQ(ps["requests"], ps["limits"]);
    const json worker = pod_of(job, "tfReplicaSpecs", "Worker")["containers"][0]["resources"];
    // A quantity string is kept as written; 0.5 cpu is 500m.
    EXPECT_EQ(worker["limits"],
              json({{"cpu", "500m"}, {"memory", "4Gi"}, {"nvidia.com/gpu", "1"}}));
}

TEST(TfJobManifest, ServiceAccountRegistrySecretAndMetricsEnvironment) {
    json section = kf_test::tf_section();
    section["serviceAccountName"] = "trainer";
    section["worker"]["privateRegistryAuthPath"] = "/home/me/.docker/config.json";
    const json job = tf_job(section);
    const json& worker = pod_of(job, "tfReplicaSpecs", "Worker");
    EXPECT_EQ(worker["serviceAccountName"], "trainer");
    EXPECT_EQ(worker["imagePullSecrets"], json({{{"name", "nni-secret-abc12xyz-registry0"}}}));
    EXPECT_FALSE(pod_of(job, "tfReplicaSpecs", "PS").contains("imagePullSecrets"));
    const json env = worker["containers"][0]["env"];
    EXPECT_EQ(env[0], json({{"name", "TSHOST_METRICS_URL"}, {"value", "http://10.10.10.10:8081"}}));
    EXPECT_EQ(env[1]["name"], "TSHOST_METRICS_TOKEN");
    EXPECT_THAT(kp::redacted(job).dump(), Not(HasSubstr("s3cr3t-token")));
    EXPECT_EQ(kf_test::crd_problems(kp::tfjob_crd(), job), "");
}

TEST(TfJobManifest, RunScriptsNameWorkerZeroThePrimaryReplica) {
    const auto settings = kf_test::tf_settings(kf_test::tf_section());
    EXPECT_EQ(kp::kubeflow_primary_replica(kubeflow_tf::tf_flavor(), settings), "worker-0");
    const auto scripts = kp::kubeflow_run_scripts(kubeflow_tf::tf_flavor(), settings,
                                                  kf_test::trial_input("abc12xyz", "xy3qa"),
                                                  kp::parse_pod_volume(kf_test::nfs_pod_volume()));
    ASSERT_EQ(scripts.size(), 2U);
    EXPECT_EQ(scripts[0].first, "nni/abc12xyz/xy3qa/run_ps.sh");
    EXPECT_EQ(scripts[1].first, "nni/abc12xyz/xy3qa/run_worker.sh");
    for (const auto& [path, text] : scripts) {
        EXPECT_THAT(text, HasSubstr("--primary-replica 'worker-0'")) << path;
        EXPECT_THAT(text, HasSubstr("NNI_PLATFORM='kubeflow'")) << path;
        EXPECT_THAT(text, Not(HasSubstr("s3cr3t-token"))) << path;
    }
}

TEST(PyTorchJobManifest, MasterAndWorkerWithNeverRestartAndTheMasterAsPrimary) {
    const json job = pytorch_job(kf_test::pytorch_section());
    EXPECT_EQ(job["kind"], "PyTorchJob");
    const json& specs = job["spec"]["pytorchReplicaSpecs"];
    ASSERT_EQ(specs.size(), 2U);
    EXPECT_EQ(specs["Master"]["replicas"], 1);
    EXPECT_EQ(specs["Worker"]["replicas"], 2);
    for (const char* type : {"Master", "Worker"}) {
        // PyTorchJob's default is OnFailure: a failing trial would be re-run (§11.1).
        EXPECT_EQ(specs[type]["restartPolicy"], "Never") << type;
        EXPECT_EQ(pod_of(job, "pytorchReplicaSpecs", type)["containers"][0]["name"], "pytorch");
        EXPECT_EQ(pod_of(job, "pytorchReplicaSpecs", type)["serviceAccountName"], "trainer");
    }
    EXPECT_EQ(pod_of(job, "pytorchReplicaSpecs", "Master")["containers"][0]["command"],
              json({"sh", "/tmp/mount/nni/abc12xyz/xy3qa/run_master.sh"}));
    EXPECT_EQ(kp::kubeflow_primary_replica(kubeflow_pytorch::pytorch_flavor(),
                                           kf_test::pytorch_settings(kf_test::pytorch_section())),
              "master-0");
    EXPECT_EQ(kf_test::crd_problems(kp::pytorchjob_crd(), job), "");
    EXPECT_NO_THROW(kp::check_kubeflow_rules(kubeflow_pytorch::pytorch_flavor(), job));
}

TEST(PyTorchJobManifest, AMasterAloneIsAJob) {
    json section = kf_test::pytorch_section();
    section.erase("worker");
    const json job = pytorch_job(section);
    EXPECT_EQ(job["spec"]["pytorchReplicaSpecs"].size(), 1U);
    EXPECT_EQ(kf_test::crd_problems(kp::pytorchjob_crd(), job), "");
}

}  // namespace
