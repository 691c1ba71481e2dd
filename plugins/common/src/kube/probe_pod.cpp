#include "kube/probe_pod.hpp"

#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "kube/preflight_checks.hpp"

namespace tshost::kube {
namespace {

using json = nlohmann::json;

constexpr int kLogLines = 20;

std::string randomSuffix() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device device;
    std::string out;
    for (int i = 0; i < 8; ++i) {
        out.push_back(kHex[device() % 16]);
    }
    return out;
}

// What the watch thread tells the waiting one.
struct ProbeState {
    std::mutex mutex;
    std::condition_variable changed;
    json last;  // the pod as last seen
    std::optional<PreflightCheck> outcome;
    std::optional<std::string> watch_error;
    bool deleted = false;
};

void watchPod(Client& client, const ResourceRef& pods, const std::string& name,
              const ProbeRequest& probe, ProbeState& state, const Cancellation& cancel) {
    auto seen = [&](const json& pod, bool deleted) {
        std::lock_guard lock(state.mutex);
        state.last = pod;
        state.deleted = deleted;
        state.outcome = probeOutcome(probe, pod);
        state.changed.notify_all();
    };
    WatchOptions options;
    options.field_selector = "metadata.name=" + name;
    WatchHandlers handlers;
    handlers.on_event = [&](const WatchEvent& event) {
        seen(event.object, event.type == WatchEvent::Type::kDeleted);
    };
    handlers.on_relist = [&](const ListResult& list) {
        for (const json& pod : list.items) {
            seen(pod, false);
        }
    };
    try {
        client.watch(pods, options, handlers, cancel);
    } catch (const KubeError& e) {
        std::lock_guard lock(state.mutex);
        state.watch_error = e.message();
        state.changed.notify_all();
    }
}

}  // namespace

PreflightCheck runProbe(Client& client, const ProbeRequest& probe, const std::string& ns) {
    const ResourceRef pods{"", "v1", "pods", ns};
    const std::string name = probe.name_prefix + randomSuffix();
    try {
        client.create(pods, probePod(probe, name, ns));
    } catch (const KubeError& e) {
        return PreflightCheck{
            kProbeCheckName, false, "cannot create the probe pod: " + e.message(),
            "see the access checks; the probe needs to create pods in '" + ns + "'"};
    }
    // Deleted on every way out, at once (grace 0): it is ours and has nothing to finish.
    struct Remove {
        Client& client;
        const ResourceRef& pods;
        const std::string& name;
        ~Remove() {
            try {
                client.remove(pods, name, DeleteOptions{PropagationPolicy::kBackground, 0});
            } catch (const KubeError&) {
                // Already gone (404), or the server went away: nothing more to do here.
            }
        }
    } cleanup{client, pods, name};

    ProbeState state;
    Cancellation cancel;
    std::thread watcher([&] { watchPod(client, pods, name, probe, state, cancel); });
    std::optional<PreflightCheck> check;
    {
        std::unique_lock lock(state.mutex);
        state.changed.wait_for(lock, probe.timeout, [&] {
            return state.outcome.has_value() || state.watch_error.has_value() || state.deleted;
        });
        if (state.outcome) {
            check = state.outcome;
        } else if (state.watch_error) {
            check = PreflightCheck{kProbeCheckName, false,
                                   "watching the probe pod failed: " + *state.watch_error,
                                   "run the check again; if it persists, see the API server check"};
        } else if (state.deleted) {
            check =
                PreflightCheck{kProbeCheckName, false, "the probe pod was deleted before it ended",
                               "run the check again, and keep other tools from deleting "
                               "pods labelled tshost.io/probe"};
        } else {
            check = probeTimedOut(probe, state.last);
        }
    }
    cancel.cancel();
    watcher.join();
    if (!check->ok) {
        try {
            addProbeLog(*check, client.podLog(name, "probe", kLogLines));
        } catch (const KubeError&) {
            // No log (never started, or the server serves none): the detail says enough.
        }
    }
    return *check;
}

}  // namespace tshost::kube
