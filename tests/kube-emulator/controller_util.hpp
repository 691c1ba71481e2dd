// Pieces both simulated operators share: a coalescing reconcile queue, owner references, pod
// construction from a template, status writes.
#pragma once

#include <set>
#include <string>
#include <utility>

#include "common.hpp"
#include "loop.hpp"
#include "store.hpp"

namespace kemu {

/// Collects (namespace, name) keys and reconciles each once per loop turn, however many changes
/// arrived: 1,000 jobs with several pods each must not mean one reconcile per pod event.
class ReconcileQueue {
  public:
    using Fn = std::function<void(const std::string& ns, const std::string& name)>;
    ReconcileQueue(Loop& loop, Fn fn) : loop_(loop), fn_(std::move(fn)) {}
    void enqueue(const std::string& ns, const std::string& name);

  private:
    Loop& loop_;
    Fn fn_;
    std::set<std::pair<std::string, std::string>> dirty_;
    bool scheduled_ = false;
};

json controller_owner_reference(const json& owner);

/// Name of the controlling owner of kind `kind`, or "".
std::string controller_owner(const json& obj, const std::string& kind);

/// A Pod from a PodTemplateSpec, owned by `owner`, with extra labels/annotations/env.
json pod_from_template(const json& owner, const std::string& name, const json& pod_template,
                       const json& labels, const json& annotations, const json& env,
                       const std::string& restart_policy);

/// Writes `status` into `obj` through the status scope (no-op when unchanged).
void write_status(Store& store, const ResourceType& rt, const json& obj, json status);

/// Pods in `ns` controlled by `owner_uid`, by name.
std::map<std::string, ObjPtr> owned_pods(Store& store, const std::string& ns,
                                         const std::string& owner_uid);

}  // namespace kemu
