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

}  // namespace tshost::trialkit
