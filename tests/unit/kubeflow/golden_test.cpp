// The seed example configs (config/experiments/kubeflow-tf-nfs.v{1,2}.yml and
// kubeflow-pytorch-azure.v{1,2}.yml), loaded by the host's own config loader, become the jobs in
// golden/ — the same job for v1 and v2, since v1 converts to v2 — and each passes the official
// CRD and the webhook rules. Regenerate after an intended change:
// TSHOST_UPDATE_GOLDEN=1 ./kubeflow_tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "binary_quantity.hpp"
#include "config/experiment_config.hpp"
#include "golden_json.hpp"
#include "kf_test_support.hpp"
#include "pytorch_flavor.hpp"
#include "tf_flavor.hpp"

namespace {

using kf_test::json;
namespace kp = tshost::kubeplatform;

struct Example {
    const char* file;
    const char* plugin;
    const kp::KubeflowFlavor& flavor;
    std::string pod_volume;
};

Example tf_example(const char* file) {
    return {file, "kubeflow-tf", kubeflow_tf::tf_flavor(), kf_test::nfs_pod_volume()};
}
Example pytorch_example(const char* file) {
    return {file, "kubeflow-pytorch", kubeflow_pytorch::pytorch_flavor(),
            kf_test::azure_pod_volume()};
}

json job_for(const Example& example) {
    const auto config =
        tshost::config::load_config(std::string(KF_EXAMPLES_DIR) + "/" + example.file);
    EXPECT_EQ(config.platform.plugin, example.plugin);
    const auto settings = kp::parse_kubeflow_settings(example.flavor, config.platform.config.dump(),
                                                      json{{"experimentId", "abc12xyz"}}.dump());
    return kp::redacted(kp::build_kubeflow_job(example.flavor, settings,
                                               kf_test::trial_input("abc12xyz", "xy3qa"),
                                               kp::parse_pod_volume(example.pod_volume)));
}

void expect_golden(const json& actual, const std::string& name) {
    tshost::test::expect_golden_json(actual, std::string(KF_GOLDEN_DIR) + "/" + name);
}

// The job with every container's memory as a number of bytes: v1's memoryMB: 4096 reads
// "4096Mi" and v2's "4g" reads "4Gi", the same size written as each user wrote it.
json with_memory_in_bytes(json node) {
    if (node.is_object()) {
        for (auto& [key, value] : node.items()) {
            value = key == "memory" && value.is_string()
                        ? json(tshost::test::binary_quantity_bytes(value.get<std::string>()))
                        : with_memory_in_bytes(std::move(value));
        }
    } else if (node.is_array()) {
        for (auto& value : node) {
            value = with_memory_in_bytes(std::move(value));
        }
    }
    return node;
}

TEST(Golden, TfV2ExampleRendersTheGoldenTfJobThatTheCrdAccepts) {
    const json job = job_for(tf_example("kubeflow-tf-nfs.v2.yml"));
    expect_golden(job, "kubeflow-tf-nfs.tfjob.json");
    EXPECT_EQ(kf_test::crd_problems(kp::tfjob_crd(), job), "");
    EXPECT_NO_THROW(kp::check_kubeflow_rules(kubeflow_tf::tf_flavor(), job));
}

TEST(Golden, TfV1ExampleRendersTheSameTfJob) {
    EXPECT_EQ(with_memory_in_bytes(job_for(tf_example("kubeflow-tf-nfs.v1.yml"))),
              with_memory_in_bytes(job_for(tf_example("kubeflow-tf-nfs.v2.yml"))));
}

TEST(Golden, PyTorchV2ExampleRendersTheGoldenPyTorchJobThatTheCrdAccepts) {
    const json job = job_for(pytorch_example("kubeflow-pytorch-azure.v2.yml"));
    expect_golden(job, "kubeflow-pytorch-azure.pytorchjob.json");
    EXPECT_EQ(kf_test::crd_problems(kp::pytorchjob_crd(), job), "");
    EXPECT_NO_THROW(kp::check_kubeflow_rules(kubeflow_pytorch::pytorch_flavor(), job));
}

TEST(Golden, PyTorchV1ExampleRendersTheSamePyTorchJob) {
    EXPECT_EQ(with_memory_in_bytes(job_for(pytorch_example("kubeflow-pytorch-azure.v1.yml"))),
              with_memory_in_bytes(job_for(pytorch_example("kubeflow-pytorch-azure.v2.yml"))));
}

TEST(Golden, ExampleSectionsPassThePublishedSchemas) {
    for (const char* file : {"kubeflow-tf-nfs.v2.yml", "kubeflow-tf-nfs.v1.yml"}) {
        const auto config = tshost::config::load_config(std::string(KF_EXAMPLES_DIR) + "/" + file);
        EXPECT_EQ(kf_test::config_problems(kubeflow_tf::kConfigSchema, config.platform.config), "")
            << file;
    }
    for (const char* file : {"kubeflow-pytorch-azure.v2.yml", "kubeflow-pytorch-azure.v1.yml"}) {
        const auto config = tshost::config::load_config(std::string(KF_EXAMPLES_DIR) + "/" + file);
        EXPECT_EQ(kf_test::config_problems(kubeflow_pytorch::kConfigSchema, config.platform.config),
                  "")
            << file;
    }
}

// A podSpecPatch on the PyTorch master (shared memory for DataLoader workers, a GPU node pool):
// merged into what tshost built, and the merged job still passes the CRD and the webhook rules.
TEST(Golden, APodSpecPatchedPyTorchJobThatTheCrdAccepts) {
    json section = kf_test::pytorch_section();
    section["master"]["podSpecPatch"] = json::parse(R"({
      "nodeSelector": {"cloud.google.com/gke-accelerator": "nvidia-l4"},
      "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
      "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory"}}],
      "containers": [{"name": "pytorch",
                      "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}],
                      "env": [{"name": "NCCL_DEBUG", "value": "INFO"}]}]})");
    EXPECT_EQ(kf_test::config_problems(kubeflow_pytorch::kConfigSchema, section), "");
    const json job = kp::redacted(kp::build_kubeflow_job(
        kubeflow_pytorch::pytorch_flavor(), kf_test::pytorch_settings(section),
        kf_test::trial_input("abc12xyz", "xy3qa"),
        kp::parse_pod_volume(kf_test::nfs_pod_volume())));
    expect_golden(job, "kubeflow-pytorch-podspecpatch.pytorchjob.json");
    EXPECT_EQ(kf_test::crd_problems(kp::pytorchjob_crd(), job), "");
    EXPECT_NO_THROW(kp::check_kubeflow_rules(kubeflow_pytorch::pytorch_flavor(), job));
}

}  // namespace
