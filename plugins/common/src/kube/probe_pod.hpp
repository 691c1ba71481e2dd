// --probe-image: one short-lived pod that fetches the host's metrics healthz, followed by watch
// until it ends or the probe's timeout passes, and deleted whatever happens.
#pragma once

#include <string>

#include "tshost/kube/client.hpp"
#include "tshost/kube/preflight.hpp"

namespace tshost::kube {

PreflightCheck runProbe(Client& client, const ProbeRequest& probe, const std::string& ns);

}  // namespace tshost::kube
