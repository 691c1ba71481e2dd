// The example configs in config/experiments: every key lands in the model, and the v1 and v2
// forms of one experiment give the same model.
#include <gtest/gtest.h>
#include <algorithm>

#include <fstream>

#include "binary_quantity.hpp"
#include "config/experiment_config.hpp"
#include "temp_dir.hpp"

namespace tshost::config {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const std::filesystem::path kExamples = TSHOST_CONFIG_EXAMPLES;

ExperimentConfig load_example(const std::string& name) {
    try {
        return load_config(kExamples / name);
    } catch (const ConfigError& e) {
        ADD_FAILURE() << name << ":\n" << e.what();
        throw;
    }
}

TEST(Examples, FrameworkControllerV2MapsEveryKey) {
    ExperimentConfig c = load_example("frameworkcontroller-nfs.v2.yml");
    EXPECT_EQ(c.source_version, 2);
    EXPECT_EQ(c.file, (kExamples / "frameworkcontroller-nfs.v2.yml").lexically_normal().string());
    EXPECT_EQ(c.experiment_name, "mnist-frameworkcontroller");
    EXPECT_EQ(c.search_space_file, (kExamples / "search_space.json").lexically_normal().string());
    EXPECT_EQ(c.search_space["lr"]["_type"], "loguniform");
    EXPECT_EQ(c.trial_code_directory, kExamples.lexically_normal().string());
    EXPECT_EQ(c.trial_command, "");  // roles carry the commands
    EXPECT_EQ(c.trial_concurrency, 2);
    EXPECT_EQ(c.max_trial_number, 10);
    EXPECT_EQ(c.max_experiment_duration, seconds(7200));
    EXPECT_FALSE(c.max_trial_duration.has_value());
    EXPECT_EQ(c.nni_manager_ip, "10.10.10.10");
    EXPECT_EQ(c.tuner.name, "TPE");
    EXPECT_EQ(c.tuner.class_args, json({{"optimize_mode", "maximize"}}));
    ASSERT_TRUE(c.assessor.has_value());
    EXPECT_EQ(c.assessor->name, "Medianstop");
    EXPECT_EQ(c.assessor->class_args["start_step"], 5);

    EXPECT_EQ(c.platform.plugin, "frameworkcontroller");
    EXPECT_EQ(c.platform.key_path, "trainingService");
    EXPECT_EQ(c.platform.config, json::parse(R"({
        "reuseMode": false, "namespace": "nni", "serviceAccountName": "frameworkbarrier",
        "taskRoles": [{"name": "worker", "dockerImage": "msranni/nni:latest", "taskNumber": 1,
                       "command": "python3 mnist.py", "gpuNumber": 0, "cpuNumber": 1,
                       "memorySize": "8192Mi",
                       "frameworkAttemptCompletionPolicy": {"minFailedTaskCount": 1,
                                                            "minSucceedTaskCount": 1}}]})"));
    ASSERT_TRUE(c.storage.has_value());
    EXPECT_EQ(c.storage->plugin, "nfs");
    EXPECT_EQ(c.storage->key_path, "trainingService.storage");
    EXPECT_EQ(c.storage->config, json({{"server", "10.20.30.40"}, {"path", "/exports/nni"}}));
    EXPECT_TRUE(c.warnings.empty());
}

TEST(Examples, KubeflowTfV1MapsEveryKey) {
    ExperimentConfig c = load_example("kubeflow-tf-nfs.v1.yml");
    EXPECT_EQ(c.source_version, 1);
    EXPECT_EQ(c.experiment_name, "mnist-distributed-tf");
    EXPECT_EQ(c.trial_concurrency, 2);
    EXPECT_EQ(c.max_experiment_duration, seconds(3600));
    EXPECT_EQ(c.max_trial_number, 20);
    EXPECT_EQ(c.search_space["batch_size"]["_value"], json({16, 32, 64, 128}));
    EXPECT_EQ(c.nni_manager_ip, "10.10.10.10");
    EXPECT_EQ(c.log_collection, "none");
    EXPECT_EQ(c.version_check, true);
    EXPECT_EQ(c.tuner.name, "TPE");
    EXPECT_EQ(c.platform.plugin, "kubeflow-tf");
    const json& s = c.platform.config;
    EXPECT_EQ(s["operator"], "tf-operator");
    EXPECT_EQ(s["apiVersion"], "v1");
    EXPECT_EQ(s["namespace"], "kubeflow");  // NNI's converter drops it
    for (const char* role : {"ps", "worker"}) {
        EXPECT_EQ(s[role]["command"], "python3 dist_mnist.py") << role;
        EXPECT_EQ(s[role]["memorySize"], "8196Mi") << role;
        EXPECT_EQ(s[role]["dockerImage"], "msranni/nni:latest") << role;
        EXPECT_EQ(s[role]["cpuNumber"], 1) << role;
        EXPECT_EQ(s[role]["codeDirectory"], kExamples.lexically_normal().string()) << role;
    }
    EXPECT_EQ(s["ps"]["replicas"], 1);
    EXPECT_EQ(s["worker"]["replicas"], 2);
    EXPECT_EQ(s["worker"]["gpuNumber"], 1);
    EXPECT_FALSE(s.contains("master"));
    ASSERT_TRUE(c.storage.has_value());
    EXPECT_EQ(c.storage->plugin, "nfs");
    EXPECT_EQ(c.storage->config, json({{"server", "10.20.30.40"}, {"path", "/exports/nni"}}));
    // authorName and useAnnotation: false are accepted; authorName is reported as ignored.
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(c.warnings[0].key_path, "authorName");
    EXPECT_EQ(c.warnings[0].where.line, 3);
}

TEST(Examples, KubeflowPytorchAzure) {
    ExperimentConfig c = load_example("kubeflow-pytorch-azure.v2.yml");
    EXPECT_EQ(c.platform.plugin, "kubeflow-pytorch");
    EXPECT_EQ(c.platform.config["master"]["memorySize"], "4Gi");  // "4g", rejected by NNI
    EXPECT_EQ(c.platform.config["worker"]["memorySize"], "4Gi");  // kept as written
    EXPECT_EQ(c.platform.config["reuseMode"], false);
    EXPECT_EQ(c.max_trial_duration, seconds(1800));
    EXPECT_EQ(c.tuner.name, "Random");
    EXPECT_EQ(c.search_space_file, "");
    EXPECT_EQ(c.search_space["epochs"]["_value"], json({5, 10}));
    ASSERT_TRUE(c.storage.has_value());
    EXPECT_EQ(c.storage->plugin, "azure-file");
    EXPECT_EQ(c.storage->config, json::parse(R"({"azureAccount": "nniaccount",
        "azureShare": "nnishare", "keyVaultName": "nnivault", "keyVaultKey": "nni-storage-key",
        "uploadRetryCount": 3})"));
}

TEST(Examples, LocalYamlAndJsonAreTheSame) {
    ExperimentConfig yaml = load_example("local.yml");
    ExperimentConfig json_form = load_example("local.json");
    EXPECT_EQ(yaml.to_json(), json_form.to_json());
    EXPECT_EQ(yaml.platform.plugin, "local");
    EXPECT_EQ(yaml.platform.config, json({{"useActiveGpu", false}}));
    EXPECT_FALSE(yaml.storage.has_value());
    EXPECT_EQ(yaml.trial_command, "python3 mnist.py");
    EXPECT_EQ(yaml.max_trial_retries, 1);
    EXPECT_EQ(yaml.max_experiment_duration, seconds(86400));
    EXPECT_EQ(yaml.port, 8080);
    EXPECT_EQ(yaml.log_level, "info");
    // JSON positions come through the same parser.
    EXPECT_EQ(json_form.location_of("trialConcurrency"), (SourceLocation{json_form.file, 7, 3}));
}

class V1EqualsV2 : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

// The model with each role's memory as a number of bytes: v1's memoryMB: 4096 reads "4096Mi"
// and v2's "4g" reads "4Gi", the same size written as each user wrote it.
json with_memory_in_bytes(json model) {
    auto convert = [](json& role) {
        if (!role.is_object() || !role.contains("memorySize")) {
            return;
        }
        role["memorySize"] =
            tshost::test::binary_quantity_bytes(role["memorySize"].get<std::string>());
    };
    json& ts = model["trainingService"];
    for (auto& [key, value] : ts.items()) {
        if (key == "taskRoles") {
            for (auto& role : value) {
                convert(role);
            }
        } else {
            convert(value);
        }
    }
    return model;
}

TEST_P(V1EqualsV2, SameModel) {
    ExperimentConfig v1 = load_example(GetParam().first);
    ExperimentConfig v2 = load_example(GetParam().second);
    EXPECT_EQ(v1.source_version, 1);
    EXPECT_EQ(v2.source_version, 2);
    EXPECT_EQ(with_memory_in_bytes(v1.to_json()), with_memory_in_bytes(v2.to_json()))
        << v1.to_json().dump(2) << "\n"
        << v2.to_json().dump(2);
    EXPECT_EQ(v1.platform.plugin, v2.platform.plugin);
    EXPECT_EQ(v1.storage->plugin, v2.storage->plugin);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, V1EqualsV2,
    ::testing::Values(std::pair<std::string, std::string>{"frameworkcontroller-nfs.v1.yml",
                                                          "frameworkcontroller-nfs.v2.yml"},
                      std::pair<std::string, std::string>{"kubeflow-tf-nfs.v1.yml",
                                                          "kubeflow-tf-nfs.v2.yml"},
                      std::pair<std::string, std::string>{"kubeflow-pytorch-azure.v1.yml",
                                                          "kubeflow-pytorch-azure.v2.yml"}),
    // The v1 file's stem, in gtest's alphabet: a stable test name.
    [](const auto& example) {
        std::string name = example.param.first.substr(0, example.param.first.find('.'));
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

class RoundTrip : public ::testing::TestWithParam<const char*> {};

// to_json() is itself a valid v2 config that loads into the same model.
TEST_P(RoundTrip, ToJsonReloads) {
    ExperimentConfig first = load_example(GetParam());
    test::TempDir dir;
    std::filesystem::path again = dir.write("again.json", first.to_json().dump(2));
    ExperimentConfig second = load_config(again);
    EXPECT_EQ(first.to_json(), second.to_json());
}

INSTANTIATE_TEST_SUITE_P(Examples, RoundTrip,
                         ::testing::Values("local.yml", "local.json",
                                           "frameworkcontroller-nfs.v1.yml",
                                           "frameworkcontroller-nfs.v2.yml",
                                           "kubeflow-tf-nfs.v1.yml", "kubeflow-tf-nfs.v2.yml",
                                           "kubeflow-pytorch-azure.v1.yml",
                                           "kubeflow-pytorch-azure.v2.yml"));

}  // namespace
}  // namespace tshost::config
