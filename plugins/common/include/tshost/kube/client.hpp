#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tshost/kube/cancel.hpp"
#include "tshost/kube/config.hpp"
#include "tshost/kube/error.hpp"
#include "tshost/kube/log.hpp"
#include "tshost/kube/resource.hpp"

namespace tshost::kube {

struct ClientOptions {
    ResolvedConfig config;
    LogFn log;  // may be empty
    // Client-side rate limit (token bucket), the client-go defaults: polite to shared API servers.
    // Watch streams count once, when they are opened. Watches and their lists draw from a second
    // bucket of the same size, so status never queues behind a burst of other requests.
    double qps = 5.0;
    int burst = 10;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds request_timeout{30'000};  // per attempt
    std::chrono::milliseconds retry_deadline{60'000};   // total for one operation, retries included
    std::chrono::milliseconds backoff_base{250};
    std::chrono::milliseconds backoff_max{8'000};
    // Asked of the server (timeoutSeconds), so quiet watches end cleanly and are resumed...
    std::chrono::seconds watch_server_timeout{300};
    // ...and a stream that stays silent longer than this is presumed dead and reopened.
    std::chrono::milliseconds watch_idle_timeout{330'000};
    std::chrono::milliseconds exec_timeout{60'000};
    std::size_t max_connections = 4;  // pooled curl handles (each keeps its connections alive)
    std::string user_agent = "tshost-kube/0.1";
};

struct WatchOptions {
    std::string label_selector;
    std::string field_selector;
    // Where to start. "" = list first (reported through on_relist), then watch from the list.
    std::string resource_version;
};

struct WatchHandlers {
    // ADDED/MODIFIED/DELETED; BOOKMARKs only advance the resume point and are not reported.
    std::function<void(const WatchEvent&)> on_event;
    // The full state, after the initial list and after every re-list forced by 410 Gone: the
    // caller diffs it against what it knew (objects may have vanished in between).
    std::function<void(const ListResult&)> on_relist;
};

// A Kubernetes API client for any group/version/plural in one namespace at a time. Thread-safe:
// operations may run concurrently from several threads. Every operation throws KubeError; one
// interrupted through its Cancellation throws reason "Cancelled" (watch() just returns).
class Client {
  public:
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const ResolvedConfig& config() const;
    const std::string& defaultNamespace() const;

    CreateResult create(const ResourceRef& ref, const nlohmann::json& object,
                        const Cancellation* cancel = nullptr);
    nlohmann::json get(const ResourceRef& ref, std::string_view name,
                       const Cancellation* cancel = nullptr);
    // All pages, following `continue`.
    ListResult list(const ResourceRef& ref, const ListOptions& options = {},
                    const Cancellation* cancel = nullptr);
    nlohmann::json remove(const ResourceRef& ref, std::string_view name,
                          const DeleteOptions& options = {}, const Cancellation* cancel = nullptr);
    // deletecollection by label selector.
    nlohmann::json removeCollection(const ResourceRef& ref, std::string_view label_selector,
                                    const DeleteOptions& options = {},
                                    const Cancellation* cancel = nullptr);
    nlohmann::json patch(const ResourceRef& ref, std::string_view name, const nlohmann::json& patch,
                         PatchType type = PatchType::kMerge, const Cancellation* cancel = nullptr);

    // GET /version: whether the server answers, and as whom it sees us (401/403 otherwise).
    nlohmann::json serverVersion(const Cancellation* cancel = nullptr);
    // The APIResourceList of a group/version (GET /apis/<group>/<version>, or /api/<version> for
    // the core group); KubeError 404 when the server does not serve it (CRD not installed).
    nlohmann::json discover(std::string_view group, std::string_view version,
                            const Cancellation* cancel = nullptr);
    // The last `tail_lines` lines of a container's log in the client's default namespace (plain
    // text, GET .../pods/<pod>/log).
    std::string podLog(std::string_view pod, std::string_view container, int tail_lines,
                       const Cancellation* cancel = nullptr);

    // Watches until `cancel` fires (then returns normally). Resumes from the last seen
    // resourceVersion after disconnects; re-lists on 410 Gone. Throws KubeError on a
    // non-retryable error, or when reconnecting keeps failing past retry_deadline.
    void watch(const ResourceRef& ref, const WatchOptions& options, const WatchHandlers& handlers,
               const Cancellation& cancel);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tshost::kube
