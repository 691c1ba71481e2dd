// The Kubernetes REST API: routing, discovery, CRUD/list/watch/patch, plus the emulator-only
// endpoints under /emulator/v1.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "access_policy.hpp"
#include "common.hpp"
#include "http_types.hpp"
#include "loop.hpp"

namespace kemu {

class Store;
class WatchHub;
class Faults;
class Admission;

struct ApiHooks {
    /// Container log of a pod (GET .../pods/<name>/log), nullopt when unknown.
    std::function<std::optional<std::string>(const std::string& ns, const std::string& pod,
                                             const std::string& container)>
        pod_log;
    /// Extra figures for GET /emulator/v1/stats.
    std::function<json()> stats;
    /// What SelfSubjectAccessReviews answer (--deny).
    AccessPolicy access;
    /// --strict-namespaces: only namespaces that exist (default, kube-system, kube-public and
    /// those created) are found, and objects cannot be created in others, as in a real cluster.
    /// Off: any namespace exists and is created on first use.
    bool strict_namespaces = false;
};

class Api final : public RequestHandler {
  public:
    Api(Loop& loop, Store& store, WatchHub& hub, Faults& faults, const Admission& admission,
        ApiHooks hooks);
    void set_server_address(std::string address) { server_address_ = std::move(address); }

    HttpResponse handle(const HttpRequest& req) override;
    void end_watch(std::uint64_t id) override;

  private:
    struct Target;
    HttpResponse route(const HttpRequest& req);
    HttpResponse emulator_endpoint(const HttpRequest& req);
    HttpResponse resource_request(const HttpRequest& req, Target& t);
    HttpResponse list(const HttpRequest& req, const Target& t);
    HttpResponse watch(const HttpRequest& req, const Target& t);
    HttpResponse get(const HttpRequest& req, const Target& t);
    HttpResponse create(const HttpRequest& req, const Target& t);
    HttpResponse replace(const HttpRequest& req, const Target& t);
    HttpResponse patch(const HttpRequest& req, const Target& t);
    HttpResponse admit_and_update(const Target& t, json obj, const json* old);
    HttpResponse remove(const HttpRequest& req, const Target& t);
    HttpResponse remove_collection(const HttpRequest& req, const Target& t);
    void ensure_namespace(const std::string& ns);
    bool namespace_missing(const std::string& ns) const;

    Loop& loop_;
    Store& store_;
    WatchHub& hub_;
    Faults& faults_;
    const Admission& admission_;
    ApiHooks hooks_;
    std::string server_address_;
    // Resource requests received, per verb and per resource+verb, counted before fault
    // injection (an injected 429/5xx is a request the server saw): GET /emulator/v1/stats.
    std::uint64_t requests_total_ = 0;
    std::uint64_t injected_errors_ = 0;
    json requests_ = json::object();
};

}  // namespace kemu
