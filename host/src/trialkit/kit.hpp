// The experiment's trial kit: what every trial's run script uses from the share,
// written once per experiment (and again on resume, so a newer host's agent
// replaces an older one's): the trial agent, the minimal `nni` module it offers to
// images without NNI, and the function that materialises the code.
#pragma once

#include <string_view>

#include "plugin/instance.hpp"

namespace tshost::trialkit {

/// host/src/trialkit/agent/tshost_agent.py, embedded at build time.
std::string_view agent_script() noexcept;
/// host/src/trialkit/agent/nni_shim/nni/__init__.py, embedded at build time.
std::string_view nni_shim_module() noexcept;

/// Writes the kit under kit_dir(experiment_id) and creates changed_dir().
void install_kit(plugin::StorageInstance& storage, std::string_view experiment_id);

/// The kit file name of the metrics server's CA certificate (metricsTls); the agent
/// looks for it next to itself.
inline constexpr std::string_view kMetricsCaFile = "metrics-ca.crt";

/// metricsTls: writes the CA certificate (PEM; never a key) to kit_dir()/metrics-ca.crt.
void install_metrics_ca(plugin::StorageInstance& storage, std::string_view experiment_id,
                        std::string_view ca_cert_pem);

}  // namespace tshost::trialkit
