// The Kubeflow TFJob CRD's openAPIV3Schema, compiled in OpenAPI mode: a large real schema that
// generated TFJob manifests are checked against before they are submitted.
#include <filesystem>
#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"
#include "yaml_json.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tshost::jsonschema::CompileOptions;
using tshost::jsonschema::Schema;

const fs::path kTfJobCrd = fs::path(TSHOST_REFERENCE_CRDS_DIR) / "kubeflow.org_tfjobs.yaml";

json minimal_tfjob() {
    return json::parse(R"({
      "apiVersion": "kubeflow.org/v1",
      "kind": "TFJob",
      "metadata": {"name": "mnist-trial-1", "namespace": "default", "labels": {"trial": "1"}},
      "spec": {
        "runPolicy": {"cleanPodPolicy": "None", "backoffLimit": 3},
        "tfReplicaSpecs": {
          "Worker": {
            "replicas": 2,
            "restartPolicy": "OnFailure",
            "template": {
              "spec": {
                "containers": [{
                  "name": "tensorflow",
                  "image": "tensorflow/tensorflow:2.15.0",
                  "command": ["python", "/mnt/code/mnist.py"],
                  "resources": {"limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1}},
                  "volumeMounts": [{"name": "nni", "mountPath": "/mnt/code"}]
                }],
                "volumes": [{"name": "nni", "nfs": {"server": "10.0.0.4", "path": "/exports/nni"}}]
              }
            }
          }
        }
      }
    })");
}

class TfJobCrd : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!fs::is_regular_file(kTfJobCrd)) {
            return;
        }
        json crd = tshost::jsonschema::testing::load_yaml_as_json(kTfJobCrd);
        CompileOptions options;
        options.openapi_v3 = true;
        schema_.emplace(Schema::compile(
            crd.at("spec").at("versions").at(0).at("schema").at("openAPIV3Schema"), options));
    }
    static void TearDownTestSuite() { schema_.reset(); }

    void SetUp() override {
        if (!schema_) {
            GTEST_SKIP() << "Kubeflow CRDs not found at " << kTfJobCrd
                         << " (set TSHOST_REFERENCE_CRDS_DIR)";
        }
    }

    static std::optional<Schema> schema_;
};

std::optional<Schema> TfJobCrd::schema_;

TEST_F(TfJobCrd, AcceptsMinimalJob) {
    const auto errors = schema_->validate(minimal_tfjob());
    EXPECT_TRUE(errors.empty()) << to_string(errors.front());
    EXPECT_TRUE(schema_->is_valid(minimal_tfjob()));
}

TEST_F(TfJobCrd, RejectsQuotedReplicasWithKeyPath) {
    json job = minimal_tfjob();
    job["spec"]["tfReplicaSpecs"]["Worker"]["replicas"] = "two";
    EXPECT_FALSE(schema_->is_valid(job));
    const auto errors = schema_->validate(job);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path, "spec.tfReplicaSpecs.Worker.replicas");
    EXPECT_EQ(errors[0].instance_pointer, "/spec/tfReplicaSpecs/Worker/replicas");
    EXPECT_EQ(errors[0].message, "expected integer, got string \"two\"");
    EXPECT_EQ(errors[0].schema_pointer,
              "/properties/spec/properties/tfReplicaSpecs/additionalProperties/properties/"
              "replicas/type");
}

TEST_F(TfJobCrd, FlagsFieldsTheApiServerWouldDrop) {
    json job = minimal_tfjob();
    auto& container = job["spec"]["tfReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0];
    container["imagePullPolcy"] = "Always";
    const auto errors = schema_->validate(job);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path,
              "spec.tfReplicaSpecs.Worker.template.spec.containers[0].imagePullPolcy");
    EXPECT_EQ(errors[0].message, "unknown key 'imagePullPolcy' — did you mean 'imagePullPolicy'?");
}

TEST_F(TfJobCrd, MetadataAndPreservedFieldsAcceptAnything) {
    json job = minimal_tfjob();
    job["metadata"]["annotations"] = {{"anything", "goes"}};
    job["metadata"]["generateName"] = "mnist-";
    EXPECT_TRUE(schema_->is_valid(job));
}

TEST_F(TfJobCrd, ChecksQuantitiesAndRequiredKeys) {
    json job = minimal_tfjob();
    auto& container = job["spec"]["tfReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0];
    container.erase("name");
    container["resources"]["limits"]["cpu"] = 2;  // int-or-string: an integer is fine too
    container["resources"]["limits"]["memory"] = "4 gigs";
    const auto errors = schema_->validate(job);
    ASSERT_EQ(errors.size(), 2u) << to_string(errors.front());
    // The object's own problems first, then those inside it.
    EXPECT_EQ(errors[0].key_path, "spec.tfReplicaSpecs.Worker.template.spec.containers[0]");
    EXPECT_EQ(errors[0].message, "missing required key 'name'");
    EXPECT_EQ(errors[1].key_path,
              "spec.tfReplicaSpecs.Worker.template.spec.containers[0].resources.limits.memory");
    EXPECT_TRUE(errors[1].message.starts_with("must match the pattern '^(\\+|-)?"))
        << errors[1].message;
    EXPECT_TRUE(errors[1].message.ends_with("(got \"4 gigs\")")) << errors[1].message;
}

TEST_F(TfJobCrd, NullIsNotAnInteger) {
    json job = minimal_tfjob();
    job["spec"]["tfReplicaSpecs"]["Worker"]["replicas"] = nullptr;
    const auto errors = schema_->validate(job);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, "expected integer, got null");
}

}  // namespace
