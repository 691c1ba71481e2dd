// Shared inputs of the kubeflow-tf / kubeflow-pytorch unit tests: sections as the host passes
// them, a trial, the storage plugins' pod volumes, and the checks the plugins run before sending
// a job (the embedded CRD through the host's validate_json cache, and the webhook rules).
#pragma once

#include <tshost/kubeplatform/kubeflow_job.hpp>
#include <tshost/kubeplatform/kubeflow_platform.hpp>
#include <tshost/kubeplatform/pod_parts.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "fc_test_support.hpp"

namespace kf_test {

using nlohmann::json;
namespace kp = tshost::kubeplatform;

/// The nfs plugin's pod_volume() and a trial's spec_json, as the frameworkcontroller tests have
/// them.
using fc_test::nfs_pod_volume;
using fc_test::spec_json;

/// The azure-file plugin's pod_volume() (its exact shape; the key itself is not needed).
std::string azure_pod_volume(const std::string& share = "nnishare");

/// Trial `trial` of `exp` in namespace kubeflow (the seed configs' namespace).
kp::TrialInput trial_input(const std::string& exp, const std::string& trial, int64_t attempt = 0);

/// A v2 kubeflow section with ps + worker (tf) / master + worker (pytorch).
json tf_section();
json pytorch_section();

kp::KubeflowSettings tf_settings(const json& section, const std::string& exp = "abc12xyz");
kp::KubeflowSettings pytorch_settings(const json& section, const std::string& exp = "abc12xyz");

/// Problems of `job` against the embedded CRD, compiled as validate_json compiles it ("" = none).
std::string crd_problems(const char* crd, const json& job);
/// Problems of a section against a plugin's published config schema ("" = none).
std::string config_problems(const char* schema, const json& section);

}  // namespace kf_test
