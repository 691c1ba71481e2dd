// The host's side of the opaque tsh_host_ctx, and the tsh_host_api table whose
// functions receive it. Private to the host.
#pragma once

#include <tshost/plugin.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>

#include "plugin/event_queue.hpp"

struct tsh_host_ctx {
    std::string instance_name;
    tshost::plugin::EventQueue* events = nullptr;  // null: events are dropped
    const tsh_storage_access* storage = nullptr;   // for platforms, when configured
    std::atomic<bool> stopping{false};
    std::mutex warned_mutex;
    std::set<std::string> warned;  // rejection reasons already logged once
};

namespace tshost::plugin {

/// The host services table every instance receives. Static, thread-safe.
const tsh_host_api* host_api() noexcept;

}  // namespace tshost::plugin
