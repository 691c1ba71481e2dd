// tshost_kube's KubeError → the ABI status the host acts on (TRANSIENT is retried with backoff).
#pragma once

#include <tshost/kube/error.hpp>
#include <tshost/plugin.hpp>

#include <string>

namespace tshost::kubeplatform {

tshost::Error to_plugin_error(const tshost::kube::KubeError& e, const std::string& doing);

}  // namespace tshost::kubeplatform
