#include "kf_test_support.hpp"

#include "jsonschema/schema.hpp"
#include "plugin/schema_cache.hpp"
#include "pytorch_flavor.hpp"
#include "tf_flavor.hpp"

namespace kf_test {

std::string azure_pod_volume(const std::string& share) {
    const std::string secret = "nni-secret-abc12xyz-storage";
    return json{
        {"volume",
         {{"name", "nni-vol"},
          {"azureFile", {{"secretName", secret}, {"shareName", share}, {"readOnly", false}}}}},
        {"volumeMount", {{"mountPath", "/tmp/mount"}}},
        {"secret",
         {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", secret}}},
          {"type", "Opaque"},
          {"data",
           {{"azurestorageaccountname", "bmlpYWNjb3VudA=="},
            {"azurestorageaccountkey", "c2VjcmV0LWtleQ=="}}}}}}
        .dump();
}

kp::TrialInput trial_input(const std::string& exp, const std::string& trial, int64_t attempt) {
    kp::TrialInput in = fc_test::trial_input(exp, trial, attempt);
    in.namespace_name = "kubeflow";
    return in;
}

json tf_section() {
    return json::parse(R"({
      "operator": "tf-operator", "apiVersion": "v1", "namespace": "kubeflow", "reuseMode": false,
      "ps": {"replicas": 1, "command": "python3 dist_mnist.py", "gpuNumber": 0, "cpuNumber": 1,
             "memorySize": 8196, "dockerImage": "msranni/nni:latest", "codeDirectory": "."},
      "worker": {"replicas": 2, "command": "python3 dist_mnist.py", "gpuNumber": 1,
                 "cpuNumber": 0.5, "memorySize": "4Gi", "dockerImage": "msranni/nni:latest",
                 "codeDirectory": "."}})");
}

json pytorch_section() {
    return json::parse(R"({
      "operator": "pytorch-operator", "apiVersion": "v1", "namespace": "kubeflow",
      "serviceAccountName": "trainer",
      "master": {"replicas": 1, "command": "python3 mnist_ddp.py", "gpuNumber": 1,
                 "cpuNumber": 2, "memorySize": 4096},
      "worker": {"replicas": 2, "command": "python3 mnist_ddp.py", "gpuNumber": 1,
                 "cpuNumber": 2, "memorySize": "4Gi"}})");
}

kp::KubeflowSettings tf_settings(const json& section, const std::string& exp) {
    return kp::parse_kubeflow_settings(kubeflow_tf::tf_flavor(), section.dump(),
                                       json{{"experimentId", exp}}.dump());
}

kp::KubeflowSettings pytorch_settings(const json& section, const std::string& exp) {
    return kp::parse_kubeflow_settings(kubeflow_pytorch::pytorch_flavor(), section.dump(),
                                       json{{"experimentId", exp}}.dump());
}

namespace {
std::string problems_of(const tshost::jsonschema::Schema& schema, const json& doc) {
    std::string out;
    for (const auto& e : schema.validate(doc)) {
        out += e.key_path + ": " + e.message + "\n";
    }
    return out;
}
}  // namespace

std::string crd_problems(const char* crd, const json& job) {
    return problems_of(*tshost::plugin::cached_schema(crd), job);
}

std::string config_problems(const char* schema, const json& section) {
    return problems_of(*tshost::plugin::cached_schema(schema), section);
}

}  // namespace kf_test
