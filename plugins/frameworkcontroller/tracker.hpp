// The trials this instance follows: the shared tracker with the Framework status map.
#pragma once

#include <tshost/kubeplatform/tracker.hpp>

#include "status_map.hpp"

namespace fc_platform {

class Tracker : public tshost::kubeplatform::JobTracker {
  public:
    Tracker(Emit emit, Clock clock)
        : JobTracker(std::move(emit), std::move(clock), map_framework_status, "Framework") {}
};

}  // namespace fc_platform
